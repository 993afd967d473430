//! One HTTP/1.1 form POST, over TLS (rustls with ring, Mozilla's roots) for `https://`.
//!
//! hyper directly rather than reqwest: the workspace's reqwest has no TLS,
//! and its rustls-with-ring feature (`rustls-no-provider`) would make every
//! other crate's `reqwest::Client::new()` panic without a process-wide
//! crypto provider once cargo unifies the features. The support app's
//! transport does the same with the same crates.

use http_body_util::BodyExt as _;
use hyper::body::Bytes;

use crate::error::{lowercase_first, without_os_code};
use crate::tls;

/// The answer: status and at most [`MAX_ANSWER`] bytes of body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Bytes,
}

/// More than any gateway answer we read; a larger one is refused.
const MAX_ANSWER: usize = 64 * 1024;

/// POSTs `body` (form-encoded) to `uri` with the given `Authorization`
/// header. Errors are plain descriptions of what failed; they never contain
/// the header.
pub(crate) async fn post_form(
    uri: &http::Uri,
    authorization: &str,
    body: String,
) -> Result<Answer, String> {
    let https = uri.scheme_str() == Some("https");
    let host = uri.host().ok_or("the address has no host")?;
    let bare_host = host.trim_matches(['[', ']']);
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let authority = uri.authority().map_or(host, |a| a.as_str());
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let request = http::Request::post(path)
        .header(http::header::HOST, authority)
        .header(http::header::AUTHORIZATION, authorization)
        .header(
            http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(http::header::ACCEPT, "application/json")
        .header(
            http::header::USER_AGENT,
            concat!("Tether/", env!("CARGO_PKG_VERSION")),
        )
        .body(http_body_util::Full::new(Bytes::from(body)))
        // Only the fixed parts can be wrong here; never show the header.
        .map_err(|_| "the request could not be built".to_owned())?;

    let tcp = tokio::net::TcpStream::connect((bare_host, port))
        .await
        .map_err(|e| lowercase_first(without_os_code(&e.to_string())))?;
    if https {
        let name = rustls::pki_types::ServerName::try_from(bare_host.to_owned())
            .map_err(|_| format!("\"{bare_host}\" is not a valid host name"))?;
        let tls = tokio_rustls::TlsConnector::from(tls::client_config()?)
            .connect(name, tcp)
            .await
            .map_err(|e| tls::failure(&e).unwrap_or_else(|| chain(&e)))?;
        exchange(hyper_util::rt::TokioIo::new(tls), request).await
    } else {
        exchange(hyper_util::rt::TokioIo::new(tcp), request).await
    }
}

/// Sends the request and reads the answer, driving the connection in the
/// same future: when the caller's timeout drops it, the socket closes.
async fn exchange<S>(
    io: S,
    request: http::Request<http_body_util::Full<Bytes>>,
) -> Result<Answer, String>
where
    S: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| chain(&e))?;
    let answer = async move {
        let response = sender.send_request(request).await.map_err(|e| chain(&e))?;
        let status = response.status().as_u16();
        let body = http_body_util::Limited::new(response.into_body(), MAX_ANSWER)
            .collect()
            .await
            .map_err(|e| format!("reading the answer failed: {e}"))?
            .to_bytes();
        Ok::<_, String>(Answer { status, body })
    };
    let mut answer = std::pin::pin!(answer);
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        biased;
        result = &mut answer => result,
        ended = &mut connection => match ended {
            // The answer may already be buffered.
            Ok(()) => answer.await,
            Err(e) => Err(chain(&e)),
        },
    }
}

/// An error with its causes: "connection error: broken pipe".
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    without_os_code(&out).to_owned()
}
