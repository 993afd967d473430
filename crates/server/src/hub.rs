//! Live session hubs: one per live session, holding what must be decided in
//! one place — the next event number, the session's life cycle, the
//! customer's consent, who is online, the support app's link — and the
//! channels that carry events and screen frames to every connection.
//!
//! Writes to a session go through [`Hub::writer`], which serialises them:
//! under its lock the caller checks the rules (life cycle, consent), stores
//! the change with its events in one transaction, and only then publishes. A
//! connection subscribes before it replays stored events, so nothing falls
//! between replay and live delivery; it skips what it has already sent by
//! `seq`.
//!
//! Architecture invariants:
//! - An event is published only after it is stored.
//! - Frames and input pass only while [`Consent`] holds a matching grant; the
//!   grant is mirrored into atomics so the per-frame check takes no lock.
//! - Screen frames go through a small broadcast channel: a viewer that falls
//!   behind loses frames (and asks for a whole picture), it never queues them.
//!   Before a frame would overwrite one that no viewer has read, the relay
//!   waits briefly for the fastest viewer, so the app is slowed to what the
//!   viewers take instead of sending frames nobody sees.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard as SyncGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::Utf8Bytes;
use protocol::{Actor, EventBody, MonitorInfo, Role, ServerFrame, ServerToAgent};
use session::{Consent, Lifecycle};
use store::{EventRow, SessionRow, Store};
use tokio::sync::{MutexGuard, Notify, broadcast, mpsc};

use crate::error::ApiError;

/// Room for bursts; a connection that falls further behind re-reads the store.
const BROADCAST_CAPACITY: usize = 32;
/// Screen frames in flight to viewers; beyond this a slow viewer drops frames.
const MEDIA_CAPACITY: usize = 4;
/// How long the relay waits for a viewer to take a frame before it
/// overwrites the oldest unread one: a stuck viewer slows the app's frames
/// (and its other messages, read by the same loop) by at most this much each.
const MEDIA_PATIENCE: Duration = Duration::from_millis(50);

/// A screen frame on its way to the viewers, numbered in relay order.
#[derive(Debug, Clone)]
pub struct MediaFrame {
    pub number: u64,
    pub bytes: Bytes,
}

#[derive(Debug, Clone)]
pub enum HubMessage {
    Event(Arc<Published>),
    /// The session row changed (joined, ended), someone came or went, or
    /// screen access changed.
    Session(Arc<SessionRow>),
}

/// A stored event as it goes out: the same frame for every participant, so
/// it is serialised once.
#[derive(Debug)]
pub struct Published {
    pub seq: i64,
    pub frame: Utf8Bytes,
}

impl Published {
    fn of(row: &EventRow) -> Published {
        let frame = ServerFrame::Event {
            event: crate::views::event(row),
        };
        let text = serde_json::to_string(&frame).unwrap_or_default();
        Published {
            seq: row.seq,
            frame: text.into(),
        }
    }
}

#[derive(Debug)]
pub struct Hub {
    pub session_id: String,
    inner: tokio::sync::Mutex<HubInner>,
    tx: broadcast::Sender<HubMessage>,
    media: broadcast::Sender<MediaFrame>,
    /// Frames relayed so far, and one past the newest a viewer has taken.
    media_sent: AtomicU64,
    media_taken: AtomicU64,
    /// Woken when a viewer takes a frame.
    media_room: Notify,
    customers_online: AtomicUsize,
    technicians_online: AtomicUsize,
    /// Mirrors of the current grant for lock-free checks: 0 = no grant.
    grant_epoch: AtomicU64,
    grant_control: AtomicBool,
    live: Mutex<Live>,
}

/// Live state read by views and connections without the write lock. Never
/// held across an await.
#[derive(Debug, Default)]
pub struct Live {
    pub consent: Consent,
    /// SHA-256 of the download ticket of the pending request, and its expiry.
    pub ticket: Option<Ticket>,
    /// The plain ticket, shown only to the customer in their view.
    pub ticket_url: Option<String>,
    pub monitors: Vec<MonitorInfo>,
    pub agent: Option<AgentLink>,
}

#[derive(Debug, Clone)]
pub struct Ticket {
    pub hash: String,
    pub request_id: u64,
    pub expires_at: i64,
    pub downloaded: bool,
    /// Tickets are single-use: the first support app to present it wins.
    pub redeemed: bool,
}

/// The support app's connection: commands for it go here.
#[derive(Debug, Clone)]
pub struct AgentLink {
    pub id: u64,
    pub tx: mpsc::Sender<ServerToAgent>,
}

#[derive(Debug)]
struct HubInner {
    next_seq: i64,
    lifecycle: Lifecycle,
    /// The latest row, for presence updates without a database read.
    row: Arc<SessionRow>,
}

/// Registry of the hubs of live sessions. A hub stays while its session is
/// live, so consent and the app's link survive participants reconnecting; it
/// is dropped when the session ends.
#[derive(Debug, Default)]
pub struct Hubs {
    map: Mutex<HashMap<String, Arc<Hub>>>,
    /// Download tickets (SHA-256) to the session they belong to.
    tickets: Mutex<HashMap<String, String>>,
    link_ids: AtomicU64,
}

