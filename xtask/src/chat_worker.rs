//! One client process of the chat benchmark. A process can hold only so many
//! sockets (RLIMIT_NOFILE), so `bench chat` spreads the sessions over several
//! of these and drives them over stdin/stdout:
//!
//! 1. stdin: one JSON line, the [`WorkerPlan`]. The worker opens both
//!    WebSockets of every session, reads each `hello`, then writes
//!    [`WorkerReport::Connected`] and keeps draining its sockets.
//! 2. stdin: the line `start`. Each technician sends one chat message a second,
//!    staggered across the second by the session's index; the customer's side
//!    takes the delivery latency from the send time carried in the text.
//! 3. After the warm-up and the measured phase, and once every measured message
//!    arrived (or the drain time ran out), it writes [`WorkerReport::Finished`].
//!
//! Both sockets of a session live in the same task of the same process, so one
//! monotonic clock (`Instant`) times every message.

use std::borrow::Cow;
use std::io::{BufRead as _, Write as _};
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{Role, ServerFrame};
use serde::{Deserialize, Serialize};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, watch};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Opening a WebSocket and reading its `hello` must not take longer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// How long to wait after the measured phase for messages still in flight.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Lead time between the `start` line and the first message.
const START_LEAD: Duration = Duration::from_millis(50);
/// At most this many error texts are reported; the rest are only counted.
const MAX_ERROR_SAMPLES: usize = 5;

/// What a worker is asked to do (the first line on its stdin).
#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerPlan {
    pub address: SocketAddr,
    pub technician_token: String,
    /// Sessions of the whole benchmark; a session's index over this spreads
    /// the sends evenly across each second.
    pub total_sessions: usize,
    pub warmup_secs: u64,
    pub duration_secs: u64,
    /// Sessions this worker connects at once.
    pub concurrency: usize,
    pub sessions: Vec<PlannedSession>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PlannedSession {
    pub index: usize,
    pub id: String,
    pub customer_token: String,
}

/// What a worker tells the benchmark (one JSON line each on its stdout).
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "report", rename_all = "snake_case")]
pub enum WorkerReport {
    Connected {
        /// Sessions with both WebSockets open.
        sessions: usize,
        failed_sessions: usize,
        errors: Vec<String>,
        /// Per WebSocket: TCP connect, upgrade and `hello`, in microseconds.
        connect_micros: Vec<u32>,
    },
    Finished(WorkerResult),
}

/// Counts over the load phase of one worker.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct WorkerResult {
    /// Messages sent during the warm-up (not measured).
    pub warmup_sent: u64,
    /// Messages sent during the measured phase.
    pub sent: u64,
    /// Of those, how many the customer received.
    pub delivered: u64,
    /// Delivery latency of each measured message, microseconds, unsorted.
    pub latencies_micros: Vec<u32>,
    /// For each entry of `latencies_micros`, the second of the measured phase
    /// it was sent in.
    pub latency_seconds: Vec<u16>,
    /// The technician's own messages coming back on its socket.
    pub echoes: u64,
    /// Stored events replayed when the sockets opened (`created`, `joined`, …).
    pub replayed_events: u64,
    /// `error` frames from the server.
    pub error_frames: u64,
    /// WebSockets that closed or failed during the run.
    pub socket_failures: u64,
    pub errors: Vec<String>,
    /// Time from the end of the measured phase until everything arrived.
    pub drain_millis: u64,
}

impl WorkerResult {
    pub fn merge(&mut self, other: WorkerResult) {
        self.warmup_sent += other.warmup_sent;
        self.sent += other.sent;
        self.delivered += other.delivered;
        self.latencies_micros.extend(other.latencies_micros);
        self.latency_seconds.extend(other.latency_seconds);
        self.echoes += other.echoes;
        self.replayed_events += other.replayed_events;
        self.error_frames += other.error_frames;
        self.socket_failures += other.socket_failures;
        self.drain_millis = self.drain_millis.max(other.drain_millis);
        for e in other.errors {
            note_error(&mut self.errors, e);
        }
    }
}

fn note_error(errors: &mut Vec<String>, error: String) {
    if errors.len() < MAX_ERROR_SAMPLES {
        errors.push(error);
    }
}

type Socket = WebSocketStream<TcpStream>;

