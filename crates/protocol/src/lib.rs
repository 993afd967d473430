//! Tether's wire types: the JSON bodies of the HTTP API and the WebSocket
//! messages of `docs/protocol.md`. This crate does no I/O and knows nothing of
//! storage or transport; the server and every client share these definitions.

use serde::{Deserialize, Serialize};

/// The body of every error answer: a stable code for programs and a sentence
/// for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

/// Who did something in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Technician,
    Customer,
    System,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Technician => "technician",
            Role::Customer => "customer",
            Role::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "technician" => Some(Role::Technician),
            "customer" => Some(Role::Customer),
            "system" => Some(Role::System),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub role: Role,
    pub name: String,
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Technician,
    Customer,
    KeyExpired,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Technician => "technician",
            EndReason::Customer => "customer",
            EndReason::KeyExpired => "key_expired",
        }
    }

    pub fn parse(s: &str) -> Option<EndReason> {
        match s {
            "technician" => Some(EndReason::Technician),
            "customer" => Some(EndReason::Customer),
            "key_expired" => Some(EndReason::KeyExpired),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub id: String,
    pub name: String,
    pub size: u64,
}

/// What the technician may do with the customer's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessKind {
    /// See the screen only.
    View,
    /// See the screen and drive mouse and keyboard.
    Control,
}

/// Why a grant of screen access ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeReason {
    /// The customer pressed "Stop screen sharing".
    Customer,
    /// The technician stopped viewing.
    Technician,
    /// The support app disconnected.
    AppLeft,
    /// The session ended.
    SessionEnded,
}

/// What happened, with the fields that belong to it. The `kind` tag is what
/// clients switch on; kinds a client does not know it may show as a plain line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    Created {
        request_remote_control: bool,
    },
    KeyUsed {},
    Joined {
        name: String,
    },
    Chat {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    File {
        file: FileInfo,
    },
    Ended {
        reason: EndReason,
    },
    /// The technician asked for screen access.
    AccessRequested {
        request_id: u64,
        access: AccessKind,
    },
    /// The customer started downloading the support app for a request.
    AppDownloaded {
        request_id: u64,
    },
    /// The support app connected to the session.
    AppConnected {
        platform: String,
        hostname: String,
    },
    /// The support app left the session.
    AppDisconnected {},
    /// The customer allowed access in the support app.
    AccessGranted {
        request_id: u64,
        access: AccessKind,
        epoch: u64,
    },
    /// The customer denied access in the support app.
    AccessDenied {
        request_id: u64,
        access: AccessKind,
    },
    /// A grant ended.
    AccessRevoked {
        epoch: u64,
        reason: RevokeReason,
    },
    /// The technician withdrew an unanswered request.
    AccessCancelled {
        request_id: u64,
    },
    /// The server sent the customer an invitation; `to` is partly masked.
    InvitationSent {
        /// `sms` or `email`.
        channel: String,
        to: String,
    },
    /// An invitation could not be delivered.
    InvitationFailed {
        channel: String,
        to: String,
        reason: String,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Created { .. } => "created",
            EventBody::KeyUsed {} => "key_used",
            EventBody::Joined { .. } => "joined",
            EventBody::Chat { .. } => "chat",
            EventBody::File { .. } => "file",
            EventBody::Ended { .. } => "ended",
            EventBody::AccessRequested { .. } => "access_requested",
            EventBody::AppDownloaded { .. } => "app_downloaded",
            EventBody::AppConnected { .. } => "app_connected",
            EventBody::AppDisconnected {} => "app_disconnected",
            EventBody::AccessGranted { .. } => "access_granted",
            EventBody::AccessDenied { .. } => "access_denied",
            EventBody::AccessRevoked { .. } => "access_revoked",
            EventBody::AccessCancelled { .. } => "access_cancelled",
            EventBody::InvitationSent { .. } => "invitation_sent",
            EventBody::InvitationFailed { .. } => "invitation_failed",
        }
    }
}

