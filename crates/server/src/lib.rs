//! Tether's server: HTTP API, WebSocket live sessions and the web apps, on
//! one port.
//!
//! Layout:
//! - [`Application`] builds the server from a [`Config`] and runs it; tests
//!   use it with port 0 and a fresh database.
//! - `routes/` holds the thin HTTP handlers, one file per area.
//! - `sessions` applies the session rules (keys, chat, files, end, expiry);
//!   both the HTTP handlers and the WebSocket loop go through it.
//! - `hub` keeps the live state of sessions in use and broadcasts events.
//! - `auth` turns tokens and cookies into callers; `views` turns rows into
//!   what each side is shown; `error` maps failures to status codes.

mod access;
mod accounts;
pub mod auth;
mod client_ip;
mod config;
mod error;
mod hub;
mod json;
mod messaging;
mod policy;
mod routes;
mod sessions;
mod signals;
mod state;
mod views;

use std::net::SocketAddr;

use tokio::net::TcpListener;

pub use accounts::{AccountError, validate_new_user};
pub use config::{Clock, Config, LoginThrottleConfig};
pub use error::ApiError;
pub use state::AppState;

/// A new time-ordered unique id for rows (UUIDv7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Errors that stop the server from starting or running.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create the data folder {0}")]
    DataDir(String, #[source] std::io::Error),
    #[error("cannot open the database")]
    Store(#[from] store::StoreError),
    #[error("cannot listen on {0}")]
    Bind(SocketAddr, #[source] std::io::Error),
    #[error("the server stopped with an error")]
    Serve(#[source] std::io::Error),
}

/// A built server, bound to its port, ready to run.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
    address: SocketAddr,
}

impl Application {
    pub async fn build(config: Config) -> Result<Application, ServerError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| ServerError::DataDir(config.data_dir.display().to_string(), e))?;
        let store = store::Store::open(&config.database_url()).await?;
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| ServerError::Bind(config.listen, e))?;
        let address = listener
            .local_addr()
            .map_err(|e| ServerError::Bind(config.listen, e))?;
        let public_url = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"))
            .trim_end_matches('/')
            .to_owned();
        let setup_token = if store.count_admins().await? == 0 {
            Some(auth::random_secret())
        } else {
            None
        };
        let state = AppState::new(config, store, public_url, setup_token);
        Ok(Application {
            listener,
            state,
            address,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn public_url(&self) -> &str {
        &self.state.public_url
    }

    /// The one-time first-administrator link, while no administrator exists.
    pub fn setup_url(&self) -> Option<String> {
        let token = self
            .state
            .setup_token
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()?;
        Some(format!("{}/setup?token={token}", self.state.public_url))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs until `stop` resolves, then closes live connections (telling
    /// clients to reconnect) and waits for requests in flight.
    pub async fn run_until_stopped(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let state = self.state.clone();
        let sweeper = tokio::spawn(sweep_periodically(state.clone()));
        let shutdown = state.shutdown.clone();
        let app = routes::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        // Screen updates and input are small messages that must leave at
        // once: Nagle's algorithm would hold a frame's last segment until
        // the peer's delayed acknowledgement (up to 40 ms on Linux).
        let listener = axum::serve::ListenerExt::tap_io(self.listener, |tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "cannot set TCP_NODELAY on a connection");
            }
        });
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                stop.await;
                shutdown.cancel();
            })
            .await;
        sweeper.abort();
        state.store.close().await;
        result.map_err(ServerError::Serve)
    }
}

/// Runs one sweep now: ends sessions whose key expired unused and removes
/// files past their retention. The server also does this periodically.
pub async fn sweep(state: &AppState) -> Result<(), ApiError> {
    sessions::sweep(state).await
}

async fn sweep_periodically(state: AppState) {
    let mut every = tokio::time::interval(state.config.sweep_interval);
    loop {
        every.tick().await;
        if let Err(e) = sessions::sweep(&state).await {
            tracing::error!(error = %e, "periodic sweep failed");
        }
    }
}
