//! Group policies: what each technician group's administrators decide, with
//! the server's configuration as the default for anything left unset.
//!
//! A group stores only the settings an administrator changed (as JSON), so a
//! change of the server's defaults reaches every group that kept them, and a
//! new setting needs no migration.

use protocol::Settings;
use serde::{Deserialize, Serialize};
use store::GroupRow;

use crate::error::ApiError;
use crate::state::AppState;

const MIB: u64 = 1024 * 1024;
pub const MAX_KEY_LIFETIME_MINS: u32 = 24 * 60;

/// A group's policy as stored and as sent in a change: absent fields keep
/// their value (in a change) or the server's default (when stored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_lifetime_mins: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_remote_control_default: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_screen_sharing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_confirms_reboot: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_confirms_sharing_after_reboot: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_open_session: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_file_mb: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_website: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms_default_country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_2fa: Option<bool>,
}

/// A group's policy with every setting decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub key_lifetime_mins: u32,
    pub request_remote_control_default: bool,
    pub allow_screen_sharing: bool,
    pub customer_confirms_reboot: bool,
    pub customer_confirms_sharing_after_reboot: bool,
    pub auto_open_session: bool,
    pub max_file_mb: u64,
    /// Empty: the server's own address.
    pub support_website: String,
    pub sms_default_country: String,
    pub require_2fa: bool,
}

impl StoredPolicy {
    pub fn parse(json: &str) -> StoredPolicy {
        serde_json::from_str(json).unwrap_or_else(|e| {
            tracing::error!(error = %e, "a stored group policy is unreadable; using the defaults");
            StoredPolicy::default()
        })
    }

    /// Applies a change on top of this policy.
    pub fn merged(&self, change: &StoredPolicy) -> StoredPolicy {
        fn pick<T: Clone>(new: &Option<T>, old: &Option<T>) -> Option<T> {
            new.clone().or_else(|| old.clone())
        }
        StoredPolicy {
            key_lifetime_mins: pick(&change.key_lifetime_mins, &self.key_lifetime_mins),
            request_remote_control_default: pick(
                &change.request_remote_control_default,
                &self.request_remote_control_default,
            ),
            allow_screen_sharing: pick(&change.allow_screen_sharing, &self.allow_screen_sharing),
            customer_confirms_reboot: pick(
                &change.customer_confirms_reboot,
                &self.customer_confirms_reboot,
            ),
            customer_confirms_sharing_after_reboot: pick(
                &change.customer_confirms_sharing_after_reboot,
                &self.customer_confirms_sharing_after_reboot,
            ),
            auto_open_session: pick(&change.auto_open_session, &self.auto_open_session),
            max_file_mb: pick(&change.max_file_mb, &self.max_file_mb),
            support_website: pick(&change.support_website, &self.support_website),
            sms_default_country: pick(&change.sms_default_country, &self.sms_default_country),
            require_2fa: pick(&change.require_2fa, &self.require_2fa),
        }
    }

    /// Checks every value that is set; the error names the first bad one.
    pub fn validate(mut self) -> Result<StoredPolicy, ApiError> {
        let bad = |m: &str| Err(ApiError::BadRequest("bad_setting", m.to_owned()));
        if let Some(m) = self.key_lifetime_mins
            && !(1..=MAX_KEY_LIFETIME_MINS).contains(&m)
        {
            return bad("The support key's lifetime must be between 1 and 1440 minutes.");
        }
        if let Some(mb) = self.max_file_mb
            && !(1..=100_000).contains(&mb)
        {
            return bad("The maximum file size must be between 1 and 100000 MB.");
        }
        if let Some(site) = &mut self.support_website {
            let trimmed = site.trim().to_owned();
            let ok = trimmed.is_empty()
                || ((trimmed.starts_with("https://") || trimmed.starts_with("http://"))
                    && trimmed.len() <= 200
                    && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control()));
            if !ok {
                return bad(
                    "The support website must be an address starting with https:// (at most 200 characters), or empty.",
                );
            }
            *site = trimmed;
        }
        if let Some(country) = &mut self.sms_default_country {
            let upper = country.trim().to_ascii_uppercase();
            if upper.len() != 2 || !upper.chars().all(|c| c.is_ascii_uppercase()) {
                return bad(
                    "The SMS default country must be a two-letter country code such as DE.",
                );
            }
            *country = upper;
        }
        Ok(self)
    }

    pub fn resolve(&self, state: &AppState) -> Policy {
        let config = &state.config;
        let cap_mb = config.max_file_bytes.div_ceil(MIB).max(1);
        Policy {
            key_lifetime_mins: self.key_lifetime_mins.unwrap_or_else(|| {
                u32::try_from(config.key_lifetime.as_secs().div_ceil(60))
                    .unwrap_or(MAX_KEY_LIFETIME_MINS)
            }),
            request_remote_control_default: self.request_remote_control_default.unwrap_or(false),
            allow_screen_sharing: self.allow_screen_sharing.unwrap_or(true),
            customer_confirms_reboot: self.customer_confirms_reboot.unwrap_or(true),
            customer_confirms_sharing_after_reboot: self
                .customer_confirms_sharing_after_reboot
                .unwrap_or(true),
            auto_open_session: self.auto_open_session.unwrap_or(config.auto_open_session),
            max_file_mb: self.max_file_mb.unwrap_or(cap_mb),
            support_website: self.support_website.clone().unwrap_or_default(),
            sms_default_country: self
                .sms_default_country
                .clone()
                .unwrap_or_else(|| "DE".to_owned()),
            require_2fa: self.require_2fa.unwrap_or(false),
        }
    }
}

