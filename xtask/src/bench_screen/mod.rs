//! `cargo xtask bench screen`: screen streaming side by side — Tether
//! (support app → server → headless viewer), x11vnc and TigerVNC's
//! x0vncserver — on one Xvfb display, the same workloads, the same run.
//!
//! For every system, each workload runs for a warm-up and then a measured
//! window, in which the viewer's updates and bytes and the CPU time of the
//! processes involved are counted; then the viewer clicks a probe window
//! that changes colour and times each click until the new colour is decoded.
//! See `docs/bench-screen.md`.
//!
//! Layout: `display` (Xvfb, xdotool), `children` (process groups killed on
//! drop), `workloads` and `painters` (what is on the screen), `peers` (the
//! VNC servers), `rfb` (the VNC viewer), `tether_viewer` (Tether's side),
//! `measure` (counters, CPU, latency), `report` (table, ratios, JSON).

mod children;
mod display;
mod measure;
pub mod painters;
mod peers;
mod report;
mod rfb;
mod tether_viewer;
mod workloads;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};

use crate::ScreenArgs;
use crate::server_process::release_bin;
use display::Display;
use measure::{CpuSample, Picture, Viewer, ViewerStats};
use peers::{Peer, PeerServer};
use report::{Report, Row};
pub use rfb::RfbEncoding;
use rfb::RfbViewer;
use tether_viewer::Tether;
pub use workloads::Workload;
use workloads::{PROBE_SIZE, PROBE_X, PROBE_Y, Probe};

/// The systems that can be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum System {
    Tether,
    X11vnc,
    Tigervnc,
}

/// Where the viewers watch (and click) the probe: its middle.
const PROBE_POINT: (u32, u32) = (PROBE_X + PROBE_SIZE / 2, PROBE_Y + PROBE_SIZE / 2);
/// Time a frozen workload is given to reach every viewer before the
/// viewers' pictures are compared with the screen.
const FREEZE: Duration = Duration::from_secs(1);
/// Time for the screen to settle between workloads.
const SETTLE: Duration = Duration::from_millis(500);

pub async fn run(args: ScreenArgs) -> anyhow::Result<()> {
    ensure!(args.duration_secs > 0, "--duration-secs must be at least 1");
    ensure!(!args.workloads.is_empty(), "--workloads names none");
    ensure!(!args.systems.is_empty(), "--systems names none");
    let server_bin = args
        .server_bin
        .clone()
        .unwrap_or_else(|| release_bin("tether"));
    let app_bin = args
        .app_bin
        .clone()
        .unwrap_or_else(|| server_bin.with_file_name("tether-support"));
    if args.systems.contains(&System::Tether) {
        for bin in [&server_bin, &app_bin] {
            ensure!(
                bin.is_file(),
                "{} does not exist; build it with `cargo build --release -p tether -p tether-support`",
                bin.display()
            );
        }
    }
    let logs = match &args.log_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            Logs::Kept(dir.clone())
        }
        None => Logs::Temporary(
            tempfile::Builder::new()
                .prefix("tether-bench-screen-")
                .tempdir()
                .context("cannot create a folder for the logs")?,
        ),
    };
    let mut report = Report {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        display: String::new(),
        cores: std::thread::available_parallelism().map_or(0, usize::from),
        duration_secs: args.duration_secs,
        warmup_secs: args.warmup_secs,
        video_fps: args.video_fps,
        rows: Vec::new(),
    };
    let bins = Bins {
        server: server_bin,
        app: app_bin,
    };
    let outcome = tokio::select! {
        outcome = bench(&args, &bins, logs.path(), &mut report) => outcome,
        signal = tokio::signal::ctrl_c() => match signal {
            Ok(()) => Err(anyhow::anyhow!("interrupted")),
            Err(e) => Err(e).context("cannot wait for Ctrl-C"),
        },
    };
    // Every child process is gone by now: `bench` owned their guards.
    report::print(&report);
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report).context("cannot encode the results")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("Wrote {}", path.display());
    }
    if outcome.is_err()
        && let Logs::Temporary(dir) = logs
    {
        eprintln!("The processes' logs are kept in {}", dir.keep().display());
    }
    outcome
}

enum Logs {
    Kept(PathBuf),
    Temporary(tempfile::TempDir),
}

impl Logs {
    fn path(&self) -> &Path {
        match self {
            Logs::Kept(dir) => dir,
            Logs::Temporary(dir) => dir.path(),
        }
    }
}

struct Bins {
    server: PathBuf,
    app: PathBuf,
}

/// What every measurement needs.
struct Bench<'a> {
    args: &'a ScreenArgs,
    display: &'a Display,
    probe: &'a Probe,
    logs: &'a Path,
}

