//! Project automation. `cargo xtask bench chat --sessions N` runs the chat
//! load benchmark against the real release server (see `bench_chat`);
//! `cargo xtask bench codec` measures the screen codec; `cargo xtask bench
//! screen` measures screen streaming against x11vnc and TigerVNC (see
//! `bench_screen`); `cargo xtask bench relay` measures how fast the server
//! relays screen frames from one support app to one viewer (see `bench_relay`).

mod bench_chat;
mod bench_codec;
mod bench_relay;
mod bench_screen;
mod chat_worker;
mod procfs;
mod server_process;
mod tether_api;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "xtask", about = "Tether project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Benchmarks against a real server process.
    Bench {
        #[command(subcommand)]
        bench: Bench,
    },
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// Chat load: N sessions with a technician and a customer WebSocket each,
    /// one message per second per session; reports delivery latency,
    /// throughput and server memory per connected participant.
    Chat(ChatArgs),
    /// Screen codec: encode/decode time and size on synthetic 1080p desktop content.
    Codec,
    /// Screen streaming: Tether, x11vnc and TigerVNC on one Xvfb display with
    /// the same workloads; updates/s, bytes, CPU and input-to-pixel latency.
    Screen(ScreenArgs),
    /// Screen-frame relay: one synthetic support app pushes frames through
    /// the server to one viewer as fast as it takes them; Gbit/s, frames
    /// dropped, server CPU and memory.
    Relay(RelayArgs),
    /// Internal: the full-motion painter of the screen benchmark's video workload.
    #[command(hide = true)]
    ScreenVideo(bench_screen::painters::VideoArgs),
    /// Internal: the screen benchmark's probe window (changes colour on a click).
    #[command(hide = true)]
    ScreenProbe(bench_screen::painters::ProbeArgs),
    /// Internal: counts the 1/60 s slots in which the screen changed.
    #[command(hide = true)]
    ScreenDamage(bench_screen::painters::DamageArgs),
    /// Internal: one client process of the chat benchmark, driven over
    /// stdin/stdout by `bench chat` (one process holds only so many sockets).
    #[command(hide = true)]
    ChatWorker,
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Number of sessions (each has two participants, so 2N WebSockets).
    #[arg(long, default_value_t = 1000)]
    sessions: usize,
    /// Length of the measured load phase, after the warm-up.
    #[arg(long, default_value_t = 20)]
    duration_secs: u64,
    /// Load before the measured phase, whose messages are not counted.
    #[arg(long, default_value_t = 2)]
    warmup_secs: u64,
    /// The server binary to start (build it with `cargo build --release -p tether`).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// How many sessions are set up (HTTP) or connected (WebSocket) at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// Workloads to run, in this order.
    #[arg(long, value_delimiter = ',', default_value = "scroll,move,video,idle")]
    workloads: Vec<bench_screen::Workload>,
    /// Systems to measure, in this order.
    #[arg(long, value_delimiter = ',', default_value = "tether,x11vnc,tigervnc")]
    systems: Vec<bench_screen::System>,
    /// Encodings the VNC viewer asks for; each VNC server runs once per encoding.
    #[arg(long, value_delimiter = ',', default_value = "tight,zrle")]
    encodings: Vec<bench_screen::RfbEncoding>,
    /// Length of each measured window.
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
    /// Time each workload runs before its window is measured.
    #[arg(long, default_value_t = 2)]
    warmup_secs: u64,
    /// Clicks timed after each window (0: no latency measurement).
    #[arg(long, default_value_t = 20)]
    latency_samples: usize,
    /// Frames a second the video workload draws.
    #[arg(long, default_value_t = 30)]
    video_fps: u32,
    /// The server binary (default: target/release/tether).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// The support app (default: tether-support beside the server binary).
    #[arg(long)]
    app_bin: Option<PathBuf>,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write the screen and each viewer's decoded picture, taken with the
    /// workload frozen, as PPM files into this folder.
    #[arg(long)]
    dump_pictures: Option<PathBuf>,
    /// Keep the child processes' logs in this folder (otherwise they are
    /// kept only when the run fails).
    #[arg(long)]
    log_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RelayArgs {
    /// Frame sizes to measure, one server run each (`65536`, `64KiB`, `4MiB`).
    #[arg(long, value_delimiter = ',', default_value = "1MiB")]
    frame_sizes: Vec<bench_relay::FrameSize>,
    /// Length of the measured window.
    #[arg(long, default_value_t = 10)]
    duration_secs: u64,
    /// Time frames flow before the window.
    #[arg(long, default_value_t = 2)]
    warmup_secs: u64,
    /// The rate the table marks as reached (issue 5).
    #[arg(long, default_value_t = 4.0)]
    target_gbit: f64,
    /// The server binary (default: target/release/tether).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let open_files = raise_open_file_limit()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    match cli.command {
        Command::Bench {
            bench: Bench::Chat(args),
        } => runtime.block_on(bench_chat::run(args, open_files)),
        Command::Bench {
            bench: Bench::ChatWorker,
        } => runtime.block_on(chat_worker::run()),
        Command::Bench {
            bench: Bench::Codec,
        } => bench_codec::run(),
        Command::Bench {
            bench: Bench::Screen(args),
        } => runtime.block_on(bench_screen::run(args)),
        Command::Bench {
            bench: Bench::Relay(args),
        } => runtime.block_on(bench_relay::run(args)),
        Command::Bench {
            bench: Bench::ScreenVideo(args),
        } => bench_screen::painters::video(args),
        Command::Bench {
            bench: Bench::ScreenProbe(args),
        } => bench_screen::painters::probe(args),
        Command::Bench {
            bench: Bench::ScreenDamage(args),
        } => bench_screen::painters::damage(args),
    }
}

/// Raises the soft limit on open files to the hard limit and returns it; the
/// server and worker processes inherit it.
fn raise_open_file_limit() -> anyhow::Result<u64> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let Some(hard) = getrlimit(Resource::Nofile).maximum else {
        return Ok(u64::MAX);
    };
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(hard),
            maximum: Some(hard),
        },
    )
    .context("cannot raise the open-file limit (RLIMIT_NOFILE) to its hard limit")?;
    Ok(hard)
}
