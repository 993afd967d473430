//! `cargo xtask bench relay`: how much screen-frame data the release server
//! relays from one support app to one viewer, and at what cost.
//!
//! For every frame size: start `tether serve` afresh, sign in a technician,
//! start a session, join it as the support app with the support key
//! (`/api/v1/agent/join`), open the console's WebSocket as the viewer, ask
//! for view access and allow it in the synthetic app, which then pushes
//! binary frames as fast as the server takes them. Each frame carries a
//! picture update's header with a running frame number, so the viewer counts
//! the frames the server's 4-slot media broadcast dropped for it. After a
//! warm-up, one window is measured: payload delivered, frames sent and seen,
//! the server's CPU and resident memory (sampled from `/proc`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use bytes::BytesMut;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt as _, StreamExt as _};
use protocol::{
    AccessKind, AccessRequest, AgentCredentials, AgentFrame, AgentJoin, CreateSessionRequest,
    MonitorInfo, ServerToAgent, SessionView,
};
use serde::Serialize;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use crate::RelayArgs;
use crate::procfs;
use crate::server_process::{LogSummary, ServerProcess, release_bin};
use crate::tether_api::{Api, console_socket, open_socket};

const EMAIL: &str = "relay-bench@example.test";
const PASSWORD: &str = "relay bench password";
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the server's resident memory is read during a run.
const RSS_EVERY: Duration = Duration::from_millis(100);
/// After the sender stops, how long the viewer may take to read what is in flight.
const DRAIN: Duration = Duration::from_secs(2);
/// A picture update's header (`docs/protocol.md`): type 3, flags, monitor,
/// width, height, then the frame number the viewer counts gaps by.
const HEADER: usize = 16;
const FRAME_NUMBER_AT: usize = 12;

/// A frame size given as `65536`, `64KiB` or `4MiB`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameSize(pub usize);

impl std::str::FromStr for FrameSize {
    type Err = String;

    fn from_str(text: &str) -> Result<FrameSize, String> {
        let text = text.trim();
        let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
            Some(at) => text.split_at(at),
            None => (text, ""),
        };
        let factor = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kib" => 1 << 10,
            "m" | "mib" => 1 << 20,
            other => return Err(format!("unknown unit {other:?} (use KiB or MiB)")),
        };
        let n: usize = number
            .parse()
            .map_err(|e| format!("{text:?} is not a size: {e}"))?;
        let bytes = n * factor;
        if bytes < HEADER {
            return Err(format!("a frame needs at least {HEADER} bytes"));
        }
        Ok(FrameSize(bytes))
    }
}

impl std::fmt::Display for FrameSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            n if n % (1 << 20) == 0 => write!(f, "{} MiB", n >> 20),
            n if n % (1 << 10) == 0 => write!(f, "{} KiB", n >> 10),
            n => write!(f, "{n} B"),
        }
    }
}

/// Everything one run measured; printed as a table and written as JSON.
#[derive(Debug, Serialize)]
struct Report {
    command: String,
    cores: usize,
    warmup_secs: u64,
    duration_secs: u64,
    target_gbit_per_sec: f64,
    rows: Vec<Row>,
}

/// One frame size.
#[derive(Debug, Serialize)]
struct Row {
    frame_bytes: usize,
    /// Frame payload the viewer received in the window.
    gbit_per_sec: f64,
    frames_per_sec: f64,
    /// Frames the app handed to its socket in the window.
    sent_frames: u64,
    /// Frames the viewer read in the window.
    seen_frames: u64,
    /// Gaps in the frame numbers the viewer read in the window: what the
    /// server's media broadcast dropped for the lagging viewer.
    dropped_frames: u64,
    /// Over the whole run after the sender stopped and the viewer drained.
    sent_total: u64,
    seen_total: u64,
    /// `refresh` commands the app got (the server asks for a whole picture
    /// each time the viewer lagged).
    refreshes: u64,
    /// Of one core: 100 % is one core busy for the whole window.
    server_cpu_percent: f64,
    /// The benchmark's own process (the app and the viewer).
    bench_cpu_percent: f64,
    /// Of the whole machine (all cores), everything included.
    machine_cpu_percent: f64,
    rss_before_kib: u64,
    rss_peak_kib: u64,
    rss_end_kib: u64,
    server_log: LogSummary,
}

