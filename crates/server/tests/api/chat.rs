//! Chat over HTTP: order, idempotent resend, limits, text stays text, end.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Backend, assert_error, both_backends, spawn_app};

both_backends!(
    messages_are_ordered_and_attributed,
    resend_with_client_id_stores_once,
    bad_messages_are_refused,
    ended_session_takes_nothing_more
);

async fn messages_are_ordered_and_attributed(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    assert_eq!(
        app.say(&sid, &cust, "Hallo, mein Drucker <b>druckt</b> nicht")
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        app.say(&sid, &tech, "Ich sehe es mir an.").await.0,
        StatusCode::CREATED
    );
    let (_, all) = app
        .get(&format!("/api/v1/sessions/{sid}/messages"), Some(&cust))
        .await;
    let events = all["events"].as_array().expect("events");
    let kinds: Vec<_> = events
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(kinds, ["created", "key_used", "joined", "chat", "chat"]);
    let seqs: Vec<_> = events
        .iter()
        .map(|e| e["seq"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5]);
    assert_eq!(
        events[3]["actor"],
        json!({"role": "customer", "name": "Alex"})
    );
    assert_eq!(events[3]["text"], "Hallo, mein Drucker <b>druckt</b> nicht");
    assert_eq!(events[4]["actor"]["role"], "technician");
    let (_, tail) = app
        .get(
            &format!("/api/v1/sessions/{sid}/messages?after=4"),
            Some(&tech),
        )
        .await;
    assert_eq!(tail["events"].as_array().map(Vec::len), Some(1));
    app.stop().await;
}

async fn resend_with_client_id_stores_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let path = format!("/api/v1/sessions/{sid}/messages");
    let body = json!({"text": "once", "client_id": "c-1"});
    let (s1, first) = app.post_json(&path, Some(&cust), body.clone()).await;
    let (s2, second) = app.post_json(&path, Some(&cust), body).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first, second);
    let (_, all) = app.get(&path, Some(&cust)).await;
    let chats = all["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["kind"] == "chat")
        .count();
    assert_eq!(chats, 1);
    app.stop().await;
}

async fn bad_messages_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let too_long = "ä".repeat(4001);
    assert_error(
        &app.say(&sid, &cust, &too_long).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "message_too_long",
    );
    assert_eq!(
        app.say(&sid, &cust, &"ä".repeat(4000)).await.0,
        StatusCode::CREATED
    );
    assert_error(
        &app.say(&sid, &cust, "   \n ").await,
        StatusCode::BAD_REQUEST,
        "empty_message",
    );
    let path = format!("/api/v1/sessions/{sid}/messages");
    let (status, _) = app.post_json(&path, Some(&cust), json!({"text": 5})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, all) = app.get(&path, Some(&cust)).await;
    assert_eq!(
        all["events"].as_array().map(Vec::len),
        Some(4),
        "only the good message was stored"
    );
    app.stop().await;
}

async fn ended_session_takes_nothing_more(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (sid, cust) = app.joined_session(&tech).await;
    let (status, view) = app
        .post_json(
            &format!("/api/v1/sessions/{sid}/end"),
            Some(&cust),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["state"], "ended");
    assert_eq!(view["end_reason"], "customer");
    assert!(
        view.get("key").is_none(),
        "customers never see the key: {view}"
    );
    assert_error(
        &app.post_json(
            &format!("/api/v1/sessions/{sid}/end"),
            Some(&tech),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "session_ended",
    );
    assert_error(
        &app.say(&sid, &tech, "still there?").await,
        StatusCode::CONFLICT,
        "session_ended",
    );
    let (_, all) = app
        .get(&format!("/api/v1/sessions/{sid}/messages"), Some(&tech))
        .await;
    let last = all["events"]
        .as_array()
        .and_then(|e| e.last().cloned())
        .expect("events");
    assert_eq!(last["kind"], "ended");
    assert_eq!(last["reason"], "customer");
    app.stop().await;
}
