//! `cargo xtask bench chat`: N sessions, each with a technician and a customer
//! WebSocket, one chat message per second per session, against the real
//! release server.
//!
//! Steps: start `tether serve` with a fresh data folder and one technician;
//! create N sessions and join each as a customer over HTTP; read the server's
//! RSS; open the 2N WebSockets (in worker processes, see `chat_worker`); wait
//! until the server is idle and read the RSS again, which gives the memory per
//! idle participant; then run the load and report delivery latency,
//! throughput and the server's CPU use.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use futures_util::{StreamExt as _, TryStreamExt as _};
use protocol::{CreateSessionRequest, JoinRequest, JoinResponse, SessionView};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::ChatArgs;
use crate::chat_worker::{PlannedSession, WorkerPlan, WorkerReport, WorkerResult};
use crate::procfs;
use crate::server_process::{LogSummary, ServerProcess, release_bin};
use crate::tether_api::Api;

const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "bench-password-0123";
/// File descriptors a worker keeps for itself besides its sockets.
const WORKER_RESERVED_FILES: u64 = 256;
/// How long the server gets after the last connection before it counts as idle.
const SETTLE: Duration = Duration::from_secs(2);
/// Beyond the load phase, how long the workers may take to report.
const REPORT_GRACE: Duration = Duration::from_secs(60);

/// Everything the benchmark measured; printed as a table and written as JSON.
#[derive(Debug, Serialize)]
struct Results {
    sessions: usize,
    participants: usize,
    connected_sessions: usize,
    failed_sessions: usize,
    client_processes: usize,
    open_file_limit: u64,
    setup_secs: f64,
    connect_secs: f64,
    connect_p50_ms: f64,
    connect_p99_ms: f64,
    server_open_files_baseline: usize,
    server_open_files_idle: usize,
    rss_baseline_kib: u64,
    rss_idle_kib: u64,
    rss_after_load_kib: u64,
    kib_per_idle_participant: f64,
    warmup_secs: u64,
    duration_secs: u64,
    warmup_messages_sent: u64,
    messages_sent: u64,
    messages_delivered: u64,
    messages_per_sec: f64,
    latency_p50_ms: f64,
    latency_p90_ms: f64,
    latency_p99_ms: f64,
    latency_max_ms: f64,
    server_cpu_percent: f64,
    client_cpu_percent: f64,
    /// Everything else running on the machine meanwhile.
    other_cpu_percent: f64,
    cpu_cores: usize,
    /// Of all the server's threads during the measured phase, per message sent.
    server_context_switches_per_message: f64,
    replayed_events: u64,
    echoes: u64,
    error_frames: u64,
    socket_failures: u64,
    drain_millis: u64,
    per_second: Vec<SecondStats>,
    errors: Vec<String>,
    server_log: LogSummary,
}

/// Delivery of the messages sent in one second of the measured phase.
#[derive(Debug, Serialize)]
struct SecondStats {
    second: u64,
    delivered: usize,
    p99_ms: f64,
    max_ms: f64,
}

pub async fn run(args: ChatArgs, open_file_limit: u64) -> anyhow::Result<()> {
    ensure!(args.sessions > 0, "--sessions must be at least 1");
    ensure!(args.duration_secs > 0, "--duration-secs must be at least 1");
    ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    let bin = match &args.server_bin {
        Some(bin) => bin.clone(),
        None => release_bin("tether"),
    };
    ensure!(
        bin.is_file(),
        "the server binary {} does not exist; build it with `cargo build --release -p tether`",
        bin.display()
    );
    eprintln!(
        "Starting {} (open-file limit {open_file_limit})",
        bin.display()
    );
    let mut server = ServerProcess::start(&bin, EMAIL, PASSWORD)?;
    let outcome = bench(&args, &mut server, open_file_limit).await;
    if outcome.is_err() {
        eprintln!("The server log ends with:\n{}", server.log_tail(10));
    }
    let mut results = outcome?;
    results.server_log = server.log_summary(5)?;
    drop(server);
    print_table(&results);
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&results).context("cannot encode the results")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("Wrote {}", path.display());
    }
    // The figures above are printed either way; the exit status says whether
    // the run was complete.
    ensure!(
        results.failed_sessions == 0,
        "{} of {} sessions could not open both WebSockets (see the errors above)",
        results.failed_sessions,
        results.sessions,
    );
    ensure!(
        results.messages_delivered == results.messages_sent && results.socket_failures == 0,
        "{} of {} measured messages arrived within {}s after the load, {} sockets failed",
        results.messages_delivered,
        results.messages_sent,
        results.drain_millis / 1000,
        results.socket_failures,
    );
    Ok(())
}

