//! The authorization matrix: every endpoint against no token, a forged
//! token, another technician, and customers (of this and another session).

use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::harness::{Backend, TestApp, both_backends, read, spawn_app};

both_backends!(every_endpoint_refuses_the_wrong_callers);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Allowed {
    /// Only the session's own technician.
    OwnerTechnician,
    /// The session's technician or its customer.
    Participants,
    /// Any signed-in technician, never a customer.
    AnyTechnician,
}

async fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> StatusCode {
    let mut req = app
        .client
        .request(method.clone(), format!("{}{path}", app.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if method == Method::POST {
        req = if path.contains("/files") {
            req.body("data")
        } else {
            req.json(&json!({"text": "x", "request_remote_control": false}))
        };
    }
    read(req.send().await.expect("request")).await.0
}

async fn ws_status(app: &TestApp, sid: &str, token: Option<&str>) -> u16 {
    let mut req = format!("{}/api/v1/sessions/{sid}/ws", app.ws_url)
        .into_client_request()
        .expect("request");
    if let Some(t) = token {
        req.headers_mut().insert(
            "authorization",
            format!("Bearer {t}").parse().expect("header"),
        );
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok(_) => 101,
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        Err(e) => panic!("unexpected websocket error: {e}"),
    }
}

async fn every_endpoint_refuses_the_wrong_callers(backend: Backend) {
    let app = spawn_app(backend).await;
    let owner = app.technician("owner@example.com").await;
    let other = app.technician("other@example.com").await;
    let (sid, customer) = app.joined_session(&owner).await;
    let (_, other_customer) = app.joined_session(&other).await;
    let (_, file) = read(
        app.client
            .post(format!(
                "{}/api/v1/sessions/{sid}/files?name=a.txt",
                app.url
            ))
            .bearer_auth(&owner)
            .body("secret")
            .send()
            .await
            .expect("upload"),
    )
    .await;
    let fid = file["file"]["id"].as_str().expect("file id").to_owned();
    let forged = format!("tt_{}", "0".repeat(64));
    let forged_customer = format!("tc_{}", "0".repeat(64));

    let endpoints = [
        (Method::GET, "/api/v1/me".to_owned(), Allowed::AnyTechnician),
        (
            Method::GET,
            "/api/v1/sessions".to_owned(),
            Allowed::AnyTechnician,
        ),
        (
            Method::GET,
            format!("/api/v1/sessions/{sid}"),
            Allowed::Participants,
        ),
        (
            Method::GET,
            format!("/api/v1/sessions/{sid}/messages"),
            Allowed::Participants,
        ),
        (
            Method::POST,
            format!("/api/v1/sessions/{sid}/messages"),
            Allowed::Participants,
        ),
        (
            Method::GET,
            format!("/api/v1/sessions/{sid}/files/{fid}"),
            Allowed::Participants,
        ),
        (
            Method::POST,
            format!("/api/v1/sessions/{sid}/files?name=b.txt"),
            Allowed::OwnerTechnician,
        ),
        (
            Method::POST,
            "/api/v1/sessions".to_owned(),
            Allowed::AnyTechnician,
        ),
        (
            Method::POST,
            format!("/api/v1/sessions/{sid}/end"),
            Allowed::Participants,
        ),
    ];
    for (method, path, allowed) in &endpoints {
        let what = format!("{method} {path}");
        assert_eq!(
            call(&app, method.clone(), path, None).await,
            StatusCode::UNAUTHORIZED,
            "no token: {what}"
        );
        assert_eq!(
            call(&app, method.clone(), path, Some(&forged)).await,
            StatusCode::UNAUTHORIZED,
            "forged: {what}"
        );
        assert_eq!(
            call(&app, method.clone(), path, Some(&forged_customer)).await,
            StatusCode::UNAUTHORIZED,
            "forged customer: {what}"
        );
        assert_eq!(
            call(&app, method.clone(), path, Some(&other_customer)).await,
            StatusCode::FORBIDDEN,
            "other customer: {what}"
        );
        let customer_expected = if *allowed == Allowed::Participants {
            None
        } else {
            Some(StatusCode::FORBIDDEN)
        };
        if let Some(expected) = customer_expected {
            assert_eq!(
                call(&app, method.clone(), path, Some(&customer)).await,
                expected,
                "customer: {what}"
            );
        }
        if *allowed != Allowed::AnyTechnician {
            assert_eq!(
                call(&app, method.clone(), path, Some(&other)).await,
                StatusCode::FORBIDDEN,
                "other technician: {what}"
            );
        }
    }
    for (token, expected) in [
        (None, 401),
        (Some(forged.as_str()), 401),
        (Some(other.as_str()), 403),
        (Some(other_customer.as_str()), 403),
    ] {
        assert_eq!(
            ws_status(&app, &sid, token).await,
            expected,
            "websocket with {token:?}"
        );
    }
    assert_eq!(ws_status(&app, &sid, Some(&customer)).await, 101);

    // None of the refused calls changed anything.
    let (_, view) = app
        .get(&format!("/api/v1/sessions/{sid}"), Some(&owner))
        .await;
    assert_eq!(view["state"], "active");
    let kinds = app.timeline_kinds(&sid, &owner).await;
    assert_eq!(kinds, ["created", "key_used", "joined", "file"]);

    // And the rightful callers are let through.
    assert_eq!(
        call(
            &app,
            Method::GET,
            &format!("/api/v1/sessions/{sid}/files/{fid}"),
            Some(&customer)
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        call(
            &app,
            Method::POST,
            &format!("/api/v1/sessions/{sid}/messages"),
            Some(&customer)
        )
        .await,
        StatusCode::CREATED
    );
    app.stop().await;
}
