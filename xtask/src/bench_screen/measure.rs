//! What every viewer reports while it runs (updates, bytes, the probe's
//! pixel as last decoded), CPU time of the processes involved, and the
//! input-to-pixel latency measurement shared by all systems.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::watch;

use super::painters::PROBE_COLOURS;
use super::workloads::ProbeClicks;
use crate::procfs;

/// Counters a viewer updates as it decodes; read by the benchmark.
#[derive(Debug)]
pub struct ViewerStats {
    /// Screen updates (frames) decoded: those that carried pixels.
    pub updates: AtomicU64,
    /// Bytes received from the server for the picture (updates, cursor and
    /// protocol headers; for Tether the binary WebSocket payloads).
    pub bytes: AtomicU64,
    /// Tether: keyframes after the first (the server asks for one when a
    /// viewer falls behind and loses frames).
    pub keyframes: AtomicU64,
    /// Rectangles counted but not decoded (Tight JPEG).
    pub undecoded: AtomicU64,
    /// Tether: update messages whose frame number did not follow the one
    /// before; the browser's viewer takes them as a lost frame, and so does
    /// the benchmark's (it drops them and asks for a whole picture).
    pub gaps: AtomicU64,
    /// The probe's pixel as last decoded, and when it was first seen so.
    pub probe: watch::Sender<ProbePixel>,
}

#[derive(Debug, Clone, Copy)]
pub struct ProbePixel {
    pub rgb: [u8; 3],
    pub at: Instant,
}

impl ViewerStats {
    pub fn new() -> Arc<ViewerStats> {
        Arc::new(ViewerStats {
            updates: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            keyframes: AtomicU64::new(0),
            undecoded: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
            probe: watch::Sender::new(ProbePixel {
                rgb: [0; 3],
                at: Instant::now(),
            }),
        })
    }

    /// Called by the viewer after each decoded update with the probe pixel.
    pub fn saw_probe(&self, rgb: [u8; 3]) {
        self.probe.send_if_modified(|p| {
            if p.rgb == rgb {
                return false;
            }
            *p = ProbePixel {
                rgb,
                at: Instant::now(),
            };
            true
        });
    }

