//! What the admin center reads and writes besides accounts: groups and their
//! policies, server-wide settings, the audit log, invitations (for the abuse
//! limits), and the session history with its filters.

use crate::rows::{GroupRow, SessionRow};
use crate::{FileRow, Result, Store, StoreError, file_select, get, session_select};

/// One line of the admin audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: String,
    pub at: i64,
    pub actor_id: String,
    pub actor_name: String,
    /// The group the change concerns, so group administrators see their own.
    pub group_id: Option<String>,
    pub action: String,
    pub target: String,
    /// JSON: what changed.
    pub details: String,
}

/// An invitation sent or tried.
#[derive(Debug, Clone)]
pub struct InvitationRow {
    pub id: String,
    pub session_id: String,
    pub technician_id: String,
    /// `sms` or `email`.
    pub channel: String,
    /// Normalised: E.164 number or lower-case address.
    pub recipient: String,
    /// `sending` while the gateway is asked, then `sent` or `failed`.
    pub status: String,
    pub error: Option<String>,
    pub created_at: i64,
}

/// Filters of the administrators' session history; `None` filters nothing.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub group_id: Option<String>,
    pub technician_id: Option<String>,
    /// Part of the customer's name, any case.
    pub customer: Option<String>,
    /// Started at or after (ms).
    pub from: Option<i64>,
    /// Started before (ms).
    pub to: Option<i64>,
}

macro_rules! group_select {
    () => {
        "SELECT g.id, g.name, g.settings, g.created_at, g.updated_at,
         (SELECT COUNT(*) FROM users m WHERE m.group_id = g.id) AS member_count
         FROM groups g"
    };
}

// `$1`…`$5` are the filter's fields, in `HistoryFilter`'s order.
macro_rules! history_where {
    () => {
        " WHERE ($1 IS NULL OR s.group_id = $1)
           AND ($2 IS NULL OR s.technician_id = $2)
           AND ($3 IS NULL OR LOWER(COALESCE(s.customer_name, '')) LIKE $3 ESCAPE '\\')
           AND ($4 IS NULL OR s.created_at >= $4)
           AND ($5 IS NULL OR s.created_at < $5)"
    };
}

impl Store {
    // ---- groups --------------------------------------------------------

