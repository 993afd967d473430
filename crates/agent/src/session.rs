//! The app's connection to its session: joins, introduces itself, shows the
//! server's requests to the customer, and moves screen updates out and
//! input in — each step gated by the app's own [`LocalGrant`].

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use prompt::{Ui, UiCommand, UiEvent};
use protocol::{AccessKind, AgentCredentials, AgentFrame, InputEvent, ServerToAgent};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::AgentError;
use crate::config::Launch;
use crate::control::ControlGrant;
use crate::grant::LocalGrant;
use crate::screen::{ShareControl, Update};

use crate::transport::{ConnectError, Socket, Transport};

/// Everything the loop talks to.
pub struct Parts {
    pub ui: Box<dyn Ui>,
    pub ui_events: mpsc::UnboundedReceiver<UiEvent>,
    pub share: Arc<ShareControl>,
    /// Taken by the writer task while connected, and given back after.
    pub updates: Option<mpsc::Receiver<Update>>,
    pub control: Arc<ControlGrant>,
    pub input: std::sync::mpsc::Sender<(u64, Vec<InputEvent>)>,
    pub monitors: Vec<protocol::MonitorInfo>,
    pub hostname: String,
}

impl std::fmt::Debug for Parts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Parts")
            .field("hostname", &self.hostname)
            .finish_non_exhaustive()
    }
}

/// How a connection ended.
enum Outcome {
    /// The session is over (ended, or the customer closed the app).
    Finished,
    /// The network dropped: try again.
    Lost,
}

