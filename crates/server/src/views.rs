//! Turns stored rows into what each participant is shown.

use protocol::{
    AccessKind, AccessView, Actor, CustomerRef, EndReason, Event, EventBody, GrantView,
    PendingView, Role, SessionState, SessionView, TechnicianRef,
};
use session::{Access, SupportKey};
use store::{EventRow, SessionRow};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::hub::{Hub, lifecycle_of};

/// RFC 3339 in UTC for a millisecond timestamp.
pub fn timestamp(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Which side a view is for: customers never see the key or join link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Technician,
    Customer,
}

/// Builds what `audience` is shown of a session; `hub` carries the live part
/// (presence, screen access) while the session is live.
pub fn session_view(
    row: &SessionRow,
    audience: Audience,
    hub: Option<&Hub>,
    public_url: &str,
    now: i64,
) -> SessionView {
    let customer_online = hub.is_some_and(Hub::customer_online);
    let state = lifecycle_of(row).effective_state(now);
    let end_reason = row.end_reason.as_deref().and_then(EndReason::parse).or(
        // Expired but not yet swept: show it as it is.
        (state == SessionState::Ended && row.state == "waiting").then_some(EndReason::KeyExpired),
    );
    let key = SupportKey::parse(&row.support_key).ok();
    let for_technician = audience == Audience::Technician;
    SessionView {
        id: row.id.clone(),
        key: for_technician.then(|| row.support_key.clone()),
        key_display: key.filter(|_| for_technician).map(|k| k.grouped()),
        join_url: for_technician.then(|| format!("{public_url}/join/{}", row.support_key)),
        support_website: format!("{public_url}/"),
        expires_at: timestamp(row.key_expires_at),
        state,
        request_remote_control: row.request_remote_control,
        created_at: timestamp(row.created_at),
        ended_at: row.ended_at.map(timestamp),
        end_reason,
        technician: TechnicianRef {
            id: for_technician.then(|| row.technician_id.clone()),
            name: row.technician_name.clone(),
        },
        customer: row.customer_name.as_ref().map(|name| CustomerRef {
            name: name.clone(),
            online: customer_online && state != SessionState::Ended,
        }),
        access: match hub {
            Some(hub) if state != SessionState::Ended => access_view(hub, audience),
            _ => AccessView::default(),
        },
    }
}

fn access_kind(access: Access) -> AccessKind {
    match access {
        Access::View => AccessKind::View,
        Access::Control => AccessKind::Control,
    }
}

pub fn access_view(hub: &Hub, audience: Audience) -> AccessView {
    let live = hub.live();
    let consent = &live.consent;
    let pending = consent.pending();
    AccessView {
        app_connected: consent.app_connected(),
        grant: consent
            .grant()
            .filter(|_| consent.app_connected())
            .map(|g| GrantView {
                access: access_kind(g.access),
                epoch: g.epoch,
            }),
        pending: pending.map(|p| PendingView {
            request_id: p.id,
            access: access_kind(p.access),
            step: p.step.as_str().to_owned(),
        }),
        download_url: live.ticket_url.clone().filter(|_| {
            audience == Audience::Customer && pending.is_some() && !consent.app_connected()
        }),
        monitors: if audience == Audience::Technician {
            live.monitors.clone()
        } else {
            Vec::new()
        },
    }
}

pub fn event(row: &EventRow) -> Event {
    let body = serde_json::from_str::<EventBody>(&row.body).unwrap_or_else(|e| {
        tracing::error!(session = %row.session_id, seq = row.seq, error = %e, "stored event is unreadable");
        EventBody::Chat { text: String::new(), client_id: None }
    });
    Event {
        seq: u64::try_from(row.seq).unwrap_or(0),
        at: timestamp(row.created_at),
        actor: Actor {
            role: Role::parse(&row.actor_role).unwrap_or(Role::System),
            name: row.actor_name.clone(),
        },
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(1_500), "1970-01-01T00:00:01.5Z");
    }
}