impl Hubs {
    pub async fn get(&self, store: &Store, row: &SessionRow) -> Result<Arc<Hub>, ApiError> {
        if let Some(hub) = self.lookup(&row.id) {
            return Ok(hub);
        }
        let next_seq = store.last_seq(&row.id).await? + 1;
        let hub = Arc::new(Hub {
            session_id: row.id.clone(),
            inner: tokio::sync::Mutex::new(HubInner {
                next_seq,
                lifecycle: lifecycle_of(row),
                row: Arc::new(row.clone()),
            }),
            tx: broadcast::channel(BROADCAST_CAPACITY).0,
            media: broadcast::channel(MEDIA_CAPACITY).0,
            media_sent: AtomicU64::new(0),
            media_taken: AtomicU64::new(0),
            media_room: Notify::new(),
            customers_online: AtomicUsize::new(0),
            technicians_online: AtomicUsize::new(0),
            grant_epoch: AtomicU64::new(0),
            grant_control: AtomicBool::new(false),
            live: Mutex::new(Live::default()),
        });
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Another request may have loaded the same session meanwhile: keep one hub.
        if let Some(existing) = map.get(&row.id) {
            return Ok(existing.clone());
        }
        if row.state != "ended" {
            map.insert(row.id.clone(), hub.clone());
        }
        Ok(hub)
    }

    pub fn lookup(&self, session_id: &str) -> Option<Arc<Hub>> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(session_id).cloned()
    }

    /// Forgets an ended session's hub and its ticket; connections still
    /// holding the hub finish.
    pub fn remove(&self, session_id: &str) {
        let hub = self
            .map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(session_id);
        if let Some(ticket) = hub.and_then(|h| h.live().ticket.take()) {
            self.forget_ticket(&ticket.hash);
        }
    }

    pub fn remember_ticket(&self, hash: &str, session_id: &str) {
        let mut tickets = self.tickets.lock().unwrap_or_else(|p| p.into_inner());
        tickets.insert(hash.to_owned(), session_id.to_owned());
    }

    pub fn forget_ticket(&self, hash: &str) {
        self.tickets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(hash);
    }

    pub fn ticket_session(&self, hash: &str) -> Option<String> {
        self.tickets
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .cloned()
    }

    /// A number telling support-app connections apart.
    pub fn next_link_id(&self) -> u64 {
        self.link_ids.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// The stored form of one timeline event.
pub fn event_row(
    session_id: &str,
    seq: i64,
    now: i64,
    actor: &Actor,
    body: &EventBody,
) -> EventRow {
    let client_id = match body {
        EventBody::Chat { client_id, .. } => client_id.clone(),
        _ => None,
    };
    EventRow {
        session_id: session_id.to_owned(),
        seq,
        kind: body.kind().to_owned(),
        actor_role: actor.role.as_str().to_owned(),
        actor_name: actor.name.clone(),
        body: serde_json::to_string(body).unwrap_or_else(|_| "{}".into()),
        client_id,
        created_at: now,
    }
}

pub fn lifecycle_of(row: &SessionRow) -> Lifecycle {
    Lifecycle {
        state: match row.state.as_str() {
            "waiting" => protocol::SessionState::Waiting,
            "active" => protocol::SessionState::Active,
            _ => protocol::SessionState::Ended,
        },
        key_expires_at: row.key_expires_at,
        key_used: row.key_used_at.is_some(),
    }
}

impl Hub {
    pub fn subscribe(&self) -> broadcast::Receiver<HubMessage> {
        self.tx.subscribe()
    }

    pub fn subscribe_media(&self) -> broadcast::Receiver<MediaFrame> {
        self.media.subscribe()
    }

    /// A viewer took `frame` from the media channel: its slot is free.
    pub fn media_taken(&self, frame: &MediaFrame) {
        self.media_taken
            .fetch_max(frame.number + 1, Ordering::SeqCst);
        self.media_room.notify_waiters();
    }

    /// Waits until the next frame would not overwrite one that even the
    /// fastest viewer has not read yet, but at most [`MEDIA_PATIENCE`].
    /// Returns at once when no viewer is subscribed.
    pub async fn room_for_frame(&self) {
        let deadline = tokio::time::Instant::now() + MEDIA_PATIENCE;
        loop {
            // Registered before the check, so a frame taken in between wakes it.
            let room = self.media_room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            let queued = self
                .media_sent
                .load(Ordering::SeqCst)
                .saturating_sub(self.media_taken.load(Ordering::SeqCst));
            if self.media.receiver_count() == 0 || queued < MEDIA_CAPACITY as u64 {
                return;
            }
            if tokio::time::timeout_at(deadline, room).await.is_err() {
                return;
            }
        }
    }

    /// Takes the session's write lock.
    pub async fn writer(&self) -> Writer<'_> {
        Writer {
            hub: self,
            inner: self.inner.lock().await,
        }
    }

    /// The live state, for reading or for changes made under the writer.
    pub fn live(&self) -> SyncGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a connection in; tells everyone when presence changed.
    pub async fn connected(&self, role: Role) {
        let counter = self.counter(role);
        if counter.fetch_add(1, Ordering::SeqCst) == 0 {
            self.publish_row().await;
        }
    }

    pub async fn disconnected(&self, role: Role) {
        let counter = self.counter(role);
        if counter.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.publish_row().await;
        }
    }

    pub fn customer_online(&self) -> bool {
        self.customers_online.load(Ordering::SeqCst) > 0
    }

    fn counter(&self, role: Role) -> &AtomicUsize {
        match role {
            Role::Customer => &self.customers_online,
            _ => &self.technicians_online,
        }
    }

    /// Tells every connection that the session changed (presence, access).
    pub async fn publish_row(&self) {
        let row = self.inner.lock().await.row.clone();
        // No receiver is not an error: nobody is listening.
        let _ = self.tx.send(HubMessage::Session(row));
    }

    /// Whether a screen frame may pass now.
    pub fn frames_allowed(&self) -> bool {
        self.grant_epoch.load(Ordering::SeqCst) != 0
    }

    /// Whether input sent under `epoch` may pass now.
    pub fn input_allowed(&self, epoch: u64) -> bool {
        epoch != 0
            && self.grant_epoch.load(Ordering::SeqCst) == epoch
            && self.grant_control.load(Ordering::SeqCst)
    }

    pub fn current_epoch(&self) -> u64 {
        self.grant_epoch.load(Ordering::SeqCst)
    }

    /// Relays a screen frame to the viewers if a grant holds; returns whether
    /// it was relayed.
    pub fn relay_frame(&self, frame: Bytes) -> bool {
        if !self.frames_allowed() {
            return false;
        }
        let number = self.media_sent.fetch_add(1, Ordering::SeqCst);
        // No viewer is not an error.
        let _ = self.media.send(MediaFrame {
            number,
            bytes: frame,
        });
        true
    }

    /// Stops frames and input at once, before the revocation is stored.
    pub fn stop_grant(&self) {
        self.grant_epoch.store(0, Ordering::SeqCst);
        self.grant_control.store(false, Ordering::SeqCst);
    }

    /// Re-reads the grant from the consent state into the atomics.
    pub fn sync_grant(&self, live: &Live) {
        match live
            .consent
            .grant()
            .filter(|_| live.consent.app_connected())
        {
            Some(g) => {
                self.grant_control
                    .store(g.access == session::Access::Control, Ordering::SeqCst);
                self.grant_epoch.store(g.epoch, Ordering::SeqCst);
            }
            None => {
                self.grant_epoch.store(0, Ordering::SeqCst);
                self.grant_control.store(false, Ordering::SeqCst);
            }
        }
    }

    /// The support app's command channel, if it is connected.
    pub fn agent(&self) -> Option<AgentLink> {
        self.live().agent.clone()
    }
}