/// Runs until the session ends or the customer closes the app.
pub async fn run(
    launch: &Launch,
    transport: &Transport,
    creds: &AgentCredentials,
    mut parts: Parts,
) -> Result<(), AgentError> {
    crate::transport::websocket_url(&launch.server)?;
    let mut backoff = Duration::from_millis(500);
    ui(
        &parts,
        UiCommand::Status {
            text: String::new(),
        },
    );
    loop {
        match transport.connect(&launch.server, &creds.agent_token).await {
            Ok(socket) => {
                backoff = Duration::from_millis(500);
                match serve(socket, &mut parts).await? {
                    Outcome::Finished => return Ok(()),
                    Outcome::Lost => {}
                }
            }
            Err(ConnectError::Gone) => {
                ui(&parts, UiCommand::Ended { text: None });
                wait_for_close(&mut parts).await;
                return Ok(());
            }
            Err(ConnectError::Retry(e)) => tracing::warn!(error = %e, "cannot reach the server"),
        }
        stop_sharing_locally(&parts, &mut LocalGrant::default());
        ui(
            &parts,
            UiCommand::Status {
                text: reconnecting_text(),
            },
        );
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            Some(event) = parts.ui_events.recv() => {
                if matches!(event, UiEvent::EndSession | UiEvent::Closed) {
                    return Ok(());
                }
            }
        }
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

fn reconnecting_text() -> String {
    match prompt::Lang::from_env() {
        prompt::Lang::De => "Verbindung wird wiederhergestellt …".into(),
        prompt::Lang::En => "Reconnecting…".into(),
    }
}

fn ui(parts: &Parts, command: UiCommand) {
    if let Err(e) = parts.ui.send(command) {
        tracing::error!(error = %e, "the app's window is gone");
    }
}

/// Queues a frame for the writer task; never waits for the network.
fn send(out: &mpsc::UnboundedSender<Message>, frame: &AgentFrame) -> Result<(), String> {
    let text = serde_json::to_string(frame).map_err(|e| e.to_string())?;
    out.send(Message::text(text))
        .map_err(|_| "the connection is closed".to_owned())
}

/// Writes queued frames and screen updates. Runs apart from reading, so that
/// a large write waiting on the network never stops the app from reading a
/// revocation (or the server from reading our frames).
async fn write_loop(
    mut sink: futures_util::stream::SplitSink<Socket, Message>,
    mut out: mpsc::UnboundedReceiver<Message>,
    mut updates: mpsc::Receiver<Update>,
    share: Arc<ShareControl>,
) -> mpsc::Receiver<Update> {
    loop {
        let message = tokio::select! {
            biased;
            queued = out.recv() => match queued {
                Some(m) => m,
                None => break,
            },
            Some(update) = updates.recv() => {
                // Only pictures taken under the grant that still holds leave.
                if share.epoch() != update.epoch {
                    continue;
                }
                Message::binary(update.bytes)
            }
        };
        if let Err(e) = sink.send(message).await {
            tracing::warn!(error = %e, "connection lost while writing");
            break;
        }
    }
    updates
}

fn stop_sharing_locally(parts: &Parts, grant: &mut LocalGrant) {
    parts.share.stop();
    parts.control.clear();
    if grant.revoke(None).is_some() {
        ui(parts, UiCommand::NotSharing);
    }
}

fn prompt_access(access: AccessKind) -> prompt::Access {
    match access {
        AccessKind::View => prompt::Access::View,
        AccessKind::Control => prompt::Access::Control,
    }
}

async fn serve(socket: Socket, parts: &mut Parts) -> Result<Outcome, AgentError> {
    let (sink, mut stream) = socket.split();
    let (out, out_rx) = mpsc::unbounded_channel();
    let Some(updates) = parts.updates.take() else {
        return Err(AgentError::Protocol("screen updates already taken".into()));
    };
    let writer = tokio::spawn(write_loop(sink, out_rx, updates, parts.share.clone()));
    let outcome = read_loop(&mut stream, &out, parts).await;
    drop(out);
    match writer.await {
        Ok(updates) => parts.updates = Some(updates),
        Err(e) => return Err(AgentError::Protocol(format!("the writer task failed: {e}"))),
    }
    outcome
}

async fn read_loop(
    socket: &mut futures_util::stream::SplitStream<Socket>,
    out: &mpsc::UnboundedSender<Message>,
    parts: &mut Parts,
) -> Result<Outcome, AgentError> {
    let hello = AgentFrame::Hello {
        platform: "linux-x86_64".into(),
        hostname: parts.hostname.clone(),
        monitors: parts.monitors.clone(),
    };
    if let Err(e) = send(out, &hello) {
        tracing::warn!(error = %e, "connection lost while introducing the app");
        return Ok(Outcome::Lost);
    }
    let mut grant = LocalGrant::default();
    // What each open prompt showed the customer.
    let mut asked: HashMap<u64, AccessKind> = HashMap::new();
    let mut ending = false;
    loop {
        tokio::select! {
            incoming = socket.next() => {
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                        stop_sharing_locally(parts, &mut grant);
                        return Ok(if ending { Outcome::Finished } else { Outcome::Lost });
                    }
                    Some(Ok(_)) => continue,
                };
                let command = match serde_json::from_str::<ServerToAgent>(text.as_str()) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "server sent something this app does not understand");
                        continue;
                    }
                };
                match command {
                    ServerToAgent::Welcome { technician, .. } => ui(parts, UiCommand::Connected { technician }),
                    ServerToAgent::Request { request_id, access, technician } => {
                        asked.insert(request_id, access);
                        ui(parts, UiCommand::Ask { id: request_id, technician, access: prompt_access(access) });
                        if let Err(e) = send(out, &AgentFrame::Prompted { request_id }) {
                            tracing::warn!(error = %e, "cannot tell the server the prompt is shown");
                        }
                    }
                    ServerToAgent::Cancel { request_id } => {
                        asked.remove(&request_id);
                        ui(parts, UiCommand::CancelAsk { id: request_id });
                    }
                    ServerToAgent::Grant { request_id, epoch, access } => match grant.server_granted(request_id, epoch, access) {
                        Ok(g) => {
                            parts.control.set(g.epoch, g.access == AccessKind::Control);
                            parts.share.start(g.epoch);
                            ui(parts, UiCommand::Sharing { access: prompt_access(g.access) });
                            tracing::info!(epoch, ?access, "sharing the screen");
                        }
                        Err(e) => {
                            tracing::error!(error = %e, request_id, "grant refused by the app");
                            if let Err(e) = send(out, &AgentFrame::StopSharing) {
                                tracing::warn!(error = %e, "cannot refuse the grant");
                            }
                        }
                    },
                    ServerToAgent::Revoke { epoch } => {
                        if grant.revoke(Some(epoch)).is_some() {
                            parts.share.stop();
                            parts.control.clear();
                            ui(parts, UiCommand::NotSharing);
                            tracing::info!(epoch, "sharing stopped");
                        }
                    }
                    ServerToAgent::Input { epoch, events } => {
                        if grant.allows_input(epoch) {
                            if parts.input.send((epoch, events)).is_err() {
                                tracing::error!("the input thread is gone");
                            }
                        } else {
                            tracing::warn!(epoch, "input without this app's control grant dropped");
                        }
                    }
                    ServerToAgent::SelectMonitor { epoch, monitor } => {
                        if grant.current().is_some_and(|g| g.epoch == epoch) {
                            parts.share.select_monitor(monitor);
                        }
                    }
                    ServerToAgent::Refresh { epoch } => {
                        if grant.current().is_some_and(|g| g.epoch == epoch) {
                            parts.share.request_keyframe();
                        }
                    }
                    ServerToAgent::View { epoch, width, height } => {
                        if grant.current().is_some_and(|g| g.epoch == epoch) {
                            parts.share.set_view(width, height);
                        }
                    }
                    ServerToAgent::Ended { .. } => {
                        stop_sharing_locally(parts, &mut grant);
                        ui(parts, UiCommand::Ended { text: None });
                        wait_for_close(parts).await;
                        return Ok(Outcome::Finished);
                    }
                }
            }
            Some(event) = parts.ui_events.recv() => match event {
                UiEvent::Answered { id, allow } => {
                    let access = asked.remove(&id).unwrap_or(AccessKind::View);
                    grant.answered(id, access, allow);
                    if let Err(e) = send(out, &AgentFrame::Consent { request_id: id, allow }) {
                        tracing::warn!(error = %e, "connection lost while answering");
                        stop_sharing_locally(parts, &mut grant);
                        return Ok(Outcome::Lost);
                    }
                }
                UiEvent::StopSharing => {
                    // Stop here first: nothing more is captured or injected,
                    // whatever the network does.
                    stop_sharing_locally(parts, &mut grant);
                    if let Err(e) = send(out, &AgentFrame::StopSharing) {
                        tracing::warn!(error = %e, "cannot tell the server sharing stopped");
                    }
                }
                UiEvent::EndSession => {
                    stop_sharing_locally(parts, &mut grant);
                    ending = true;
                    if let Err(e) = send(out, &AgentFrame::EndSession) {
                        tracing::warn!(error = %e, "cannot tell the server to end the session");
                        return Ok(Outcome::Finished);
                    }
                }
                UiEvent::Closed => {
                    stop_sharing_locally(parts, &mut grant);
                    return Ok(Outcome::Finished);
                }
                UiEvent::Lost { reason } => {
                    // Without its window the customer could not stop sharing:
                    // never share then.
                    tracing::error!(reason, "the app's window was lost; sharing stops");
                    stop_sharing_locally(parts, &mut grant);
                    if let Err(e) = send(out, &AgentFrame::StopSharing) {
                        tracing::warn!(error = %e, "cannot tell the server sharing stopped");
                    }
                    return Err(AgentError::Ui(reason));
                }
            },
        }
    }
}

async fn wait_for_close(parts: &mut Parts) {
    let wait = async {
        while let Some(event) = parts.ui_events.recv().await {
            if matches!(event, UiEvent::Closed | UiEvent::Lost { .. }) {
                return;
            }
        }
    };
    // Leave the "session ended" notice up for a while, then go.
    let _ = tokio::time::timeout(Duration::from_secs(30), wait).await;
}
