//! A restart in the middle of a session loses nothing, and clients can
//! carry on with the tokens they had.

use reqwest::StatusCode;

use crate::harness::{Backend, both_backends, spawn_app, start};
use crate::ws::{connect, next, next_event};

both_backends!(restart_keeps_everything);

async fn restart_keeps_everything(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    app.say(&sid, &cust, "before restart").await;
    let (_, event) = crate::harness::read(
        app.client
            .post(format!(
                "{}/api/v1/sessions/{sid}/files?name=log.txt",
                app.url
            ))
            .bearer_auth(&tech)
            .body(b"log line".to_vec())
            .send()
            .await
            .expect("upload"),
    )
    .await;
    let fid = event["file"]["id"].as_str().expect("file id").to_owned();
    let mut c = connect(&app, &sid, &cust, 0).await;
    next_event(&mut c, "file").await;
    let (mut config, dir) = app.stop().await;
    // The server told the client to come back, rather than just vanishing.
    assert!(next(&mut c).await.is_none());

    config.listen = "127.0.0.1:0".parse().expect("address");
    let app = start(config, dir).await;
    let kinds = app.timeline_kinds(&sid, &tech).await;
    assert_eq!(kinds, ["created", "key_used", "joined", "chat", "file"]);
    let resp = app
        .client
        .get(format!("{}/api/v1/sessions/{sid}/files/{fid}", app.url))
        .bearer_auth(&cust)
        .send()
        .await
        .expect("download");
    assert_eq!(resp.bytes().await.expect("bytes").as_ref(), b"log line");
    // Both tokens still work and numbering continues without a gap.
    let mut c = connect(&app, &sid, &cust, 5).await;
    next(&mut c).await.expect("hello");
    let (status, after) = app.say(&sid, &tech, "after restart").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(after["seq"], 6);
    assert_eq!(next_event(&mut c, "chat").await["text"], "after restart");
    app.stop().await;
}
