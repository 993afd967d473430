//! The admin center's API: accounts, groups and their policies, the
//! messaging gateways, and the audit log. Every change is audited; a group
//! administrator reaches only their own group.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use notify::{AccountLink, LinkPurpose, NotifyError};
use protocol::User;
use serde::Deserialize;
use serde_json::{Value, json};
use store::{AuditEntry, GroupRow, UserChanges, UserRow};

use crate::auth::{self, Admin};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::messaging::{Messaging, MessagingChange, MessagingView};
use crate::policy::{GroupPolicy, StoredPolicy};
use crate::signals::{SignOutReason, Signal};
use crate::state::AppState;
use crate::views::timestamp;

/// How long a set-password link works.
const PASSWORD_LINK_HOURS: u32 = 72;

pub fn user_view(u: &UserRow, groups: &HashMap<String, String>) -> User {
    let mut view = crate::routes::account::user_view(u);
    view.group_name = u.group_id.as_ref().and_then(|g| groups.get(g).cloned());
    view
}

pub async fn group_names(state: &AppState) -> Result<HashMap<String, String>, ApiError> {
    Ok(state
        .store
        .groups()
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect())
}

/// Writes one line of the audit log. The change has happened already, so a
/// failure here is logged, not returned: it must not undo the change.
pub async fn audit(
    state: &AppState,
    actor: &UserRow,
    group_id: Option<&str>,
    action: &str,
    target: &str,
    details: Value,
) {
    let entry = AuditEntry {
        id: crate::new_id(),
        at: state.now(),
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        group_id: group_id.map(str::to_owned),
        action: action.to_owned(),
        target: target.to_owned(),
        details: details.to_string(),
    };
    if let Err(e) = state.store.add_audit(&entry).await {
        tracing::error!(error = %e, action, target, "cannot write the audit log");
    }
}

// ---- accounts ----------------------------------------------------------

