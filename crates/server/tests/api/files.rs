//! Files: streamed upload, byte-identical download, limits, retention.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Backend, assert_error, both_backends, read, spawn_app, spawn_app_with};

both_backends!(
    file_goes_to_customer_byte_identical,
    too_large_files_are_refused,
    files_are_removed_after_retention
);

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7919) % 251) as u8).collect()
}

async fn upload(
    app: &crate::harness::TestApp,
    sid: &str,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    // A refused upload closes its connection (the rest of the body is not
    // read); a client without a pool never tries to reuse it.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let resp = client
        .post(format!("{}/api/v1/sessions/{sid}/files", app.url))
        .query(&[("name", name)])
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .expect("upload");
    read(resp).await
}

async fn file_goes_to_customer_byte_identical(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let bytes = pattern(3 * 1024 * 1024 + 17);
    let (status, event) = upload(&app, &sid, &tech, "../Bericht Größe.pdf", bytes.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    assert_eq!(event["kind"], "file");
    assert_eq!(event["file"]["name"], "Bericht Größe.pdf");
    assert_eq!(event["file"]["size"], bytes.len());
    let fid = event["file"]["id"].as_str().expect("file id");
    let resp = app
        .client
        .get(format!("{}/api/v1/sessions/{sid}/files/{fid}", app.url))
        .bearer_auth(&cust)
        .send()
        .await
        .expect("download");
    assert_eq!(resp.status(), StatusCode::OK);
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .expect("header")
        .to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''Bericht%20Gr%C3%B6%C3%9Fe.pdf"),
        "{disposition}"
    );
    assert_eq!(resp.bytes().await.expect("bytes").to_vec(), bytes);
    // The customer cannot send files; the transcript shows the one that was sent.
    assert_error(
        &upload(&app, &sid, &cust, "x.txt", vec![1]).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let (_, all) = app
        .get(&format!("/api/v1/sessions/{sid}/messages"), Some(&cust))
        .await;
    assert_eq!(
        all["events"]
            .as_array()
            .map(|e| e.iter().filter(|e| e["kind"] == "file").count()),
        Some(1)
    );
    app.stop().await;
}

async fn too_large_files_are_refused(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.max_file_bytes = 1000).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, _) = app.joined_session(&tech).await;
    assert_error(
        &upload(&app, &sid, &tech, "big.bin", pattern(1001)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
    );
    // Without a Content-Length the stream itself is counted.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..5).map(|_| Ok(pattern(300))).collect();
    let resp = app
        .client
        .post(format!(
            "{}/api/v1/sessions/{sid}/files?name=s.bin",
            app.url
        ))
        .bearer_auth(&tech)
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .expect("upload");
    assert_error(
        &read(resp).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
    );
    assert_eq!(
        upload(&app, &sid, &tech, "ok.bin", pattern(1000)).await.0,
        StatusCode::CREATED
    );
    let (_, all) = app
        .get(&format!("/api/v1/sessions/{sid}/messages"), Some(&tech))
        .await;
    assert_eq!(
        all["events"]
            .as_array()
            .map(|e| e.iter().filter(|e| e["kind"] == "file").count()),
        Some(1)
    );
    // Nothing partial is left on disk: just the one accepted file.
    let on_disk = std::fs::read_dir(app.config.data_dir.join("files"))
        .expect("files dir")
        .count();
    assert_eq!(on_disk, 1);
    app.stop().await;
}

async fn files_are_removed_after_retention(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.file_retention = Duration::from_secs(3600)).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let (_, event) = upload(&app, &sid, &tech, "a.txt", b"hello".to_vec()).await;
    let fid = event["file"]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/sessions/{sid}/files/{fid}");
    app.post_json(
        &format!("/api/v1/sessions/{sid}/end"),
        Some(&tech),
        json!({}),
    )
    .await;
    app.clock.advance(Duration::from_secs(3599));
    server::sweep(&app.state).await.expect("sweep");
    assert_eq!(app.get(&path, Some(&cust)).await.0, StatusCode::OK);
    app.clock.advance(Duration::from_secs(1));
    server::sweep(&app.state).await.expect("sweep");
    assert_error(
        &app.get(&path, Some(&cust)).await,
        StatusCode::GONE,
        "file_removed",
    );
    assert_eq!(
        std::fs::read_dir(app.config.data_dir.join("files"))
            .expect("dir")
            .count(),
        0
    );
    app.stop().await;
}
