//! Rows as stored: plain data moved between the database and the server.

use sqlx::any::AnyRow;

use crate::{Result, get};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: i64,
    /// `None` for an administrator of every group.
    pub group_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    pub group_id: Option<String>,
    /// Base32 TOTP secret once two-factor sign-in is on.
    pub totp_secret: Option<String>,
    /// The secret being enrolled, until a first code confirms it.
    pub totp_pending: Option<String>,
    pub totp_last_step: Option<i64>,
}

impl UserRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<UserRow> {
        Ok(UserRow {
            id: get(r, "id")?,
            email: get(r, "email")?,
            name: get(r, "name")?,
            password_hash: get(r, "password_hash")?,
            role: get(r, "role")?,
            disabled: get::<i64>(r, "disabled")? != 0,
            created_at: get(r, "created_at")?,
            last_login_at: get(r, "last_login_at")?,
            group_id: get(r, "group_id")?,
            totp_secret: get(r, "totp_secret")?,
            totp_pending: get(r, "totp_pending")?,
            totp_last_step: get(r, "totp_last_step")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: String,
    pub technician_id: String,
    pub support_key: String,
    pub key_expires_at: i64,
    pub request_remote_control: bool,
    pub created_at: i64,
    pub group_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: String,
    pub technician_id: String,
    pub technician_name: String,
    pub support_key: String,
    pub key_expires_at: i64,
    pub key_used_at: Option<i64>,
    pub request_remote_control: bool,
    /// `waiting`, `active` or `ended`.
    pub state: String,
    pub customer_name: Option<String>,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
    /// The technician's group when the session started.
    pub group_id: Option<String>,
}

impl SessionRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<SessionRow> {
        Ok(SessionRow {
            id: get(r, "id")?,
            technician_id: get(r, "technician_id")?,
            technician_name: get(r, "technician_name")?,
            support_key: get(r, "support_key")?,
            key_expires_at: get(r, "key_expires_at")?,
            key_used_at: get(r, "key_used_at")?,
            request_remote_control: get::<i64>(r, "request_remote_control")? != 0,
            state: get(r, "state")?,
            customer_name: get(r, "customer_name")?,
            created_at: get(r, "created_at")?,
            ended_at: get(r, "ended_at")?,
            end_reason: get(r, "end_reason")?,
            group_id: get(r, "group_id")?,
        })
    }
}

/// A session participant that signs in with a per-session token (customers).
#[derive(Debug, Clone)]
pub struct ParticipantRow {
    pub token_hash: String,
    pub session_id: String,
    pub role: String,
    pub name: String,
}

impl ParticipantRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<ParticipantRow> {
        Ok(ParticipantRow {
            token_hash: get(r, "token_hash")?,
            session_id: get(r, "session_id")?,
            role: get(r, "role")?,
            name: get(r, "name")?,
        })
    }
}

/// One timeline entry; `body` is the event's JSON.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub session_id: String,
    pub seq: i64,
    pub kind: String,
    pub actor_role: String,
    pub actor_name: String,
    pub body: String,
    pub client_id: Option<String>,
    pub created_at: i64,
}

impl EventRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<EventRow> {
        Ok(EventRow {
            session_id: get(r, "session_id")?,
            seq: get(r, "seq")?,
            kind: get(r, "kind")?,
            actor_role: get(r, "actor_role")?,
            actor_name: get(r, "actor_name")?,
            body: get(r, "body")?,
            client_id: get(r, "client_id")?,
            created_at: get(r, "created_at")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: String,
    pub session_id: String,
    pub name: String,
    pub size: i64,
    /// The file's name inside the data folder's `files/` directory.
    pub stored_name: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

impl FileRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<FileRow> {
        Ok(FileRow {
            id: get(r, "id")?,
            session_id: get(r, "session_id")?,
            name: get(r, "name")?,
            size: get(r, "size")?,
            stored_name: get(r, "stored_name")?,
            created_at: get(r, "created_at")?,
            removed_at: get(r, "removed_at")?,
        })
    }
}

/// A technician group; `settings` is its policy as JSON (the server owns the
/// shape and the defaults).
#[derive(Debug, Clone)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub settings: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub member_count: i64,
}

impl GroupRow {
    pub(crate) fn from_row(r: &AnyRow) -> Result<GroupRow> {
        Ok(GroupRow {
            id: get(r, "id")?,
            name: get(r, "name")?,
            settings: get(r, "settings")?,
            created_at: get(r, "created_at")?,
            updated_at: get(r, "updated_at")?,
            member_count: get(r, "member_count")?,
        })
    }
}
