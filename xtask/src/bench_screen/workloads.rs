//! The four workloads on the benchmark's display — scroll, move, video,
//! idle — and the probe window; each workload's processes stop when it is
//! dropped. They are laid out so that none covers the probe in the
//! bottom-right corner.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::children::{Guarded, read_lines};
use super::display::Display;

/// Where the probe sits: clear of every workload and of the support app's
/// windows (top right).
pub const PROBE_X: u32 = 1824;
pub const PROBE_Y: u32 = 984;
pub const PROBE_SIZE: u32 = 96;

/// The moving xterm: its title, and size in characters (about 604×394 px
/// with the default 6×13 font).
const MOVE_TITLE: &str = "tether-bench-move";
/// Moves a second: the path is walked at 60 Hz.
const MOVE_HZ: u32 = 60;
/// Steps of one lap of the path (2 s).
const MOVE_STEPS: u32 = MOVE_HZ * 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    /// An xterm of 300×80 running `ls -lR /usr` in a loop.
    Scroll,
    /// An xterm window dragged around by xdotool at 60 Hz.
    Move,
    /// Full-motion content in a 1280×720 area (the video painter).
    Video,
    /// A clock that changes once a second.
    Idle,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Workload::Scroll => "scroll",
            Workload::Move => "move",
            Workload::Video => "video",
            Workload::Idle => "idle",
        }
    }
}

/// How far a workload got, and when: (time, things drawn so far).
#[derive(Debug, Default)]
pub struct Progress(Mutex<Vec<(Instant, u64)>>);

impl Progress {
    fn record(&self, total: u64) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((Instant::now(), total));
    }

    /// Things drawn a second between the first and the last report within
    /// `from..=to` (`None` with fewer than two reports there).
    pub fn rate(&self, from: Instant, to: Instant) -> Option<f64> {
        let reports = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let mut inside = reports.iter().filter(|(at, _)| (from..=to).contains(at));
        let first = inside.next()?;
        let last = inside.next_back()?;
        let seconds = last.0.duration_since(first.0).as_secs_f64();
        (seconds > 0.0).then(|| (last.1 - first.1) as f64 / seconds)
    }
}

/// A running workload. Dropping it stops its processes.
#[derive(Debug)]
pub struct Running {
    /// What the workload has drawn so far: the video painter's frames, the
    /// moves of the moving window, the 1/60 s slots in which the scrolling
    /// xterm drew anything.
    pub drawn: Option<Arc<Progress>>,
    processes: Vec<Guarded>,
}

impl Running {
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        self.processes
            .iter_mut()
            .try_for_each(Guarded::check_running)
    }

    /// Freezes the workload (SIGSTOP to its process groups): the screen
    /// stands still until it is dropped.
    pub fn pause(&self) -> anyhow::Result<()> {
        self.processes.iter().try_for_each(Guarded::pause)
    }
}

fn xterm(display: &Display, title: &str, geometry: &str, script: &str) -> std::process::Command {
    let mut command = display.command("xterm");
    command.args(["-T", title, "-geometry", geometry, "-e", "sh", "-c", script]);
    command
}

pub async fn start(
    workload: Workload,
    display: &Display,
    log_dir: &Path,
    video_fps: u32,
) -> anyhow::Result<Running> {
    let mut running = Running {
        drawn: None,
        processes: Vec::new(),
    };
    match workload {
        Workload::Scroll => {
            let command = xterm(
                display,
                "tether-bench-scroll",
                "300x80+0+0",
                "while :; do ls -lR /usr; done",
            );
            running
                .processes
                .push(Guarded::spawn("scroll-xterm", command, log_dir, false)?);
            // xterm cannot say what it drew: the slots with damage can.
            let (watcher, slots) =
                counting_subcommand(display, log_dir, "damage", &["screen-damage", "--hz", "60"])?;
            running.processes.push(watcher);
            running.drawn = Some(slots);
        }
        Workload::Move => {
            let command = xterm(
                display,
                MOVE_TITLE,
                "100x30+500+250",
                "ls -l /usr/bin | head -n 28; exec sleep 1000000",
            );
            running
                .processes
                .push(Guarded::spawn("move-xterm", command, log_dir, false)?);
            let window = display
                .wait_for_window(MOVE_TITLE, Duration::from_secs(15))
                .await?;
            let mut mover = display.command("sh");
            let lap = move_path(&window);
            mover.args([
                "-c",
                &format!("while :; do xdotool {lap} && echo lap; done"),
            ]);
            let mut mover = Guarded::spawn("move-xdotool", mover, log_dir, true)?;
            let moves = Arc::new(Progress::default());
            let count = moves.clone();
            let mut laps = 0;
            read_lines("move-xdotool", mover.take_stdout()?, move |line| {
                if line == "lap" {
                    laps += 1;
                    count.record(laps * u64::from(MOVE_STEPS));
                }
            })?;
            running.processes.push(mover);
            running.drawn = Some(moves);
        }
        Workload::Video => {
            let fps = video_fps.to_string();
            let (painter, painted) =
                counting_subcommand(display, log_dir, "video", &["screen-video", "--fps", &fps])?;
            running.processes.push(painter);
            running.drawn = Some(painted);
        }
        Workload::Idle => {
            let command = xterm(
                display,
                "tether-bench-clock",
                "10x1+900+500",
                "while :; do printf '\\r%s' \"$(date +%T)\"; sleep 1; done",
            );
            running
                .processes
                .push(Guarded::spawn("idle-clock", command, log_dir, false)?);
        }
    }
    Ok(running)
}

