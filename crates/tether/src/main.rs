//! The `tether` command: run the server, or manage accounts from the shell.

use std::io::BufRead as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use server::{Application, Config};

#[derive(Debug, Parser)]
#[command(name = "tether", version, about = "Tether remote support server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server: HTTP, WebSocket and the web apps on one port.
    Serve(ServeArgs),
    /// Manage technician and administrator accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Args)]
struct StorageArgs {
    /// Folder for the embedded database and transferred files.
    #[arg(long, env = "TETHER_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Use this database instead of SQLite in the data folder: postgres://user:pass@host/db
    #[arg(long, env = "TETHER_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// Address and port to listen on (port 0 picks a free one).
    #[arg(long, env = "TETHER_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The address people reach this server at, used in links (default: http://<listen>).
    #[arg(long, env = "TETHER_PUBLIC_URL")]
    public_url: Option<String>,
    /// How long a support key can start a session.
    #[arg(long, default_value_t = 3600)]
    key_lifetime_secs: u64,
    /// Largest file a technician may send, in megabytes.
    #[arg(long, default_value_t = 100)]
    max_file_mb: u64,
    /// Largest file in bytes; overrides --max-file-mb.
    #[arg(long)]
    max_file_bytes: Option<u64>,
    /// Longest chat message, in characters.
    #[arg(long, default_value_t = 4000)]
    max_message_chars: usize,
    /// How long files stay after their session ended, in hours.
    #[arg(long, default_value_t = 24)]
    file_retention_hours: u64,
    /// Open a new session tab whenever a technician opens the console.
    #[arg(long)]
    auto_open_session: bool,
    /// A reverse proxy in front of Tether whose X-Forwarded-For is trusted
    /// (repeat for several). Without it, all customers behind the proxy would
    /// share one address for key-guess throttling.
    #[arg(
        long = "trusted-proxy",
        env = "TETHER_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Folder with the support-app files to hand out (default: this program's folder).
    #[arg(long, env = "TETHER_AGENT_DIR")]
    agent_dir: Option<PathBuf>,
    /// Serve the web apps from this folder instead of the built-in copy (development).
    #[arg(long)]
    web_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[command(flatten)]
        storage: StorageArgs,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make this account an administrator.
        #[arg(long)]
        admin: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TETHER_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    match cli.command {
        Command::Serve(args) => runtime.block_on(serve(args)),
        Command::User {
            command:
                UserCommand::Add {
                    storage,
                    email,
                    name,
                    admin,
                },
        } => runtime.block_on(add_user(storage, &email, &name, admin)),
    }
}

/// Every participant holds a socket: allow as many open files as the system
/// lets this process have.
fn raise_file_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        if let Err(e) = setrlimit(Resource::Nofile, limit) {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
        }
    }
    let limit = getrlimit(Resource::Nofile);
    tracing::info!(open_files = ?limit.current, "open-file limit");
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    raise_file_limit();
    let mut config = Config::new(&args.storage.data_dir);
    config.listen = args.listen;
    config.database_url = args.storage.database_url;
    config.public_url = args.public_url;
    config.key_lifetime = Duration::from_secs(args.key_lifetime_secs);
    config.max_file_bytes = args
        .max_file_bytes
        .unwrap_or(args.max_file_mb * 1024 * 1024);
    config.max_message_chars = args.max_message_chars;
    config.file_retention = Duration::from_secs(args.file_retention_hours * 3600);
    config.auto_open_session = args.auto_open_session;
    config.web_dir = args.web_dir;
    config.agent_dir = args.agent_dir;
    config.trusted_proxies = args.trusted_proxies;
    let app = Application::build(config)
        .await
        .context("cannot start Tether")?;
    let url = app.public_url().to_owned();
    println!("Tether is listening on http://{}", app.address());
    println!("Technician console: {url}/console");
    println!("Admin center: {url}/admin");
    println!("Support website for customers: {url}/");
    if let Some(setup) = app.setup_url() {
        println!();
        println!("No administrator exists yet. Create the first one by opening");
        println!("  {setup}");
        println!("or on this machine with:");
        println!(
            "  tether user add --email you@example.com --name \"Your Name\" --admin   (reads the password from standard input)"
        );
    }
    app.run_until_stopped(shutdown_signal())
        .await
        .context("Tether stopped with an error")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl+C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

async fn add_user(
    storage: StorageArgs,
    email: &str,
    name: &str,
    admin: bool,
) -> anyhow::Result<()> {
    let role = if admin { "admin" } else { "technician" };
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']);
    let valid = server::validate_new_user(email, name, password, role)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::create_dir_all(&storage.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            storage.data_dir.display()
        )
    })?;
    let mut config = Config::new(&storage.data_dir);
    config.database_url = storage.database_url;
    let store = store::Store::open(&config.database_url())
        .await
        .context("cannot open the database")?;
    let hash = server::auth::hash_password(password)
        .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
    let now = config.clock.now();
    let result = store
        .create_user(&store::NewUser {
            id: server::new_id(),
            email: valid.email.clone(),
            name: valid.name,
            password_hash: hash,
            role: role.into(),
            created_at: now,
            // Technicians start in the default group; administrators made
            // here manage every group.
            group_id: (!admin).then(|| "default".to_owned()),
        })
        .await;
    store.close().await;
    match result {
        Ok(()) => {
            println!("Created {role} {}.", valid.email);
            Ok(())
        }
        Err(store::StoreError::EmailTaken(email)) => {
            bail!("an account with the e-mail address {email} already exists")
        }
        Err(e) => Err(e).context("cannot create the account"),
    }
}