async fn bench(
    args: &ScreenArgs,
    bins: &Bins,
    logs: &Path,
    report: &mut Report,
) -> anyhow::Result<()> {
    let display = Display::start(logs)?;
    report.display = display.name.clone();
    eprintln!(
        "Xvfb {} at {}×{}",
        display.name,
        display::WIDTH,
        display::HEIGHT
    );
    let probe = Probe::start(&display, logs)?;
    let b = Bench {
        args,
        display: &display,
        probe: &probe,
        logs,
    };
    for &system in &args.systems {
        match system {
            System::Tether => {
                let stats = ViewerStats::new();
                eprintln!("tether: starting the server and the support app, allowing control");
                let mut tether = Tether::start(
                    &bins.server,
                    &bins.app,
                    &display,
                    logs,
                    stats.clone(),
                    PROBE_POINT,
                )
                .await?;
                let sides = Sides {
                    capture: tether.app.pid(),
                    server: Some(tether.server.pid()),
                };
                for &workload in &args.workloads {
                    let row = b
                        .measure(
                            workload,
                            ("tether", "tether"),
                            &stats,
                            sides,
                            &tether.viewer,
                        )
                        .await;
                    tether.check_running()?;
                    report.rows.push(row?);
                }
                if let Some(problem) = tether.viewer.last_problem() {
                    eprintln!("tether: the viewer noted: {problem}");
                }
            }
            System::X11vnc | System::Tigervnc => {
                let peer = if system == System::X11vnc {
                    Peer::X11vnc
                } else {
                    Peer::Tigervnc
                };
                for &encoding in &args.encodings {
                    let mut server = PeerServer::start(peer, &display, logs)?;
                    let stats = ViewerStats::new();
                    let mut viewer =
                        RfbViewer::connect(server.address, encoding, stats.clone(), PROBE_POINT)
                            .with_context(|| format!("{} with {}", peer.name(), encoding.name()))?;
                    let sides = Sides {
                        capture: server.process.pid(),
                        server: None,
                    };
                    for &workload in &args.workloads {
                        let row = b
                            .measure(
                                workload,
                                (peer.name(), encoding.name()),
                                &stats,
                                sides,
                                &viewer,
                            )
                            .await;
                        server.process.check_running()?;
                        viewer.check_running()?;
                        report.rows.push(row?);
                    }
                }
            }
        }
    }
    Ok(())
}

/// The processes of the sending side.
#[derive(Debug, Clone, Copy)]
struct Sides {
    capture: u32,
    server: Option<u32>,
}

impl Bench<'_> {
    /// Runs `workload` and measures the system whose viewer is `stats`.
    async fn measure(
        &self,
        workload: Workload,
        (system, encoding): (&str, &str),
        stats: &ViewerStats,
        sides: Sides,
        viewer: &impl Viewer,
    ) -> anyhow::Result<Row> {
        let mut running =
            workloads::start(workload, self.display, self.logs, self.args.video_fps).await?;
        tokio::time::sleep(Duration::from_secs(self.args.warmup_secs)).await;
        running.check_running()?;
        let mut pids = vec![sides.capture, self.display.server.pid(), std::process::id()];
        pids.extend(sides.server);
        let (cpu_before, counts_before) = (CpuSample::take(&pids)?, stats.snapshot());
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(self.args.duration_secs)).await;
        let (cpu_after, counts_after) = (CpuSample::take(&pids)?, stats.snapshot());
        let seconds = started.elapsed().as_secs_f64();
        running.check_running()?;
        let counts = counts_after.since(counts_before);
        let (cpu, machine) = cpu_after.percent_since(&cpu_before);
        let mut row = Row {
            system: system.into(),
            encoding: encoding.into(),
            workload: workload.name().into(),
            seconds,
            updates: counts.updates,
            bytes: counts.bytes,
            updates_per_sec: counts.updates as f64 / seconds,
            bytes_per_sec: counts.bytes as f64 / seconds,
            bytes_per_update: if counts.updates > 0 {
                counts.bytes as f64 / counts.updates as f64
            } else {
                0.0
            },
            resync_keyframes: counts.keyframes,
            undecoded_rects: counts.undecoded,
            frame_gaps: counts.gaps,
            source_frames_per_sec: running
                .drawn
                .as_ref()
                .and_then(|d| d.rate(started, Instant::now())),
            cpu_capture: cpu[0],
            cpu_x_server: cpu[1],
            cpu_viewer: cpu[2],
            cpu_server: cpu.get(3).copied(),
            cpu_machine: machine,
            latency: None,
            latency_p50_ms: None,
            latency_p99_ms: None,
            drawn_p50_ms: None,
            drawn_p99_ms: None,
            differing_pixels_pct: 0.0,
        };
        if self.args.latency_samples > 0 {
            let latency = measure::latency(
                viewer,
                stats,
                &self.probe.clicks,
                PROBE_POINT,
                self.args.latency_samples,
            )
            .await?;
            row.set_latency(latency);
        }
        running.check_running()?;
        // Frozen, the screen is what a lossless viewer must show exactly.
        running.pause()?;
        tokio::time::sleep(FREEZE).await;
        let screen = Picture::screenshot(&self.display.name)?;
        let seen = viewer.picture();
        row.differing_pixels_pct =
            seen.differing_pixels(&screen) as f64 * 100.0 / f64::from(screen.width * screen.height);
        if let Some(dir) = &self.args.dump_pictures {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let name = format!("{}-{}", row.workload, row.label().replace(' ', "-"));
            screen.write_ppm(&dir.join(format!("{name}-screen.ppm")))?;
            seen.write_ppm(&dir.join(format!("{name}-viewer.ppm")))?;
        }
        drop(running);
        tokio::time::sleep(SETTLE).await;
        eprintln!(
            "{:<8} {:<20} {:>6.1} updates/s {:>8.1} KB/update  capture {:>5.1}%  latency p50 {} ms  picture {:.3}% off",
            row.workload,
            row.label(),
            row.updates_per_sec,
            row.bytes_per_update / 1000.0,
            row.cpu_capture,
            row.latency_p50_ms
                .map_or_else(|| "—".into(), |v| format!("{v:.1}")),
            row.differing_pixels_pct,
        );
        Ok(row)
    }
}
