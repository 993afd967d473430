//! The live connection: replay, live delivery, resume without loss or
//! duplicates, refused frames, and the end of a session.

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::harness::{Backend, TestApp, both_backends, spawn_app};

both_backends!(
    chat_flows_both_ways_live,
    resume_after_drop_loses_and_duplicates_nothing,
    bad_frames_are_refused_and_connection_stays,
    ending_closes_every_connection
);

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(app: &TestApp, sid: &str, token: &str, after: u64) -> Ws {
    let mut req = format!("{}/api/v1/sessions/{sid}/ws?after={after}", app.ws_url)
        .into_client_request()
        .expect("request");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket connects");
    ws
}

/// The next JSON frame; `None` when the server closed the connection.
pub async fn next(ws: &mut Ws) -> Option<Value> {
    loop {
        match ws.next().await? {
            Ok(Message::Text(t)) => {
                return Some(serde_json::from_str(t.as_str()).expect("json frame"));
            }
            Ok(Message::Close(_)) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Reads frames until an event of `kind` arrives; returns it.
pub async fn next_event(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let frame = next(ws).await.expect("connection open");
        if frame["type"] == "event" && frame["event"]["kind"] == kind {
            return frame["event"].clone();
        }
    }
}

async fn chat_flows_both_ways_live(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let mut t = connect(&app, &sid, &tech, 0).await;
    let hello = next(&mut t).await.expect("hello");
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["you"]["role"], "technician");
    assert_eq!(hello["session"]["customer"]["online"], false);
    for kind in ["created", "key_used", "joined"] {
        assert_eq!(next(&mut t).await.expect("replay")["event"]["kind"], kind);
    }
    let mut c = connect(&app, &sid, &cust, 0).await;
    let hello = next(&mut c).await.expect("hello");
    assert_eq!(hello["you"], json!({"role": "customer", "name": "Alex"}));
    assert!(hello["session"].get("key").is_none());
    // The technician learns that the customer came online.
    let presence = next(&mut t).await.expect("presence");
    assert_eq!(presence["type"], "session");
    assert_eq!(presence["session"]["customer"]["online"], true);

    c.send(Message::text(
        json!({"type": "chat", "text": "Guten Tag", "client_id": "k1"}).to_string(),
    ))
    .await
    .expect("send");
    let got = next_event(&mut t, "chat").await;
    assert_eq!(got["text"], "Guten Tag");
    assert_eq!(got["actor"]["name"], "Alex");
    assert_eq!(got["seq"], 4);
    t.send(Message::text(
        json!({"type": "chat", "text": "Hallo Alex"}).to_string(),
    ))
    .await
    .expect("send");
    assert_eq!(next_event(&mut c, "chat").await["text"], "Guten Tag");
    assert_eq!(next_event(&mut c, "chat").await["text"], "Hallo Alex");

    assert_eq!(next_event(&mut t, "chat").await["text"], "Hallo Alex");
    drop(c);
    let gone = next(&mut t).await.expect("presence");
    assert_eq!(gone["type"], "session");
    assert_eq!(gone["session"]["customer"]["online"], false);
    app.stop().await;
}

async fn resume_after_drop_loses_and_duplicates_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let mut c = connect(&app, &sid, &cust, 0).await;
    let seen = next_event(&mut c, "joined").await["seq"]
        .as_u64()
        .expect("seq");
    c.close(None).await.expect("close");
    for text in ["one", "two"] {
        assert_eq!(app.say(&sid, &tech, text).await.0, StatusCode::CREATED);
    }
    let mut c = connect(&app, &sid, &cust, seen).await;
    assert_eq!(next(&mut c).await.expect("hello")["type"], "hello");
    let mut texts = Vec::new();
    for _ in 0..2 {
        let frame = next(&mut c).await.expect("replayed");
        assert_eq!(frame["type"], "event", "{frame}");
        texts.push(
            frame["event"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(texts, ["one", "two"]);
    // The next event is the new one: nothing replayed twice.
    app.say(&sid, &tech, "three").await;
    let frame = next(&mut c).await.expect("live");
    assert_eq!(frame["event"]["text"], "three");
    assert_eq!(frame["event"]["seq"], seen + 3);
    app.stop().await;
}

async fn bad_frames_are_refused_and_connection_stays(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let mut c = connect(&app, &sid, &cust, 3).await;
    next(&mut c).await.expect("hello");
    c.send(Message::text("not json")).await.expect("send");
    let err = next(&mut c).await.expect("error");
    assert_eq!(
        (err["type"].as_str(), err["error"].as_str()),
        (Some("error"), Some("bad_frame"))
    );
    c.send(Message::text(
        json!({"type": "grant", "all": true}).to_string(),
    ))
    .await
    .expect("send");
    assert_eq!(next(&mut c).await.expect("error")["error"], "bad_frame");
    let long = "x".repeat(4001);
    c.send(Message::text(
        json!({"type": "chat", "text": long, "client_id": "L"}).to_string(),
    ))
    .await
    .expect("send");
    let err = next(&mut c).await.expect("error");
    assert_eq!(err["error"], "message_too_long");
    assert_eq!(err["client_id"], "L");
    c.send(Message::text(
        json!({"type": "chat", "text": "fine"}).to_string(),
    ))
    .await
    .expect("send");
    let ok = next(&mut c).await.expect("event");
    assert_eq!(
        (ok["event"]["text"].as_str(), ok["event"]["seq"].as_u64()),
        (Some("fine"), Some(4))
    );
    app.stop().await;
}

async fn ending_closes_every_connection(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let mut c = connect(&app, &sid, &cust, 3).await;
    next(&mut c).await.expect("hello");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/sessions/{sid}/end"),
            Some(&tech),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let ended = next_event(&mut c, "ended").await;
    assert_eq!(ended["reason"], "technician");
    let last = next(&mut c).await.expect("session frame");
    assert_eq!(last["session"]["state"], "ended");
    assert!(next(&mut c).await.is_none(), "server closes after the end");
    // A new connection to an ended session gets the history and is closed.
    let mut again = connect(&app, &sid, &cust, 0).await;
    assert_eq!(
        next(&mut again).await.expect("hello")["session"]["state"],
        "ended"
    );
    let mut kinds = Vec::new();
    while let Some(f) = next(&mut again).await {
        kinds.push(f["event"]["kind"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(kinds, ["created", "key_used", "joined", "ended"]);
    app.stop().await;
}