pub async fn list_users(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<Value>, ApiError> {
    let groups = group_names(&state).await?;
    let users = state.store.users(admin.scope()).await?;
    let users: Vec<User> = users.iter().map(|u| user_view(u, &groups)).collect();
    Ok(Json(json!({ "users": users })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    email: String,
    name: String,
    role: String,
    #[serde(default)]
    group_id: Option<String>,
    /// The language of the e-mail with the link: `en` (default) or `de`.
    #[serde(default)]
    language: Option<String>,
}

pub async fn create_user(
    State(state): State<AppState>,
    admin: Admin,
    JsonBody(req): JsonBody<NewAccount>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let group_id = check_group_choice(&state, &admin, &req.role, req.group_id).await?;
    let valid = crate::accounts::validate_new_account(&req.email, &req.name, &req.role)
        .map_err(|e| ApiError::BadRequest(e.code(), e.to_string()))?;
    let language = crate::messaging::language(req.language.as_deref())?;
    // Read before the account exists, so that nothing fails after it does.
    let messaging = Messaging::load(&state).await?;
    let new = store::NewUser {
        id: crate::new_id(),
        email: valid.email,
        name: valid.name,
        // No password until the person sets one through the link.
        password_hash: String::new(),
        role: req.role.clone(),
        created_at: state.now(),
        group_id: group_id.clone(),
    };
    state.store.create_user(&new).await.map_err(email_taken)?;
    let link = password_link(&state, &new.id).await?;
    let emailed = email_link(
        &state,
        &messaging,
        &new.id,
        AccountLink {
            name: new.name.clone(),
            email: new.email.clone(),
            link: link.0.clone(),
            valid_hours: PASSWORD_LINK_HOURS,
            purpose: LinkPurpose::NewAccount,
            language,
        },
    )
    .await;
    audit(
        &state,
        &admin.user,
        group_id.as_deref(),
        "account_created",
        &new.email,
        json!({
            "name": new.name, "role": new.role, "group_id": group_id,
            "emailed": matches!(emailed, Ok(true)),
        }),
    )
    .await;
    let user = load_user(&state, &new.id).await?;
    let groups = group_names(&state).await?;
    let mut answer = link_answer(&link, &emailed);
    answer.insert("user".into(), json!(user_view(&user, &groups)));
    Ok((StatusCode::CREATED, Json(Value::Object(answer))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default, deserialize_with = "crate::json::present")]
    group_id: Option<Option<String>>,
    #[serde(default)]
    disabled: Option<bool>,
}

pub async fn update_user(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<AccountChange>,
) -> Result<Json<Value>, ApiError> {
    let user = load_user(&state, &id).await?;
    admin.ensure_manages(user.group_id.as_deref())?;
    let role = req.role.clone().unwrap_or_else(|| user.role.clone());
    let group_id = match req.group_id.clone() {
        Some(g) => Some(check_group_choice(&state, &admin, &role, g).await?),
        None if req.role.is_some() && role != user.role => {
            // A role change keeps the group where it makes sense.
            Some(check_group_choice(&state, &admin, &role, user.group_id.clone()).await?)
        }
        None => None,
    };
    let email = match &req.email {
        Some(e) => Some(
            crate::accounts::validate_email(e)
                .map_err(|e| ApiError::BadRequest(e.code(), e.to_string()))?,
        ),
        None => None,
    };
    let name = match &req.name {
        Some(n) => Some(
            crate::accounts::validate_name(n)
                .map_err(|e| ApiError::BadRequest(e.code(), e.to_string()))?,
        ),
        None => None,
    };
    let demoted = user.role == "admin" && role != "admin";
    let disabling = req.disabled == Some(true) && !user.disabled;
    let loses_all_groups = user.group_id.is_none()
        && group_id.as_ref().is_some_and(Option::is_some)
        && user.role == "admin";
    if user.id == admin.user.id && (demoted || disabling || loses_all_groups) {
        return Err(ApiError::Conflict(
            "self",
            "You cannot disable, demote or restrict your own account. Ask another administrator."
                .into(),
        ));
    }
    if user.role == "admin"
        && user.group_id.is_none()
        && !user.disabled
        && (demoted || disabling || loses_all_groups)
        && state.store.count_global_admins().await? <= 1
    {
        return Err(ApiError::Conflict(
            "last_admin",
            "This is the last administrator of all groups; there must always be one.".into(),
        ));
    }
    let changes = UserChanges {
        email,
        name,
        role: req.role.clone(),
        group_id: group_id.clone(),
        disabled: req.disabled,
    };
    state
        .store
        .update_user(&id, &changes)
        .await
        .map_err(email_taken)?;
    if disabling {
        state.signals.send(Signal::SignedOut {
            user_id: id.clone(),
            reason: SignOutReason::Disabled,
        });
        tracing::info!(user = %id, by = %admin.user.id, "account disabled and signed out");
    } else if group_id.is_some() || req.role.is_some() {
        state.signals.send(Signal::UserChanged {
            user_id: id.clone(),
        });
    }
    let action = match req.disabled {
        Some(true) if disabling => "account_disabled",
        Some(false) if user.disabled => "account_enabled",
        _ => "account_changed",
    };
    audit(
        &state,
        &admin.user,
        user.group_id.as_deref(),
        action,
        &user.email,
        json!({
            "email": changes.email, "name": changes.name, "role": changes.role,
            "group_id": changes.group_id, "disabled": changes.disabled,
        }),
    )
    .await;
    let user = load_user(&state, &id).await?;
    let groups = group_names(&state).await?;
    Ok(Json(json!({ "user": user_view(&user, &groups) })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The language of the e-mail with the link: `en` (default) or `de`.
    #[serde(default)]
    language: Option<String>,
}

pub async fn reset_password(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<PasswordReset>,
) -> Result<Json<Value>, ApiError> {
    let user = load_user(&state, &id).await?;
    admin.ensure_manages(user.group_id.as_deref())?;
    let language = crate::messaging::language(req.language.as_deref())?;
    let messaging = Messaging::load(&state).await?;
    let link = password_link(&state, &user.id).await?;
    let emailed = email_link(
        &state,
        &messaging,
        &user.id,
        AccountLink {
            name: user.name.clone(),
            email: user.email.clone(),
            link: link.0.clone(),
            valid_hours: PASSWORD_LINK_HOURS,
            purpose: LinkPurpose::PasswordReset,
            language,
        },
    )
    .await;
    audit(
        &state,
        &admin.user,
        user.group_id.as_deref(),
        "password_link_created",
        &user.email,
        json!({ "emailed": matches!(emailed, Ok(true)) }),
    )
    .await;
    Ok(Json(Value::Object(link_answer(&link, &emailed))))
}

pub async fn reset_2fa(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = load_user(&state, &id).await?;
    admin.ensure_manages(user.group_id.as_deref())?;
    state.store.disable_totp(&user.id).await?;
    audit(
        &state,
        &admin.user,
        user.group_id.as_deref(),
        "two_factor_reset",
        &user.email,
        json!({}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

async fn load_user(state: &AppState, id: &str) -> Result<UserRow, ApiError> {
    state
        .store
        .user(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("not_found", "There is no such account.".into()))
}

fn email_taken(e: store::StoreError) -> ApiError {
    match e {
        store::StoreError::EmailTaken(_) => ApiError::Conflict(
            "email_taken",
            "An account with this e-mail address already exists.".into(),
        ),
        e => e.into(),
    }
}

/// The group an account may be put in by this administrator: technicians
/// need a group (their administrator's, for a group administrator); an
/// administrator of all groups may leave an administrator without one.
async fn check_group_choice(
    state: &AppState,
    admin: &Admin,
    role: &str,
    group_id: Option<String>,
) -> Result<Option<String>, ApiError> {
    let group_id = group_id.filter(|g| !g.is_empty());
    let group_id = match (group_id, admin.scope()) {
        (None, Some(mine)) => Some(mine.to_owned()),
        (None, None) if role == "technician" => Some("default".to_owned()),
        (g, _) => g,
    };
    admin.ensure_manages(group_id.as_deref())?;
    if let Some(g) = &group_id
        && state.store.group(g).await?.is_none()
    {
        return Err(ApiError::BadRequest(
            "unknown_group",
            "There is no such group.".into(),
        ));
    }
    Ok(group_id)
}

/// A one-time link for setting a password, and when it expires.
async fn password_link(state: &AppState, user_id: &str) -> Result<(String, i64), ApiError> {
    let token = auth::random_secret();
    let now = state.now();
    let expires = now + i64::from(PASSWORD_LINK_HOURS) * 3_600_000;
    state
        .store
        .create_one_time_token(&auth::token_hash(&token), user_id, "password", now, expires)
        .await?;
    Ok((format!("{}/reset?token={token}", state.public_url), expires))
}

/// E-mails a set-password link when a mail server is set up: `Ok(false)`
/// when none is, `Ok(true)` when it accepted the message. A failure does
/// not fail the request (the account and the link exist either way): the
/// administrator hears why and hands the link over themself.
async fn email_link(
    state: &AppState,
    messaging: &Messaging,
    user_id: &str,
    link: AccountLink,
) -> Result<bool, NotifyError> {
    let Some(smtp) = &messaging.smtp else {
        return Ok(false);
    };
    let config = smtp.config(state.config.send_timeout);
    match notify::send_account_email(&config, &link.email, &link).await {
        Ok(()) => {
            tracing::info!(user = %user_id, purpose = ?link.purpose, "set-password link e-mailed");
            Ok(true)
        }
        Err(e) => {
            // Never the link itself: it is a password until it is used.
            tracing::warn!(user = %user_id, purpose = ?link.purpose, error = %e, "set-password link not e-mailed");
            Err(e)
        }
    }
}

/// `link`, `link_expires_at`, `emailed` and, when sending failed,
/// `email_error`: what both link-making endpoints answer.
fn link_answer(
    (link, expires): &(String, i64),
    emailed: &Result<bool, NotifyError>,
) -> serde_json::Map<String, Value> {
    let mut answer = serde_json::Map::new();
    answer.insert("link".into(), json!(link));
    answer.insert("link_expires_at".into(), json!(timestamp(*expires)));
    answer.insert("emailed".into(), json!(matches!(emailed, Ok(true))));
    if let Err(e) = emailed {
        answer.insert("email_error".into(), json!(e.to_string()));
    }
    answer
}

// ---- groups ------------------------------------------------------------

fn group_view(state: &AppState, g: &GroupRow) -> Value {
    let policy = GroupPolicy::of_row(state, Some(g));
    json!({
        "id": g.id,
        "name": g.name,
        "member_count": g.member_count,
        "settings": policy.policy,
        "updated_at": timestamp(g.updated_at),
    })
}

pub async fn list_groups(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<Value>, ApiError> {
    let groups: Vec<Value> = state
        .store
        .groups()
        .await?
        .iter()
        .filter(|g| admin.manages(Some(&g.id)))
        .map(|g| group_view(&state, g))
        .collect();
    Ok(Json(json!({ "groups": groups })))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupChange {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    settings: Option<StoredPolicy>,
}

fn group_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "bad_name",
            "Please enter a group name (at most 80 characters).".into(),
        ));
    }
    Ok(name.to_owned())
}

fn name_taken(e: store::StoreError) -> ApiError {
    match e {
        store::StoreError::GroupNameTaken(_) => ApiError::Conflict(
            "group_name_taken",
            "A group with this name already exists.".into(),
        ),
        e => e.into(),
    }
}

pub async fn create_group(
    State(state): State<AppState>,
    admin: Admin,
    JsonBody(req): JsonBody<GroupChange>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    admin.ensure_manages_all()?;
    let name = group_name(req.name.as_deref().unwrap_or_default())?;
    let settings = req.settings.unwrap_or_default().validate()?;
    let id = crate::new_id();
    let json = serde_json::to_string(&settings).map_err(ApiError::internal)?;
    state
        .store
        .create_group(&id, &name, &json, state.now())
        .await
        .map_err(name_taken)?;
    audit(
        &state,
        &admin.user,
        Some(&id),
        "group_created",
        &name,
        json!({ "settings": settings }),
    )
    .await;
    let group = load_group(&state, &id).await?;
    Ok((StatusCode::CREATED, Json(group_view(&state, &group))))
}

pub async fn update_group(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<GroupChange>,
) -> Result<Json<Value>, ApiError> {
    admin.ensure_manages(Some(&id))?;
    let group = load_group(&state, &id).await?;
    let name = match &req.name {
        Some(n) => group_name(n)?,
        None => group.name.clone(),
    };
    let change = req.settings.unwrap_or_default().validate()?;
    let before = StoredPolicy::parse(&group.settings);
    let after = before.merged(&change);
    let json = serde_json::to_string(&after).map_err(ApiError::internal)?;
    state
        .store
        .update_group(&id, &name, &json, state.now())
        .await
        .map_err(name_taken)?;
    state.signals.send(Signal::GroupChanged {
        group_id: id.clone(),
    });
    audit(
        &state,
        &admin.user,
        Some(&id),
        "group_changed",
        &name,
        json!({ "name": req.name, "before": before, "changed": change }),
    )
    .await;
    let group = load_group(&state, &id).await?;
    Ok(Json(group_view(&state, &group)))
}

pub async fn delete_group(
    State(state): State<AppState>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admin.ensure_manages_all()?;
    let group = load_group(&state, &id).await?;
    if id == "default" {
        return Err(ApiError::Conflict(
            "default_group",
            "The default group cannot be deleted.".into(),
        ));
    }
    if !state.store.delete_group(&id).await? {
        return Err(ApiError::Conflict(
            "group_not_empty",
            "Move or remove the group's accounts first; it still has members.".into(),
        ));
    }
    audit(
        &state,
        &admin.user,
        Some(&id),
        "group_deleted",
        &group.name,
        json!({}),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

async fn load_group(state: &AppState, id: &str) -> Result<GroupRow, ApiError> {
    state
        .store
        .group(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("not_found", "There is no such group.".into()))
}

// ---- messaging ---------------------------------------------------------

pub async fn get_messaging(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Json<MessagingView>, ApiError> {
    admin.ensure_manages_all()?;
    Ok(Json(Messaging::load(&state).await?.view()))
}

pub async fn put_messaging(
    State(state): State<AppState>,
    admin: Admin,
    JsonBody(change): JsonBody<MessagingChange>,
) -> Result<Json<MessagingView>, ApiError> {
    admin.ensure_manages_all()?;
    let before = Messaging::load(&state).await?;
    let after = before.apply(change)?;
    after.save(&state).await?;
    // Everyone's console learns whether SMS and e-mail are available now.
    for g in state.store.groups().await? {
        state.signals.send(Signal::GroupChanged { group_id: g.id });
    }
    let view = after.view();
    // The view has no secrets: it is what the audit log may keep.
    audit(
        &state,
        &admin.user,
        None,
        "messaging_changed",
        "messaging",
        json!({ "before": before.view(), "after": view }),
    )
    .await;
    Ok(Json(view))
}

// ---- audit log -----------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    limit: Option<i64>,
}

pub async fn list_audit(
    State(state): State<AppState>,
    admin: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    let entries: Vec<Value> = state
        .store
        .audit(admin.scope(), limit)
        .await?
        .into_iter()
        .map(|e| {
            json!({
                "at": timestamp(e.at),
                "actor": e.actor_name,
                "action": e.action,
                "target": e.target,
                "group_id": e.group_id,
                "details": serde_json::from_str::<Value>(&e.details).unwrap_or(Value::Null),
            })
        })
        .collect();
    Ok(Json(json!({ "entries": entries })))
}
