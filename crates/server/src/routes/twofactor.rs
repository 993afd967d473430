//! Two-factor sign-in (TOTP, RFC 6238, with recovery codes): the second step
//! of signing in, enrolment at sign-in when the group requires it, and the
//! signed-in technician's own settings. Also the one-time links for setting
//! a password.
//!
//! Wrong codes count against the same per-account and per-address limits as
//! wrong passwords; a code is accepted once (its time step is stored).

use std::net::{IpAddr, SocketAddr};

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use protocol::TotpSetup;
use serde::Deserialize;
use serde_json::json;
use store::UserRow;
use twofactor::{RecoveryCodes, Secret, TotpError};

use crate::auth::{self, Technician};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::routes::account::{check_sign_in_throttle, record_sign_in_failure, sign_in};
use crate::signals::{SignOutReason, Signal};
use crate::state::AppState;

const ISSUER: &str = "Tether";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    challenge: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    recovery_code: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    challenge: String,
}

/// The account behind an unexpired, unused sign-in challenge of `purpose`.
async fn challenge_user(
    state: &AppState,
    challenge: &str,
    purpose: &str,
) -> Result<UserRow, ApiError> {
    let token = state
        .store
        .one_time_token(&auth::token_hash(challenge.trim()))
        .await?
        .filter(|t| t.purpose == purpose && t.used_at.is_none() && t.expires_at > state.now())
        .ok_or_else(challenge_expired)?;
    state
        .store
        .user(&token.user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(challenge_expired)
}

fn challenge_expired() -> ApiError {
    unauthenticated(
        "challenge_expired",
        "This sign-in has expired. Please enter your e-mail address and password again.",
    )
}

/// Uses up a challenge whose second step succeeded; a second request with
/// the same challenge (a race) finds it spent.
async fn spend_challenge(state: &AppState, challenge: &str, now: i64) -> Result<(), ApiError> {
    if state
        .store
        .use_one_time_token(&auth::token_hash(challenge.trim()), now)
        .await?
    {
        Ok(())
    } else {
        Err(challenge_expired())
    }
}

/// A wrong code counts against the sign-in limits like a wrong password.
fn counted(state: &AppState, addr: IpAddr, user: &UserRow, now: i64, e: ApiError) -> ApiError {
    if e.code() == "invalid_code" {
        record_sign_in_failure(state, addr, &user.email, now);
    }
    e
}

fn unauthenticated(code: &'static str, message: &str) -> ApiError {
    ApiError::Unauthenticated(code, message.to_owned())
}

fn unix_secs(state: &AppState) -> u64 {
    u64::try_from(state.now() / 1000).unwrap_or(0)
}

fn totp_error(e: &TotpError) -> ApiError {
    match e {
        TotpError::Format => ApiError::BadRequest("bad_code", e.to_string()),
        _ => unauthenticated("invalid_code", "The code is wrong or has expired."),
    }
}

/// Checks a code against a secret and spends its time step.
async fn check_code(
    state: &AppState,
    user: &UserRow,
    secret_b32: &str,
    code: &str,
) -> Result<(), ApiError> {
    let secret = Secret::from_base32(secret_b32).map_err(ApiError::internal)?;
    let last = user.totp_last_step.and_then(|s| u64::try_from(s).ok());
    let step =
        twofactor::verify(&secret, code, unix_secs(state), last).map_err(|e| totp_error(&e))?;
    let step = i64::try_from(step).map_err(ApiError::internal)?;
    if !state.store.use_totp_step(&user.id, step).await? {
        return Err(totp_error(&TotpError::Replayed));
    }
    Ok(())
}

/// `POST /auth/login/totp`: the second step of signing in.
pub async fn login_totp(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<CodeRequest>,
) -> Result<Response, ApiError> {
    let addr = crate::client_ip::client_ip(peer.ip(), &headers, &state.config.trusted_proxies);
    let now = state.now();
    let user = challenge_user(&state, &req.challenge, "totp").await?;
    check_sign_in_throttle(&state, addr, &user.email, now)?;
    let Some(secret) = user.totp_secret.clone() else {
        return Err(ApiError::Unauthorized);
    };
    let result = match (&req.code, &req.recovery_code) {
        (Some(code), _) => check_code(&state, &user, &secret, code).await,
        (None, Some(recovery)) => {
            let hash = twofactor::hash_recovery_code(recovery);
            if state.store.use_recovery_code(&user.id, &hash, now).await? {
                tracing::info!(user = %user.id, "signed in with a recovery code");
                Ok(())
            } else {
                Err(unauthenticated(
                    "invalid_code",
                    "This recovery code is wrong or was used already.",
                ))
            }
        }
        (None, None) => Err(ApiError::BadRequest(
            "bad_code",
            "Please enter the 6-digit code from your authenticator app.".into(),
        )),
    };
    result.map_err(|e| counted(&state, addr, &user, now, e))?;
    spend_challenge(&state, &req.challenge, now).await?;
    let left = state.store.recovery_codes_left(&user.id).await?;
    sign_in(&state, &user, json!({ "recovery_codes_left": left })).await
}

/// Starts enrolment with a fresh pending secret.
async fn begin_enrolment(state: &AppState, user: &UserRow) -> Result<TotpSetup, ApiError> {
    let secret = Secret::generate();
    state
        .store
        .set_totp_pending(&user.id, Some(&secret.to_base32()))
        .await?;
    let uri = twofactor::otpauth_uri(&secret, ISSUER, &user.email);
    let qr_svg = twofactor::qr_svg(&uri).map_err(ApiError::internal)?;
    Ok(TotpSetup {
        secret: secret.to_base32_grouped(),
        otpauth_uri: uri,
        qr_svg,
    })
}

/// Confirms the pending secret with a first code; returns the recovery codes.
async fn finish_enrolment(
    state: &AppState,
    user: &UserRow,
    code: &str,
) -> Result<Vec<String>, ApiError> {
    let Some(pending) = user.totp_pending.clone() else {
        return Err(ApiError::BadRequest(
            "no_pending_setup",
            "Start setting up two-factor sign-in first.".into(),
        ));
    };
    let secret = Secret::from_base32(&pending).map_err(ApiError::internal)?;
    let step =
        twofactor::verify(&secret, code, unix_secs(state), None).map_err(|e| totp_error(&e))?;
    let (codes, hashes) = RecoveryCodes::generate();
    state
        .store
        .enable_totp(
            &user.id,
            &pending,
            i64::try_from(step).map_err(ApiError::internal)?,
            &hashes,
        )
        .await?;
    tracing::info!(user = %user.id, "two-factor sign-in turned on");
    Ok(codes)
}

/// `POST /auth/login/enrol`: a group requires a second factor this account
/// lacks; set it up before the sign-in completes.
pub async fn login_enrol(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<ChallengeRequest>,
) -> Result<Json<TotpSetup>, ApiError> {
    let user = challenge_user(&state, &req.challenge, "enrol").await?;
    Ok(Json(begin_enrolment(&state, &user).await?))
}

pub async fn login_enrol_confirm(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<CodeRequest>,
) -> Result<Response, ApiError> {
    let addr = crate::client_ip::client_ip(peer.ip(), &headers, &state.config.trusted_proxies);
    let now = state.now();
    let user = challenge_user(&state, &req.challenge, "enrol").await?;
    check_sign_in_throttle(&state, addr, &user.email, now)?;
    let codes = finish_enrolment(&state, &user, req.code.as_deref().unwrap_or_default())
        .await
        .map_err(|e| counted(&state, addr, &user, now, e))?;
    spend_challenge(&state, &req.challenge, now).await?;
    sign_in(&state, &user, json!({ "recovery_codes": codes })).await
}

// ---- the signed-in technician's own second factor -------------------------

pub async fn setup(
    State(state): State<AppState>,
    tech: Technician,
) -> Result<Json<TotpSetup>, ApiError> {
    Ok(Json(begin_enrolment(&state, &tech.user).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableRequest {
    code: String,
}

pub async fn enable(
    State(state): State<AppState>,
    tech: Technician,
    JsonBody(req): JsonBody<EnableRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let codes = finish_enrolment(&state, &tech.user, &req.code).await?;
    Ok(Json(json!({ "recovery_codes": codes })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    password: String,
}

fn check_password(user: &UserRow, password: &str) -> Result<(), ApiError> {
    if auth::verify_password(password, &user.password_hash) {
        Ok(())
    } else {
        Err(ApiError::InvalidCredentials)
    }
}

pub async fn disable(
    State(state): State<AppState>,
    tech: Technician,
    JsonBody(req): JsonBody<PasswordRequest>,
) -> Result<StatusCode, ApiError> {
    check_password(&tech.user, &req.password)?;
    let policy = crate::policy::GroupPolicy::load(&state, tech.user.group_id.as_deref()).await?;
    if policy.policy.require_2fa {
        return Err(ApiError::Forbidden(
            "2fa_required",
            "Your group requires two-factor sign-in, so it cannot be turned off.".into(),
        ));
    }
    state.store.disable_totp(&tech.user.id).await?;
    tracing::info!(user = %tech.user.id, "two-factor sign-in turned off");
    Ok(StatusCode::NO_CONTENT)
}

pub async fn new_recovery_codes(
    State(state): State<AppState>,
    tech: Technician,
    JsonBody(req): JsonBody<PasswordRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    check_password(&tech.user, &req.password)?;
    if tech.user.totp_secret.is_none() {
        return Err(ApiError::BadRequest(
            "2fa_off",
            "Two-factor sign-in is off, so there are no recovery codes.".into(),
        ));
    }
    let (codes, hashes) = RecoveryCodes::generate();
    state
        .store
        .replace_recovery_codes(&tech.user.id, &hashes)
        .await?;
    Ok(Json(json!({ "recovery_codes": codes })))
}

// ---- one-time password links ------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    token: String,
    #[serde(default)]
    password: Option<String>,
}

async fn link_user(state: &AppState, token: &str) -> Result<UserRow, ApiError> {
    let link = state
        .store
        .one_time_token(&auth::token_hash(token.trim()))
        .await?
        .filter(|t| t.purpose == "password")
        .ok_or_else(|| {
            ApiError::NotFound(
                "unknown_link",
                "This link is not valid. Ask your administrator for a new one.".into(),
            )
        })?;
    if link.used_at.is_some() || link.expires_at <= state.now() {
        return Err(ApiError::Gone(
            "link_expired",
            "This link has expired or was used already. Ask your administrator for a new one."
                .into(),
        ));
    }
    state
        .store
        .user(&link.user_id)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| {
            ApiError::Gone(
                "link_expired",
                "This account is disabled. Ask your administrator.".into(),
            )
        })
}

pub async fn inspect_link(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<LinkRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let user = link_user(&state, &req.token).await?;
    Ok(Json(json!({ "email": user.email, "name": user.name })))
}

pub async fn reset_password(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<LinkRequest>,
) -> Result<StatusCode, ApiError> {
    let user = link_user(&state, &req.token).await?;
    let password = req.password.unwrap_or_default();
    crate::accounts::validate_password(&password)
        .map_err(|e| ApiError::BadRequest(e.code(), e.to_string()))?;
    let hash = auth::hash_password(&password)
        .map_err(|e| ApiError::internal(crate::accounts::HashError(e.to_string())))?;
    if !state
        .store
        .reset_password(
            &auth::token_hash(req.token.trim()),
            &user.id,
            &hash,
            state.now(),
        )
        .await?
    {
        return Err(ApiError::Gone(
            "link_expired",
            "This link has expired or was used already. Ask your administrator for a new one."
                .into(),
        ));
    }
    state.signals.send(Signal::SignedOut {
        user_id: user.id.clone(),
        reason: SignOutReason::PasswordReset,
    });
    tracing::info!(user = %user.id, "password set through a one-time link");
    Ok(StatusCode::NO_CONTENT)
}