/// One entry of a session's timeline. `seq` starts at 1 and has no gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    /// RFC 3339, UTC, milliseconds.
    pub at: String,
    pub actor: Actor,
    #[serde(flatten)]
    pub body: EventBody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    Waiting,
    Active,
    Ended,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicianRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRef {
    pub name: String,
    pub online: bool,
}

/// A session as one participant may see it. Customers get it without the key
/// and join link (`None` fields are left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_display: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join_url: Option<String>,
    pub support_website: String,
    pub expires_at: String,
    pub state: SessionState,
    pub request_remote_control: bool,
    pub created_at: String,
    pub ended_at: Option<String>,
    pub end_reason: Option<EndReason>,
    pub technician: TechnicianRef,
    pub customer: Option<CustomerRef>,
    #[serde(default)]
    pub access: AccessView,
}

/// Screen access as it stands: what the console's guided flow and the
/// customer's page show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessView {
    pub app_connected: bool,
    pub grant: Option<GrantView>,
    pub pending: Option<PendingView>,
    /// Customer only: where to download the support app for the pending request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    /// Technician only: the customer's monitors, once the app reported them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monitors: Vec<MonitorInfo>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub access: AccessKind,
    pub epoch: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingView {
    pub request_id: u64,
    pub access: AccessKind,
    /// `request_sent`, `download_started`, `app_connected` or `awaiting_consent`.
    pub step: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorInfo {
    pub id: u32,
    pub name: String,
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    /// `None` for an administrator of every group.
    #[serde(default)]
    pub group_id: Option<String>,
    #[serde(default)]
    pub group_name: Option<String>,
    #[serde(default)]
    pub totp_enabled: bool,
    #[serde(default)]
    pub disabled: bool,
    #[serde(default)]
    pub last_login_at: Option<String>,
}

/// What a technician's console obeys: the policy of their group, plus what
/// the server can do (send SMS, send e-mail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub key_lifetime_secs: u64,
    pub max_file_bytes: u64,
    pub max_message_chars: usize,
    pub support_website: String,
    pub auto_open_session: bool,
    #[serde(default)]
    pub request_remote_control_default: bool,
    #[serde(default)]
    pub allow_screen_sharing: bool,
    #[serde(default)]
    pub customer_confirms_reboot: bool,
    #[serde(default)]
    pub customer_confirms_sharing_after_reboot: bool,
    #[serde(default)]
    pub sms_default_country: String,
    #[serde(default)]
    pub require_2fa: bool,
    #[serde(default)]
    pub sms_available: bool,
    #[serde(default)]
    pub email_available: bool,
}

/// The answer to a right password when a second factor must follow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecondFactorChallenge {
    /// `totp` (enter a code) or `enrol` (set up two-factor sign-in first).
    pub second_factor: String,
    pub challenge: String,
    pub expires_in_secs: u64,
}

