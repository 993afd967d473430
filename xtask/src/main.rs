//! Project automation. `cargo xtask bench chat --sessions N` runs the chat
//! load benchmark against the real release server (see `bench_chat`);
//! `cargo xtask bench codec` measures the screen codec.

mod bench_chat;
mod bench_codec;
mod chat_worker;
mod procfs;
mod server_process;

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