async fn bench(
    args: &ChatArgs,
    server: &mut ServerProcess,
    open_file_limit: u64,
) -> anyhow::Result<Results> {
    let pid = server.pid();
    let address = server.address();
    let n = args.sessions;

    let setup_began = Instant::now();
    let (technician_token, sessions) = set_up_sessions(args, address).await?;
    let setup_secs = setup_began.elapsed().as_secs_f64();
    eprintln!("Created and joined {n} sessions in {setup_secs:.1}s");
    // Let the server close the HTTP connections before the baseline.
    tokio::time::sleep(Duration::from_secs(1)).await;
    server.check_running()?;
    let rss_baseline_kib = procfs::rss_kib(pid)?;
    let server_open_files_baseline = procfs::open_files(pid)?;
    // Each participant is a socket in the server too, under the same limit.
    let room = open_file_limit.saturating_sub(server_open_files_baseline as u64) / 2;
    if room < n as u64 {
        eprintln!(
            "Warning: the server holds {server_open_files_baseline} files and may open at most \
             {open_file_limit}, so only about {room} of the {n} sessions can connect"
        );
    }

    // One worker holds both sockets of each of its sessions.
    let per_worker =
        usize::try_from((open_file_limit.saturating_sub(WORKER_RESERVED_FILES) / 2).max(1))
            .unwrap_or(usize::MAX);
    let worker_count = n.div_ceil(per_worker);
    let mut plans: Vec<Vec<PlannedSession>> = (0..worker_count).map(|_| Vec::new()).collect();
    for (i, session) in sessions.into_iter().enumerate() {
        // Round robin, so every worker's sends spread over the whole second.
        plans[i % worker_count].push(session);
    }
    let concurrency = args.concurrency.div_ceil(worker_count).max(1);
    let (reports_tx, mut reports) = mpsc::unbounded_channel();
    let connect_began = Instant::now();
    let mut workers = Vec::with_capacity(worker_count);
    for (i, sessions) in plans.into_iter().enumerate() {
        let plan = WorkerPlan {
            address,
            technician_token: technician_token.clone(),
            total_sessions: n,
            warmup_secs: args.warmup_secs,
            duration_secs: args.duration_secs,
            concurrency,
            sessions,
        };
        workers.push(Worker::start(i, &plan, reports_tx.clone())?);
    }
    drop(reports_tx);
    eprintln!(
        "Opening {} WebSockets from {worker_count} client process(es)…",
        2 * n
    );

    let mut connected_sessions = 0;
    let mut failed_sessions = 0;
    let mut connect_micros = Vec::with_capacity(2 * n);
    let mut errors = Vec::new();
    for _ in 0..worker_count {
        match next_report(&mut reports, None).await? {
            WorkerReport::Connected {
                sessions,
                failed_sessions: failed,
                errors: e,
                connect_micros: micros,
            } => {
                connected_sessions += sessions;
                failed_sessions += failed;
                errors.extend(e);
                connect_micros.extend(micros);
            }
            WorkerReport::Finished(_) => bail!("a client process finished before connecting"),
        }
    }
    let connect_secs = connect_began.elapsed().as_secs_f64();
    eprintln!(
        "{connected_sessions} sessions connected, {failed_sessions} failed, in {connect_secs:.1}s"
    );
    tokio::time::sleep(SETTLE).await;
    server.check_running()?;
    let rss_idle_kib = procfs::rss_kib(pid)?;
    let server_open_files_idle = procfs::open_files(pid)?;
    let participants = 2 * connected_sessions;
    let kib_per_idle_participant = if participants == 0 {
        0.0
    } else {
        rss_idle_kib.saturating_sub(rss_baseline_kib) as f64 / participants as f64
    };

    eprintln!(
        "Load: {}s warm-up + {}s measured…",
        args.warmup_secs, args.duration_secs
    );
    for worker in &mut workers {
        worker.send_line("start")?;
    }
    tokio::time::sleep(Duration::from_secs(args.warmup_secs)).await;
    let cpu_before = cpu_times(pid, &workers)?;
    let measured_began = Instant::now();
    tokio::time::sleep(Duration::from_secs(args.duration_secs)).await;
    let cpu_after = cpu_times(pid, &workers)?;
    let measured_secs = measured_began.elapsed().as_secs_f64();
    let rss_after_load_kib = procfs::rss_kib(pid)?;

    let mut total = WorkerResult::default();
    let deadline = tokio::time::Instant::now() + REPORT_GRACE;
    for _ in 0..worker_count {
        match next_report(&mut reports, Some(deadline)).await? {
            WorkerReport::Finished(result) => total.merge(result),
            WorkerReport::Connected { .. } => bail!("a client process reported twice"),
        }
    }
    server.check_running()?;
    drop(workers);
    errors.extend(total.errors.iter().cloned());

    let per_second = per_second(&total, args.duration_secs);
    let mut latencies = std::mem::take(&mut total.latencies_micros);
    latencies.sort_unstable();
    connect_micros.sort_unstable();
    let cpu_percent = |before: Duration, after: Duration| {
        100.0 * after.saturating_sub(before).as_secs_f64() / measured_secs
    };
    Ok(Results {
        sessions: n,
        participants,
        connected_sessions,
        failed_sessions,
        client_processes: worker_count,
        open_file_limit,
        setup_secs,
        connect_secs,
        connect_p50_ms: percentile_ms(&connect_micros, 0.50),
        connect_p99_ms: percentile_ms(&connect_micros, 0.99),
        server_open_files_baseline,
        server_open_files_idle,
        rss_baseline_kib,
        rss_idle_kib,
        rss_after_load_kib,
        kib_per_idle_participant,
        warmup_secs: args.warmup_secs,
        duration_secs: args.duration_secs,
        warmup_messages_sent: total.warmup_sent,
        messages_sent: total.sent,
        messages_delivered: total.delivered,
        messages_per_sec: total.delivered as f64 / args.duration_secs as f64,
        latency_p50_ms: percentile_ms(&latencies, 0.50),
        latency_p90_ms: percentile_ms(&latencies, 0.90),
        latency_p99_ms: percentile_ms(&latencies, 0.99),
        latency_max_ms: latencies.last().map_or(0.0, |&m| f64::from(m) / 1000.0),
        server_cpu_percent: cpu_percent(cpu_before.server, cpu_after.server),
        client_cpu_percent: cpu_percent(cpu_before.clients, cpu_after.clients),
        other_cpu_percent: cpu_percent(
            cpu_before.machine + cpu_after.server + cpu_after.clients,
            cpu_after.machine + cpu_before.server + cpu_before.clients,
        ),
        cpu_cores: std::thread::available_parallelism().map_or(1, usize::from),
        server_context_switches_per_message: cpu_after
            .server_context_switches
            .saturating_sub(cpu_before.server_context_switches)
            as f64
            / total.sent.max(1) as f64,
        replayed_events: total.replayed_events,
        echoes: total.echoes,
        error_frames: total.error_frames,
        socket_failures: total.socket_failures,
        drain_millis: total.drain_millis,
        per_second,
        errors,
        server_log: LogSummary::default(),
    })
}