pub async fn run(args: RelayArgs) -> anyhow::Result<()> {
    ensure!(args.duration_secs > 0, "--duration-secs must be at least 1");
    ensure!(!args.frame_sizes.is_empty(), "--frame-sizes names none");
    let bin = args
        .server_bin
        .clone()
        .unwrap_or_else(|| release_bin("tether"));
    ensure!(
        bin.is_file(),
        "{} does not exist; build it with `cargo build --release -p tether`",
        bin.display()
    );
    let mut report = Report {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        warmup_secs: args.warmup_secs,
        duration_secs: args.duration_secs,
        target_gbit_per_sec: args.target_gbit,
        rows: Vec::new(),
    };
    for &size in &args.frame_sizes {
        eprintln!("Relaying {size} frames…");
        let mut server = ServerProcess::start(&bin, EMAIL, PASSWORD)?;
        let outcome = measure(&args, &mut server, size).await;
        if outcome.is_err() {
            eprintln!("The server log ends with:\n{}", server.log_tail(10));
        }
        let mut row = outcome?;
        row.server_log = server.log_summary(3)?;
        report.rows.push(row);
    }
    print_table(&report);
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    Ok(())
}

fn write_json(path: &PathBuf, report: &Report) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(report).context("cannot encode the results")?;
    std::fs::write(path, json + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("Wrote {}", path.display());
    Ok(())
}

/// Counters the sender, the viewer and the app's reader share.
#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    seen: AtomicU64,
    seen_bytes: AtomicU64,
    gaps: AtomicU64,
    refreshes: AtomicU64,
}

/// A moment of the run, for differences over the window.
#[derive(Debug, Clone, Copy)]
struct Snapshot {
    at: Instant,
    sent: u64,
    seen: u64,
    seen_bytes: u64,
    gaps: u64,
    server_cpu: Duration,
    bench_cpu: Duration,
    machine_cpu: Duration,
}

impl Snapshot {
    fn take(counters: &Counters, server_pid: u32) -> anyhow::Result<Snapshot> {
        Ok(Snapshot {
            at: Instant::now(),
            sent: counters.sent.load(Ordering::Relaxed),
            seen: counters.seen.load(Ordering::Relaxed),
            seen_bytes: counters.seen_bytes.load(Ordering::Relaxed),
            gaps: counters.gaps.load(Ordering::Relaxed),
            server_cpu: procfs::cpu_time(server_pid)?,
            bench_cpu: procfs::cpu_time(std::process::id())?,
            machine_cpu: procfs::machine_busy_time()?,
        })
    }
}

type Socket = WebSocketStream<TcpStream>;

/// Tasks of one run; aborted when dropped, also when the run fails.
struct Tasks(Vec<JoinHandle<anyhow::Result<()>>>);

