//! The customer's consent to screen access: the one place that decides
//! whether a frame may be relayed or an input event injected.
//!
//! A technician *requests* an access (view, or view and control). The request
//! walks through the steps the console shows (request sent, download
//! started, app connected, waiting for consent) until the customer answers in
//! the support app. Allow makes it the current *grant*; deny leaves whatever
//! was granted before. The customer can revoke the grant at any time ("Stop
//! screen sharing"); the app going away ends it too. Every grant has a new
//! number (`epoch`), and input carries the epoch it was sent under, so input
//! from an earlier grant is never injected under a later one.

/// What the technician may do with the customer's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// See the screen; all input is dropped.
    View,
    /// See the screen and drive mouse and keyboard.
    Control,
}

impl Access {
    pub fn as_str(self) -> &'static str {
        match self {
            Access::View => "view",
            Access::Control => "control",
        }
    }

    pub fn parse(s: &str) -> Option<Access> {
        match s {
            "view" => Some(Access::View),
            "control" => Some(Access::Control),
            _ => None,
        }
    }

    pub fn includes(self, other: Access) -> bool {
        self >= other
    }
}

/// Where a pending request stands, as the technician's guided flow shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    RequestSent,
    DownloadStarted,
    AppConnected,
    AwaitingConsent,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::RequestSent => "request_sent",
            Step::DownloadStarted => "download_started",
            Step::AppConnected => "app_connected",
            Step::AwaitingConsent => "awaiting_consent",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub id: u64,
    pub access: Access,
    pub step: Step,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub epoch: u64,
    pub access: Access,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConsentError {
    #[error("This access is already granted.")]
    AlreadyGranted,
    #[error("A request is already waiting for the customer's answer.")]
    AlreadyRequested,
    #[error("There is no such request waiting for an answer.")]
    NoSuchRequest,
    #[error("The support app is not connected.")]
    AppNotConnected,
}

/// Consent for one session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consent {
    grant: Option<Grant>,
    pending: Option<Request>,
    app_connected: bool,
    /// Last number handed out, for requests and grants alike.
    counter: u64,
}

impl Consent {
    pub fn grant(&self) -> Option<Grant> {
        self.grant
    }

    pub fn pending(&self) -> Option<Request> {
        self.pending
    }

    pub fn app_connected(&self) -> bool {
        self.app_connected
    }

    /// The technician asks for `access`. With the app already connected the
    /// request goes straight to the customer.
    pub fn request(&mut self, access: Access) -> Result<Request, ConsentError> {
        if self.grant.is_some_and(|g| g.access.includes(access)) {
            return Err(ConsentError::AlreadyGranted);
        }
        if self.pending.is_some() {
            return Err(ConsentError::AlreadyRequested);
        }
        self.counter += 1;
        let step = if self.app_connected {
            Step::AppConnected
        } else {
            Step::RequestSent
        };
        let request = Request {
            id: self.counter,
            access,
            step,
        };
        self.pending = Some(request);
        Ok(request)
    }

    /// The customer started the download of the support app.
    pub fn download_started(&mut self) -> Option<Request> {
        self.advance(Step::DownloadStarted)
    }

    /// The support app connected; a pending request goes to it next.
    pub fn app_connected_now(&mut self) -> Option<Request> {
        self.app_connected = true;
        self.advance(Step::AppConnected)
    }

    /// The app shows the prompt for request `id`: now it waits for the customer.
    pub fn prompted(&mut self, id: u64) -> Option<Request> {
        if self.pending.is_some_and(|p| p.id == id) && self.app_connected {
            return self.advance(Step::AwaitingConsent);
        }
        None
    }

    /// The app went away: nothing can be captured any more, so the grant
    /// ends; a pending request waits for the app to come back.
    pub fn app_disconnected(&mut self) -> Option<Grant> {
        self.app_connected = false;
        if let Some(p) = &mut self.pending {
            p.step = Step::RequestSent;
        }
        self.grant.take()
    }

    /// The customer answered request `id` in the app.
    pub fn answer(&mut self, id: u64, allow: bool) -> Result<Option<Grant>, ConsentError> {
        let pending = self
            .pending
            .filter(|p| p.id == id)
            .ok_or(ConsentError::NoSuchRequest)?;
        if !self.app_connected {
            return Err(ConsentError::AppNotConnected);
        }
        self.pending = None;
        if !allow {
            return Ok(None);
        }
        self.counter += 1;
        let grant = Grant {
            epoch: self.counter,
            access: pending.access,
        };
        self.grant = Some(grant);
        Ok(Some(grant))
    }