/// Latency by the second of the measured phase the messages were sent in,
/// which shows stalls that the overall percentiles hide.
fn per_second(result: &WorkerResult, duration_secs: u64) -> Vec<SecondStats> {
    let seconds = usize::try_from(duration_secs).unwrap_or(0);
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); seconds];
    for (&micros, &second) in result.latencies_micros.iter().zip(&result.latency_seconds) {
        if let Some(bucket) = buckets.get_mut(usize::from(second)) {
            bucket.push(micros);
        }
    }
    (0u64..)
        .zip(buckets)
        .map(|(second, mut bucket)| {
            bucket.sort_unstable();
            SecondStats {
                second,
                delivered: bucket.len(),
                p99_ms: percentile_ms(&bucket, 0.99),
                max_ms: bucket.last().map_or(0.0, |&m| f64::from(m) / 1000.0),
            }
        })
        .collect()
}

/// CPU time used so far by the server, by all client processes and by the
/// whole machine.
#[derive(Debug, Clone, Copy)]
struct CpuTimes {
    server: Duration,
    clients: Duration,
    machine: Duration,
    server_context_switches: u64,
}

fn cpu_times(server_pid: u32, workers: &[Worker]) -> anyhow::Result<CpuTimes> {
    let server = procfs::cpu_time(server_pid)?;
    let mut clients = Duration::ZERO;
    for worker in workers {
        clients += procfs::cpu_time(worker.child.id())?;
    }
    Ok(CpuTimes {
        server,
        clients,
        machine: procfs::machine_busy_time()?,
        server_context_switches: procfs::context_switches(server_pid)?,
    })
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted_micros: &[u32], p: f64) -> f64 {
    if sorted_micros.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted_micros.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted_micros.len()) - 1;
    f64::from(sorted_micros[i]) / 1000.0
}