impl Drop for Tasks {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

async fn measure(
    args: &RelayArgs,
    server: &mut ServerProcess,
    size: FrameSize,
) -> anyhow::Result<Row> {
    let pid = server.pid();
    let address = server.address();
    let api = Api::sign_in(address, EMAIL, PASSWORD).await?;
    let session: SessionView = api
        .post("/api/v1/sessions", &CreateSessionRequest::default())
        .await
        .context("cannot start a session")?;
    let key = session.key.context("the session came without a key")?;
    let creds: AgentCredentials = api
        .post(
            "/api/v1/agent/join",
            &AgentJoin {
                key,
                name: Some("Relay bench".into()),
            },
        )
        .await
        .context("the app cannot join with the support key")?;
    // The viewer as a browser tab would read: one message at a time, with
    // room for the largest frame.
    let viewer_config = WebSocketConfig::default()
        .max_message_size(Some(size.0 + (1 << 20)))
        .max_frame_size(Some(size.0 + (1 << 20)));
    let viewer = console_socket(address, &session.id, &api.token, Some(viewer_config)).await?;
    let (app_sink, app_stream, epoch) = granted_app(address, &api, &session.id, &creds).await?;

    let counters = Arc::new(Counters::default());
    let rss_before_kib = procfs::rss_kib(pid)?;
    let mut tasks = Tasks(Vec::new());
    tasks
        .0
        .push(tokio::spawn(read_viewer(viewer, counters.clone())));
    tasks
        .0
        .push(tokio::spawn(read_app(app_stream, counters.clone(), epoch)));
    tasks
        .0
        .push(tokio::spawn(send_frames(app_sink, size, counters.clone())));

    let mut rss_peak_kib = rss_before_kib;
    let warm_until = Instant::now() + Duration::from_secs(args.warmup_secs);
    let mut start = None;
    loop {
        let now = Instant::now();
        let until = match start {
            None if now >= warm_until => {
                start = Some(Snapshot::take(&counters, pid)?);
                continue;
            }
            None => warm_until,
            Some(Snapshot { at, .. }) => at + Duration::from_secs(args.duration_secs),
        };
        if now >= until {
            break;
        }
        tokio::time::sleep(RSS_EVERY.min(until - now)).await;
        server.check_running()?;
        rss_peak_kib = rss_peak_kib.max(procfs::rss_kib(pid)?);
        if let Some(at) = tasks.0.iter().position(|t| t.is_finished()) {
            let task = tasks.0.swap_remove(at);
            task.await.context("a socket task panicked")??;
            bail!("a socket task ended early");
        }
    }
    let start = start.context("the window never started")?;
    let end = Snapshot::take(&counters, pid)?;
    let rss_end_kib = procfs::rss_kib(pid)?;
    rss_peak_kib = rss_peak_kib.max(rss_end_kib);

    // The sender is last: stop it, let the viewer read what is in flight.
    if let Some(sender) = tasks.0.pop() {
        sender.abort();
    }
    let sent_total = counters.sent.load(Ordering::Relaxed);
    let drain_until = Instant::now() + DRAIN;
    while Instant::now() < drain_until
        && counters.seen.load(Ordering::Relaxed) + counters.gaps.load(Ordering::Relaxed)
            < sent_total
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(tasks);

    let secs = (end.at - start.at).as_secs_f64();
    let cpu = |a: Duration, b: Duration| (b - a).as_secs_f64() / secs * 100.0;
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    Ok(Row {
        frame_bytes: size.0,
        gbit_per_sec: (end.seen_bytes - start.seen_bytes) as f64 * 8.0 / secs / 1e9,
        frames_per_sec: (end.seen - start.seen) as f64 / secs,
        sent_frames: end.sent - start.sent,
        seen_frames: end.seen - start.seen,
        dropped_frames: end.gaps - start.gaps,
        sent_total,
        seen_total: counters.seen.load(Ordering::Relaxed),
        refreshes: counters.refreshes.load(Ordering::Relaxed),
        server_cpu_percent: cpu(start.server_cpu, end.server_cpu),
        bench_cpu_percent: cpu(start.bench_cpu, end.bench_cpu),
        machine_cpu_percent: cpu(start.machine_cpu, end.machine_cpu) / cores,
        rss_before_kib,
        rss_peak_kib,
        rss_end_kib,
        server_log: LogSummary::default(),
    })
}

/// Connects the synthetic support app, asks for view access as the
/// technician and allows it as the customer would in the app's window.
/// Returns the app's socket halves and the grant's epoch.
async fn granted_app(
    address: SocketAddr,
    api: &Api,
    session_id: &str,
    creds: &AgentCredentials,
) -> anyhow::Result<(SplitSink<Socket, Message>, SplitStream<Socket>, u64)> {
    // The app's socket writes each frame at once (frames are far larger
    // than any write buffer would be).
    let mut app = open_socket(address, "/api/v1/agent/ws", &creds.agent_token, None).await?;
    let hello = AgentFrame::Hello {
        platform: "linux-x86_64".into(),
        hostname: "relay-bench".into(),
        monitors: vec![MonitorInfo {
            id: 1,
            name: "Virtual-1".into(),
            x: 0,
            y: 0,
            width: 1920,
            height: 1080,
            primary: true,
        }],
    };
    send_json(&mut app, &hello).await?;
    next_command(&mut app, |c| matches!(c, ServerToAgent::Welcome { .. })).await?;
    let _: SessionView = api
        .post(
            &format!("/api/v1/sessions/{session_id}/access/request"),
            &AccessRequest {
                access: AccessKind::View,
            },
        )
        .await
        .context("cannot ask for screen access")?;
    let request_id =
        match next_command(&mut app, |c| matches!(c, ServerToAgent::Request { .. })).await? {
            ServerToAgent::Request { request_id, .. } => request_id,
            other => bail!("expected a request, got {other:?}"),
        };
    send_json(&mut app, &AgentFrame::Prompted { request_id }).await?;
    send_json(
        &mut app,
        &AgentFrame::Consent {
            request_id,
            allow: true,
        },
    )
    .await?;
    let epoch = match next_command(&mut app, |c| matches!(c, ServerToAgent::Grant { .. })).await? {
        ServerToAgent::Grant { epoch, .. } => epoch,
        other => bail!("expected a grant, got {other:?}"),
    };
    let (sink, stream) = app.split();
    Ok((sink, stream, epoch))
}

async fn send_json<T: Serialize>(socket: &mut Socket, frame: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string(frame).context("cannot encode a frame")?;
    socket
        .send(Message::text(text))
        .await
        .context("cannot write to the app's WebSocket")
}

/// The next command from the server that `wanted` accepts, skipping others.
async fn next_command(
    socket: &mut Socket,
    wanted: impl Fn(&ServerToAgent) -> bool,
) -> anyhow::Result<ServerToAgent> {
    let read = async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    let command: ServerToAgent = serde_json::from_str(&text)
                        .with_context(|| format!("the server sent the app {text}"))?;
                    if wanted(&command) {
                        return Ok(command);
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e).context("the app's WebSocket failed"),
                None => bail!("the server closed the app's WebSocket"),
            }
        }
    };
    tokio::time::timeout(SETUP_TIMEOUT, read)
        .await
        .context("the server did not answer the app in time")?
}

