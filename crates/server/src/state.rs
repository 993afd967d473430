//! The state every handler shares, passed explicitly (no globals).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use session::{GuessThrottle, Throttle};
use store::Store;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::hub::Hubs;

#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    pub store: Store,
}

#[derive(Debug)]
pub struct Inner {
    pub config: Config,
    /// The base of every link we hand out, without a trailing slash.
    pub public_url: String,
    pub hubs: Hubs,
    pub throttle: Mutex<GuessThrottle>,
    pub login_by_address: Mutex<GuessThrottle>,
    pub login_by_account: Mutex<Throttle<String>>,
    /// One-time secret for creating the first administrator, while none exists.
    pub setup_token: Mutex<Option<String>>,
    pub files_dir: PathBuf,
    /// Where the support-app binaries to hand out are.
    pub agent_dir: PathBuf,
    /// Cancelled when the server shuts down; live connections close on it.
    pub shutdown: CancellationToken,
    /// Serialises the check-and-record of invitation limits.
    pub invitations_lock: tokio::sync::Mutex<()>,
    /// News about accounts that open connections act on (sign-out, policy).
    pub signals: crate::signals::Signals,
    /// A password hash to verify against when an account is unknown.
    dummy_hash: std::sync::OnceLock<String>,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl AppState {
    pub fn new(
        config: Config,
        store: Store,
        public_url: String,
        setup_token: Option<String>,
    ) -> AppState {
        let now = config.clock.now();
        let files_dir = config.data_dir.join("files");
        let agent_dir = config.agent_dir.clone().unwrap_or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
                .unwrap_or_default()
        });
        AppState {
            inner: Arc::new(Inner {
                throttle: Mutex::new(GuessThrottle::new(config.throttle, now)),
                login_by_address: Mutex::new(GuessThrottle::new(
                    config.login_throttle.per_address,
                    now,
                )),
                login_by_account: Mutex::new(Throttle::new(config.login_throttle.per_account, now)),
                config,
                public_url,
                hubs: Hubs::default(),
                setup_token: Mutex::new(setup_token),
                files_dir,
                agent_dir,
                shutdown: CancellationToken::new(),
                signals: crate::signals::Signals::default(),
                invitations_lock: tokio::sync::Mutex::new(()),
                dummy_hash: std::sync::OnceLock::new(),
            }),
            store,
        }
    }

    pub fn now(&self) -> i64 {
        self.config.clock.now()
    }

    pub fn dummy_hash(&self) -> &str {
        self.dummy_hash
            .get_or_init(|| crate::auth::hash_password("not a password").unwrap_or_default())
    }
}
