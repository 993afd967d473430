//! Tether's persistence: one [`Store`] over SQLite (the default, a file in the
//! data folder) or PostgreSQL, chosen by the database URL.
//!
//! The SQL is portable and runs unchanged on both backends through sqlx's
//! `Any` driver; `migrations/` holds the schema. Every operation that changes
//! a session together with its timeline runs in one transaction, so a crash
//! never leaves a state change without its event or the other way round.
//!
//! Architecture invariant: the store enforces no business rules beyond the
//! database's own constraints (unique live keys, unique event numbers). The
//! rules live in the `session` crate and the server.

mod accounts;
mod admin;
mod batch;
mod error;
mod rows;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

pub use accounts::{OneTimeToken, UserChanges};
pub use admin::{AuditEntry, HistoryFilter, HistoryRow, InvitationRow, InvitationTimes};
pub use error::StoreError;
pub use rows::{
    EventRow, FileRow, GroupRow, NewSession, NewUser, ParticipantRow, SessionRow, UserRow,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// A handle to the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    /// Reads.
    pool: AnyPool,
    /// Writes. For SQLite a single connection: SQLite admits one writer at a
    /// time, and queueing in the pool is fair where SQLite's busy-wait is not.
    /// For PostgreSQL the same pool as reads.
    writer: AnyPool,
    batcher: batch::Batcher,
}