/// Pushes frames as fast as the socket takes them. The frame's buffer is
/// reused: once the socket has written (and masked a copy of) it, this task
/// holds the only reference again.
async fn send_frames(
    mut sink: SplitSink<Socket, Message>,
    size: FrameSize,
    counters: Arc<Counters>,
) -> anyhow::Result<()> {
    let mut frame = vec![0u8; size.0];
    frame[..FRAME_NUMBER_AT].copy_from_slice(&[3, 0, 1, 0, 128, 7, 0, 0, 56, 4, 0, 0]);
    // Bytes that no link could compress, should anything try.
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    for b in &mut frame[HEADER..] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    let mut buffer = bytes_mut(frame);
    for number in 0u32.. {
        buffer[FRAME_NUMBER_AT..HEADER].copy_from_slice(&number.to_le_bytes());
        let payload: Bytes = buffer.freeze();
        sink.send(Message::Binary(payload.clone()))
            .await
            .context("cannot write a frame to the app's WebSocket")?;
        counters.sent.fetch_add(1, Ordering::Relaxed);
        buffer = payload
            .try_into_mut()
            .unwrap_or_else(|shared| bytes_mut(shared.to_vec()));
    }
    Ok(())
}

fn bytes_mut(data: Vec<u8>) -> BytesMut {
    BytesMut::from(Bytes::from(data))
}

