//! The life cycle of a support session: waiting for the customer, active, ended.
//!
//! A session starts `Waiting` with a live key. Redeeming the key (the customer
//! joins) makes it `Active` and uses the key up; ending it, by either side or
//! because nobody came before the key expired, makes it `Ended` for good.

use protocol::SessionState;

use crate::Millis;

/// The facts the rules need, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifecycle {
    pub state: SessionState,
    pub key_expires_at: Millis,
    pub key_used: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    #[error("This support key has expired. Please ask your technician for a new one.")]
    KeyExpired,
    #[error("This support key has already been used. Please ask your technician for a new one.")]
    KeyUsed,
    #[error("This session has already ended.")]
    Ended,
}

impl Lifecycle {
    pub fn new(key_expires_at: Millis) -> Lifecycle {
        Lifecycle {
            state: SessionState::Waiting,
            key_expires_at,
            key_used: false,
        }
    }

    /// The state as of `now`: a waiting session whose key ran out is over.
    pub fn effective_state(&self, now: Millis) -> SessionState {
        if self.state == SessionState::Waiting && now >= self.key_expires_at {
            SessionState::Ended
        } else {
            self.state
        }
    }

    /// A waiting session whose key ran out without being used must be ended
    /// with this reason.
    pub fn expiry_due(&self, now: Millis) -> bool {
        self.state == SessionState::Waiting && !self.key_used && now >= self.key_expires_at
    }

    /// The customer redeems the key. Single use: a second redemption fails
    /// even within the lifetime.
    pub fn redeem_key(&self, now: Millis) -> Result<Lifecycle, LifecycleError> {
        if self.key_used {
            return Err(LifecycleError::KeyUsed);
        }
        if now >= self.key_expires_at {
            return Err(LifecycleError::KeyExpired);
        }
        if self.state == SessionState::Ended {
            // The technician ended the session before anyone joined.
            return Err(LifecycleError::KeyUsed);
        }
        Ok(Lifecycle {
            state: SessionState::Active,
            key_used: true,
            ..self.clone()
        })
    }

    /// Whether participants may still add to the session (chat, files).
    pub fn ensure_open(&self, now: Millis) -> Result<(), LifecycleError> {
        match self.effective_state(now) {
            SessionState::Ended => Err(LifecycleError::Ended),
            _ => Ok(()),
        }
    }

    pub fn end(&self) -> Result<Lifecycle, LifecycleError> {
        if self.state == SessionState::Ended {
            return Err(LifecycleError::Ended);
        }
        Ok(Lifecycle {
            state: SessionState::Ended,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_single_use() {
        let s = Lifecycle::new(1_000);
        let active = s.redeem_key(10).expect("first use");
        assert_eq!(active.state, SessionState::Active);
        assert_eq!(active.redeem_key(11), Err(LifecycleError::KeyUsed));
    }

    #[test]
    fn key_expires_at_its_deadline() {
        let s = Lifecycle::new(1_000);
        assert!(s.redeem_key(999).is_ok());
        assert_eq!(s.redeem_key(1_000), Err(LifecycleError::KeyExpired));
        assert!(s.expiry_due(1_000));
        assert_eq!(s.effective_state(1_000), SessionState::Ended);
    }

    #[test]
    fn active_session_outlives_its_key() {
        let active = Lifecycle::new(1_000).redeem_key(10).expect("joined");
        assert!(!active.expiry_due(5_000));
        assert_eq!(active.ensure_open(5_000), Ok(()));
    }

    #[test]
    fn ended_session_refuses_everything() {
        let ended = Lifecycle::new(1_000).end().expect("ends");
        assert_eq!(ended.end(), Err(LifecycleError::Ended));
        assert_eq!(ended.ensure_open(10), Err(LifecycleError::Ended));
        assert_eq!(ended.redeem_key(10), Err(LifecycleError::KeyUsed));
    }
}