/// The load phase's timing, fixed when `start` arrives.
#[derive(Debug, Clone, Copy)]
struct Phase {
    start: Instant,
    window_start: Instant,
    window_end: Instant,
}

/// What every session task shares.
#[derive(Debug)]
struct Shared {
    base: Instant,
    address: SocketAddr,
    technician_token: String,
    total_sessions: usize,
    connect_limit: Semaphore,
    phase: watch::Receiver<Option<Phase>>,
    stop: watch::Receiver<bool>,
    sent: AtomicU64,
    delivered: AtomicU64,
}

/// Runs a worker on this process's stdin and stdout.
pub async fn run() -> anyhow::Result<()> {
    let mut lines = stdin_lines()?;
    let plan_line = lines
        .recv()
        .await
        .context("the benchmark sent no plan on standard input")?;
    let plan: WorkerPlan = serde_json::from_str(&plan_line).context("the plan is unreadable")?;
    let (phase_tx, phase_rx) = watch::channel(None);
    let (stop_tx, stop_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        base: Instant::now(),
        address: plan.address,
        technician_token: plan.technician_token,
        total_sessions: plan.total_sessions.max(1),
        connect_limit: Semaphore::new(plan.concurrency.max(1)),
        phase: phase_rx,
        stop: stop_rx,
        sent: AtomicU64::new(0),
        delivered: AtomicU64::new(0),
    });

    let (connected_tx, mut connected_rx) = mpsc::unbounded_channel();
    let count = plan.sessions.len();
    let tasks: Vec<_> = plan
        .sessions
        .into_iter()
        .map(|session| tokio::spawn(session_task(shared.clone(), session, connected_tx.clone())))
        .collect();
    drop(connected_tx);

    let mut connect_micros = Vec::with_capacity(count * 2);
    let mut errors = Vec::new();
    let mut failed_sessions = 0;
    for _ in 0..count {
        match connected_rx.recv().await {
            Some(Ok(micros)) => connect_micros.extend(micros),
            Some(Err(e)) => {
                failed_sessions += 1;
                note_error(&mut errors, e);
            }
            None => bail!("a session task ended without reporting its connection"),
        }
    }
    report(&WorkerReport::Connected {
        sessions: count - failed_sessions,
        failed_sessions,
        errors,
        connect_micros,
    })?;

    match lines.recv().await.as_deref() {
        Some("start") => {}
        Some(other) => bail!("unexpected instruction {other:?}"),
        None => bail!("the benchmark went away before the load phase"),
    }
    let start = Instant::now() + START_LEAD;
    let window_start = start + Duration::from_secs(plan.warmup_secs);
    let window_end = window_start + Duration::from_secs(plan.duration_secs);
    phase_tx.send_replace(Some(Phase {
        start,
        window_start,
        window_end,
    }));

    tokio::time::sleep_until(window_end).await;
    // The last sends may still be on their way; give them a moment.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let drain_started = Instant::now();
    while shared.delivered.load(Ordering::Relaxed) < shared.sent.load(Ordering::Relaxed)
        && drain_started.elapsed() < DRAIN_TIMEOUT
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let drain_millis = u64::try_from(drain_started.elapsed().as_millis()).unwrap_or(u64::MAX);
    stop_tx.send_replace(true);

    let mut result = WorkerResult {
        drain_millis,
        ..WorkerResult::default()
    };
    for task in tasks {
        result.merge(task.await.context("a session task panicked")?);
    }
    report(&WorkerReport::Finished(result))
}

/// Lines from stdin, read on a thread of their own (the runtime has no async stdin).
fn stdin_lines() -> anyhow::Result<mpsc::UnboundedReceiver<String>> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line.trim().to_owned()).is_err() {
                    break;
                }
            }
        })
        .context("cannot start a thread to read standard input")?;
    Ok(rx)
}

fn report(report: &WorkerReport) -> anyhow::Result<()> {
    let mut line = serde_json::to_vec(report).context("cannot encode a report")?;
    line.push(b'\n');
    let mut out = std::io::stdout().lock();
    out.write_all(&line)
        .and_then(|()| out.flush())
        .context("cannot write a report to standard output")
}

