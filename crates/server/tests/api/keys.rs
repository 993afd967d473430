//! Support keys: format, single use, expiry, unknown keys and throttling.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{Backend, assert_error, both_backends, spawn_app, spawn_app_with};

both_backends!(
    key_is_nine_grouped_digits_and_single_use,
    expired_key_is_refused_and_session_ends,
    wrong_keys_are_told_apart,
    guessing_is_throttled_per_address,
    remote_control_choice_is_stored,
    throttling_behind_a_trusted_proxy_counts_each_client,
);

async fn key_is_nine_grouped_digits_and_single_use(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let s = app.start_session(&tech).await;
    let key = s["key"].as_str().expect("key");
    assert_eq!(key.len(), 9);
    assert!(key.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        s["key_display"],
        format!("{} {} {}", &key[0..3], &key[3..6], &key[6..9])
    );
    assert_eq!(s["join_url"], format!("{}/join/{key}", app.url));
    assert_eq!(s["state"], "waiting");

    let grouped = s["key_display"].as_str().expect("grouped");
    let (status, joined) = app.join(grouped, "Alex").await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["technician_name"], "Tech dana@example.com");
    assert_error(
        &app.join(key, "Mallory").await,
        StatusCode::GONE,
        "key_used",
    );

    let (_, view) = app
        .get(
            &format!("/api/v1/sessions/{}", s["id"].as_str().expect("id")),
            Some(&tech),
        )
        .await;
    assert_eq!(view["state"], "active");
    assert_eq!(view["customer"]["name"], "Alex");
    app.stop().await;
}

async fn expired_key_is_refused_and_session_ends(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.key_lifetime = Duration::from_secs(60)).await;
    let tech = app.technician("dana@example.com").await;
    let s = app.start_session(&tech).await;
    let id = s["id"].as_str().expect("id");
    app.clock.advance(Duration::from_secs(59));
    let other = app.start_session(&tech).await;
    app.clock.advance(Duration::from_secs(1));
    assert_error(
        &app.join(s["key"].as_str().expect("key"), "Alex").await,
        StatusCode::GONE,
        "key_expired",
    );
    let (_, view) = app
        .get(&format!("/api/v1/sessions/{id}"), Some(&tech))
        .await;
    assert_eq!(view["state"], "ended");
    assert_eq!(view["end_reason"], "key_expired");
    // The newer session's key is still good.
    assert_eq!(
        app.join(other["key"].as_str().expect("key"), "Bo").await.0,
        StatusCode::OK
    );
    // The sweeper ends keys nobody tried; the live list no longer shows them.
    let third = app.start_session(&tech).await;
    app.clock.advance(Duration::from_secs(61));
    server::sweep(&app.state).await.expect("sweep");
    let (_, list) = app.get("/api/v1/sessions?state=live", Some(&tech)).await;
    let live: Vec<_> = list["sessions"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    assert!(!live.contains(&third["id"]), "{list}");
    let (_, ended) = app.get("/api/v1/sessions?state=ended", Some(&tech)).await;
    assert_eq!(
        ended["sessions"].as_array().map(Vec::len),
        Some(2),
        "{ended}"
    );
    app.stop().await;
}

async fn wrong_keys_are_told_apart(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_error(
        &app.join("12345", "A").await,
        StatusCode::BAD_REQUEST,
        "invalid_key",
    );
    assert_error(
        &app.join("12345678x", "A").await,
        StatusCode::BAD_REQUEST,
        "invalid_key",
    );
    // A key nobody was given (astronomically unlikely to be live in a fresh database).
    assert_error(
        &app.join("000 000 001", "A").await,
        StatusCode::NOT_FOUND,
        "unknown_key",
    );
    let (status, body) = app
        .post_json("/api/v1/join", None, json!({"name": "no key"}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    app.stop().await;
}

async fn guessing_is_throttled_per_address(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.throttle.per_address_burst = 3;
        c.throttle.per_address_refill_ms = 60_000;
    })
    .await;
    let tech = app.technician("dana@example.com").await;
    let s = app.start_session(&tech).await;
    for guess in ["000000001", "000000002", "000000003"] {
        assert_error(
            &app.join(guess, "A").await,
            StatusCode::NOT_FOUND,
            "unknown_key",
        );
    }
    // Even the right key is refused while the address is throttled.
    let resp = app
        .client
        .post(format!("{}/api/v1/join", app.url))
        .json(&json!({"key": s["key"], "name": "A"}))
        .send()
        .await
        .expect("join");
    assert_eq!(resp.headers()["retry-after"], "60");
    let got = crate::harness::read(resp).await;
    assert_error(&got, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    app.clock.advance(Duration::from_secs(60));
    assert_eq!(
        app.join(s["key"].as_str().expect("key"), "A").await.0,
        StatusCode::OK
    );
    app.stop().await;
}

async fn remote_control_choice_is_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let tech = app.technician("dana@example.com").await;
    let (status, s) = app
        .post_json(
            "/api/v1/sessions",
            Some(&tech),
            json!({"request_remote_control": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(s["request_remote_control"], true);
    let (_, events) = app
        .get(
            &format!(
                "/api/v1/sessions/{}/messages",
                s["id"].as_str().expect("id")
            ),
            Some(&tech),
        )
        .await;
    assert_eq!(events["events"][0]["kind"], "created");
    assert_eq!(events["events"][0]["request_remote_control"], true);
    app.stop().await;
}

async fn join_from(
    app: &crate::harness::TestApp,
    forwarded_for: &str,
    key: &str,
) -> reqwest::StatusCode {
    app.client
        .post(format!("{}/api/v1/join", app.url))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"key": key}))
        .send()
        .await
        .expect("join")
        .status()
}

async fn throttling_behind_a_trusted_proxy_counts_each_client(backend: Backend) {
    let throttle = |c: &mut server::Config| {
        c.throttle.per_address_burst = 2;
        c.throttle.per_address_refill_ms = 60_000;
    };
    let app = spawn_app_with(backend, |c| {
        throttle(c);
        c.trusted_proxies = vec!["127.0.0.1".parse().expect("ip")];
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            join_from(&app, "198.51.100.1", "000000001").await,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        join_from(&app, "198.51.100.1", "000000001").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another customer behind the same proxy is not punished for the first one.
    assert_eq!(
        join_from(&app, "198.51.100.2", "000000001").await,
        StatusCode::NOT_FOUND
    );
    app.stop().await;

    // Without the proxy trusted, the header is ignored: one address for all.
    let app = spawn_app_with(backend, throttle).await;
    for client in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(
            join_from(&app, client, "000000001").await,
            StatusCode::NOT_FOUND
        );
    }
    assert_eq!(
        join_from(&app, "198.51.100.3", "000000001").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}
