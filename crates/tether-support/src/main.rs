//! `tether-support`: the app a customer runs. Started with no arguments it
//! joins the session it was downloaded from; `join <key>` joins with a
//! support key instead.

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tether-support",
    version,
    about = "Tether support app: lets your technician see (and, if you allow, control) your screen"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Also trust the certificates in this PEM file (a server with a private CA).
    #[arg(long, global = true, env = "TETHER_CA_CERT")]
    ca_cert: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Join a session with the support key your technician gave you.
    Join {
        /// The nine-digit support key.
        key: String,
        /// The Tether server, e.g. https://support.example.com
        #[arg(long, env = "TETHER_SERVER")]
        server: String,
        /// Your name, shown to the technician.
        #[arg(long)]
        name: Option<String>,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TETHER_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let launch = match cli.command {
        Some(Command::Join { key, server, name }) => agent::Launch {
            server: server.trim_end_matches('/').to_owned(),
            join: agent::Join::Key { key, name },
        },
        None => {
            let exe = std::env::current_exe().context("cannot find this program's own file")?;
            agent::from_file(&exe)?
        }
    };
    let platform = agent::Platform {
        ca_cert: cli.ca_cert,
        capturer: Box::new(
            capture::X11Capturer::connect(&capture::X11Config::default())
                .context("cannot read the screen")?,
        ),
        injector: Box::new(
            input::X11Injector::connect(None).context("cannot control mouse and keyboard")?,
        ),
        ui: prompt::UiOptions::new(prompt::Lang::from_env()),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime
        .block_on(agent::run(launch, platform))
        .context("the support session stopped")
}