async fn session_task(
    shared: Arc<Shared>,
    session: PlannedSession,
    connected: mpsc::UnboundedSender<Result<[u32; 2], String>>,
) -> WorkerResult {
    let permit = shared.connect_limit.acquire().await;
    let opened = tokio::try_join!(
        connect(
            &shared,
            &session.id,
            &shared.technician_token,
            Role::Technician
        ),
        connect(
            &shared,
            &session.id,
            &session.customer_token,
            Role::Customer
        ),
    );
    drop(permit);
    match opened {
        Ok(((technician, t), (customer, c))) => {
            let _ = connected.send(Ok([t, c]));
            drive(&shared, session.index, technician, customer).await
        }
        Err(e) => {
            let _ = connected.send(Err(format!("session {}: {e:#}", session.index)));
            WorkerResult::default()
        }
    }
}

/// Opens one participant's WebSocket and reads its `hello`; returns the
/// socket and how long that took in microseconds.
async fn connect(
    shared: &Shared,
    session_id: &str,
    token: &str,
    role: Role,
) -> anyhow::Result<(Socket, u32)> {
    let began = Instant::now();
    let opened = tokio::time::timeout(CONNECT_TIMEOUT, async {
        let stream = TcpStream::connect(shared.address)
            .await
            .context("TCP connect failed")?;
        stream
            .set_nodelay(true)
            .context("cannot switch off Nagle's algorithm")?;
        let mut request = format!("ws://{}/api/v1/sessions/{session_id}/ws", shared.address)
            .into_client_request()
            .context("cannot build the WebSocket request")?;
        request.headers_mut().insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}"))
                .context("the token is not a valid header value")?,
        );
        // Small buffers: 20,000 sockets at the default 128 KiB would need 2.5 GiB.
        let config = WebSocketConfig::default()
            .read_buffer_size(4 * 1024)
            .write_buffer_size(0);
        let (mut socket, _) =
            tokio_tungstenite::client_async_with_config(request, stream, Some(config))
                .await
                .context("WebSocket upgrade failed")?;
        let first = socket
            .next()
            .await
            .context("the connection closed before `hello`")?
            .context("cannot read `hello`")?;
        let Message::Text(text) = first else {
            bail!("the first frame is not text: {first:?}");
        };
        match serde_json::from_str::<ServerFrame>(text.as_str()) {
            Ok(ServerFrame::Hello { you, .. }) if you.role == role => Ok(socket),
            Ok(_) => bail!("the first frame is not a `hello` as {}", role.as_str()),
            Err(e) => Err(e).context("the first frame is not a valid server frame"),
        }
    })
    .await
    .with_context(|| format!("no `hello` within {}s", CONNECT_TIMEOUT.as_secs()))?
    .with_context(|| format!("{} WebSocket", role.as_str()))?;
    let micros = u32::try_from(began.elapsed().as_micros()).unwrap_or(u32::MAX);
    Ok((opened, micros))
}

/// The parts of a server frame the benchmark looks at, borrowed from the text.
#[derive(Debug, Deserialize)]
struct Incoming<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    event: Option<IncomingEvent<'a>>,
    #[serde(default, borrow)]
    error: Option<Cow<'a, str>>,
}

#[derive(Debug, Deserialize)]
struct IncomingEvent<'a> {
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(default, borrow)]
    text: Option<Cow<'a, str>>,
}