/// The session's write lock: numbers events, then publishes what was stored.
#[derive(Debug)]
pub struct Writer<'a> {
    hub: &'a Hub,
    inner: MutexGuard<'a, HubInner>,
}

impl Writer<'_> {
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.inner.lifecycle
    }

    pub fn hub(&self) -> &Hub {
        self.hub
    }

    /// Builds the rows for new events, numbered from the next free `seq`.
    /// Nothing is taken until [`Writer::published`] is called.
    pub fn events(&self, now: i64, entries: Vec<(Actor, EventBody)>) -> Vec<EventRow> {
        entries
            .into_iter()
            .enumerate()
            .map(|(i, (actor, body))| {
                let seq = self.inner.next_seq + i64::try_from(i).unwrap_or(0);
                event_row(&self.hub.session_id, seq, now, &actor, &body)
            })
            .collect()
    }

    /// Call after the events are stored: advances the numbering, records the
    /// new row if the session changed, and tells every connection.
    pub fn published(mut self, events: Vec<EventRow>, changed: Option<SessionRow>) {
        self.announce(events);
        if let Some(row) = changed {
            self.inner.lifecycle = lifecycle_of(&row);
            let row = Arc::new(row);
            self.inner.row = row.clone();
            let _ = self.hub.tx.send(HubMessage::Session(row));
        }
    }

    /// Like [`Writer::published`] for changes of the live state (screen
    /// access), which every view must show.
    pub fn published_live(mut self, events: Vec<EventRow>) {
        self.announce(events);
        let _ = self
            .hub
            .tx
            .send(HubMessage::Session(self.inner.row.clone()));
    }

    fn announce(&mut self, events: Vec<EventRow>) {
        self.inner.next_seq += i64::try_from(events.len()).unwrap_or(0);
        for event in events {
            // No receiver is not an error: nobody is listening.
            let _ = self
                .hub
                .tx
                .send(HubMessage::Event(Arc::new(Published::of(&event))));
        }
    }
}
