//! Accounts as administrators manage them: listing, editing, disabling
//! (which ends every sign-in), one-time tokens (password links, second-factor
//! challenges), and the stored parts of two-factor sign-in.

use crate::rows::UserRow;
use crate::{Result, Store, StoreError, commit, get, user_columns};

/// Which fields of an account to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    /// `Some(None)` makes an administrator one of every group.
    pub group_id: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// A one-time token as stored.
#[derive(Debug, Clone)]
pub struct OneTimeToken {
    pub user_id: String,
    pub purpose: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl Store {
    pub async fn user(&self, id: &str) -> Result<Option<UserRow>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE u.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::query("load account", e))?;
        row.map(|r| UserRow::from_row(&r)).transpose()
    }

    /// Accounts, by name; only one group's when `group_id` is given.
    pub async fn users(&self, group_id: Option<&str>) -> Result<Vec<UserRow>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users u WHERE ($1 IS NULL OR u.group_id = $1) ORDER BY u.name, u.email"
        ))
        .bind(group_id)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| StoreError::query("list accounts", e))?;
        rows.iter().map(UserRow::from_row).collect()
    }

    /// Changes an account. Disabling it also deletes every sign-in token, in
    /// the same transaction, so no request after this one is let in.
    pub async fn update_user(&self, id: &str, c: &UserChanges) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE users SET
                email = COALESCE($2, email),
                name = COALESCE($3, name),
                role = COALESCE($4, role),
                group_id = CASE WHEN $5 = 1 THEN $6 ELSE group_id END,
                disabled = COALESCE($7, disabled)
             WHERE id = $1",
        )
        .bind(id)
        .bind(&c.email)
        .bind(&c.name)
        .bind(&c.role)
        .bind(i64::from(c.group_id.is_some()))
        .bind(c.group_id.clone().flatten())
        .bind(c.disabled.map(i64::from))
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::EmailTaken(c.email.clone().unwrap_or_default())
            }
            _ => StoreError::query("change account", e),
        })?;
        if c.disabled == Some(true) {
            delete_tokens_of(&mut tx, id).await?;
        }
        commit(tx).await
    }

    /// Ends every sign-in of an account.
    pub async fn delete_tokens_of(&self, user_id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        delete_tokens_of(&mut tx, user_id).await?;
        commit(tx).await
    }

    /// Enabled administrators of every group: there must always be one.
    pub async fn count_global_admins(&self) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND group_id IS NULL",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StoreError::query("count administrators", e))?;
        get(&row, "n")
    }

    pub async fn create_one_time_token(
        &self,
        token_hash: &str,
        user_id: &str,
        purpose: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO one_time_tokens (token_hash, user_id, purpose, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(purpose)
        .bind(now)
        .bind(expires_at)
        .execute(&self.writer)
        .await
        .map_err(|e| StoreError::query("store one-time token", e))?;
        Ok(())
    }

    pub async fn one_time_token(&self, token_hash: &str) -> Result<Option<OneTimeToken>> {
        let row = sqlx::query(
            "SELECT user_id, purpose, expires_at, used_at FROM one_time_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| StoreError::query("look up one-time token", e))?;
        row.map(|r| {
            Ok(OneTimeToken {
                user_id: get(&r, "user_id")?,
                purpose: get(&r, "purpose")?,
                expires_at: get(&r, "expires_at")?,
                used_at: get(&r, "used_at")?,
            })
        })
        .transpose()
    }

    /// Marks a one-time token used; false if it was used (or gone) already,
    /// so two racing requests cannot both spend it.
    pub async fn use_one_time_token(&self, token_hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE one_time_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(|e| StoreError::query("use one-time token", e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets a new password from a one-time link: spends the link, stores the
    /// hash, and ends every sign-in of the account — all or nothing.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        user_id: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let spent = sqlx::query(
            "UPDATE one_time_tokens SET used_at = $2
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND purpose = 'password'",
        )
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::query("use password link", e))?;
        if spent.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::query("store new password", e))?;
        // Older password links of the account stop working too.
        sqlx::query(
            "UPDATE one_time_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL AND purpose = 'password'",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::query("retire older password links", e))?;
        delete_tokens_of(&mut tx, user_id).await?;
        commit(tx).await?;
        Ok(true)
    }

    pub async fn set_totp_pending(&self, user_id: &str, secret: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE users SET totp_pending = $2 WHERE id = $1")
            .bind(user_id)
            .bind(secret)
            .execute(&self.writer)
            .await
            .map_err(|e| StoreError::query("store pending two-factor secret", e))?;
        Ok(())
    }

    /// Turns two-factor sign-in on with `secret` and a fresh set of recovery
    /// codes (stored as hashes), replacing any earlier ones.
    pub async fn enable_totp(
        &self,
        user_id: &str,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE users SET totp_secret = $2, totp_pending = NULL, totp_last_step = $3 WHERE id = $1",
        )
        .bind(user_id)
        .bind(secret)
        .bind(step)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::query("turn on two-factor sign-in", e))?;
        replace_recovery_codes(&mut tx, user_id, recovery_hashes).await?;
        commit(tx).await
    }

    /// Turns two-factor sign-in off and forgets the recovery codes.
    pub async fn disable_totp(&self, user_id: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(|e| StoreError::query("turn off two-factor sign-in", e))?;
        replace_recovery_codes(&mut tx, user_id, &[]).await?;
        commit(tx).await
    }

    pub async fn replace_recovery_codes(&self, user_id: &str, hashes: &[String]) -> Result<()> {
        let mut tx = self.begin().await?;
        replace_recovery_codes(&mut tx, user_id, hashes).await?;
        commit(tx).await
    }

    /// Records the time step a code was accepted for. False when that step
    /// (or a later one) was used already: a code works only once, even when
    /// two requests race.
    pub async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $2
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(user_id)
        .bind(step)
        .execute(&self.writer)
        .await
        .map_err(|e| StoreError::query("record two-factor code", e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Spends a recovery code; false if it is unknown or used.
    pub async fn use_recovery_code(&self, user_id: &str, hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3
             WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&self.writer)
        .await
        .map_err(|e| StoreError::query("use recovery code", e))?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn recovery_codes_left(&self, user_id: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StoreError::query("count recovery codes", e))?;
        get(&row, "n")
    }
}

async fn delete_tokens_of(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM auth_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map_err(|e| StoreError::query("end the account's sign-ins", e))?;
    Ok(())
}

async fn replace_recovery_codes(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user_id: &str,
    hashes: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await
        .map_err(|e| StoreError::query("remove old recovery codes", e))?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut **tx)
            .await
            .map_err(|e| StoreError::query("store recovery code", e))?;
    }
    Ok(())
}
