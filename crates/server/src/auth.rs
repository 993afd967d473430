//! Who is calling: passwords, tokens, and the extractors that turn a request's
//! bearer token or cookie into a technician or a session's customer.
//!
//! Tokens are 32 random bytes, hex-encoded behind a prefix that says which
//! kind they are (`tt_` technician, `tc_` customer). Only their SHA-256 digest
//! is stored, so a copy of the database signs nobody in.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};
use rand::RngExt;
use sha2::{Digest, Sha256};
use store::{ParticipantRow, UserRow};

use crate::error::ApiError;
use crate::state::AppState;

pub const TECHNICIAN_COOKIE: &str = "tether_auth";
pub const CUSTOMER_COOKIE: &str = "tether_customer";
const TECHNICIAN_PREFIX: &str = "tt_";
const CUSTOMER_PREFIX: &str = "tc_";
const AGENT_PREFIX: &str = "ta_";

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default()
        .hash_password(password.as_bytes())?
        .to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    // An account created by an administrator has no password until the
    // person sets one through their link.
    if hash.is_empty() {
        return false;
    }
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored password hash is unreadable");
            false
        }
    }
}

/// A fresh random token and the digest to store for it.
pub struct NewToken {
    pub token: String,
    pub hash: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

pub fn new_technician_token() -> NewToken {
    new_token(TECHNICIAN_PREFIX)
}

pub fn new_customer_token() -> NewToken {
    new_token(CUSTOMER_PREFIX)
}

pub fn new_agent_token() -> NewToken {
    new_token(AGENT_PREFIX)
}

/// A random secret for one-time links (first-administrator setup).
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex(&bytes)
}

fn new_token(prefix: &str) -> NewToken {
    let token = format!("{prefix}{}", random_secret());
    NewToken {
        hash: token_hash(&token),
        token,
    }
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Compares secrets without an early exit that would leak their prefix.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The token a request carries, and whether it came in a cookie (which makes
/// a state-changing request subject to the CSRF check).
struct Presented {
    token: String,
    from_cookie: bool,
}

fn presented_token(parts: &Parts, cookie: &str, prefix: &str) -> Option<Presented> {
    if let Some(value) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(token) = value.strip_prefix("Bearer ")
    {
        let token = token.trim();
        // A bearer token of the other kind is not ours to check here.
        return token.starts_with(prefix).then(|| Presented {
            token: token.to_owned(),
            from_cookie: false,
        });
    }
    cookie_value(parts, cookie).map(|token| Presented {
        token,
        from_cookie: true,
    })
}

fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Browsers cannot send a JSON body or a custom header cross-site without a
/// CORS preflight, which this server never grants: requiring one of them on
/// cookie-authenticated writes closes CSRF, together with SameSite=Strict.
fn check_csrf(parts: &Parts, from_cookie: bool) -> Result<(), ApiError> {
    if !from_cookie || matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || parts.headers.contains_key("x-tether-upload") {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "csrf",
            "This request must be sent by the Tether app itself.".into(),
        ))
    }
}

/// A signed-in technician or administrator.
#[derive(Debug, Clone)]
pub struct Technician {
    pub user: UserRow,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Technician {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Technician(t) => Ok(t),
            Caller::Customer(_) => Err(ApiError::Forbidden(
                "forbidden",
                "This is only for signed-in technicians.".into(),
            )),
        }
    }
}

/// A signed-in administrator, with the groups they manage.
#[derive(Debug, Clone)]
pub struct Admin {
    pub user: UserRow,
}

impl Admin {
    /// `None` for an administrator of every group, else their one group.
    pub fn scope(&self) -> Option<&str> {
        self.user.group_id.as_deref()
    }

    pub fn manages_all(&self) -> bool {
        self.user.group_id.is_none()
    }

    /// Whether something in `group` (`None`: in no group) is this
    /// administrator's to see and change.
    pub fn manages(&self, group: Option<&str>) -> bool {
        match self.scope() {
            None => true,
            Some(mine) => group == Some(mine),
        }
    }

    /// Refuses what is outside this administrator's groups.
    pub fn ensure_manages(&self, group: Option<&str>) -> Result<(), ApiError> {
        if self.manages(group) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "forbidden",
                "This belongs to a group you do not manage.".into(),
            ))
        }
    }

    pub fn ensure_manages_all(&self) -> Result<(), ApiError> {
        if self.manages_all() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "forbidden",
                "Only an administrator of all groups can do this.".into(),
            ))
        }
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let tech = Technician::from_request_parts(parts, state).await?;
        if tech.user.role == "admin" {
            Ok(Admin { user: tech.user })
        } else {
            Err(ApiError::Forbidden(
                "admin_only",
                "This is only for administrators.".into(),
            ))
        }
    }
}

/// Anyone with a valid token: a technician, or the customer of one session.
/// Whether the caller may touch a given session is checked by the handler.
#[derive(Debug, Clone)]
pub enum Caller {
    Technician(Technician),
    Customer(ParticipantRow),
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let now = state.now();
        if let Some(p) = presented_token(parts, TECHNICIAN_COOKIE, TECHNICIAN_PREFIX) {
            let hash = token_hash(&p.token);
            if let Some(user) = state.store.user_for_token(&hash, now).await? {
                check_csrf(parts, p.from_cookie)?;
                return Ok(Caller::Technician(Technician {
                    user,
                    token_hash: hash,
                }));
            }
            if !p.from_cookie {
                return Err(ApiError::Unauthorized);
            }
        }
        if let Some(p) = presented_token(parts, CUSTOMER_COOKIE, CUSTOMER_PREFIX) {
            let hash = token_hash(&p.token);
            if let Some(participant) = state
                .store
                .participant(&hash)
                .await?
                .filter(|p| p.role == "customer")
            {
                check_csrf(parts, p.from_cookie)?;
                return Ok(Caller::Customer(participant));
            }
        }
        Err(ApiError::Unauthorized)
    }
}

/// The support app of one session, by its bearer token (never a cookie).
#[derive(Debug, Clone)]
pub struct Agent(pub ParticipantRow);

impl FromRequestParts<AppState> for Agent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| t.starts_with(AGENT_PREFIX))
            .ok_or(ApiError::Unauthorized)?;
        match state.store.participant(&token_hash(token)).await? {
            Some(p) if p.role == "agent" => Ok(Agent(p)),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

impl Caller {
    pub fn is_admin(&self) -> bool {
        matches!(self, Caller::Technician(t) if t.user.role == "admin")
    }

    /// Refuses callers that are not a participant of `session`: another
    /// technician, or a customer of another session.
    pub fn ensure_participant(&self, session: &store::SessionRow) -> Result<(), ApiError> {
        let allowed = match self {
            Caller::Technician(t) => t.user.id == session.technician_id,
            Caller::Customer(c) => c.session_id == session.id,
        };
        if allowed {
            Ok(())
        } else {
            Err(ApiError::forbidden_session())
        }
    }

    pub fn actor(&self) -> protocol::Actor {
        match self {
            Caller::Technician(t) => protocol::Actor {
                role: protocol::Role::Technician,
                name: t.user.name.clone(),
            },
            Caller::Customer(c) => protocol::Actor {
                role: protocol::Role::Customer,
                name: c.name.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse").expect("hashes");
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("correct horse!", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let a = new_technician_token();
        let b = new_technician_token();
        assert!(a.token.starts_with("tt_") && a.token.len() == 67);
        assert_ne!(a.token, b.token);
        assert_eq!(a.hash, token_hash(&a.token));
        assert!(new_customer_token().token.starts_with("tc_"));
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
