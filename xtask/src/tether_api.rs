//! The technician's side of a running server as the benchmarks use it: the
//! HTTP API with a bearer token, and the console's session WebSocket up to
//! the technician's `hello`.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use futures_util::StreamExt as _;
use protocol::{LoginRequest, LoginResponse, Role, ServerFrame};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The HTTP API of one server, signed in or not (`token` empty).
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    /// Signs in at the server on `address` and keeps the token.
    pub async fn sign_in(address: SocketAddr, email: &str, password: &str) -> anyhow::Result<Api> {
        Api::sign_in_with(reqwest::Client::new(), address, email, password).await
    }

    /// Like [`Api::sign_in`], through a client of the caller's making.
    pub async fn sign_in_with(
        http: reqwest::Client,
        address: SocketAddr,
        email: &str,
        password: &str,
    ) -> anyhow::Result<Api> {
        let api = Api {
            http,
            base: format!("http://{address}"),
            token: String::new(),
        };
        let login: LoginResponse = api
            .post(
                "/api/v1/auth/login",
                &LoginRequest {
                    email: email.into(),
                    password: password.into(),
                },
            )
            .await
            .context("cannot sign in")?;
        Ok(Api {
            token: login.token,
            ..api
        })
    }

    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> anyhow::Result<R> {
        let mut request = self.http.post(format!("{}{path}", self.base)).json(body);
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        answer(request.send().await, "POST", path).await
    }

    /// The same server without the token, for the customer's side.
    pub fn anonymous(&self) -> Api {
        Api {
            http: self.http.clone(),
            base: self.base.clone(),
            token: String::new(),
        }
    }

    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> anyhow::Result<R> {
        let request = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        answer(request.send().await, "GET", path).await
    }
}

async fn answer<R: DeserializeOwned>(
    response: reqwest::Result<reqwest::Response>,
    method: &str,
    path: &str,
) -> anyhow::Result<R> {
    let response = response.with_context(|| format!("{method} {path} failed"))?;
    let status = response.status();
    if !status.is_success() {
        let text = response.text().await.unwrap_or_default();
        bail!("{method} {path} answered {status}: {text}");
    }
    response
        .json()
        .await
        .with_context(|| format!("the answer of {method} {path} is unreadable"))
}

/// A WebSocket to `path` on the server at `address` (TCP_NODELAY, as
/// browsers set it), authenticated with `Bearer token`.
pub async fn open_socket(
    address: SocketAddr,
    path: &str,
    token: &str,
    config: Option<WebSocketConfig>,
) -> anyhow::Result<WebSocketStream<TcpStream>> {
    let stream = TcpStream::connect(address)
        .await
        .context("cannot connect to the server")?;
    stream.set_nodelay(true).context("cannot set TCP_NODELAY")?;
    let mut request = format!("ws://{address}{path}")
        .into_client_request()
        .context("cannot build the WebSocket request")?;
    request.headers_mut().insert(
        header::AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).context("bad token")?,
    );
    let (socket, _) = tokio_tungstenite::client_async_with_config(request, stream, config)
        .await
        .with_context(|| format!("the WebSocket {path} did not open"))?;
    Ok(socket)
}

/// The console's session WebSocket, read up to and including the
/// technician's `hello`.
pub async fn console_socket(
    address: SocketAddr,
    session_id: &str,
    token: &str,
    config: Option<WebSocketConfig>,
) -> anyhow::Result<WebSocketStream<TcpStream>> {
    let path = format!("/api/v1/sessions/{session_id}/ws");
    let mut socket = open_socket(address, &path, token, config).await?;
    match socket.next().await {
        Some(Ok(Message::Text(text))) => match serde_json::from_str::<ServerFrame>(&text) {
            Ok(ServerFrame::Hello { you, .. }) if you.role == Role::Technician => Ok(socket),
            other => bail!("the first frame is not a technician's hello: {other:?}"),
        },
        other => bail!("no hello on the console WebSocket: {other:?}"),
    }
}
