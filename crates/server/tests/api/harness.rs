//! Starts a real server for one test and talks to it like a client would.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use server::{Application, Clock, Config};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "correct horse battery";

/// Runs a scenario once per database backend.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::harness::Backend::Postgres).await;
                }
            )*
        }
    };
}
pub(crate) use both_backends;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database for one test.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("test.db").display()),
        Backend::Postgres => {
            let base = std::env::var("TETHER_TEST_DATABASE_URL").expect(
                "TETHER_TEST_DATABASE_URL is not set: run scripts/test.sh, which starts PostgreSQL",
            );
            use sqlx::Connection as _;
            let mut admin = sqlx::PgConnection::connect(&base)
                .await
                .expect("connect to PostgreSQL");
            let name = format!("t_{}", uuid_like());
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut admin)
                .await
                .expect("create test database");
            let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
            format!("{prefix}/{name}")
        }
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

pub struct TestApp {
    pub url: String,
    pub ws_url: String,
    pub client: reqwest::Client,
    pub clock: Clock,
    pub state: server::AppState,
    pub config: Config,
    pub dir: std::sync::Arc<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = std::sync::Arc::new(tempfile::tempdir().expect("temp dir"));
    let mut config = Config::new(dir.path().join("data"));
    config.listen = "127.0.0.1:0".parse().expect("address");
    config.database_url = Some(fresh_database(backend, dir.path()).await);
    config.clock = Clock::manual(1_800_000_000_000);
    // Sweeps are triggered by the tests themselves.
    config.sweep_interval = Duration::from_secs(3600);
    adjust(&mut config);
    start(config, dir).await
}

pub async fn start(config: Config, dir: std::sync::Arc<tempfile::TempDir>) -> TestApp {
    let app = Application::build(config.clone())
        .await
        .expect("server builds");
    let url = format!("http://{}", app.address());
    let ws_url = format!("ws://{}", app.address());
    let state = app.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = stopped.await;
        })
        .await
        .expect("server runs");
    });
    TestApp {
        url,
        ws_url,
        client: reqwest::Client::new(),
        clock: config.clock.clone(),
        state,
        config,
        dir,
        stop: Some(stop),
        handle: Some(handle),
    }
}

impl TestApp {
    /// Stops the server and waits until it has closed everything.
    pub async fn stop(mut self) -> (Config, std::sync::Arc<tempfile::TempDir>) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task ends cleanly");
        }
        (self.config.clone(), self.dir.clone())
    }

    /// Creates an account directly in the store and signs it in.
    pub async fn technician(&self, email: &str) -> String {
        self.account(email, "technician", Some("default")).await
    }

    /// An administrator of every group, signed in.
    pub async fn admin(&self, email: &str) -> String {
        self.account(email, "admin", None).await
    }

    pub async fn account(&self, email: &str, role: &str, group: Option<&str>) -> String {
        let hash = server::auth::hash_password(PASSWORD).expect("hash");
        self.state
            .store
            .create_user(&store::NewUser {
                id: server::new_id(),
                email: email.into(),
                name: format!("Tech {email}"),
                password_hash: hash,
                role: role.into(),
                created_at: self.clock.now(),
                group_id: group.map(str::to_owned),
            })
            .await
            .expect("create user");
        self.login(email, PASSWORD).await.1["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    pub async fn login(&self, email: &str, password: &str) -> (StatusCode, Value) {
        self.post_json(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut req = self.client.post(format!("{}{path}", self.url)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request")).await
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.url))
            .json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request")).await
    }

    pub async fn patch_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.send_json(reqwest::Method::PATCH, path, token, body)
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.client.get(format!("{}{path}", self.url));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        read(req.send().await.expect("request")).await
    }

    /// Starts a session; returns its JSON.
    pub async fn start_session(&self, token: &str) -> Value {
        let (status, body) = self
            .post_json("/api/v1/sessions", Some(token), json!({}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    pub async fn join(&self, key: &str, name: &str) -> (StatusCode, Value) {
        self.post_json("/api/v1/join", None, json!({"key": key, "name": name}))
            .await
    }

    /// Starts a session and joins it; returns (session id, customer token).
    pub async fn joined_session(&self, tech: &str) -> (String, String) {
        let s = self.start_session(tech).await;
        let (status, j) = self.join(s["key"].as_str().expect("key"), "Alex").await;
        assert_eq!(status, StatusCode::OK, "{j}");
        (
            s["id"].as_str().expect("id").into(),
            j["customer_token"].as_str().expect("token").into(),
        )
    }

    /// The kinds of a session's timeline events, in order.
    pub async fn timeline_kinds(&self, session: &str, token: &str) -> Vec<String> {
        let (_, all) = self
            .get(&format!("/api/v1/sessions/{session}/messages"), Some(token))
            .await;
        all["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["kind"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    pub async fn say(&self, session: &str, token: &str, text: &str) -> (StatusCode, Value) {
        self.post_json(
            &format!("/api/v1/sessions/{session}/messages"),
            Some(token),
            json!({"text": text}),
        )
        .await
    }
}

pub async fn read(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// Asserts an error answer: status, code, and a sentence for people.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "{}", got.1);
    assert_eq!(got.1["error"], code, "{}", got.1);
    let message = got.1["message"].as_str().unwrap_or_default();
    assert!(
        message.len() > 10 && message.ends_with('.'),
        "message should be a sentence: {message:?}"
    );
}
