//! SMS invitations through a local server that speaks Twilio's Messages API.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use base64::Engine as _;
use notify::{Language, NotifyError, PhoneNumber, Secret, TwilioConfig, send_invitation_sms};

use crate::invitation;
use crate::logs::Logs;

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0";

/// One request as the gateway saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    authorization: Option<String>,
    content_type: Option<String>,
    form: Vec<(String, String)>,
}

impl Seen {
    fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Clone)]
struct Gateway {
    seen: Arc<Mutex<Vec<Seen>>>,
    status: StatusCode,
    answer: &'static str,
}

/// Starts a gateway on 127.0.0.1:0 that records every request and answers
/// each with `status` and the JSON `answer`.
async fn gateway(status: StatusCode, answer: &'static str) -> (SocketAddr, Arc<Mutex<Vec<Seen>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let state = Gateway {
        seen: seen.clone(),
        status,
        answer,
    };
    let app = axum::Router::new().fallback(record).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("gateway stopped: {e}");
        }
    });
    (address, seen)
}

async fn record(
    State(gateway): State<Gateway>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (
    StatusCode,
    [(header::HeaderName, &'static str); 1],
    &'static str,
) {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let seen = Seen {
        method,
        path: uri.path().to_owned(),
        authorization: text(header::AUTHORIZATION),
        content_type: text(header::CONTENT_TYPE),
        form: form_urlencoded::parse(&body).into_owned().collect(),
    };
    gateway
        .seen
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(seen);
    (
        gateway.status,
        [(header::CONTENT_TYPE, "application/json")],
        gateway.answer,
    )
}

const ACCEPTED: &str = r#"{"account_sid": "AC0123456789abcdef0123456789abcdef", "sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "to": "+491711234567", "body": "…"}"#;
const INVALID_TO: &str = r#"{"code": 21211, "message": "The 'To' number +4917112 is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
const UNAUTHORIZED: &str = r#"{"code": 20003, "detail": "Your AccountSid or AuthToken was incorrect.", "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}"#;

fn config(address: SocketAddr) -> TwilioConfig {
    TwilioConfig {
        base_url: format!("http://{address}"),
        account_sid: SID.into(),
        auth_token: Secret::new(TOKEN),
        from: "+15005550006".into(),
        timeout: Duration::from_secs(10),
    }
}

fn number() -> PhoneNumber {
    PhoneNumber::parse("0171 1234567", "DE").expect("valid number")
}

fn seen(requests: &Arc<Mutex<Vec<Seen>>>) -> Vec<Seen> {
    requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone()
}

#[tokio::test]
async fn posts_the_messages_api_request() {
    let (address, requests) = gateway(StatusCode::CREATED, ACCEPTED).await;
    let invitation = invitation(Language::De);
    let receipt = send_invitation_sms(&config(address), &number(), &invitation)
        .await
        .expect("accepted");
    assert_eq!(receipt.sid, "SM0123456789abcdef0123456789abcdef");
    assert_eq!(receipt.status.as_deref(), Some("queued"));

    let requests = seen(&requests);
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(
        request.path,
        format!("/2010-04-01/Accounts/{SID}/Messages.json")
    );
    let credentials = request
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Basic "))
        .expect("Basic authentication");
    let credentials = base64::engine::general_purpose::STANDARD
        .decode(credentials)
        .expect("base64");
    assert_eq!(credentials, format!("{SID}:{TOKEN}").as_bytes());
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.field("To"), Some("+491711234567"));
    assert_eq!(request.field("From"), Some("+15005550006"));
    assert_eq!(request.field("MessagingServiceSid"), None);
    let body = request.field("Body").expect("Body");
    assert_eq!(body, invitation.sms_text());
    assert!(
        body.contains("lädt Sie zu einer Fernsupport-Sitzung ein"),
        "{body}"
    );
    assert!(
        body.contains("https://support.example.com/join/123456789"),
        "{body}"
    );
    assert_eq!(request.form.len(), 3, "{:?}", request.form);
}

#[tokio::test]
async fn a_messaging_service_is_named_as_such() {
    let (address, requests) = gateway(StatusCode::CREATED, ACCEPTED).await;
    let mut config = config(address);
    config.from = "MG0123456789abcdef0123456789abcdef".into();
    send_invitation_sms(&config, &number(), &invitation(Language::En))
        .await
        .expect("accepted");
    let request = &seen(&requests)[0];
    assert_eq!(
        request.field("MessagingServiceSid"),
        Some("MG0123456789abcdef0123456789abcdef")
    );
    assert_eq!(request.field("From"), None);
}

#[tokio::test]
async fn a_refusal_carries_twilios_reason() {
    let (address, _) = gateway(StatusCode::BAD_REQUEST, INVALID_TO).await;
    let e = send_invitation_sms(&config(address), &number(), &invitation(Language::En))
        .await
        .expect_err("refused");
    let NotifyError::GatewayRefused {
        status,
        code,
        more_info,
        ..
    } = &e
    else {
        panic!("expected a gateway refusal, got {e:?}");
    };
    assert_eq!(*status, 400);
    assert_eq!(*code, Some(21211));
    assert_eq!(
        more_info.as_deref(),
        Some("https://www.twilio.com/docs/errors/21211")
    );
    assert_eq!(
        e.to_string(),
        "The SMS gateway refused the message: The 'To' number +4917112 is not a valid phone number. (Twilio error 21211)"
    );
    assert_eq!(e.code(), "gateway_refused");
}

#[tokio::test]
async fn wrong_credentials_are_named_without_showing_them() {
    let (address, _) = gateway(StatusCode::UNAUTHORIZED, UNAUTHORIZED).await;
    let e = send_invitation_sms(&config(address), &number(), &invitation(Language::En))
        .await
        .expect_err("refused");
    assert_eq!(
        e.to_string(),
        "The SMS gateway refused the message: the account SID and auth token were not accepted (Authenticate). (Twilio error 20003)"
    );
    assert!(!format!("{e:?}").contains(TOKEN));
}

/// Accepts connections on 127.0.0.1:0 and never answers.
async fn silent_server() -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    (address, task)
}

#[tokio::test]
async fn a_gateway_that_never_answers_times_out() {
    let (address, silent) = silent_server().await;
    let mut config = config(address);
    config.timeout = Duration::from_millis(300);
    let e = send_invitation_sms(&config, &number(), &invitation(Language::En))
        .await
        .expect_err("no answer");
    assert!(matches!(e, NotifyError::Timeout { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("The SMS gateway at {address} did not answer within 0.3 seconds.")
    );
    silent.abort();
}

#[tokio::test]
async fn no_gateway_listening_is_a_connection_error() {
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    let e = send_invitation_sms(&config(address), &number(), &invitation(Language::En))
        .await
        .expect_err("nothing listens");
    assert!(matches!(e, NotifyError::ConnectionFailed { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!("Could not connect to the SMS gateway at {address}: connection refused.")
    );
}

#[tokio::test]
async fn the_auth_token_appears_in_no_error_and_no_log_line() {
    let logs = Logs::default();
    let _capture = logs.capture();
    let mut shown = Vec::new();

    let (accepting, _) = gateway(StatusCode::CREATED, ACCEPTED).await;
    let receipt = send_invitation_sms(&config(accepting), &number(), &invitation(Language::En))
        .await
        .expect("accepted");
    shown.push(format!("{receipt:?} {:?}", config(accepting)));

    let (refusing, _) = gateway(StatusCode::BAD_REQUEST, INVALID_TO).await;
    let (unauthorized, _) = gateway(StatusCode::UNAUTHORIZED, UNAUTHORIZED).await;
    let (silent, silent_task) = silent_server().await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address")
    };
    for address in [refusing, unauthorized, silent, closed] {
        let mut config = config(address);
        config.timeout = Duration::from_millis(300);
        let e = send_invitation_sms(&config, &number(), &invitation(Language::En))
            .await
            .expect_err("fails");
        shown.push(format!("{e} {e:?} {e:#?}"));
    }
    let mut insecure = config(closed);
    insecure.base_url = format!("http://user:{TOKEN}@gateway.example.com");
    let e = send_invitation_sms(&insecure, &number(), &invitation(Language::En))
        .await
        .expect_err("misconfigured");
    shown.push(format!("{e} {e:?}"));
    silent_task.abort();

    let logged = logs.text();
    assert!(logged.contains("invitation SMS accepted"), "{logged}");
    assert!(logged.contains("invitation SMS refused"), "{logged}");
    for text in shown.iter().chain([&logged]) {
        assert!(!text.contains(TOKEN), "the auth token leaked: {text}");
        // Nor in the Basic-auth form.
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"));
        assert!(!text.contains(&basic), "the auth header leaked: {text}");
    }
}

#[tokio::test]
async fn a_gateway_with_an_untrusted_certificate_is_refused() {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let dir = tempfile::tempdir().expect("temporary directory");
    let (cert, key) = crate::self_signed(dir.path());
    let certs = CertificateDer::pem_file_iter(&cert)
        .expect("read certificate")
        .collect::<Result<Vec<_>, _>>()
        .expect("certificate");
    let key = PrivateKeyDer::from_pem_file(&key).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(server));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let handshakes = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            // The client gives up during the handshake: nothing to serve.
            if let Err(e) = acceptor.accept(socket).await {
                eprintln!("handshake ended as expected: {e}");
            }
        }
    });

    let mut config = config("127.0.0.1:9".parse().expect("address"));
    config.base_url = format!("https://localhost:{port}");
    let e = send_invitation_sms(&config, &number(), &invitation(Language::En))
        .await
        .expect_err("the certificate is not trusted");
    assert!(matches!(e, NotifyError::ConnectionFailed { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with(&format!(
            "Could not connect to the SMS gateway at localhost:{port}: \
             the secure connection (TLS) failed: the server's certificate"
        )),
        "{e}"
    );
    handshakes.abort();
}