/// One lap of an ellipse around the middle of the screen as one xdotool
/// command chain: a `windowmove` and a sleep per step, 2 s a lap. `--sync`
/// makes xdotool send each move at once (Xlib would hold them all until it
/// exits) and wait for it; the sleep is shortened by that round trip.
fn move_path(window: &str) -> String {
    let mut chain = String::new();
    for i in 0..MOVE_STEPS {
        let a = std::f64::consts::TAU * f64::from(i) / f64::from(MOVE_STEPS);
        let x = 500.0 + 400.0 * a.cos();
        let y = 250.0 + 200.0 * a.sin();
        // Writing to a String cannot fail.
        let _ = write!(
            chain,
            " windowmove --sync {window} {x:.0} {y:.0} sleep {:.4}",
            1.0 / f64::from(MOVE_HZ) - 0.0007
        );
    }
    chain
}

/// Runs `xtask bench <args>` on the display, a program that prints
/// `frames N` as it goes (the video painter, the damage watcher), and
/// records N as the workload's progress.
fn counting_subcommand(
    display: &Display,
    log_dir: &Path,
    name: &str,
    args: &[&str],
) -> anyhow::Result<(Guarded, Arc<Progress>)> {
    let exe = std::env::current_exe().context("cannot find the xtask binary")?;
    let mut command = display.command(exe);
    command.arg("bench").args(args);
    let mut process = Guarded::spawn(name, command, log_dir, true)?;
    let progress = Arc::new(Progress::default());
    let count = progress.clone();
    read_lines(name, process.take_stdout()?, move |line| {
        if let Some(n) = line.strip_prefix("frames ").and_then(|n| n.parse().ok()) {
            count.record(n);
        }
    })?;
    Ok((process, progress))
}

/// The probe window (see `painters::probe`); counts the clicks it got and
/// notes when it reported the latest (it reports after drawing its answer).
#[derive(Debug)]
pub struct Probe {
    pub clicks: Arc<tokio::sync::watch::Sender<ProbeClicks>>,
    _process: Guarded,
}

/// Clicks the probe got so far, and when it said it drew the latest.
#[derive(Debug, Clone, Copy)]
pub struct ProbeClicks {
    pub count: u64,
    pub drawn_at: Instant,
}

impl Probe {
    pub fn start(display: &Display, log_dir: &Path) -> anyhow::Result<Probe> {
        let exe = std::env::current_exe().context("cannot find the xtask binary")?;
        let mut command = display.command(exe);
        command.args([
            "bench",
            "screen-probe",
            "--x",
            &PROBE_X.to_string(),
            "--y",
            &PROBE_Y.to_string(),
            "--size",
            &PROBE_SIZE.to_string(),
        ]);
        let mut process = Guarded::spawn("probe", command, log_dir, true)?;
        let clicks = Arc::new(tokio::sync::watch::Sender::new(ProbeClicks {
            count: 0,
            drawn_at: Instant::now(),
        }));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let count = clicks.clone();
        read_lines("probe", process.take_stdout()?, move |line| {
            if line == "ready" {
                // The receiver only waits for the first.
                let _ = ready_tx.send(());
            } else if let Some(n) = line.strip_prefix("click ").and_then(|n| n.parse().ok()) {
                count.send_replace(ProbeClicks {
                    count: n,
                    drawn_at: Instant::now(),
                });
            }
        })?;
        if ready_rx.recv_timeout(Duration::from_secs(15)).is_err() {
            process.check_running()?;
            bail!("the probe window did not appear within 15s");
        }
        Ok(Probe {
            clicks,
            _process: process,
        })
    }
}