type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    /// Connects, creating an SQLite file if needed, and brings the schema up
    /// to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(redact(url)));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let connect = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .after_connect(move |conn, _meta| {
                    Box::pin(async move {
                        if backend == Backend::Sqlite {
                            // WAL: readers never block the writer. synchronous=NORMAL
                            // in WAL mode loses nothing when the process crashes.
                            for pragma in [
                                "PRAGMA journal_mode = WAL",
                                "PRAGMA synchronous = NORMAL",
                                "PRAGMA busy_timeout = 10000",
                                "PRAGMA foreign_keys = ON",
                            ] {
                                sqlx::query(pragma).execute(&mut *conn).await?;
                            }
                        }
                        Ok(())
                    })
                })
                .connect(&url)
        };
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                let writer = connect(1)
                    .await
                    .map_err(|e| StoreError::Connect(redact(&url), e))?;
                MIGRATOR.run(&writer).await.map_err(StoreError::Migrate)?;
                let pool = connect(4)
                    .await
                    .map_err(|e| StoreError::Connect(redact(&url), e))?;
                (pool, writer)
            }
            Backend::Postgres => {
                let pool = connect(16)
                    .await
                    .map_err(|e| StoreError::Connect(redact(&url), e))?;
                MIGRATOR.run(&pool).await.map_err(StoreError::Migrate)?;
                (pool.clone(), pool)
            }
        };
        let batcher = batch::Batcher::start(writer.clone());
        Ok(Store {
            pool,
            writer,
            batcher,
        })
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }

    // ---- users and sign-in tokens -------------------------------------

    pub async fn create_user(&self, user: &NewUser) -> Result<()> {
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, role, disabled, created_at, group_id)
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.name)
        .bind(&user.password_hash)
        .bind(&user.role)
        .bind(user.created_at)
        .bind(&user.group_id)
        .execute(&self.writer)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::EmailTaken(user.email.clone())
            }
            _ => StoreError::query("create user", e),
        })?;
        Ok(())
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::query("find user by e-mail", e))?;
        row.map(|r| UserRow::from_row(&r)).transpose()
    }

    pub async fn count_admins(&self) -> Result<i64> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0")
                .fetch_one(&self.pool)
                .await
                .map_err(|e| StoreError::query("count administrators", e))?;
        get(&row, "n")
    }

    pub async fn record_login(
        &self,
        user_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("store sign-in token", e))?;
        sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("record sign-in time", e))?;
        commit(tx).await
    }

    /// The enabled user a sign-in token belongs to, if the token is unexpired.
    pub async fn user_for_token(&self, token_hash: &str, now: i64) -> Result<Option<UserRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM auth_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.disabled = 0"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::query("look up sign-in token", e))?;
        row.map(|r| UserRow::from_row(&r)).transpose()
    }

    pub async fn delete_token(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM auth_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(|e| StoreError::query("delete sign-in token", e))?;
        Ok(())
    }

    // ---- sessions -----------------------------------------------------

    /// Stores a new session with its first events. Fails with
    /// [`StoreError::KeyTaken`] when the key is live in another session.
    pub async fn create_session(&self, s: &NewSession, events: &[EventRow]) -> Result<()> {
        let mut tx = self.begin().await?;
        // Keys whose time ran out free their number for reuse.
        sqlx::query("UPDATE sessions SET key_live = 0 WHERE key_live = 1 AND support_key = $1 AND key_expires_at <= $2")
            .bind(&s.support_key)
            .bind(s.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("retire expired key", e))?;
        sqlx::query(
            "INSERT INTO sessions (id, technician_id, support_key, key_live, key_expires_at,
                request_remote_control, state, created_at, group_id)
             VALUES ($1, $2, $3, 1, $4, $5, 'waiting', $6, $7)",
        )
        .bind(&s.id)
        .bind(&s.technician_id)
        .bind(&s.support_key)
        .bind(s.key_expires_at)
        .bind(i64::from(s.request_remote_control))
        .bind(s.created_at)
        .bind(&s.group_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::KeyTaken,
            _ => StoreError::query("create session", e),
        })?;
        insert_events(&mut tx, events).await?;
        commit(tx).await
    }

    pub async fn session(&self, id: &str) -> Result<Option<SessionRow>> {
        let row = sqlx::query(concat!(session_select!(), " WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| StoreError::query("load session", e))?;
        row.map(|r| SessionRow::from_row(&r)).transpose()
    }

    /// The newest session that was given this key.
    pub async fn session_by_key(&self, key: &str) -> Result<Option<SessionRow>> {
        let row = sqlx::query(concat!(
            session_select!(),
            " WHERE s.support_key = $1 ORDER BY s.created_at DESC LIMIT 1"
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::query("find session by key", e))?;
        row.map(|r| SessionRow::from_row(&r)).transpose()
    }

    /// A technician's sessions, newest first: live ones (not ended) or ended ones.
    pub async fn sessions_of(
        &self,
        technician_id: &str,
        ended: bool,
        limit: i64,
    ) -> Result<Vec<SessionRow>> {
        let sql = if ended {
            concat!(
                session_select!(),
                " WHERE s.technician_id = $1 AND s.state = 'ended' ORDER BY s.created_at DESC LIMIT $2"
            )
        } else {
            concat!(
                session_select!(),
                " WHERE s.technician_id = $1 AND s.state <> 'ended' ORDER BY s.created_at DESC LIMIT $2"
            )
        };
        let rows = sqlx::query(sql)
            .bind(technician_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| StoreError::query("list sessions", e))?;
        rows.iter().map(SessionRow::from_row).collect()
    }

    /// Waiting sessions whose key ran out unused: they are to be ended.
    pub async fn expired_waiting_sessions(&self, now: i64, limit: i64) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT id FROM sessions WHERE state = 'waiting' AND key_expires_at <= $1 LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::query("find expired sessions", e))?;
        rows.iter().map(|r| get::<String>(r, "id")).collect()
    }

    /// The customer redeems the key: the session becomes active, the key is
    /// used up and the customer's token stored, with the events, atomically.
    /// Returns false when the key was no longer live (another join won).
    pub async fn redeem_key(
        &self,
        session_id: &str,
        customer: &ParticipantRow,
        now: i64,
        events: &[EventRow],
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE sessions SET key_live = 0, key_used_at = $1, state = 'active', customer_name = $2
             WHERE id = $3 AND key_live = 1 AND state = 'waiting'",
        )
        .bind(now)
        .bind(&customer.name)
        .bind(session_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::query("redeem key", e))?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("INSERT INTO participants (token_hash, session_id, role, name, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&customer.token_hash)
            .bind(session_id)
            .bind(&customer.role)
            .bind(&customer.name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("store customer token", e))?;
        insert_events(&mut tx, events).await?;
        commit(tx).await?;
        Ok(true)
    }

    /// Ends a session that has not ended yet, with its event. Returns false
    /// when it had already ended.
    pub async fn end_session(
        &self,
        session_id: &str,
        reason: &str,
        now: i64,
        events: &[EventRow],
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE sessions SET state = 'ended', key_live = 0, ended_at = $1, end_reason = $2
             WHERE id = $3 AND state <> 'ended'",
        )
        .bind(now)
        .bind(reason)
        .bind(session_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::query("end session", e))?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_events(&mut tx, events).await?;
        commit(tx).await?;
        Ok(true)
    }

    /// Stores another participant token for a session (the support app).
    pub async fn add_participant(&self, p: &ParticipantRow, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO participants (token_hash, session_id, role, name, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&p.token_hash)
        .bind(&p.session_id)
        .bind(&p.role)
        .bind(&p.name)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(|e| StoreError::query("store participant token", e))?;
        Ok(())
    }

    pub async fn participant(&self, token_hash: &str) -> Result<Option<ParticipantRow>> {
        let row = sqlx::query(
            "SELECT token_hash, session_id, role, name FROM participants WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::query("look up customer token", e))?;
        row.map(|r| ParticipantRow::from_row(&r)).transpose()
    }

    // ---- timeline -----------------------------------------------------

    /// Appends events that change nothing else; they are group-committed
    /// with other sessions' events (see `batch.rs`). Returns once stored.
    pub async fn append_events(&self, events: &[EventRow]) -> Result<()> {
        self.batcher.append(events.to_vec()).await
    }

    pub async fn events_after(&self, session_id: &str, after: i64) -> Result<Vec<EventRow>> {
        let rows = sqlx::query(concat!(
            event_select!(),
            " WHERE session_id = $1 AND seq > $2 ORDER BY seq"
        ))
        .bind(session_id)
        .bind(after)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::query("load timeline", e))?;
        rows.iter().map(EventRow::from_row).collect()
    }

    pub async fn event_by_client_id(
        &self,
        session_id: &str,
        client_id: &str,
    ) -> Result<Option<EventRow>> {
        let row = sqlx::query(concat!(
            event_select!(),
            " WHERE session_id = $1 AND client_id = $2"
        ))
        .bind(session_id)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::query("find message by client id", e))?;
        row.map(|r| EventRow::from_row(&r)).transpose()
    }

    pub async fn last_seq(&self, session_id: &str) -> Result<i64> {
        let row =
            sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM events WHERE session_id = $1")
                .bind(session_id)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| StoreError::query("find last event number", e))?;
        get(&row, "n")
    }

    // ---- files --------------------------------------------------------

    pub async fn add_file(&self, file: &FileRow, events: &[EventRow]) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO files (id, session_id, name, size, stored_name, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&file.id)
            .bind(&file.session_id)
            .bind(&file.name)
            .bind(file.size)
            .bind(&file.stored_name)
            .bind(file.created_at)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("store file record", e))?;
        insert_events(&mut tx, events).await?;
        commit(tx).await
    }

    pub async fn file(&self, id: &str) -> Result<Option<FileRow>> {
        let row = sqlx::query(concat!(file_select!(), " WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| StoreError::query("load file record", e))?;
        row.map(|r| FileRow::from_row(&r)).transpose()
    }

    /// Files of sessions that ended before `cutoff` and are still on disk.
    pub async fn files_due_for_removal(&self, cutoff: i64, limit: i64) -> Result<Vec<FileRow>> {
        let rows = sqlx::query(concat!(
            file_select!(),
            " WHERE removed_at IS NULL AND session_id IN
               (SELECT id FROM sessions WHERE state = 'ended' AND ended_at <= $1) LIMIT $2"
        ))
        .bind(cutoff)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::query("find files to remove", e))?;
        rows.iter().map(FileRow::from_row).collect()
    }

    pub async fn mark_file_removed(&self, id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE files SET removed_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(|e| StoreError::query("mark file removed", e))?;
        Ok(())
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        self.writer
            .begin()
            .await
            .map_err(|e| StoreError::query("begin transaction", e))
    }
}