    pub async fn groups(&self) -> Result<Vec<GroupRow>> {
        let rows = sqlx::query(concat!(group_select!(), " ORDER BY g.name"))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| StoreError::query("list groups", e))?;
        rows.iter().map(GroupRow::from_row).collect()
    }

    pub async fn group(&self, id: &str) -> Result<Option<GroupRow>> {
        let row = sqlx::query(concat!(group_select!(), " WHERE g.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| StoreError::query("load group", e))?;
        row.map(|r| GroupRow::from_row(&r)).transpose()
    }

    pub async fn create_group(&self, id: &str, name: &str, settings: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO groups (id, name, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(id)
        .bind(name)
        .bind(settings)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(|e| group_error(e, name, "create group"))?;
        Ok(())
    }

    pub async fn update_group(&self, id: &str, name: &str, settings: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE groups SET name = $2, settings = $3, updated_at = $4 WHERE id = $1")
            .bind(id)
            .bind(name)
            .bind(settings)
            .bind(now)
            .execute(&self.writer)
            .await
            .map_err(|e| group_error(e, name, "change group"))?;
        Ok(())
    }

    /// Deletes a group with no members; false if it has members (or is gone).
    pub async fn delete_group(&self, id: &str) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM groups WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM users WHERE group_id = $1)",
        )
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(|e| StoreError::query("delete group", e))?;
        Ok(done.rows_affected() == 1)
    }

    // ---- server-wide settings -----------------------------------------

    pub async fn server_setting(&self, name: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM server_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| StoreError::query("read server setting", e))?;
        row.map(|r| get(&r, "value")).transpose()
    }

    pub async fn set_server_setting(&self, name: &str, value: &str, now: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM server_settings WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("replace server setting", e))?;
        sqlx::query("INSERT INTO server_settings (name, value, updated_at) VALUES ($1, $2, $3)")
            .bind(name)
            .bind(value)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("store server setting", e))?;
        crate::commit(tx).await
    }

    // ---- audit log -----------------------------------------------------

    pub async fn add_audit(&self, e: &AuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor_id, actor_name, group_id, action, target, details)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&e.id)
        .bind(e.at)
        .bind(&e.actor_id)
        .bind(&e.actor_name)
        .bind(&e.group_id)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.details)
        .execute(&self.writer)
        .await
        .map_err(|err| StoreError::query("write audit log", err))?;
        Ok(())
    }

    /// The newest audit entries; only one group's when `group_id` is given.
    pub async fn audit(&self, group_id: Option<&str>, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor_name, group_id, action, target, details FROM audit_log
             WHERE ($1 IS NULL OR group_id = $1) ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(group_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::query("read audit log", e))?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: get(r, "id")?,
                    at: get(r, "at")?,
                    actor_id: get(r, "actor_id")?,
                    actor_name: get(r, "actor_name")?,
                    group_id: get(r, "group_id")?,
                    action: get(r, "action")?,
                    target: get(r, "target")?,
                    details: get(r, "details")?,
                })
            })
            .collect()
    }

    // ---- invitations ---------------------------------------------------

    pub async fn add_invitation(&self, i: &InvitationRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO invitations (id, session_id, technician_id, channel, recipient, status, error, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&i.id)
        .bind(&i.session_id)
        .bind(&i.technician_id)
        .bind(&i.channel)
        .bind(&i.recipient)
        .bind(&i.status)
        .bind(&i.error)
        .bind(i.created_at)
        .execute(&self.writer)
        .await
        .map_err(|e| StoreError::query("record invitation", e))?;
        Ok(())
    }

    pub async fn finish_invitation(
        &self,
        id: &str,
        status: &str,
        error: Option<&str>,
    ) -> Result<()> {
        sqlx::query("UPDATE invitations SET status = $2, error = $3 WHERE id = $1")
            .bind(id)
            .bind(status)
            .bind(error)
            .execute(&self.writer)
            .await
            .map_err(|e| StoreError::query("record invitation result", e))?;
        Ok(())
    }

    /// Invitation times since `since` (ms), oldest first, by technician,
    /// recipient and session: what the abuse limits count.
    pub async fn invitation_times(
        &self,
        technician_id: &str,
        recipient: &str,
        session_id: &str,
        since: i64,
    ) -> Result<InvitationTimes> {
        let rows = sqlx::query(
            "SELECT technician_id, recipient, session_id, created_at FROM invitations
             WHERE created_at >= $4 AND (technician_id = $1 OR recipient = $2 OR session_id = $3)
             ORDER BY created_at",
        )
        .bind(technician_id)
        .bind(recipient)
        .bind(session_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::query("count invitations", e))?;
        let mut times = InvitationTimes::default();
        for r in &rows {
            let at: i64 = get(r, "created_at")?;
            if get::<String>(r, "technician_id")? == technician_id {
                times.by_technician.push(at);
            }
            if get::<String>(r, "recipient")? == recipient {
                times.by_recipient.push(at);
            }
            if get::<String>(r, "session_id")? == session_id {
                times.by_session.push(at);
            }
        }
        Ok(times)
    }

    // ---- history -------------------------------------------------------

    /// Sessions matching `f`, newest first, and how many match in all.
    pub async fn history(
        &self,
        f: &HistoryFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<HistoryRow>, i64)> {
        let pattern = f.customer.as_deref().map(like_pattern);
        let rows = sqlx::query(concat!(
            "SELECT x.*,
              (SELECT COUNT(*) FROM events e WHERE e.session_id = x.id AND e.kind = 'chat') AS messages,
              (SELECT COUNT(*) FROM files f WHERE f.session_id = x.id) AS file_count
             FROM (",
            session_select!(),
            history_where!(),
            " ORDER BY s.created_at DESC, s.id DESC LIMIT $6 OFFSET $7) x
             ORDER BY x.created_at DESC, x.id DESC"
        ))
        .bind(&f.group_id)
        .bind(&f.technician_id)
        .bind(&pattern)
        .bind(f.from)
        .bind(f.to)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::query("search session history", e))?;
        let total = sqlx::query(concat!(
            "SELECT COUNT(*) AS n FROM sessions s",
            history_where!()
        ))
        .bind(&f.group_id)
        .bind(&f.technician_id)
        .bind(&pattern)
        .bind(f.from)
        .bind(f.to)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StoreError::query("count session history", e))?;
        let sessions = rows
            .iter()
            .map(|r| {
                Ok(HistoryRow {
                    session: SessionRow::from_row(r)?,
                    messages: get(r, "messages")?,
                    files: get(r, "file_count")?,
                })
            })
            .collect::<Result<_>>()?;
        Ok((sessions, get(&total, "n")?))
    }

    pub async fn files_of(&self, session_id: &str) -> Result<Vec<FileRow>> {
        let rows = sqlx::query(concat!(
            file_select!(),
            " WHERE session_id = $1 ORDER BY created_at"
        ))
        .bind(session_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::query("list files", e))?;
        rows.iter().map(FileRow::from_row).collect()
    }
}

/// A session in the history, with how much happened in it.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub session: SessionRow,
    pub messages: i64,
    pub files: i64,
}

/// When invitations went out, per limit the server applies.
#[derive(Debug, Clone, Default)]
pub struct InvitationTimes {
    pub by_technician: Vec<i64>,
    pub by_recipient: Vec<i64>,
    pub by_session: Vec<i64>,
}

fn group_error(e: sqlx::Error, name: &str, step: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::GroupNameTaken(name.to_owned())
        }
        _ => StoreError::query(step, e),
    }
}

/// `%text%` for LIKE, lower-case, with the user's own `%`, `_` and `\` taken
/// literally.
fn like_pattern(text: &str) -> String {
    let mut p = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(super::like_pattern("A_b%"), "%a\\_b\\%%");
    }
}
