//! How the app reaches its server: joining over HTTP(S) and the session's
//! WebSocket, with TLS through rustls (ring provider) and Mozilla's root
//! certificates built in, so the app needs nothing from the customer's
//! system. A private CA can be added (`--ca-cert`) for servers that use one.

use std::path::Path;
use std::sync::Arc;

use protocol::AgentCredentials;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::AgentError;
use crate::config::{Join, Launch};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// TLS settings shared by joining (HTTP) and the WebSocket.
#[derive(Debug, Clone)]
pub struct Transport {
    tls: Arc<rustls::ClientConfig>,
}

impl Transport {
    /// Trusts Mozilla's roots, plus the certificates in `extra_ca` (PEM).
    pub fn new(extra_ca: Option<&Path>) -> Result<Transport, AgentError> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = extra_ca {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| AgentError::Tls(format!("cannot read {}: {e}", path.display())))?;
            for cert in certs {
                let cert = cert.map_err(|e| {
                    AgentError::Tls(format!("bad certificate in {}: {e}", path.display()))
                })?;
                roots.add(cert).map_err(|e| {
                    AgentError::Tls(format!("unusable certificate in {}: {e}", path.display()))
                })?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| AgentError::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Transport { tls: Arc::new(tls) })
    }

    /// Redeems the download's ticket, or the support key, for the app's token.
    pub async fn credentials(&self, launch: &Launch) -> Result<AgentCredentials, AgentError> {
        let (url, body) = match &launch.join {
            Join::Ticket(ticket) => (
                format!("{}/api/v1/agent/redeem", launch.server),
                serde_json::json!({ "ticket": ticket }),
            ),
            Join::Key { key, name } => (
                format!("{}/api/v1/agent/join", launch.server),
                serde_json::json!({ "key": key, "name": name }),
            ),
        };
        let (status, bytes) = self
            .post_json(&url, &body)
            .await
            .map_err(|e| AgentError::Unreachable(launch.server.clone(), e))?;
        if !(200..300).contains(&status) {
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            let message = body["message"]
                .as_str()
                .unwrap_or("The server refused to connect this app.")
                .to_owned();
            return Err(AgentError::Refused(message));
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| AgentError::Protocol(format!("unexpected answer to joining: {e}")))
    }

    /// One HTTP/1.1 POST with a JSON body, over TLS for `https://`.
    async fn post_json(
        &self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<(u16, Vec<u8>), String> {
        let uri: http::Uri = url.parse().map_err(|e| format!("bad address {url}: {e}"))?;
        let https = uri.scheme_str() == Some("https");
        let host = uri
            .host()
            .ok_or_else(|| format!("no host in {url}"))?
            .to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let authority = uri
            .authority()
            .map(|a| a.to_string())
            .unwrap_or_else(|| host.clone());
        let path = uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_else(|| "/".into());
        let body = serde_json::to_vec(body).map_err(|e| e.to_string())?;
        let request = http::Request::post(path)
            .header(http::header::HOST, authority)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(http_body_util::Full::new(hyper::body::Bytes::from(body)))
            .map_err(|e| e.to_string())?;
        let tcp = tokio::net::TcpStream::connect((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| e.to_string())?;
        if https {
            let name =
                rustls::pki_types::ServerName::try_from(host.trim_matches(['[', ']']).to_owned())
                    .map_err(|e| e.to_string())?;
            let tls = tokio_rustls::TlsConnector::from(self.tls.clone())
                .connect(name, tcp)
                .await
                .map_err(|e| error_chain(&e))?;
            exchange(hyper_util::rt::TokioIo::new(tls), request).await
        } else {
            exchange(hyper_util::rt::TokioIo::new(tcp), request).await
        }
    }

    /// Opens the app's WebSocket with its token.
    pub async fn connect(&self, server: &str, token: &str) -> Result<Socket, ConnectError> {
        let url = websocket_url(server).map_err(|e| ConnectError::Retry(e.to_string()))?;
        let mut request = url
            .into_client_request()
            .map_err(|e| ConnectError::Retry(e.to_string()))?;
        let auth = format!("Bearer {token}")
            .parse()
            .map_err(|_| ConnectError::Gone)?;
        request.headers_mut().insert("authorization", auth);
        let connector = tokio_tungstenite::Connector::Rustls(self.tls.clone());
        match tokio_tungstenite::connect_async_tls_with_config(
            request,
            None,
            // No Nagle: a screen update's last segment must not wait for
            // the server's delayed acknowledgement.
            true,
            Some(connector),
        )
        .await
        {
            Ok((socket, _)) => Ok(socket),
            Err(tokio_tungstenite::tungstenite::Error::Http(resp))
                if matches!(resp.status().as_u16(), 401 | 403 | 404 | 410) =>
            {
                Err(ConnectError::Gone)
            }
            Err(e) => Err(ConnectError::Retry(e.to_string())),
        }
    }
}

async fn exchange<S>(
    io: S,
    request: http::Request<http_body_util::Full<hyper::body::Bytes>>,
) -> Result<(u16, Vec<u8>), String>
where
    S: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    use http_body_util::BodyExt as _;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| error_chain(&e))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "HTTP connection ended");
        }
    });
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| error_chain(&e))?;
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| error_chain(&e))?
        .to_bytes();
    Ok((status, bytes.to_vec()))
}

#[derive(Debug)]
pub enum ConnectError {
    /// The session ended or the token is no longer valid.
    Gone,
    Retry(String),
}

/// `http(s)://host` → `ws(s)://host/api/v1/agent/ws`.
pub fn websocket_url(server: &str) -> Result<String, AgentError> {
    if let Some(rest) = server.strip_prefix("https://") {
        Ok(format!("wss://{rest}/api/v1/agent/ws"))
    } else if let Some(rest) = server.strip_prefix("http://") {
        Ok(format!("ws://{rest}/api/v1/agent/ws"))
    } else {
        Err(AgentError::Protocol(format!(
            "unsupported server address {server}: use https://… or http://…"
        )))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::websocket_url;

    #[test]
    fn websocket_urls_follow_the_scheme() {
        assert_eq!(
            websocket_url("https://s.example.com").ok().as_deref(),
            Some("wss://s.example.com/api/v1/agent/ws")
        );
        assert_eq!(
            websocket_url("http://127.0.0.1:9").ok().as_deref(),
            Some("ws://127.0.0.1:9/api/v1/agent/ws")
        );
        assert!(websocket_url("ftp://x").is_err());
    }
}