/// What an authenticator app needs to enrol.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub user: User,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MeResponse {
    pub user: User,
    pub settings: Settings,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetupRequest {
    pub token: String,
    pub email: String,
    pub name: String,
    pub password: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CreateSessionRequest {
    #[serde(default)]
    pub request_remote_control: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionList {
    pub sessions: Vec<SessionView>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinRequest {
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinResponse {
    pub session_id: String,
    pub customer_token: String,
    pub technician_name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventList {
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChatRequest {
    pub text: String,
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Frames a client sends over the session WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    Chat {
        text: String,
        #[serde(default)]
        client_id: Option<String>,
    },
    /// Technician: input for the customer's machine, sent under grant `epoch`.
    Input { epoch: u64, events: Vec<InputEvent> },
    /// Technician: show this monitor (id from `AccessView::monitors`).
    SelectMonitor { epoch: u64, monitor: u32 },
    /// Technician: the viewer lost track (it dropped frames); send a whole picture.
    Refresh { epoch: u64 },
    /// Technician: the picture is shown this large on the technician's
    /// screen (device pixels), so video need not be coded larger.
    View { epoch: u64, width: u32, height: u32 },
}

/// One input event, in the coordinates of the monitor being shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum InputEvent {
    Move {
        x: i32,
        y: i32,
    },
    /// `button`: `left`, `middle`, `right`, `back`, `forward`.
    Button {
        button: String,
        down: bool,
    },
    Wheel {
        dx: i32,
        dy: i32,
    },
    /// `code`: the DOM `KeyboardEvent.code` of a physical key, e.g. `KeyA`, `ShiftLeft`, `F5`.
    Key {
        code: String,
        down: bool,
    },
    /// Text to type as it is, for characters the keyboard layouts disagree on.
    Text {
        text: String,
    },
    CtrlAltDel,
}

/// Frames the support app sends over its WebSocket (text frames). Screen
/// updates travel as binary frames, see `docs/protocol.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentFrame {
    Hello {
        platform: String,
        hostname: String,
        monitors: Vec<MonitorInfo>,
    },
    /// The consent prompt for this request is on the customer's screen.
    Prompted { request_id: u64 },
    /// The customer's answer, given in the app's own window.
    Consent { request_id: u64, allow: bool },
    /// The customer pressed "Stop screen sharing" in the app.
    StopSharing,
    /// The customer confirmed "End session" in the app.
    EndSession,
}

/// Frames the server sends to the support app (text frames).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerToAgent {
    Welcome {
        session_id: String,
        technician: String,
    },
    /// Ask the customer for access.
    Request {
        request_id: u64,
        access: AccessKind,
        technician: String,
    },
    /// The request was withdrawn before the customer answered.
    Cancel {
        request_id: u64,
    },
    /// The server recorded the customer's Allow: stream under this epoch.
    Grant {
        request_id: u64,
        epoch: u64,
        access: AccessKind,
    },
    /// Access ended: stop capturing and injecting at once.
    Revoke {
        epoch: u64,
    },
    Input {
        epoch: u64,
        events: Vec<InputEvent>,
    },
    SelectMonitor {
        epoch: u64,
        monitor: u32,
    },
    /// Send a whole picture next (a viewer joined or fell behind).
    Refresh {
        epoch: u64,
    },
    /// The technician's viewer shows the picture this large (device pixels).
    View {
        epoch: u64,
        width: u32,
        height: u32,
    },
    /// The session ended: the app closes.
    Ended {
        reason: EndReason,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessRequest {
    pub access: AccessKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RedeemTicket {
    pub ticket: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentJoin {
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentCredentials {
    pub session_id: String,
    pub agent_token: String,
    pub technician_name: String,
}

/// Frames the server sends over the session WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Hello {
        you: Actor,
        session: SessionView,
    },
    Event {
        event: Event,
    },
    Session {
        session: SessionView,
    },
    Error {
        error: String,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_event_has_flat_kind_and_fields() {
        let event = Event {
            seq: 3,
            at: "2026-11-21T12:00:00.000Z".into(),
            actor: Actor {
                role: Role::Customer,
                name: "Alex".into(),
            },
            body: EventBody::Chat {
                text: "Hi".into(),
                client_id: Some("c1".into()),
            },
        };
        let json = serde_json::to_value(&event).expect("serializes");
        assert_eq!(json["kind"], "chat");
        assert_eq!(json["text"], "Hi");
        assert_eq!(json["actor"]["role"], "customer");
        let back: Event = serde_json::from_value(json).expect("round trip");
        assert_eq!(back, event);
    }

    #[test]
    fn client_frame_rejects_unknown_type() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"nope"}"#).is_err());
        let ok: ClientFrame =
            serde_json::from_str(r#"{"type":"chat","text":"x"}"#).expect("valid frame");
        assert_eq!(
            ok,
            ClientFrame::Chat {
                text: "x".into(),
                client_id: None
            }
        );
    }
}