/// Signs in, then creates `--sessions` sessions and joins each as a customer,
/// `--concurrency` at a time. Returns the technician's token and the sessions.
async fn set_up_sessions(
    args: &ChatArgs,
    address: std::net::SocketAddr,
) -> anyhow::Result<(String, Vec<PlannedSession>)> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()
        .context("cannot build the HTTP client")?;
    let api = Api::sign_in_with(http, address, EMAIL, PASSWORD).await?;
    let customer = api.anonymous();
    let progress_every = (args.sessions / 10).max(1);
    let mut done = 0;
    let mut sessions: Vec<PlannedSession> = futures_util::stream::iter(0..args.sessions)
        .map(|index| {
            let (api, customer) = (&api, &customer);
            async move {
                let session: SessionView = api
                    .post("/api/v1/sessions", &CreateSessionRequest::default())
                    .await
                    .with_context(|| format!("cannot create session {index}"))?;
                let key = session
                    .key
                    .with_context(|| format!("session {index} came without a key"))?;
                let joined: JoinResponse = customer
                    .post(
                        "/api/v1/join",
                        &JoinRequest {
                            key,
                            name: Some(format!("Customer {index}")),
                        },
                    )
                    .await
                    .with_context(|| format!("cannot join session {index}"))?;
                anyhow::Ok(PlannedSession {
                    index,
                    id: session.id,
                    customer_token: joined.customer_token,
                })
            }
        })
        .buffer_unordered(args.concurrency)
        .inspect_ok(|_| {
            done += 1;
            if done % progress_every == 0 {
                eprintln!("  … {done} of {} sessions", args.sessions);
            }
        })
        .try_collect()
        .await?;
    sessions.sort_unstable_by_key(|s| s.index);
    Ok((api.token, sessions))
}

/// A report from worker `usize`, or why none came.
type ReportEvent = (usize, anyhow::Result<WorkerReport>);

async fn next_report(
    reports: &mut mpsc::UnboundedReceiver<ReportEvent>,
    deadline: Option<tokio::time::Instant>,
) -> anyhow::Result<WorkerReport> {
    let received = match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, reports.recv())
            .await
            .context("the client processes did not report in time")?,
        None => reports.recv().await,
    };
    let (worker, report) = received.context("every client process went away")?;
    report.with_context(|| format!("client process {worker}"))
}

/// A client process (`xtask bench chat-worker`). Dropping it kills the process.
#[derive(Debug)]
struct Worker {
    child: Child,
    stdin: ChildStdin,
}

