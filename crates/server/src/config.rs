//! The server's configuration, filled by the `tether` binary or by tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use session::ThrottleConfig;

#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Holds the SQLite database (unless `database_url` says otherwise) and files.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: `tether.db` in the data folder.
    pub database_url: Option<String>,
    /// The address customers and technicians reach the server at, for links.
    /// Default: `http://<listen address>`.
    pub public_url: Option<String>,
    pub key_lifetime: Duration,
    pub max_file_bytes: u64,
    pub max_message_chars: usize,
    /// How long files stay after their session ended.
    pub file_retention: Duration,
    /// How often expired keys and old files are swept.
    pub sweep_interval: Duration,
    /// Lifetime of a technician's sign-in.
    pub login_lifetime: Duration,
    /// Folder with the support-app binaries to hand out (`tether-support`);
    /// default: the folder of the running server binary.
    pub agent_dir: Option<PathBuf>,
    /// Serve the browser apps from this folder instead of the embedded copy.
    pub web_dir: Option<PathBuf>,
    pub throttle: ThrottleConfig,
    /// Failed sign-ins, per client address and per account.
    pub login_throttle: LoginThrottleConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the real client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Open a new session tab when a technician opens the console.
    pub auto_open_session: bool,
    /// How long an SMS gateway or mail server may take to accept an invitation.
    pub send_timeout: Duration,
    pub clock: Clock,
}

impl Config {
    /// Defaults for a data folder, listening on loopback port 8080.
    pub fn new(data_dir: impl Into<PathBuf>) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: data_dir.into(),
            database_url: None,
            public_url: None,
            key_lifetime: Duration::from_secs(60 * 60),
            max_file_bytes: 100 * 1024 * 1024,
            max_message_chars: 4000,
            file_retention: Duration::from_secs(24 * 60 * 60),
            sweep_interval: Duration::from_secs(5),
            login_lifetime: Duration::from_secs(12 * 60 * 60),
            agent_dir: None,
            web_dir: None,
            throttle: ThrottleConfig::default(),
            login_throttle: LoginThrottleConfig::default(),
            trusted_proxies: Vec::new(),
            auto_open_session: false,
            send_timeout: Duration::from_secs(15),
            clock: Clock::System,
        }
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("tether.db").display()),
        }
    }
}

/// Limits on failed sign-ins. There is no server-wide limit: it would let
/// anyone lock every technician out.
#[derive(Debug, Clone, Copy)]
pub struct LoginThrottleConfig {
    pub per_address: ThrottleConfig,
    pub per_account: ThrottleConfig,
}

impl Default for LoginThrottleConfig {
    fn default() -> Self {
        let unlimited = ThrottleConfig {
            global_burst: 1_000_000,
            global_refill_ms: 1,
            ..ThrottleConfig::default()
        };
        LoginThrottleConfig {
            per_address: ThrottleConfig {
                per_address_burst: 20,
                per_address_refill_ms: 30_000,
                ..unlimited
            },
            per_account: ThrottleConfig {
                per_address_burst: 10,
                per_address_refill_ms: 60_000,
                ..unlimited
            },
        }
    }
}

/// Where the server reads the time. Tests use a manual clock they advance,
/// instead of sleeping until a key expires.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    pub fn manual(start_ms: i64) -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(start_ms)))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now(&self) -> i64 {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0),
            Clock::Manual(ms) => ms.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(ms) = self {
            ms.fetch_add(i64::try_from(by.as_millis()).unwrap_or(0), Ordering::SeqCst);
        }
    }
}
