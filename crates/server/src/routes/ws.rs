//! The live connection of one participant: replay what they missed, then
//! stream new events and session changes, and take chat messages.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use protocol::{ClientFrame, ServerFrame, ServerToAgent};
use serde::Deserialize;
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::hub::{Hub, HubMessage, MediaFrame};
use crate::routes::sessions::{participant_session, view_for};
use crate::sessions;
use crate::signals::{SIGNED_OUT_CLOSE, Signal};
use crate::state::AppState;
use crate::views;

/// Small buffers keep an idle participant cheap (see the chat benchmark);
/// chat frames are far below them.
const READ_BUFFER: usize = 4 * 1024;
const MAX_MESSAGE: usize = 64 * 1024;
const PING_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize)]
pub struct WsQuery {
    #[serde(default)]
    after: Option<i64>,
}

pub async fn connect(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<WsQuery>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let row = participant_session(&state, &caller, &id).await?;
    let hub = sessions::hub(&state, &row).await?;
    let after = q.after.unwrap_or(0).max(0);
    Ok(ws
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(MAX_MESSAGE)
        .max_frame_size(MAX_MESSAGE)
        .on_upgrade(move |socket| async move {
            let role = caller.actor().role;
            hub.connected(role).await;
            if let Err(e) = run(&state, &hub, &caller, after, socket).await {
                tracing::debug!(session = %hub.session_id, error = %e, "connection closed");
            }
            hub.disconnected(role).await;
        }))
}