// Column lists as macros so that queries stay `&'static str` (sqlx refuses
// dynamically built SQL) while each list is written once.
macro_rules! user_columns {
    () => {
        "u.id, u.email, u.name, u.password_hash, u.role, u.disabled, u.created_at, u.last_login_at,
         u.group_id, u.totp_secret, u.totp_pending, u.totp_last_step"
    };
}
macro_rules! session_select {
    () => {
        "SELECT s.id, s.technician_id, u.name AS technician_name, s.support_key,
         s.key_expires_at, s.key_used_at, s.request_remote_control, s.state, s.customer_name,
         s.created_at, s.ended_at, s.end_reason, s.group_id
         FROM sessions s JOIN users u ON u.id = s.technician_id"
    };
}
macro_rules! event_select {
    () => {
        "SELECT session_id, seq, kind, actor_role, actor_name, body, client_id, created_at FROM events"
    };
}
macro_rules! file_select {
    () => {
        "SELECT id, session_id, name, size, stored_name, created_at, removed_at FROM files"
    };
}
pub(crate) use {event_select, file_select, session_select, user_columns};

async fn insert_events(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    events: &[EventRow],
) -> Result<()> {
    for e in events {
        insert_event(&mut **tx, e).await?;
    }
    Ok(())
}

async fn insert_event<'c, E>(executor: E, e: &EventRow) -> Result<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO events (session_id, seq, kind, actor_role, actor_name, body, client_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&e.session_id)
    .bind(e.seq)
    .bind(&e.kind)
    .bind(&e.actor_role)
    .bind(&e.actor_name)
    .bind(&e.body)
    .bind(&e.client_id)
    .bind(e.created_at)
    .execute(executor)
    .await
    .map_err(|err| match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::EventConflict,
        _ => StoreError::query("append event", err),
    })?;
    Ok(())
}

pub(crate) async fn commit(tx: sqlx::Transaction<'static, sqlx::Any>) -> Result<()> {
    tx.commit()
        .await
        .map_err(|e| StoreError::query("commit transaction", e))
}

pub(crate) fn get<T>(row: &AnyRow, column: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    row.try_get(column)
        .map_err(|e| StoreError::query("read column", e))
}

/// Database URLs may carry passwords; errors and logs never show them.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_in_urls() {
        assert_eq!(
            redact("postgres://u:secret@db:5432/x"),
            "postgres://***@db:5432/x"
        );
        assert_eq!(
            redact("sqlite:///data/tether.db"),
            "sqlite:///data/tether.db"
        );
    }
}
