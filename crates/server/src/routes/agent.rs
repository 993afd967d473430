//! The support app's side: its download (bound to a session by a single-use
//! ticket), joining by ticket or support key, and its WebSocket, which
//! carries consent answers in and screen frames out.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Json;
use axum::body::Body;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use protocol::{
    AgentCredentials, AgentFrame, AgentJoin, EndReason, RedeemTicket, RevokeReason, ServerToAgent,
};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::access;
use crate::auth::Agent;
use crate::error::ApiError;
use crate::hub::{AgentLink, Hub};
use crate::json::JsonBody;
use crate::sessions;
use crate::state::AppState;

/// Screen frames can be large (a whole picture); chat-sized limits do not fit.
const MAX_AGENT_MESSAGE: usize = 32 * 1024 * 1024;
const HELLO_TIMEOUT: Duration = Duration::from_secs(15);
const PING_EVERY: Duration = Duration::from_secs(20);
/// Marks the configuration block appended to a downloaded support app.
pub const TRAILER_MAGIC: &[u8; 8] = b"TETHERv1";

#[derive(Debug, Deserialize)]
pub struct DownloadQuery {
    ticket: String,
    #[serde(default)]
    platform: Option<String>,
}

/// The platforms the server can hand an app out for, by file name.
fn app_file(platform: &str) -> Option<&'static str> {
    match platform {
        "linux-x86_64" => Some("tether-support"),
        _ => None,
    }
}

fn platform_from(headers: &HeaderMap) -> &'static str {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ua.contains("Windows") {
        "windows-x86_64"
    } else if ua.contains("Macintosh") || ua.contains("Mac OS") {
        "macos"
    } else {
        "linux-x86_64"
    }
}

pub async fn download(
    State(state): State<AppState>,
    Query(q): Query<DownloadQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let platform = q
        .platform
        .as_deref()
        .unwrap_or_else(|| platform_from(&headers));
    let unavailable = || {
        ApiError::NotFound(
            "app_unavailable",
            format!(
                "The support app for your system ({platform}) is not available on this server yet. Your technician can still help you by chat."
            ),
        )
    };
    let file = app_file(platform).ok_or_else(unavailable)?;
    let path = state.agent_dir.join(file);
    let handle = tokio::fs::File::open(&path).await.map_err(|e| {
        tracing::error!(path = %path.display(), error = %e, "support app binary missing");
        unavailable()
    })?;
    let size = handle.metadata().await.map_err(ApiError::internal)?.len();
    access::download_started(&state, &q.ticket).await?;
    let trailer = trailer(&state.public_url, &q.ticket);
    let total = size + trailer.len() as u64;
    let body = tokio_util::io::ReaderStream::new(handle)
        .chain(futures_util::stream::once(async move { Ok(trailer) }));
    let mut response = Body::from_stream(body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"tether-support\""),
    );
    if let Ok(v) = HeaderValue::from_str(&total.to_string()) {
        h.insert(header::CONTENT_LENGTH, v);
    }
    Ok(response)
}

/// The block appended to the app: JSON, its length (u32 LE), the magic. The
/// app reads it from the end of its own file, so it joins by itself.
fn trailer(server: &str, ticket: &str) -> axum::body::Bytes {
    let json = serde_json::json!({ "server": server, "ticket": ticket }).to_string();
    let mut out = json.into_bytes();
    let len = u32::try_from(out.len()).unwrap_or(0);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(TRAILER_MAGIC);
    out.into()
}

pub async fn redeem(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<RedeemTicket>,
) -> Result<Json<AgentCredentials>, ApiError> {
    let (row, token) = access::redeem(&state, req.ticket.trim()).await?;
    Ok(Json(AgentCredentials {
        session_id: row.id,
        agent_token: token,
        technician_name: row.technician_name,
    }))
}

/// `tether-support join <key>`: the app redeems the support key itself (the
/// customer joins through the app), with the same throttling as the web page.
pub async fn join(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    JsonBody(req): JsonBody<AgentJoin>,
) -> Result<Json<AgentCredentials>, ApiError> {
    let (row, _customer_token) = sessions::join(
        &state,
        crate::client_ip::client_ip(peer.ip(), &headers, &state.config.trusted_proxies),
        &req.key,
        req.name.as_deref(),
    )
    .await?;
    let token = access::agent_participant(&state, &row).await?;
    Ok(Json(AgentCredentials {
        session_id: row.id,
        agent_token: token,
        technician_name: row.technician_name,
    }))
}

pub async fn connect(
    State(state): State<AppState>,
    Agent(agent): Agent,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let row = sessions::load(&state, &agent.session_id).await?;
    if row.state == "ended" {
        return Err(ApiError::Gone(
            "session_ended",
            "This session has already ended.".into(),
        ));
    }
    let hub = sessions::hub(&state, &row).await?;
    Ok(ws
        .max_message_size(MAX_AGENT_MESSAGE)
        .max_frame_size(MAX_AGENT_MESSAGE)
        .on_upgrade(move |socket| async move {
            if let Err(e) = run(&state, &hub, socket).await {
                tracing::info!(session = %hub.session_id, error = %e, "support app connection ended");
            }
        }))
}