    /// The customer stopped screen sharing (or the session ends): the grant
    /// and any pending request are gone. Returns the grant that ended.
    pub fn revoke(&mut self) -> Option<Grant> {
        self.pending = None;
        self.grant.take()
    }

    /// The technician withdrew a request the customer has not answered.
    pub fn cancel(&mut self) -> Option<Request> {
        self.pending.take()
    }

    /// Whether a screen frame may be relayed now.
    pub fn allows_frames(&self) -> bool {
        self.app_connected && self.grant.is_some()
    }

    /// Whether an input event sent under grant `epoch` may be injected now.
    pub fn allows_input(&self, epoch: u64) -> bool {
        self.app_connected
            && self
                .grant
                .is_some_and(|g| g.access == Access::Control && g.epoch == epoch)
    }

    fn advance(&mut self, to: Step) -> Option<Request> {
        let p = self.pending.as_mut()?;
        if p.step < to {
            p.step = to;
            return Some(*p);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connected() -> Consent {
        let mut c = Consent::default();
        c.app_connected_now();
        c
    }

    #[test]
    fn request_walks_the_guided_steps_until_answered() {
        let mut c = Consent::default();
        let r = c.request(Access::Control).expect("request");
        assert_eq!(r.step, Step::RequestSent);
        assert_eq!(
            c.download_started().map(|r| r.step),
            Some(Step::DownloadStarted)
        );
        assert_eq!(
            c.app_connected_now().map(|r| r.step),
            Some(Step::AppConnected)
        );
        assert_eq!(c.prompted(r.id + 1), None, "a prompt for another request");
        assert_eq!(
            c.prompted(r.id).map(|r| r.step),
            Some(Step::AwaitingConsent)
        );
        assert!(!c.allows_frames(), "no frames before the customer answers");
        let g = c.answer(r.id, true).expect("answer").expect("granted");
        assert_eq!(g.access, Access::Control);
        assert!(c.allows_frames());
        assert!(c.allows_input(g.epoch));
    }

    #[test]
    fn view_only_grant_drops_input() {
        let mut c = connected();
        let r = c.request(Access::View).expect("request");
        let g = c.answer(r.id, true).expect("answer").expect("granted");
        assert!(c.allows_frames());
        assert!(!c.allows_input(g.epoch));
    }

    #[test]
    fn denial_grants_nothing_and_keeps_an_earlier_grant() {
        let mut c = connected();
        let r = c.request(Access::View).expect("request");
        let view = c.answer(r.id, true).expect("answer").expect("granted");
        let upgrade = c.request(Access::Control).expect("upgrade");
        assert_eq!(c.answer(upgrade.id, false), Ok(None));
        assert_eq!(c.grant(), Some(view));
        assert_eq!(
            c.answer(upgrade.id, true),
            Err(ConsentError::NoSuchRequest),
            "an answer counts once"
        );
    }

    #[test]
    fn revocation_stops_frames_and_input_and_needs_new_consent() {
        let mut c = connected();
        let r = c.request(Access::Control).expect("request");
        let g = c.answer(r.id, true).expect("answer").expect("granted");
        assert_eq!(c.revoke(), Some(g));
        assert!(!c.allows_frames());
        assert!(!c.allows_input(g.epoch));
        let again = c.request(Access::Control).expect("new request");
        let g2 = c.answer(again.id, true).expect("answer").expect("granted");
        assert!(g2.epoch > g.epoch);
        assert!(
            !c.allows_input(g.epoch),
            "input from the old grant stays dropped"
        );
        assert!(c.allows_input(g2.epoch));
    }

    #[test]
    fn app_leaving_ends_the_grant() {
        let mut c = connected();
        let r = c.request(Access::Control).expect("request");
        let g = c.answer(r.id, true).expect("answer").expect("granted");
        assert_eq!(c.app_disconnected(), Some(g));
        assert!(!c.allows_frames());
        c.app_connected_now();
        assert!(!c.allows_frames(), "reconnecting does not restore consent");
    }

    #[test]
    fn duplicate_requests_are_refused() {
        let mut c = connected();
        let r = c.request(Access::Control).expect("request");
        assert_eq!(c.request(Access::View), Err(ConsentError::AlreadyRequested));
        c.answer(r.id, true).expect("answer");
        assert_eq!(c.request(Access::View), Err(ConsentError::AlreadyGranted));
        assert_eq!(
            c.request(Access::Control),
            Err(ConsentError::AlreadyGranted)
        );
    }

    #[test]
    fn answers_need_the_app() {
        let mut c = Consent::default();
        let r = c.request(Access::View).expect("request");
        assert_eq!(c.answer(r.id, true), Err(ConsentError::AppNotConnected));
    }
}
