//! Live session hubs: one per session in use, holding what must be decided in
//! one place — the next event number, the session's life cycle, who is online
//! — and the broadcast that carries new events to every connection.
//!
//! Writes to a session go through [`Hub::writer`], which serialises them:
//! under its lock the caller checks the life cycle, stores the change with
//! its events in one transaction, and only then publishes. A connection
//! subscribes before it replays stored events, so nothing falls between
//! replay and live delivery; it skips what it has already sent by `seq`.
//!
//! Architecture invariant: an event is published only after it is stored.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use protocol::{Actor, EventBody, Role};
use session::Lifecycle;
use store::{EventRow, SessionRow, Store};
use tokio::sync::{MutexGuard, broadcast};

use crate::error::ApiError;

/// Room for bursts; a connection that falls further behind re-reads the store.
const BROADCAST_CAPACITY: usize = 32;

#[derive(Debug, Clone)]
pub enum HubMessage {
    Event(Arc<EventRow>),
    /// The session row changed (joined, ended) or someone came or went.
    Session(Arc<SessionRow>),
}

#[derive(Debug)]
pub struct Hub {
    pub session_id: String,
    inner: tokio::sync::Mutex<HubInner>,
    tx: broadcast::Sender<HubMessage>,
    customers_online: AtomicUsize,
    technicians_online: AtomicUsize,
}

#[derive(Debug)]
struct HubInner {
    next_seq: i64,
    lifecycle: Lifecycle,
    /// The latest row, for presence updates without a database read.
    row: Arc<SessionRow>,
}

/// Registry of hubs by session id. Holds them weakly: a hub lives while a
/// connection or a write uses it, and is loaded again from the store after.
#[derive(Debug, Default)]
pub struct Hubs {
    map: Mutex<HashMap<String, Weak<Hub>>>,
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
            customers_online: AtomicUsize::new(0),
            technicians_online: AtomicUsize::new(0),
        });
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        // Another request may have loaded the same session meanwhile: keep one hub.
        if let Some(existing) = map.get(&row.id).and_then(Weak::upgrade) {
            return Ok(existing);
        }
        if map.len() > 1024 && map.len().is_power_of_two() {
            map.retain(|_, w| w.strong_count() > 0);
        }
        map.insert(row.id.clone(), Arc::downgrade(&hub));
        Ok(hub)
    }

    pub fn lookup(&self, session_id: &str) -> Option<Arc<Hub>> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(session_id).and_then(Weak::upgrade)
    }

    /// Whether the session's customer has a live connection.
    pub fn customer_online(&self, session_id: &str) -> bool {
        self.lookup(session_id)
            .is_some_and(|h| h.customers_online.load(Ordering::SeqCst) > 0)
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

    /// Takes the session's write lock.
    pub async fn writer(&self) -> Writer<'_> {
        Writer {
            hub: self,
            inner: self.inner.lock().await,
        }
    }

    /// Counts a connection in; returns the latest row when presence changed.
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

    async fn publish_row(&self) {
        let row = self.inner.lock().await.row.clone();
        // No receiver is not an error: nobody is listening.
        let _ = self.tx.send(HubMessage::Session(row));
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

    /// Builds the rows for new events, numbered from the next free `seq`.
    /// Nothing is taken until [`Writer::published`] is called.
    pub fn events(&self, now: i64, entries: Vec<(Actor, EventBody)>) -> Vec<EventRow> {
        entries
            .into_iter()
            .enumerate()
            .map(|(i, (actor, body))| {
                let client_id = match &body {
                    EventBody::Chat { client_id, .. } => client_id.clone(),
                    _ => None,
                };
                EventRow {
                    session_id: self.hub.session_id.clone(),
                    seq: self.inner.next_seq + i64::try_from(i).unwrap_or(0),
                    kind: body.kind().to_owned(),
                    actor_role: actor.role.as_str().to_owned(),
                    actor_name: actor.name.clone(),
                    body: serde_json::to_string(&body).unwrap_or_else(|_| "{}".into()),
                    client_id,
                    created_at: now,
                }
            })
            .collect()
    }

    /// Call after the events are stored: advances the numbering, records the
    /// new row if the session changed, and tells every connection.
    pub fn published(mut self, events: Vec<EventRow>, changed: Option<SessionRow>) {
        self.inner.next_seq += i64::try_from(events.len()).unwrap_or(0);
        for event in events {
            let _ = self.hub.tx.send(HubMessage::Event(Arc::new(event)));
        }
        if let Some(row) = changed {
            self.inner.lifecycle = lifecycle_of(&row);
            let row = Arc::new(row);
            self.inner.row = row.clone();
            let _ = self.hub.tx.send(HubMessage::Session(row));
        }
    }
}
