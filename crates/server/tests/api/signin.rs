//! Sign-in, sign-out, first-administrator setup and the CSRF rule.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Backend, PASSWORD, assert_error, both_backends, spawn_app};

both_backends!(
    failed_sign_ins_are_throttled_per_account,
    login_me_logout,
    wrong_password_is_refused,
    setup_creates_first_admin_once,
    cookie_writes_need_json
);

async fn login_me_logout(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.technician("dana@example.com").await;
    let (status, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["email"], "dana@example.com");
    assert_eq!(me["settings"]["key_lifetime_secs"], 3600);

    let (status, _) = app
        .post_json("/api/v1/auth/logout", Some(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_error(
        &app.get("/api/v1/me", Some(&token)).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    );
    app.stop().await;
}

async fn wrong_password_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    app.technician("dana@example.com").await;
    assert_error(
        &app.login("dana@example.com", "wrong password").await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    assert_error(
        &app.login("nobody@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    // Upper-case e-mail signs in the same account.
    assert_eq!(
        app.login("Dana@Example.com", PASSWORD).await.0,
        StatusCode::OK
    );
    let (status, body) = app
        .post_json("/api/v1/auth/login", None, json!({"email": "x"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    app.stop().await;
}

async fn setup_creates_first_admin_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app
        .state
        .setup_token
        .lock()
        .expect("lock")
        .clone()
        .expect("setup token while no admin");
    let form = |t: &str, email: &str| json!({"token": t, "email": email, "name": "Admin", "password": "a long password"});
    assert_error(
        &app.post_json("/api/v1/setup", None, form("wrong", "a@example.com"))
            .await,
        StatusCode::FORBIDDEN,
        "bad_setup_token",
    );
    let weak =
        json!({"token": token, "email": "a@example.com", "name": "Admin", "password": "short"});
    assert_error(
        &app.post_json("/api/v1/setup", None, weak).await,
        StatusCode::BAD_REQUEST,
        "weak_password",
    );
    let (status, body) = app
        .post_json("/api/v1/setup", None, form(&token, "a@example.com"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["user"]["role"], "admin");
    assert_error(
        &app.post_json("/api/v1/setup", None, form(&token, "b@example.com"))
            .await,
        StatusCode::FORBIDDEN,
        "setup_closed",
    );
    assert_eq!(
        app.login("a@example.com", "a long password").await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.login("b@example.com", "a long password").await.0,
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

async fn cookie_writes_need_json(backend: Backend) {
    let app = spawn_app(backend).await;
    app.technician("dana@example.com").await;
    let resp = app
        .client
        .post(format!("{}/api/v1/auth/login", app.url))
        .json(&json!({"email": "dana@example.com", "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("pair").to_owned();
    // A cross-site form would post without JSON: refused, nothing created.
    let forged = app
        .client
        .post(format!("{}/api/v1/sessions", app.url))
        .header("cookie", &pair)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("request_remote_control=false")
        .send()
        .await
        .expect("request");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let (_, list) = crate::harness::read(
        app.client
            .get(format!("{}/api/v1/sessions", app.url))
            .header("cookie", &pair)
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(list["sessions"].as_array().map(Vec::len), Some(0));
    let ok = app
        .client
        .post(format!("{}/api/v1/sessions", app.url))
        .header("cookie", &pair)
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(ok.status(), StatusCode::CREATED);
    app.stop().await;
}

async fn failed_sign_ins_are_throttled_per_account(backend: Backend) {
    let app = crate::harness::spawn_app_with(backend, |c| {
        c.login_throttle.per_account.per_address_burst = 3;
        c.login_throttle.per_account.per_address_refill_ms = 60_000;
    })
    .await;
    app.technician("dana@example.com").await;
    app.technician("alex@example.com").await;
    for _ in 0..3 {
        assert_error(
            &app.login("dana@example.com", "wrong guess").await,
            StatusCode::UNAUTHORIZED,
            "invalid_credentials",
        );
    }
    // Now even the right password is refused, with the time to wait.
    let refused = app.login("dana@example.com", PASSWORD).await;
    assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    assert!(
        refused.1["message"]
            .as_str()
            .unwrap_or_default()
            .contains("for this account")
    );
    // Other accounts are not locked by it.
    assert_eq!(
        app.login("alex@example.com", PASSWORD).await.0,
        StatusCode::OK
    );
    app.clock.advance(std::time::Duration::from_secs(60));
    assert_eq!(
        app.login("dana@example.com", PASSWORD).await.0,
        StatusCode::OK
    );
    app.stop().await;
}
