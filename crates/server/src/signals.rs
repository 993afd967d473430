//! Account signals: news about an account that its open connections must act
//! on at once — it was disabled or signed out (every connection closes), or
//! its group's policy changed (the console applies it live).
//!
//! One broadcast channel per server; each technician connection filters it.
//! Several server nodes would carry these over the database's notification
//! channel (PostgreSQL LISTEN/NOTIFY) into the same broadcast.

use tokio::sync::broadcast;

/// Why an account's connections are being closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignOutReason {
    Disabled,
    PasswordReset,
    SignedOut,
}

impl SignOutReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SignOutReason::Disabled => "disabled",
            SignOutReason::PasswordReset => "password_reset",
            SignOutReason::SignedOut => "signed_out",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Every connection of this account closes (WebSocket code 4001).
    SignedOut {
        user_id: String,
        reason: SignOutReason,
    },
    /// The policy of this group changed.
    GroupChanged { group_id: String },
    /// This account's own settings changed (e.g. it moved to another group).
    UserChanged { user_id: String },
}

/// The WebSocket close code for "this account was signed out".
pub const SIGNED_OUT_CLOSE: u16 = 4001;

#[derive(Debug, Clone)]
pub struct Signals {
    tx: broadcast::Sender<Signal>,
}

impl Default for Signals {
    fn default() -> Self {
        Signals {
            tx: broadcast::channel(256).0,
        }
    }
}

impl Signals {
    pub fn send(&self, signal: Signal) {
        // No receiver means no open connection: nothing to tell.
        let _ = self.tx.send(signal);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.tx.subscribe()
    }
}

impl Signal {
    /// Whether this account must close its connections, and why.
    pub fn signs_out(&self, user_id: &str) -> Option<SignOutReason> {
        match self {
            Signal::SignedOut { user_id: u, reason } if u == user_id => Some(*reason),
            _ => None,
        }
    }

    /// Whether the settings of this account (in this group) may have changed.
    pub fn changes_settings(&self, user_id: &str, group_id: Option<&str>) -> bool {
        match self {
            Signal::GroupChanged { group_id: g } => group_id == Some(g.as_str()),
            Signal::UserChanged { user_id: u } => u == user_id,
            Signal::SignedOut { .. } => false,
        }
    }
}
