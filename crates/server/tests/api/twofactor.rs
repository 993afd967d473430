//! Two-factor sign-in: enrolment, the second step with a code or a recovery
//! code, replayed and wrong codes, throttling, a group that requires it, and
//! an administrator's reset.

use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

use crate::harness::{Backend, PASSWORD, TestApp, assert_error, both_backends, spawn_app};

both_backends!(
    enrol_then_sign_in_with_code_or_recovery_code,
    wrong_and_replayed_codes_are_refused_and_throttled,
    group_requires_enrolment_at_sign_in,
    turning_off_needs_the_password_and_is_refused_when_required
);

fn secret_of(setup: &Value) -> twofactor::Secret {
    twofactor::Secret::from_base32(setup["secret"].as_str().expect("secret")).expect("base32")
}

fn code(app: &TestApp, secret: &twofactor::Secret) -> String {
    twofactor::code_at(secret, u64::try_from(app.clock.now() / 1000).expect("time"))
}

/// Turns two-factor sign-in on for a signed-in account; returns the secret
/// and the recovery codes.
async fn enrol(app: &TestApp, token: &str) -> (twofactor::Secret, Vec<String>) {
    let (status, setup) = app
        .post_json("/api/v1/me/2fa/setup", Some(token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    assert!(
        setup["otpauth_uri"]
            .as_str()
            .expect("uri")
            .starts_with("otpauth://totp/Tether:")
    );
    assert!(setup["qr_svg"].as_str().expect("svg").starts_with("<svg"));
    let secret = secret_of(&setup);
    let (status, enabled) = app
        .post_json(
            "/api/v1/me/2fa/enable",
            Some(token),
            json!({"code": code(app, &secret)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{enabled}");
    let codes: Vec<String> = enabled["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn challenge(app: &TestApp, email: &str) -> Value {
    let (status, body) = app.login(email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.get("token").is_none(),
        "no token before the second factor: {body}"
    );
    body
}

async fn enrol_then_sign_in_with_code_or_recovery_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.technician("kim@example.com").await;
    let (secret, recovery) = enrol(&app, &token).await;
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["user"]["totp_enabled"], true);

    // The password alone no longer signs in.
    let first = challenge(&app, "kim@example.com").await;
    assert_eq!(first["second_factor"], "totp");
    app.clock.advance(Duration::from_secs(30));
    let (status, signed_in) = app
        .post_json(
            "/api/v1/auth/login/totp",
            None,
            json!({"challenge": first["challenge"], "code": code(&app, &secret)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{signed_in}");
    let new_token = signed_in["token"].as_str().expect("token");
    assert_eq!(
        app.get("/api/v1/me", Some(new_token)).await.0,
        StatusCode::OK
    );
    assert_eq!(signed_in["recovery_codes_left"], 10);
    // The challenge is spent.
    assert_error(
        &app.post_json(
            "/api/v1/auth/login/totp",
            None,
            json!({"challenge": first["challenge"], "code": code(&app, &secret)}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "challenge_expired",
    );

    // A recovery code works once, typed in any case.
    let second = challenge(&app, "kim@example.com").await;
    let (status, body) = app
        .post_json(
            "/api/v1/auth/login/totp",
            None,
            json!({"challenge": second["challenge"], "recovery_code": recovery[0].to_uppercase()}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["recovery_codes_left"], 9);
    let third = challenge(&app, "kim@example.com").await;
    assert_error(
        &app.post_json(
            "/api/v1/auth/login/totp",
            None,
            json!({"challenge": third["challenge"], "recovery_code": recovery[0]}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_code",
    );
    // A challenge runs out after five minutes.
    app.clock.advance(Duration::from_secs(301));
    assert_error(
        &app.post_json(
            "/api/v1/auth/login/totp",
            None,
            json!({"challenge": third["challenge"], "code": code(&app, &secret)}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "challenge_expired",
    );
    // An administrator's reset removes the second factor.
    let admin = app.admin("root@example.com").await;
    let uid = me["user"]["id"].as_str().expect("id");
    let (status, _) = app
        .post_json(
            &format!("/api/v1/admin/users/{uid}/2fa-reset"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.login("kim@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["token"].is_string(), "{body}");
    app.stop().await;
}

async fn wrong_and_replayed_codes_are_refused_and_throttled(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.technician("kim@example.com").await;
    let (secret, _) = enrol(&app, &token).await;
    let c = challenge(&app, "kim@example.com").await;
    // The code that enrolled is spent: the same time step cannot sign in.
    assert_error(
        &app.post_json(
            "/api/v1/auth/login/totp",
            None,
            json!({"challenge": c["challenge"], "code": code(&app, &secret)}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_code",
    );
    assert_error(
        &app.post_json(
            "/api/v1/auth/login/totp",
            None,
            json!({"challenge": c["challenge"], "code": "12a456"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "bad_code",
    );
    // Wrong codes count against the account: after ten, even the right one waits.
    let wrong = if code(&app, &secret) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let mut throttled = false;
    for _ in 0..12 {
        let (status, _) = app
            .post_json(
                "/api/v1/auth/login/totp",
                None,
                json!({"challenge": c["challenge"], "code": wrong}),
            )
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            throttled = true;
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    assert!(throttled, "wrong codes were never throttled");
    app.clock.advance(Duration::from_secs(30));
    assert_error(
        &app.post_json(
            "/api/v1/auth/login/totp",
            None,
            json!({"challenge": c["challenge"], "code": code(&app, &secret)}),
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
    );
    app.stop().await;
}

async fn group_requires_enrolment_at_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    app.technician("kim@example.com").await;
    let (status, _) = app
        .patch_json(
            "/api/v1/admin/groups/default",
            Some(&admin),
            json!({"settings": {"require_2fa": true}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let c = challenge(&app, "kim@example.com").await;
    assert_eq!(c["second_factor"], "enrol");
    // The enrolment challenge is not a sign-in: it opens nothing else.
    assert_eq!(
        app.get(
            "/api/v1/me",
            Some(c["challenge"].as_str().expect("challenge"))
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    let (status, setup) = app
        .post_json(
            "/api/v1/auth/login/enrol",
            None,
            json!({"challenge": c["challenge"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    let secret = secret_of(&setup);
    assert_error(
        &app.post_json(
            "/api/v1/auth/login/enrol/confirm",
            None,
            json!({"challenge": c["challenge"], "code": if code(&app, &secret) == "123456" { "654321" } else { "123456" }}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_code",
    );
    let (status, done) = app
        .post_json(
            "/api/v1/auth/login/enrol/confirm",
            None,
            json!({"challenge": c["challenge"], "code": code(&app, &secret)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["token"].is_string());
    assert_eq!(done["recovery_codes"].as_array().expect("codes").len(), 10);
    // From now on the account signs in with a code.
    assert_eq!(
        challenge(&app, "kim@example.com").await["second_factor"],
        "totp"
    );
    app.stop().await;
}

async fn turning_off_needs_the_password_and_is_refused_when_required(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.admin("root@example.com").await;
    let token = app.technician("kim@example.com").await;
    enrol(&app, &token).await;
    assert_error(
        &app.post_json(
            "/api/v1/me/2fa/disable",
            Some(&token),
            json!({"password": "wrong"}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    );
    let (status, codes) = app
        .post_json(
            "/api/v1/me/2fa/recovery-codes",
            Some(&token),
            json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{codes}");
    app.patch_json(
        "/api/v1/admin/groups/default",
        Some(&admin),
        json!({"settings": {"require_2fa": true}}),
    )
    .await;
    assert_error(
        &app.post_json(
            "/api/v1/me/2fa/disable",
            Some(&token),
            json!({"password": PASSWORD}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "2fa_required",
    );
    app.patch_json(
        "/api/v1/admin/groups/default",
        Some(&admin),
        json!({"settings": {"require_2fa": false}}),
    )
    .await;
    let (status, _) = app
        .post_json(
            "/api/v1/me/2fa/disable",
            Some(&token),
            json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["user"]["totp_enabled"], false);
    app.stop().await;
}
