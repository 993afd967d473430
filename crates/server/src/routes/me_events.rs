//! `GET /api/v1/me/events`: the console's account connection. It tells the
//! console at once when its account is signed out (disabled by an
//! administrator, a new password) and when its group's policy changes.

use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::StreamExt;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::Technician;
use crate::error::ApiError;
use crate::signals::SIGNED_OUT_CLOSE;
use crate::state::AppState;

const PING_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

pub async fn connect(
    State(state): State<AppState>,
    tech: Technician,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    Ok(ws
        .read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(4 * 1024)
        .on_upgrade(move |socket| async move {
            if let Err(e) = run(&state, &tech, socket).await {
                tracing::debug!(user = %tech.user.id, error = %e, "account connection closed");
            }
        }))
}

async fn run(
    state: &AppState,
    tech: &Technician,
    mut socket: WebSocket,
) -> Result<(), axum::Error> {
    let mut signals = state.signals.subscribe();
    // The account may have been disabled between the upgrade and now.
    if state
        .store
        .user_for_token(&tech.token_hash, state.now())
        .await
        .ok()
        .flatten()
        .is_none()
    {
        return signed_out(&mut socket, "signed_out").await;
    }
    let mut group = tech.user.group_id.clone();
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    loop {
        tokio::select! {
            () = state.shutdown.cancelled() => {
                return close(&mut socket, 1012, "server restarting").await;
            }
            _ = ping.tick() => socket.send(Message::Ping(Default::default())).await?,
            signal = signals.recv() => match signal {
                Ok(signal) => {
                    if let Some(reason) = signal.signs_out(&tech.user.id) {
                        return signed_out(&mut socket, reason.as_str()).await;
                    }
                    if signal.changes_settings(&tech.user.id, group.as_deref()) {
                        let Some(user) = state.store.user(&tech.user.id).await.ok().flatten() else {
                            continue;
                        };
                        group.clone_from(&user.group_id);
                        match crate::routes::account::me_response(state, &user).await {
                            Ok(me) => {
                                let text = json!({ "type": "settings", "settings": me.settings, "user": me.user }).to_string();
                                socket.send(Message::Text(text.into())).await?;
                            }
                            Err(e) => tracing::warn!(error = %e, "cannot load changed settings"),
                        }
                    }
                }
                // Missed signals: check the account is still signed in.
                Err(RecvError::Lagged(_)) => {
                    if state.store.user_for_token(&tech.token_hash, state.now()).await.ok().flatten().is_none() {
                        return signed_out(&mut socket, "signed_out").await;
                    }
                }
                Err(RecvError::Closed) => return Ok(()),
            },
            incoming = socket.next() => match incoming {
                None | Some(Ok(Message::Close(_))) => return Ok(()),
                Some(Err(e)) => return Err(e),
                Some(Ok(_)) => {}
            },
        }
    }
}

async fn signed_out(socket: &mut WebSocket, reason: &str) -> Result<(), axum::Error> {
    let text = json!({ "type": "signed_out", "reason": reason }).to_string();
    socket.send(Message::Text(text.into())).await?;
    close(socket, SIGNED_OUT_CLOSE, "signed out").await
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) -> Result<(), axum::Error> {
    socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        })))
        .await
}