/// Both sockets of one session: the technician sends on schedule, both sides
/// drain what arrives, the customer's side measures.
async fn drive(
    shared: &Shared,
    index: usize,
    mut technician: Socket,
    mut customer: Socket,
) -> WorkerResult {
    let mut result = WorkerResult::default();
    let mut phase_rx = shared.phase.clone();
    let mut stop_rx = shared.stop.clone();
    let mut started = false;
    // Nanoseconds since `base` of the measured window, once known.
    let mut window = (u64::MAX, u64::MAX);
    let offset = Duration::from_nanos(
        u64::try_from(index as u128 * 1_000_000_000 / shared.total_sessions as u128).unwrap_or(0),
    );
    let mut next_send = Instant::now();
    let mut sending = false;
    let mut seq: u64 = 0;
    let mut send_timer = pin!(tokio::time::sleep_until(next_send));

    loop {
        tokio::select! {
            biased;
            changed = stop_rx.changed() => {
                if changed.is_err() || *stop_rx.borrow_and_update() {
                    break;
                }
            }
            changed = phase_rx.changed(), if !started => {
                let Ok(()) = changed else { break };
                if let Some(p) = *phase_rx.borrow_and_update() {
                    started = true;
                    window = (nanos_since(shared.base, p.window_start), nanos_since(shared.base, p.window_end));
                    let seconds = (p.window_end - p.window_start).as_secs();
                    let expected = usize::try_from(seconds + 1).unwrap_or(0);
                    result.latencies_micros.reserve(expected);
                    result.latency_seconds.reserve(expected);
                    next_send = p.start + offset;
                    send_timer.as_mut().reset(next_send);
                    sending = true;
                }
            }
            message = customer.next() => {
                if !on_message(shared, message, Role::Customer, window, &mut result) {
                    break;
                }
            }
            message = technician.next() => {
                if !on_message(shared, message, Role::Technician, window, &mut result) {
                    break;
                }
            }
            () = &mut send_timer, if sending => {
                let now = Instant::now();
                let stamp = nanos_since(shared.base, now);
                if stamp >= window.1 {
                    sending = false;
                    continue;
                }
                seq += 1;
                let frame = format!(
                    r#"{{"type":"chat","text":"{stamp}","client_id":"b{index}-{seq}"}}"#
                );
                if let Err(e) = technician.send(Message::Text(Utf8Bytes::from(frame))).await {
                    result.socket_failures += 1;
                    note_error(&mut result.errors, format!("session {index}: sending failed: {e}"));
                    break;
                }
                if stamp >= window.0 {
                    result.sent += 1;
                    shared.sent.fetch_add(1, Ordering::Relaxed);
                } else {
                    result.warmup_sent += 1;
                }
                next_send += Duration::from_secs(1);
                send_timer.as_mut().reset(next_send);
            }
        }
    }
    result
}

fn nanos_since(base: Instant, at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(base).as_nanos()).unwrap_or(u64::MAX)
}

/// Handles one frame from a socket; false when the socket is finished.
fn on_message(
    shared: &Shared,
    message: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    role: Role,
    window: (u64, u64),
    result: &mut WorkerResult,
) -> bool {
    let text = match message {
        Some(Ok(Message::Text(text))) => text,
        Some(Ok(Message::Close(frame))) => {
            result.socket_failures += 1;
            note_error(
                &mut result.errors,
                format!("the server closed a {} socket: {frame:?}", role.as_str()),
            );
            return false;
        }
        Some(Ok(_)) => return true,
        Some(Err(e)) => {
            result.socket_failures += 1;
            note_error(
                &mut result.errors,
                format!("a {} socket failed: {e}", role.as_str()),
            );
            return false;
        }
        None => {
            result.socket_failures += 1;
            note_error(
                &mut result.errors,
                format!("a {} socket ended", role.as_str()),
            );
            return false;
        }
    };
    let now = nanos_since(shared.base, Instant::now());
    let frame: Incoming<'_> = match serde_json::from_str(text.as_str()) {
        Ok(frame) => frame,
        Err(e) => {
            result.error_frames += 1;
            note_error(&mut result.errors, format!("unreadable frame: {e}"));
            return true;
        }
    };
    match (frame.kind.as_ref(), frame.event) {
        ("event", Some(event)) if event.kind == "chat" => {
            if role == Role::Technician {
                result.echoes += 1;
                return true;
            }
            let Some(stamp) = event.text.and_then(|t| t.parse::<u64>().ok()) else {
                note_error(
                    &mut result.errors,
                    "a chat message without a timestamp".into(),
                );
                return true;
            };
            if stamp >= window.0 && stamp < window.1 {
                result.delivered += 1;
                shared.delivered.fetch_add(1, Ordering::Relaxed);
                let micros = now.saturating_sub(stamp) / 1000;
                result
                    .latencies_micros
                    .push(u32::try_from(micros).unwrap_or(u32::MAX));
                let second = (stamp - window.0) / 1_000_000_000;
                result
                    .latency_seconds
                    .push(u16::try_from(second).unwrap_or(u16::MAX));
            }
        }
        ("event", _) => result.replayed_events += 1,
        ("error", _) => {
            result.error_frames += 1;
            note_error(
                &mut result.errors,
                format!(
                    "error frame on a {} socket: {}",
                    role.as_str(),
                    frame.error.as_deref().unwrap_or("?")
                ),
            );
        }
        _ => {}
    }
    true
}
