//! Invitations by SMS and e-mail, end to end: a real SMTP server (aiosmtpd,
//! the same script the notify crate's tests use) and a local HTTP server
//! that speaks Twilio's Messages API and records what it receives. Checks
//! the message, the language, the error paths, the limits, and that no
//! credential reaches an answer or the timeline.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp, assert_error, both_backends, spawn_app, spawn_app_with};
use crate::smtp::SmtpServer;

both_backends!(
    sms_invitation_reaches_the_gateway,
    gateway_refusal_and_silence_are_reported,
    email_invitation_arrives_in_the_customers_language,
    invitations_are_limited_and_need_a_waiting_session
);

const TOKEN: &str = "tok-SECRET-twilio";

/// What the fake gateway answers.
#[derive(Clone, Copy)]
enum Answer {
    Accept,
    Refuse,
    Hang,
}

#[derive(Clone)]
struct Gateway {
    answer: Arc<Mutex<Answer>>,
    received: Arc<Mutex<Vec<(String, HeaderMap, String)>>>,
}

async fn record(
    State(g): State<Gateway>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (AxumStatus, String) {
    g.received.lock().expect("lock").push((
        uri.path().to_owned(),
        headers,
        String::from_utf8_lossy(&body).into_owned(),
    ));
    let answer = *g.answer.lock().expect("lock");
    match answer {
        Answer::Accept => (
            AxumStatus::CREATED,
            json!({"sid": "SM123", "status": "queued"}).to_string(),
        ),
        Answer::Refuse => (
            AxumStatus::BAD_REQUEST,
            json!({"code": 21211, "message": "The 'To' number +491711234567 is not a valid phone number.",
                   "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})
            .to_string(),
        ),
        Answer::Hang => std::future::pending().await,
    }
}

async fn start_gateway() -> (String, Gateway) {
    let g = Gateway {
        answer: Arc::new(Mutex::new(Answer::Accept)),
        received: Arc::default(),
    };
    let app = axum::Router::new().fallback(record).with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, g)
}

fn form(body: &str) -> std::collections::HashMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| {
            let v = v.replace('+', " ");
            (
                k.to_owned(),
                percent_encoding::percent_decode_str(&v)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
        .collect()
}

async fn configure(app: &TestApp, admin: &str, body: Value) {
    let (status, view) = app
        .send_json(Method::PUT, "/api/v1/admin/messaging", Some(admin), body)
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
}

async fn invite(app: &TestApp, token: &str, sid: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/v1/sessions/{sid}/invitations"),
        Some(token),
        body,
    )
    .await
}

async fn sms_invitation_reaches_the_gateway(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let tech = app.technician("kim@example.com").await;
    let session = app.start_session(&tech).await;
    let sid = session["id"].as_str().expect("id");
    // Not configured yet: a clear refusal.
    assert_error(
        &invite(
            &app,
            &tech,
            sid,
            json!({"channel": "sms", "to": "0171 1234567"}),
        )
        .await,
        StatusCode::SERVICE_UNAVAILABLE,
        "sms_not_configured",
    );
    let (url, gateway) = start_gateway().await;
    configure(
        &app,
        &admin,
        json!({"sms": {"base_url": url, "account_sid": "AC42", "from": "+4930123456", "auth_token": TOKEN}}),
    )
    .await;
    assert_error(
        &invite(
            &app,
            &tech,
            sid,
            json!({"channel": "sms", "to": "0171 12a"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_phone",
    );
    assert!(gateway.received.lock().expect("lock").is_empty());
    let (status, sent) = invite(
        &app,
        &tech,
        sid,
        json!({"channel": "sms", "to": "0171 1234567", "language": "de"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["to"], "+49 171 1234567");
    let received = gateway.received.lock().expect("lock").clone();
    assert_eq!(received.len(), 1);
    let (path, headers, body) = &received[0];
    assert_eq!(path, "/2010-04-01/Accounts/AC42/Messages.json");
    let auth = headers["authorization"].to_str().expect("auth");
    assert!(auth.starts_with("Basic "), "{auth}");
    let fields = form(body);
    assert_eq!(fields["To"], "+491711234567");
    assert_eq!(fields["From"], "+4930123456");
    let key = session["key"].as_str().expect("key");
    let text = &fields["Body"];
    assert!(text.contains(&format!("{}/join/{key}", app.url)), "{text}");
    assert!(text.contains("Tech kim@example.com"), "{text}");
    // German, as asked.
    assert!(
        text.contains("Sitzung") || text.contains("Fernwartung") || text.contains("Schlüssel"),
        "{text}"
    );
    let kinds = app.timeline_kinds(sid, &tech).await;
    assert_eq!(kinds.last().map(String::as_str), Some("invitation_sent"));
    let (_, timeline) = app
        .get(&format!("/api/v1/sessions/{sid}/messages"), Some(&tech))
        .await;
    assert!(
        !timeline.to_string().contains("1234567"),
        "the timeline keeps the number masked: {timeline}"
    );
    app.stop().await;
}

async fn gateway_refusal_and_silence_are_reported(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.send_timeout = std::time::Duration::from_secs(2)
    })
    .await;
    let admin = app.admin("root@example.com").await;
    let tech = app.technician("kim@example.com").await;
    let session = app.start_session(&tech).await;
    let sid = session["id"].as_str().expect("id");
    let (url, gateway) = start_gateway().await;
    configure(
        &app,
        &admin,
        json!({"sms": {"base_url": url, "account_sid": "AC42", "from": "+4930123456", "auth_token": TOKEN}}),
    )
    .await;
    *gateway.answer.lock().expect("lock") = Answer::Refuse;
    let (status, body) = invite(
        &app,
        &tech,
        sid,
        json!({"channel": "sms", "to": "+49 171 1234567"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert_eq!(body["error"], "delivery_failed");
    let message = body["message"].as_str().expect("message");
    assert!(
        message.contains("21211") && message.contains("not a valid phone number"),
        "{message}"
    );
    assert!(!body.to_string().contains(TOKEN));
    let kinds = app.timeline_kinds(sid, &tech).await;
    assert_eq!(kinds.last().map(String::as_str), Some("invitation_failed"));

    // A gateway that never answers: the technician hears so within the timeout.
    *gateway.answer.lock().expect("lock") = Answer::Hang;
    let (status, body) = invite(
        &app,
        &tech,
        sid,
        json!({"channel": "sms", "to": "+49 171 7654321"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .to_lowercase()
            .contains("answer")
            || body["message"]
                .as_str()
                .expect("message")
                .to_lowercase()
                .contains("time"),
        "{body}"
    );
    let (_, timeline) = app
        .get(&format!("/api/v1/sessions/{sid}/messages"), Some(&tech))
        .await;
    assert!(!timeline.to_string().contains(TOKEN));
    app.stop().await;
}

async fn email_invitation_arrives_in_the_customers_language(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let tech = app.technician("kim@example.com").await;
    let session = app.start_session(&tech).await;
    let sid = session["id"].as_str().expect("id");
    configure(
        &app,
        &admin,
        json!({"smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none",
                        "from": "Support <support@example.com>"}}),
    )
    .await;
    let (status, sent) = invite(
        &app,
        &tech,
        sid,
        json!({"channel": "email", "to": "Kunde@Example.de", "language": "de"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    assert_eq!(sent["to"], "kunde@example.de");
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"][0], "kunde@example.de");
    let subject = m["subject"].as_str().expect("subject");
    assert!(
        subject.contains("Fernwartung")
            || subject.contains("Sitzung")
            || subject.contains("Einladung"),
        "{subject}"
    );
    let key = session["key"].as_str().expect("key");
    let link = format!("{}/join/{key}", app.url);
    let parts = m["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 2, "text and HTML: {m}");
    for part in parts {
        assert!(
            part["text"].as_str().expect("text").contains(&link),
            "{part}"
        );
    }
    // A recipient the mail server refuses: the reason reaches the technician.
    let (status, body) = invite(
        &app,
        &tech,
        sid,
        json!({"channel": "email", "to": "nobody@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .contains("User unknown"),
        "{body}"
    );
    assert_error(
        &invite(
            &app,
            &tech,
            sid,
            json!({"channel": "email", "to": "not an address"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_email",
    );
    assert_error(
        &invite(&app, &tech, sid, json!({"channel": "fax", "to": "x"})).await,
        StatusCode::BAD_REQUEST,
        "bad_channel",
    );
    app.stop().await;
}

async fn invitations_are_limited_and_need_a_waiting_session(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let tech = app.technician("kim@example.com").await;
    let other = app.technician("lee@example.com").await;
    configure(
        &app,
        &admin,
        json!({"smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none", "from": "s@example.com"}}),
    )
    .await;
    let session = app.start_session(&tech).await;
    let sid = session["id"].as_str().expect("id");
    // Another technician and the customer cannot invite for this session.
    assert_eq!(
        invite(
            &app,
            &other,
            sid,
            json!({"channel": "email", "to": "a@example.com"})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post_json(
            &format!("/api/v1/sessions/{sid}/invitations"),
            None,
            json!({"channel": "email", "to": "a@example.com"})
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    // Three to one recipient per hour.
    for _ in 0..3 {
        let (status, body) = invite(
            &app,
            &tech,
            sid,
            json!({"channel": "email", "to": "a@example.com"}),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = invite(
        &app,
        &tech,
        sid,
        json!({"channel": "email", "to": "A@example.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["error"], "invitation_limit");
    assert_eq!(smtp.messages().len(), 3, "nothing was sent past the limit");
    // Five per session.
    for to in ["b@example.com", "c@example.com"] {
        assert_eq!(
            invite(&app, &tech, sid, json!({"channel": "email", "to": to}))
                .await
                .0,
            StatusCode::CREATED
        );
    }
    assert_error(
        &invite(
            &app,
            &tech,
            sid,
            json!({"channel": "email", "to": "d@example.com"}),
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS,
        "invitation_limit",
    );
    // After an hour the recipient may be invited again (in a new session).
    app.clock.advance(std::time::Duration::from_secs(3601));
    let fresh = app.start_session(&tech).await;
    let fresh_id = fresh["id"].as_str().expect("id");
    assert_eq!(
        invite(
            &app,
            &tech,
            fresh_id,
            json!({"channel": "email", "to": "a@example.com"})
        )
        .await
        .0,
        StatusCode::CREATED
    );
    // Once the customer joined, there is nobody left to invite.
    let (status, _) = app.join(fresh["key"].as_str().expect("key"), "Alex").await;
    assert_eq!(status, StatusCode::OK);
    assert_error(
        &invite(
            &app,
            &tech,
            fresh_id,
            json!({"channel": "email", "to": "e@example.com"}),
        )
        .await,
        StatusCode::CONFLICT,
        "session_not_waiting",
    );
    app.stop().await;
}