impl Policy {
    /// The group's file limit, never above the server's own.
    pub fn max_file_bytes(&self, state: &AppState) -> u64 {
        self.max_file_mb
            .saturating_mul(MIB)
            .min(state.config.max_file_bytes)
    }

    pub fn support_website(&self, state: &AppState) -> String {
        if self.support_website.is_empty() {
            format!("{}/", state.public_url)
        } else {
            self.support_website.clone()
        }
    }
}

/// A group's policy, both as stored and resolved.
#[derive(Debug, Clone)]
pub struct GroupPolicy {
    pub stored: StoredPolicy,
    pub policy: Policy,
}

impl GroupPolicy {
    pub fn of_row(state: &AppState, row: Option<&GroupRow>) -> GroupPolicy {
        let stored = row
            .map(|g| StoredPolicy::parse(&g.settings))
            .unwrap_or_default();
        let policy = stored.resolve(state);
        GroupPolicy { stored, policy }
    }

    /// The policy of a group by id; the defaults when there is none (an
    /// administrator of every group, or a session from before groups).
    pub async fn load(state: &AppState, group_id: Option<&str>) -> Result<GroupPolicy, ApiError> {
        let row = match group_id {
            Some(id) => state.store.group(id).await?,
            None => None,
        };
        Ok(GroupPolicy::of_row(state, row.as_ref()))
    }

    /// The key lifetime in milliseconds. A group that keeps the default uses
    /// the server's exact lifetime (which tests set in seconds).
    pub fn key_lifetime_ms(&self, state: &AppState) -> i64 {
        let lifetime = match self.stored.key_lifetime_mins {
            Some(m) => std::time::Duration::from_secs(u64::from(m) * 60),
            None => state.config.key_lifetime,
        };
        i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX)
    }

    /// What the console of a member of this group obeys.
    pub async fn settings(&self, state: &AppState) -> Result<Settings, ApiError> {
        let messaging = crate::messaging::Messaging::load(state).await?;
        let p = &self.policy;
        Ok(Settings {
            key_lifetime_secs: u64::try_from(self.key_lifetime_ms(state) / 1000).unwrap_or(0),
            max_file_bytes: p.max_file_bytes(state),
            max_message_chars: state.config.max_message_chars,
            support_website: p.support_website(state),
            auto_open_session: p.auto_open_session,
            request_remote_control_default: p.request_remote_control_default,
            allow_screen_sharing: p.allow_screen_sharing,
            customer_confirms_reboot: p.customer_confirms_reboot,
            customer_confirms_sharing_after_reboot: p.customer_confirms_sharing_after_reboot,
            sms_default_country: p.sms_default_country.clone(),
            require_2fa: p.require_2fa,
            sms_available: messaging.sms.is_some(),
            email_available: messaging.smtp.is_some(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_keeps_what_it_does_not_name() {
        let stored = StoredPolicy {
            key_lifetime_mins: Some(15),
            require_2fa: Some(true),
            ..StoredPolicy::default()
        };
        let change = StoredPolicy {
            require_2fa: Some(false),
            max_file_mb: Some(5),
            ..StoredPolicy::default()
        };
        let merged = stored.merged(&change);
        assert_eq!(merged.key_lifetime_mins, Some(15));
        assert_eq!(merged.require_2fa, Some(false));
        assert_eq!(merged.max_file_mb, Some(5));
    }

    #[test]
    fn bad_values_are_refused_with_a_sentence() {
        let bad = [
            r#"{"key_lifetime_mins":0}"#,
            r#"{"key_lifetime_mins":1441}"#,
            r#"{"max_file_mb":0}"#,
            r#"{"support_website":"javascript:alert(1)"}"#,
            r#"{"sms_default_country":"Germany"}"#,
        ];
        for json in bad {
            let p: StoredPolicy = serde_json::from_str(json).expect("parses");
            assert!(p.validate().is_err(), "{json} should be refused");
        }
        let ok: StoredPolicy =
            serde_json::from_str(r#"{"sms_default_country":" at ","support_website":""}"#)
                .expect("parses");
        let ok = ok.validate().expect("valid");
        assert_eq!(ok.sms_default_country.as_deref(), Some("AT"));
        assert!(serde_json::from_str::<StoredPolicy>(r#"{"colour":"red"}"#).is_err());
    }
}