#[derive(Debug, thiserror::Error)]
enum AgentLoopError {
    #[error("the support app went away: {0}")]
    Socket(#[from] axum::Error),
    #[error("the support app did not introduce itself")]
    NoHello,
    #[error(transparent)]
    Api(#[from] ApiError),
}

async fn run(state: &AppState, hub: &Hub, mut socket: WebSocket) -> Result<(), AgentLoopError> {
    let (platform, hostname, monitors) =
        match tokio::time::timeout(HELLO_TIMEOUT, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                match serde_json::from_str::<AgentFrame>(text.as_str()) {
                    Ok(AgentFrame::Hello {
                        platform,
                        hostname,
                        monitors,
                    }) => (platform, hostname, monitors),
                    _ => return Err(AgentLoopError::NoHello),
                }
            }
            _ => return Err(AgentLoopError::NoHello),
        };
    let (tx, rx) = mpsc::channel::<ServerToAgent>(64);
    let id = state.hubs.next_link_id();
    // Reading and writing run apart: while a large write waits for the app
    // to read, its frames (and its Stop) are still read here. One loop doing
    // both could deadlock with an app that is itself blocked writing.
    let (sink, mut stream) = socket.split();
    let writer_done = tokio_util::sync::CancellationToken::new();
    let done = writer_done.clone();
    let shutdown = state.shutdown.clone();
    let writer = tokio::spawn(async move {
        let result = write_commands(sink, rx, shutdown).await;
        done.cancel();
        if let Err(e) = result {
            tracing::debug!(error = %e, "writing to the support app stopped");
        }
    });
    access::agent_connected(
        state,
        hub,
        AgentLink { id, tx },
        platform,
        hostname,
        monitors,
    )
    .await?;
    let result = read_frames(state, hub, &mut stream, &writer_done).await;
    writer.abort();
    access::agent_disconnected(state, hub, id).await?;
    result
}

/// Sends the app its commands until the link closes (replaced, session
/// ended) or the server stops.
async fn write_commands(
    mut sink: futures_util::stream::SplitSink<WebSocket, Message>,
    mut rx: mpsc::Receiver<ServerToAgent>,
    shutdown: tokio_util::sync::CancellationToken,
) -> Result<(), axum::Error> {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => {
                let frame = CloseFrame { code: 1012, reason: "server restarting".into() };
                return sink.send(Message::Close(Some(frame))).await;
            }
            _ = ping.tick() => sink.send(Message::Ping(Default::default())).await?,
            command = rx.recv() => match command {
                Some(command) => {
                    let last = matches!(command, ServerToAgent::Ended { .. });
                    let text = serde_json::to_string(&command).map_err(axum::Error::new)?;
                    sink.send(Message::Text(text.into())).await?;
                    if last {
                        let frame = CloseFrame { code: 1000, reason: "session ended".into() };
                        return sink.send(Message::Close(Some(frame))).await;
                    }
                }
                // A newer connection of the app replaced this one.
                None => return sink.close().await,
            },
        }
    }
}

async fn read_frames(
    state: &AppState,
    hub: &Hub,
    stream: &mut futures_util::stream::SplitStream<WebSocket>,
    writer_done: &tokio_util::sync::CancellationToken,
) -> Result<(), AgentLoopError> {
    let mut dropped: u64 = 0;
    loop {
        let incoming = tokio::select! {
            incoming = stream.next() => incoming,
            () = writer_done.cancelled() => return Ok(()),
        };
        match incoming {
            None | Some(Ok(Message::Close(_))) => return Ok(()),
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(Message::Binary(frame))) => {
                // Slows the app to the viewers' pace rather than relaying
                // frames that would be overwritten unread. The grant is
                // checked after the wait, when the frame is relayed.
                hub.room_for_frame().await;
                if !hub.relay_frame(frame) {
                    // Without a current grant nothing is relayed (the app
                    // should not have sent it).
                    dropped += 1;
                    if dropped == 1 || dropped.is_power_of_two() {
                        tracing::warn!(session = %hub.session_id, dropped, "frame without a grant dropped");
                    }
                }
            }
            Some(Ok(Message::Text(text))) => handle(state, hub, text.as_str()).await?,
            Some(Ok(_)) => {}
        }
    }
}

async fn handle(state: &AppState, hub: &Hub, text: &str) -> Result<(), AgentLoopError> {
    let frame = match serde_json::from_str::<AgentFrame>(text) {
        Ok(frame) => frame,
        Err(e) => {
            tracing::warn!(session = %hub.session_id, error = %e, "support app sent a frame we do not understand");
            return Ok(());
        }
    };
    let row = sessions::load(state, &hub.session_id).await?;
    let customer = access::customer_actor(&row);
    let outcome = match frame {
        AgentFrame::Hello { monitors, .. } => {
            hub.live().monitors = monitors;
            hub.publish_row().await;
            Ok(())
        }
        AgentFrame::Prompted { request_id } => {
            access::prompted(hub, request_id).await;
            Ok(())
        }
        AgentFrame::Consent { request_id, allow } => {
            access::answer(state, hub, request_id, allow, customer).await
        }
        AgentFrame::StopSharing => {
            access::revoke(state, &row, customer, RevokeReason::Customer).await
        }
        AgentFrame::EndSession => sessions::end(state, &row, EndReason::Customer, customer)
            .await
            .map(|_| ()),
    };
    match outcome {
        Ok(()) => Ok(()),
        Err(ApiError::Internal(e)) => Err(ApiError::Internal(e).into()),
        // A late or duplicate answer (request withdrawn, already ended) changes nothing.
        Err(e) => {
            tracing::info!(session = %hub.session_id, code = e.code(), "support app request refused");
            Ok(())
        }
    }
}