/// Reads the app's socket: the server's commands (counting `refresh`) and
/// its pings, which tungstenite answers while reading.
async fn read_app(
    mut stream: SplitStream<Socket>,
    counters: Arc<Counters>,
    epoch: u64,
) -> anyhow::Result<()> {
    while let Some(message) = stream.next().await {
        match message.context("the app's WebSocket failed")? {
            Message::Text(text) => match serde_json::from_str::<ServerToAgent>(&text) {
                Ok(ServerToAgent::Refresh { epoch: e }) if e == epoch => {
                    counters.refreshes.fetch_add(1, Ordering::Relaxed);
                }
                Ok(ServerToAgent::Revoke { .. } | ServerToAgent::Ended { .. }) => {
                    bail!("the server ended the grant: {text}")
                }
                _ => {}
            },
            Message::Close(frame) => bail!("the server closed the app's WebSocket: {frame:?}"),
            _ => {}
        }
    }
    bail!("the app's WebSocket ended")
}

/// Reads the viewer's socket, counting frames, payload and gaps in the
/// frame numbers.
async fn read_viewer(socket: Socket, counters: Arc<Counters>) -> anyhow::Result<()> {
    let (_sink, mut stream) = socket.split();
    let mut expected: Option<u32> = None;
    while let Some(message) = stream.next().await {
        match message.context("the viewer's WebSocket failed")? {
            Message::Binary(frame) => {
                let number = frame
                    .get(FRAME_NUMBER_AT..HEADER)
                    .and_then(|b| b.try_into().ok())
                    .map(u32::from_le_bytes)
                    .context("the viewer got a frame without a header")?;
                if let Some(expected) = expected {
                    counters
                        .gaps
                        .fetch_add(u64::from(number.wrapping_sub(expected)), Ordering::Relaxed);
                }
                expected = Some(number.wrapping_add(1));
                counters.seen.fetch_add(1, Ordering::Relaxed);
                counters
                    .seen_bytes
                    .fetch_add(frame.len() as u64, Ordering::Relaxed);
            }
            Message::Close(frame) => bail!("the server closed the viewer's WebSocket: {frame:?}"),
            _ => {}
        }
    }
    bail!("the viewer's WebSocket ended")
}

fn print_table(report: &Report) {
    println!();
    println!(
        "Relay: one support app -> server -> one viewer, {}s window after {}s warm-up, {} cores \
         (target {} Gbit/s)",
        report.duration_secs, report.warmup_secs, report.cores, report.target_gbit_per_sec
    );
    println!(
        "| frame | Gbit/s | frames/s | sent | seen | dropped | refreshes | server CPU | bench CPU | machine | RSS before | RSS peak | RSS end |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &report.rows {
        let dropped = if r.sent_frames == 0 {
            0.0
        } else {
            r.dropped_frames as f64 * 100.0 / r.sent_frames as f64
        };
        println!(
            "| {} | {:.2}{} | {:.0} | {} | {} | {} ({dropped:.1} %) | {} | {:.0} % | {:.0} % | {:.0} % | {} | {} | {} |",
            FrameSize(r.frame_bytes),
            r.gbit_per_sec,
            if r.gbit_per_sec >= report.target_gbit_per_sec {
                ""
            } else {
                " (below)"
            },
            r.frames_per_sec,
            r.sent_frames,
            r.seen_frames,
            r.dropped_frames,
            r.refreshes,
            r.server_cpu_percent,
            r.bench_cpu_percent,
            r.machine_cpu_percent,
            mib(r.rss_before_kib),
            mib(r.rss_peak_kib),
            mib(r.rss_end_kib),
        );
    }
    for r in &report.rows {
        if r.server_log.warnings + r.server_log.errors > 0 {
            println!(
                "{}: the server logged {} warnings and {} errors, e.g. {:?}",
                FrameSize(r.frame_bytes),
                r.server_log.warnings,
                r.server_log.errors,
                r.server_log.recent
            );
        }
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
