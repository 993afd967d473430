//! The screen benchmark's results: one row per system and workload, the
//! table and the Tether/peer ratios printed at the end, and the raw JSON.

use serde::Serialize;

use super::measure::{Latency, percentile};

/// Everything one run measured.
#[derive(Debug, Serialize)]
pub struct Report {
    pub command: String,
    pub display: String,
    pub cores: usize,
    pub duration_secs: u64,
    pub warmup_secs: u64,
    pub video_fps: u32,
    pub rows: Vec<Row>,
}

/// One system (and encoding) on one workload.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `tether`, `x11vnc` or `tigervnc`.
    pub system: String,
    /// `tether` (lossless tiles), `tight`, `zrle` or `tight-jpeg`.
    pub encoding: String,
    pub workload: String,
    pub seconds: f64,
    pub updates: u64,
    pub bytes: u64,
    pub updates_per_sec: f64,
    pub bytes_per_sec: f64,
    pub bytes_per_update: f64,
    /// Tether: keyframes the server asked for because the viewer fell behind.
    pub resync_keyframes: u64,
    /// Tight JPEG rectangles counted but not decoded.
    pub undecoded_rects: u64,
    /// Tether: messages out of the frame numbers' order (see `ViewerStats::gaps`).
    pub frame_gaps: u64,
    /// Frames the workload drew a second in the window, where it can tell
    /// (video: frames painted; move: window moves).
    pub source_frames_per_sec: Option<f64>,
    /// Percent of one core: the capturing side (the support app; the VNC
    /// server), the relay (Tether's server; none for VNC), the X server, the
    /// viewer (this process), and the whole machine.
    pub cpu_capture: f64,
    pub cpu_server: Option<f64>,
    pub cpu_x_server: f64,
    pub cpu_viewer: f64,
    pub cpu_machine: f64,
    pub latency: Option<Latency>,
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    /// The part of the latency until the probe had drawn its answer on the
    /// X server (the same for every system but for X's own load).
    pub drawn_p50_ms: Option<f64>,
    pub drawn_p99_ms: Option<f64>,
    /// After the window, with the workload frozen: percent of the viewer's
    /// decoded pixels that differ from the screen (0 for a lossless system
    /// that caught up).
    pub differing_pixels_pct: f64,
}

impl Row {
    pub fn label(&self) -> String {
        if self.system == self.encoding {
            self.system.clone()
        } else {
            format!("{} {}", self.system, self.encoding)
        }
    }

    /// CPU of everything on the sending side: capture plus relay.
    pub fn cpu_sending(&self) -> f64 {
        self.cpu_capture + self.cpu_server.unwrap_or(0.0)
    }

    pub fn set_latency(&mut self, latency: Latency) {
        self.latency_p50_ms = percentile(&latency.samples_ms, 0.5);
        self.latency_p99_ms = percentile(&latency.samples_ms, 0.99);
        self.drawn_p50_ms = percentile(&latency.drawn_ms, 0.5);
        self.drawn_p99_ms = percentile(&latency.drawn_ms, 0.99);
        self.latency = Some(latency);
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.digits$}"))
}

pub fn print(report: &Report) {
    println!();
    println!(
        "Screen streaming, {}×{} on {} ({} cores), {} s measured after {} s warm-up a workload",
        super::display::WIDTH,
        super::display::HEIGHT,
        report.display,
        report.cores,
        report.duration_secs,
        report.warmup_secs
    );
    println!("CPU in % of one core: capture = support app / VNC server, relay = tether serve");
    println!(
        "lat = click to decoded pixel (missed: not seen within 2 s); drawn = click until the probe drew its answer; off % = decoded pixels unlike the screen, workload frozen"
    );
    println!();
    println!(
        "{:<8} {:<20} {:>8} {:>10} {:>9} {:>8} {:>7} {:>6} {:>7} {:>8} {:>9} {:>9} {:>9} {:>7} {:>8}",
        "workload",
        "system",
        "upd/s",
        "KB/update",
        "Mbit/s",
        "capture",
        "relay",
        "Xvfb",
        "viewer",
        "machine",
        "lat p50",
        "lat p99",
        "drawn p50",
        "missed",
        "off %"
    );
    for row in &report.rows {
        let missed = row.latency.as_ref().map_or_else(
            || "—".into(),
            |l| format!("{}/{}", l.missed, l.missed + l.samples_ms.len()),
        );
        println!(
            "{:<8} {:<20} {:>8.1} {:>10.1} {:>9.2} {:>8.1} {:>7} {:>6.1} {:>7.1} {:>8.1} {:>9} {:>9} {:>9} {:>7} {:>8.3}",
            row.workload,
            row.label(),
            row.updates_per_sec,
            row.bytes_per_update / 1000.0,
            row.bytes_per_sec * 8.0 / 1e6,
            row.cpu_capture,
            opt(row.cpu_server, 1),
            row.cpu_x_server,
            row.cpu_viewer,
            row.cpu_machine,
            opt(row.latency_p50_ms, 1),
            opt(row.latency_p99_ms, 1),
            opt(row.drawn_p50_ms, 1),
            missed,
            row.differing_pixels_pct,
        );
        if let Some(fps) = row.source_frames_per_sec {
            println!(
                "{:<8} {:<20} {fps:>8.1} (drawn by the workload a second)",
                "", ""
            );
        }
    }
    let notes: Vec<String> = report
        .rows
        .iter()
        .filter(|r| r.resync_keyframes > 0 || r.undecoded_rects > 0 || r.frame_gaps > 0)
        .map(|r| {
            format!(
                "  {} {}: {} resync keyframes, {} JPEG rectangles not decoded, {} frame-number gaps",
                r.workload,
                r.label(),
                r.resync_keyframes,
                r.undecoded_rects,
                r.frame_gaps
            )
        })
        .collect();
    if !notes.is_empty() {
        println!();
        println!("Notes:");
        for n in notes {
            println!("{n}");
        }
    }
    print_ratios(report);
}

/// Tether divided by each peer, per workload: above 1 means Tether delivers
/// more updates, sends more bytes, uses more CPU, or is slower to show a click.
fn print_ratios(report: &Report) {
    let tether: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.system == "tether")
        .collect();
    let peers: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| r.system != "tether")
        .collect();
    if tether.is_empty() || peers.is_empty() {
        return;
    }
    println!();
    println!("Tether / peer (same run):");
    println!(
        "{:<8} {:<20} {:>8} {:>9} {:>10} {:>12} {:>9}",
        "workload", "peer", "upd/s", "bytes/s", "bytes/upd", "CPU sending", "lat p50"
    );
    let ratio = |a: f64, b: f64| {
        if b > 0.0 {
            format!("{:.2}", a / b)
        } else {
            "—".into()
        }
    };
    for t in &tether {
        for p in peers.iter().filter(|p| p.workload == t.workload) {
            let latency = match (t.latency_p50_ms, p.latency_p50_ms) {
                (Some(a), Some(b)) => ratio(a, b),
                _ => "—".into(),
            };
            println!(
                "{:<8} {:<20} {:>8} {:>9} {:>10} {:>12} {:>9}",
                t.workload,
                p.label(),
                ratio(t.updates_per_sec, p.updates_per_sec),
                ratio(t.bytes_per_sec, p.bytes_per_sec),
                ratio(t.bytes_per_update, p.bytes_per_update),
                ratio(t.cpu_sending(), p.cpu_sending()),
                latency,
            );
        }
    }
}