/// Why a connection loop stopped early.
#[derive(Debug, thiserror::Error)]
enum LoopError {
    #[error("the peer went away: {0}")]
    Socket(#[from] axum::Error),
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// The connection loop, generic over the socket so it can run on channels.
async fn run<S>(
    state: &AppState,
    hub: &Hub,
    caller: &Caller,
    mut last_seq: i64,
    mut socket: S,
) -> Result<(), LoopError>
where
    S: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin,
{
    // A technician's connection closes at once when the account is signed
    // out everywhere (disabled, new password). Subscribed first, then the
    // sign-in checked again: a sign-out is either seen here or signalled.
    let technician = match caller {
        Caller::Technician(t) => Some(t.user.id.as_str()),
        Caller::Customer(_) => None,
    };
    let mut signals = technician.map(|_| state.signals.subscribe());
    if let Caller::Technician(t) = caller
        && state
            .store
            .user_for_token(&t.token_hash, state.now())
            .await
            .map_err(ApiError::from)?
            .is_none()
    {
        return close(&mut socket, SIGNED_OUT_CLOSE, "signed out").await;
    }
    // Subscribe before replaying: whatever is published meanwhile is either in
    // the replay or arrives here, and `last_seq` drops the overlap.
    let mut rx = hub.subscribe();
    // Read again after subscribing (the upgrade's read may be stale by now):
    // an end in between is then either in this row or on `rx`.
    let row = participant_session(state, caller, &hub.session_id).await?;
    send(
        &mut socket,
        &ServerFrame::Hello {
            you: caller.actor(),
            session: view_for(state, &row, caller),
        },
    )
    .await?;
    replay(state, hub, &mut socket, &mut last_seq).await?;
    if row.state == "ended" {
        return close(&mut socket, 1000, "session ended").await;
    }
    // Only the technician sees the customer's screen.
    let mut media = matches!(caller, Caller::Technician(_)).then(|| hub.subscribe_media());
    if media.is_some() && hub.frames_allowed() {
        ask_for_picture(hub).await;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => {
                return close(&mut socket, 1012, "server restarting").await;
            }
            signal = next_signal(&mut signals) => match signal {
                Ok(signal) => {
                    if technician.is_some_and(|id| signal.signs_out(id).is_some()) {
                        return close(&mut socket, SIGNED_OUT_CLOSE, "signed out").await;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    if let Caller::Technician(t) = caller
                        && state.store.user_for_token(&t.token_hash, state.now()).await.map_err(ApiError::from)?.is_none()
                    {
                        return close(&mut socket, SIGNED_OUT_CLOSE, "signed out").await;
                    }
                }
                Err(RecvError::Closed) => signals = None,
            },
            _ = ping.tick() => {
                socket.send(Message::Ping(Default::default())).await?;
            }
            received = rx.recv() => match received {
                Ok(HubMessage::Event(event)) => {
                    if event.seq > last_seq {
                        // Serialised once for every connection of the session.
                        socket.send(Message::Text(event.frame.clone())).await?;
                        last_seq = event.seq;
                    }
                }
                Ok(HubMessage::Session(row)) => {
                    send(&mut socket, &ServerFrame::Session { session: view_for(state, &row, caller) }).await?;
                    if row.state == "ended" {
                        return close(&mut socket, 1000, "session ended").await;
                    }
                }
                Err(RecvError::Lagged(_)) => replay(state, hub, &mut socket, &mut last_seq).await?,
                Err(RecvError::Closed) => return Ok(()),
            },
            frame = next_media(&mut media) => match frame {
                Ok(frame) => {
                    hub.media_taken(&frame);
                    socket.send(Message::Binary(frame.bytes)).await?;
                }
                // This viewer fell behind and lost frames: it needs a whole picture.
                Err(RecvError::Lagged(_)) => ask_for_picture(hub).await,
                Err(RecvError::Closed) => media = None,
            },
            incoming = socket.next() => match incoming {
                None | Some(Ok(Message::Close(_))) => return Ok(()),
                Some(Err(e)) => return Err(e.into()),
                Some(Ok(Message::Text(text))) => handle_frame(state, hub, caller, &mut socket, text.as_str()).await?,
                Some(Ok(Message::Binary(_))) => {
                    send(&mut socket, &bad_frame("Binary frames are not accepted on this connection.", None)).await?;
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

/// The next account signal for a technician; never resolves for customers.
async fn next_signal(
    signals: &mut Option<broadcast::Receiver<Signal>>,
) -> Result<Signal, RecvError> {
    match signals {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// The next screen frame for a viewer; never resolves for other callers.
async fn next_media(
    media: &mut Option<broadcast::Receiver<MediaFrame>>,
) -> Result<MediaFrame, RecvError> {
    match media {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn ask_for_picture(hub: &Hub) {
    let epoch = hub.current_epoch();
    to_app_under(hub, epoch, ServerToAgent::Refresh { epoch }, "refresh").await;
}

/// Passes `frame` to the support app if `epoch` is the grant in force; a
/// frame meant for an ended or another grant is dropped.
async fn to_app_under(hub: &Hub, epoch: u64, frame: ServerToAgent, what: &str) {
    if epoch != 0
        && hub.current_epoch() == epoch
        && let Some(agent) = hub.agent()
        && agent.tx.send(frame).await.is_err()
    {
        tracing::debug!(session = %hub.session_id, "support app gone; {what} dropped");
    }
}

async fn handle_frame<S>(
    state: &AppState,
    hub: &Hub,
    caller: &Caller,
    socket: &mut S,
    text: &str,
) -> Result<(), LoopError>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    let frame = match serde_json::from_str::<ClientFrame>(text) {
        Ok(frame) => frame,
        Err(e) => {
            let message = format!("This message is not understood: {e}.");
            return Ok(send(socket, &bad_frame(&message, None)).await?);
        }
    };
    let technician = matches!(caller, Caller::Technician(_));
    match frame {
        ClientFrame::Input { .. }
        | ClientFrame::SelectMonitor { .. }
        | ClientFrame::Refresh { .. }
        | ClientFrame::View { .. }
            if !technician =>
        {
            Ok(send(
                socket,
                &bad_frame("Only the technician can send this.", None),
            )
            .await?)
        }
        ClientFrame::Input { epoch, events } => {
            // Checked here, and again by the support app against its own grant.
            if !hub.input_allowed(epoch) {
                let refused = ServerFrame::Error {
                    error: "no_control".into(),
                    message: "Input was not sent: the customer has not granted remote control."
                        .into(),
                    client_id: None,
                };
                return Ok(send(socket, &refused).await?);
            }
            if let Some(agent) = hub.agent()
                && agent
                    .tx
                    .send(ServerToAgent::Input { epoch, events })
                    .await
                    .is_err()
            {
                tracing::debug!(session = %hub.session_id, "support app gone; input dropped");
            }
            Ok(())
        }
        ClientFrame::SelectMonitor { epoch, monitor } => {
            let frame = ServerToAgent::SelectMonitor { epoch, monitor };
            to_app_under(hub, epoch, frame, "monitor switch").await;
            Ok(())
        }
        ClientFrame::Refresh { epoch } => {
            to_app_under(hub, epoch, ServerToAgent::Refresh { epoch }, "refresh").await;
            Ok(())
        }
        ClientFrame::View { width, height, .. } if width == 0 || height == 0 => Ok(send(
            socket,
            &bad_frame("The viewer's size must be at least 1 × 1 pixels.", None),
        )
        .await?),
        ClientFrame::View {
            epoch,
            width,
            height,
        } => {
            let frame = ServerToAgent::View {
                epoch,
                width,
                height,
            };
            to_app_under(hub, epoch, frame, "viewer size").await;
            Ok(())
        }
        ClientFrame::Chat { text, client_id } => {
            match sessions::chat(state, hub, caller, text, client_id.clone()).await {
                Ok(_) => Ok(()),
                Err(ApiError::Internal(e)) => Err(ApiError::Internal(e).into()),
                Err(e) => Ok(send(
                    socket,
                    &ServerFrame::Error {
                        error: e.code().into(),
                        message: e.to_string(),
                        client_id,
                    },
                )
                .await?),
            }
        }
    }
}

fn bad_frame(message: &str, client_id: Option<String>) -> ServerFrame {
    ServerFrame::Error {
        error: "bad_frame".into(),
        message: message.into(),
        client_id,
    }
}

async fn replay<S>(
    state: &AppState,
    hub: &Hub,
    socket: &mut S,
    last_seq: &mut i64,
) -> Result<(), LoopError>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    for event in state
        .store
        .events_after(&hub.session_id, *last_seq)
        .await
        .map_err(ApiError::from)?
    {
        send(
            socket,
            &ServerFrame::Event {
                event: views::event(&event),
            },
        )
        .await?;
        *last_seq = event.seq;
    }
    Ok(())
}

async fn send<S>(socket: &mut S, frame: &ServerFrame) -> Result<(), axum::Error>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    let text = serde_json::to_string(frame).map_err(axum::Error::new)?;
    socket.send(Message::Text(text.into())).await
}

async fn close<S>(socket: &mut S, code: u16, reason: &'static str) -> Result<(), LoopError>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await?;
    Ok(())
}