    pub fn snapshot(&self) -> Counts {
        Counts {
            updates: self.updates.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            keyframes: self.keyframes.load(Ordering::Relaxed),
            undecoded: self.undecoded.load(Ordering::Relaxed),
            gaps: self.gaps.load(Ordering::Relaxed),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub updates: u64,
    pub bytes: u64,
    pub keyframes: u64,
    pub undecoded: u64,
    pub gaps: u64,
}

impl Counts {
    pub fn since(self, earlier: Counts) -> Counts {
        Counts {
            updates: self.updates - earlier.updates,
            bytes: self.bytes - earlier.bytes,
            keyframes: self.keyframes - earlier.keyframes,
            undecoded: self.undecoded - earlier.undecoded,
            gaps: self.gaps - earlier.gaps,
        }
    }
}

/// CPU time of a set of processes (and of the whole machine) at one moment.
#[derive(Debug, Clone)]
pub struct CpuSample {
    at: Instant,
    per_process: Vec<Duration>,
    machine: Duration,
}

impl CpuSample {
    pub fn take(pids: &[u32]) -> anyhow::Result<CpuSample> {
        let per_process = pids
            .iter()
            .map(|&pid| procfs::cpu_time(pid).with_context(|| format!("CPU time of process {pid}")))
            .collect::<anyhow::Result<_>>()?;
        Ok(CpuSample {
            at: Instant::now(),
            per_process,
            machine: procfs::machine_busy_time()?,
        })
    }

    /// Per process, then the machine: percent of one core since `earlier`.
    pub fn percent_since(&self, earlier: &CpuSample) -> (Vec<f64>, f64) {
        let wall = self.at.duration_since(earlier.at).as_secs_f64().max(1e-9);
        let pct =
            |now: Duration, then: Duration| now.saturating_sub(then).as_secs_f64() / wall * 100.0;
        let per = self
            .per_process
            .iter()
            .zip(&earlier.per_process)
            .map(|(&now, &then)| pct(now, then))
            .collect();
        (per, pct(self.machine, earlier.machine))
    }
}

/// What the benchmark asks of every viewer beyond its counters.
pub trait Viewer {
    /// Sends a click at a point of the screen.
    async fn click(&self, x: u32, y: u32) -> anyhow::Result<()>;
    /// A copy of the picture as decoded so far.
    fn picture(&self) -> Picture;
}

/// A picture, 8-bit RGB, row after row.
#[derive(Debug, Clone, Default)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Picture {
    /// The screen as it is: what a lossless viewer should show once the
    /// screen stands still.
    pub fn screenshot(display: &str) -> anyhow::Result<Picture> {
        use x11rb::connection::Connection as _;
        use x11rb::protocol::xproto::{ConnectionExt as _, ImageFormat};
        let (conn, screen_num) = x11rb::connect(Some(display))
            .with_context(|| format!("cannot connect to {display}"))?;
        let screen = &conn.setup().roots[screen_num];
        let (width, height) = (screen.width_in_pixels, screen.height_in_pixels);
        let image = conn
            .get_image(ImageFormat::Z_PIXMAP, screen.root, 0, 0, width, height, !0)
            .context("cannot read the screen")?
            .reply()
            .context("cannot read the screen")?;
        anyhow::ensure!(
            image.data.len() == usize::from(width) * usize::from(height) * 4,
            "the screen is not 32 bits a pixel"
        );
        Ok(Picture {
            width: u32::from(width),
            height: u32::from(height),
            rgb: image
                .data
                .chunks_exact(4)
                .flat_map(|bgrx| [bgrx[2], bgrx[1], bgrx[0]])
                .collect(),
        })
    }

    /// How many pixels differ from `other` (all of them if the sizes differ).
    pub fn differing_pixels(&self, other: &Picture) -> u64 {
        if (self.width, self.height) != (other.width, other.height) {
            return u64::from(self.width * self.height);
        }
        self.rgb
            .chunks_exact(3)
            .zip(other.rgb.chunks_exact(3))
            .filter(|(a, b)| a != b)
            .count() as u64
    }

    /// Writes the picture as a binary PPM (P6) file.
    pub fn write_ppm(&self, path: &std::path::Path) -> anyhow::Result<()> {
        let mut bytes = format!("P6\n{} {}\n255\n", self.width, self.height).into_bytes();
        bytes.extend_from_slice(&self.rgb);
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Latency {
    /// Clicks whose pixel change the viewer saw, and their latencies.
    pub samples_ms: Vec<f64>,
    /// Clicks whose change the viewer did not see within the timeout.
    pub missed: usize,
    /// Clicks the probe window received (input that arrived).
    pub delivered_clicks: u64,
    /// For each timed click whose arrival the probe reported: from sending
    /// the click until the probe had drawn its answer on the X server (the
    /// input path; the rest of the latency is capture, transport, decoding).
    pub drawn_ms: Vec<f64>,
}

/// How long a click may take to show before it counts as missed.
const SEEN_TIMEOUT: Duration = Duration::from_secs(2);

fn close_to(a: [u8; 3], b: u32) -> bool {
    let b = [(b >> 16) as u8, (b >> 8) as u8, b as u8];
    a.iter().zip(b).all(|(&x, y)| x.abs_diff(y) <= 24)
}

/// Clicks the probe `samples` times, a random 100–250 ms apart, and times
/// each from sending the click until the viewer has decoded the probe's
/// new colour.
pub async fn latency(
    clicker: &impl Viewer,
    stats: &ViewerStats,
    probe_clicks: &watch::Sender<ProbeClicks>,
    (x, y): (u32, u32),
    samples: usize,
) -> anyhow::Result<Latency> {
    let mut result = Latency::default();
    let clicks_before = probe_clicks.borrow().count;
    let mut drawn = probe_clicks.subscribe();
    let mut rng = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.subsec_nanos() | 1);
    let mut seen = stats.probe.subscribe();
    for _ in 0..samples {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        tokio::time::sleep(Duration::from_millis(100 + u64::from(rng % 150))).await;
        let now_showing = seen.borrow_and_update().rgb;
        // The colour the next click brings (either, if the probe is not seen yet).
        let want = if close_to(now_showing, PROBE_COLOURS[0]) {
            Some(PROBE_COLOURS[1])
        } else if close_to(now_showing, PROBE_COLOURS[1]) {
            Some(PROBE_COLOURS[0])
        } else {
            None
        };
        let clicks_so_far = drawn.borrow_and_update().count;
        let sent = Instant::now();
        clicker.click(x, y).await?;
        let changed = tokio::time::timeout(
            SEEN_TIMEOUT,
            seen.wait_for(|p| match want {
                Some(want) => close_to(p.rgb, want),
                None => PROBE_COLOURS.iter().any(|&c| close_to(p.rgb, c)),
            }),
        )
        .await;
        match changed {
            Ok(Ok(pixel)) => {
                let pixel_at = pixel.at;
                result
                    .samples_ms
                    .push(pixel_at.saturating_duration_since(sent).as_secs_f64() * 1000.0);
                // The probe's report travels through a pipe; it may come
                // just after the viewer saw the pixel.
                if let Ok(Ok(click)) =
                    tokio::time::timeout(SEEN_TIMEOUT, drawn.wait_for(|c| c.count > clicks_so_far))
                        .await
                {
                    result.drawn_ms.push(
                        click.drawn_at.saturating_duration_since(sent).as_secs_f64() * 1000.0,
                    );
                }
            }
            Ok(Err(_)) => anyhow::bail!("the viewer stopped while timing a click"),
            Err(_) => result.missed += 1,
        }
    }
    result.delivered_clicks = probe_clicks.borrow().count - clicks_before;
    Ok(result)
}

/// The `p`-quantile (0..=1) of `values` by the nearest-rank method.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), Some(50.0));
        assert_eq!(percentile(&v, 0.99), Some(99.0));
        assert_eq!(percentile(&[3.0], 0.99), Some(3.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
