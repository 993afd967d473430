//! The support app's own record of what the customer allowed. The app
//! captures and injects only under a grant that it can trace back to an
//! Allow the customer gave in the app's own window, whatever the server says.

use protocol::AccessKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    pub epoch: u64,
    pub access: AccessKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GrantRefused {
    #[error("the server announced a grant the customer did not give in this app")]
    NotAllowedHere,
    #[error("the server announced more access than the customer was asked for")]
    MoreThanAsked,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalGrant {
    /// The request the customer just allowed, with the access shown to them.
    allowed: Option<(u64, AccessKind)>,
    current: Option<Granted>,
}

impl LocalGrant {
    /// The customer answered the prompt for `request_id`, which showed `access`.
    pub fn answered(&mut self, request_id: u64, access: AccessKind, allow: bool) {
        self.allowed = allow.then_some((request_id, access));
    }

    /// The server recorded a grant. Accepted only for the request the
    /// customer allowed here, and never for more than they were shown.
    pub fn server_granted(
        &mut self,
        request_id: u64,
        epoch: u64,
        access: AccessKind,
    ) -> Result<Granted, GrantRefused> {
        let (allowed_id, shown) = self.allowed.ok_or(GrantRefused::NotAllowedHere)?;
        if allowed_id != request_id {
            return Err(GrantRefused::NotAllowedHere);
        }
        if access == AccessKind::Control && shown == AccessKind::View {
            return Err(GrantRefused::MoreThanAsked);
        }
        self.allowed = None;
        let granted = Granted { epoch, access };
        self.current = Some(granted);
        Ok(granted)
    }

    /// The grant ended (server revoke for this epoch, or the customer's stop).
    pub fn revoke(&mut self, epoch: Option<u64>) -> Option<Granted> {
        match (self.current, epoch) {
            (Some(g), Some(e)) if g.epoch != e => None,
            (current, _) => {
                self.current = None;
                current
            }
        }
    }

    pub fn current(&self) -> Option<Granted> {
        self.current
    }

    pub fn allows_input(&self, epoch: u64) -> bool {
        self.current
            .is_some_and(|g| g.epoch == epoch && g.access == AccessKind::Control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_needs_the_customers_allow_here() {
        let mut g = LocalGrant::default();
        assert_eq!(
            g.server_granted(1, 5, AccessKind::View),
            Err(GrantRefused::NotAllowedHere)
        );
        g.answered(1, AccessKind::View, false);
        assert_eq!(
            g.server_granted(1, 5, AccessKind::View),
            Err(GrantRefused::NotAllowedHere)
        );
        g.answered(2, AccessKind::Control, true);
        assert_eq!(
            g.server_granted(1, 5, AccessKind::Control),
            Err(GrantRefused::NotAllowedHere)
        );
        assert!(g.server_granted(2, 6, AccessKind::Control).is_ok());
        assert!(g.allows_input(6));
        assert!(!g.allows_input(5));
    }

    #[test]
    fn never_more_than_shown() {
        let mut g = LocalGrant::default();
        g.answered(1, AccessKind::View, true);
        assert_eq!(
            g.server_granted(1, 2, AccessKind::Control),
            Err(GrantRefused::MoreThanAsked)
        );
        g.answered(1, AccessKind::View, true);
        let v = g.server_granted(1, 2, AccessKind::View).expect("view");
        assert!(!g.allows_input(v.epoch), "view only never injects");
    }

    #[test]
    fn revocation_is_per_epoch() {
        let mut g = LocalGrant::default();
        g.answered(1, AccessKind::Control, true);
        g.server_granted(1, 9, AccessKind::Control)
            .expect("granted");
        assert_eq!(
            g.revoke(Some(8)),
            None,
            "a stale revoke does not end a newer grant"
        );
        assert!(g.revoke(Some(9)).is_some());
        assert!(!g.allows_input(9));
        assert_eq!(g.current(), None);
    }
}