impl Worker {
    fn start(
        index: usize,
        plan: &WorkerPlan,
        reports: mpsc::UnboundedSender<ReportEvent>,
    ) -> anyhow::Result<Worker> {
        let exe = std::env::current_exe().context("cannot find the xtask executable")?;
        let mut child = Command::new(exe)
            .args(["bench", "chat-worker"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start a client process")?;
        let stdout = child
            .stdout
            .take()
            .context("the client process's output is not connected")?;
        let stdin = child
            .stdin
            .take()
            .context("the client process's input is not connected")?;
        std::thread::Builder::new()
            .name(format!("worker-{index}"))
            .spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let report = line
                        .context("cannot read from the client process")
                        .and_then(|l| {
                            serde_json::from_str::<WorkerReport>(&l)
                                .context("the client process sent an unreadable report")
                        });
                    // After its last report a worker exits: that end is expected.
                    let last = !matches!(report, Ok(WorkerReport::Connected { .. }));
                    if reports.send((index, report)).is_err() || last {
                        return;
                    }
                }
                let _ = reports.send((
                    index,
                    Err(anyhow::anyhow!(
                        "the process exited before its last report (see its errors above)"
                    )),
                ));
            })
            .context("cannot start a thread to read a client process")?;
        let mut worker = Worker { child, stdin };
        worker.send_line(&serde_json::to_string(plan).context("cannot encode the plan")?)?;
        Ok(worker)
    }

    fn send_line(&mut self, line: &str) -> anyhow::Result<()> {
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.write_all(b"\n"))
            .and_then(|()| self.stdin.flush())
            .context("cannot instruct a client process")
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // A finished worker exits by itself; this only ends one that hangs.
        if matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn print_table(r: &Results) {
    let rows: Vec<(&str, String)> = vec![
        ("sessions", r.sessions.to_string()),
        (
            "participants (WebSockets)",
            format!(
                "{} ({} sessions connected, {} failed)",
                r.participants, r.connected_sessions, r.failed_sessions
            ),
        ),
        (
            "client processes / open-file limit",
            format!("{} / {}", r.client_processes, r.open_file_limit),
        ),
        (
            "setup (create + join, HTTP)",
            format!("{:.1} s", r.setup_secs),
        ),
        (
            "connect time (all WebSockets)",
            format!(
                "{:.1} s (per socket p50 {:.1} ms, p99 {:.1} ms)",
                r.connect_secs, r.connect_p50_ms, r.connect_p99_ms
            ),
        ),
        (
            "server open files baseline / idle",
            format!(
                "{} / {}",
                r.server_open_files_baseline, r.server_open_files_idle
            ),
        ),
        ("server RSS baseline", format_kib(r.rss_baseline_kib)),
        ("server RSS idle, all connected", format_kib(r.rss_idle_kib)),
        ("server RSS after load", format_kib(r.rss_after_load_kib)),
        (
            "server memory per idle participant",
            format!("{:.1} KiB", r.kib_per_idle_participant),
        ),
        (
            "load phase",
            format!(
                "{} s warm-up + {} s measured",
                r.warmup_secs, r.duration_secs
            ),
        ),
        (
            "messages sent / delivered",
            format!("{} / {}", r.messages_sent, r.messages_delivered),
        ),
        ("messages per second", format!("{:.0}", r.messages_per_sec)),
        (
            "latency p50 / p90 / p99 / max",
            format!(
                "{:.2} / {:.2} / {:.2} / {:.2} ms",
                r.latency_p50_ms, r.latency_p90_ms, r.latency_p99_ms, r.latency_max_ms
            ),
        ),
        (
            "CPU server / clients / other processes",
            format!(
                "{:.0}% / {:.0}% / {:.0}% (100% = one core; {} cores)",
                r.server_cpu_percent, r.client_cpu_percent, r.other_cpu_percent, r.cpu_cores
            ),
        ),
        (
            "server context switches per message",
            format!("{:.1}", r.server_context_switches_per_message),
        ),
        (
            "p99 by second sent (ms)",
            join_ms(
                r.per_second
                    .iter()
                    .map(|s| (s.delivered > 0).then_some(s.p99_ms)),
            ),
        ),
        (
            "max by second sent (ms)",
            join_ms(
                r.per_second
                    .iter()
                    .map(|s| (s.delivered > 0).then_some(s.max_ms)),
            ),
        ),
        (
            "error frames / socket failures",
            format!("{} / {}", r.error_frames, r.socket_failures),
        ),
        (
            "server log warnings / errors",
            format!("{} / {}", r.server_log.warnings, r.server_log.errors),
        ),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    println!();
    println!("Chat benchmark");
    for (key, value) in rows {
        println!("  {key:<width$}  {value}");
    }
    if !r.errors.is_empty() {
        println!("  first client-side errors:");
        for e in &r.errors {
            println!("    {e}");
        }
    }
    if !r.server_log.recent.is_empty() {
        println!("  latest distinct server log lines:");
        for line in &r.server_log.recent {
            println!("    {line}");
        }
    }
}

fn format_kib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Milliseconds, rounded; `-` for a second of which nothing arrived.
fn join_ms(values: impl Iterator<Item = Option<f64>>) -> String {
    values
        .map(|ms| ms.map_or_else(|| "-".into(), |ms| format!("{ms:.0}")))
        .collect::<Vec<_>>()
        .join(" ")
}
