//! The app reaches a server behind TLS: a real Tether server behind a TLS
//! proxy with a certificate from a private test CA. Joining over HTTPS and
//! the WebSocket over WSS both verify the certificate.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use agent::transport::Transport;
use agent::{AgentError, Join, Launch};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_tungstenite::tungstenite::Message;

fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("openssl runs");
    assert!(status.success(), "openssl {args:?} failed");
}

/// A CA and a certificate for 127.0.0.1 signed by it.
fn make_certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=Tether Test CA",
    ]);
    ca.extend([
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(dir, &csr);
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .expect("ext");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "1",
            "-extfile",
            "leaf.ext",
        ],
    );
}

/// Terminates TLS on a free port and forwards to `backend`.
async fn tls_proxy(dir: &Path, backend: std::net::SocketAddr) -> u16 {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("leaf.pem"))
        .expect("certs")
        .map(|c| c.expect("cert"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("leaf.key")).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut upstream) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_joins_and_connects_over_tls() {
    let dir = tempfile::tempdir().expect("dir");
    make_certificates(dir.path());
    let mut config = server::Config::new(dir.path().join("data"));
    config.listen = "127.0.0.1:0".parse().expect("addr");
    let app = server::Application::build(config).await.expect("server");
    let backend = app.address();
    let store = app.state().store.clone();
    tokio::spawn(app.run_until_stopped(std::future::pending()));
    store
        .create_user(&store::NewUser {
            id: server::new_id(),
            email: "dana@example.com".into(),
            name: "Dana".into(),
            password_hash: server::auth::hash_password("a long password").expect("hash"),
            role: "technician".into(),
            created_at: 0,
            group_id: Some("default".into()),
        })
        .await
        .expect("user");
    let http = reqwest::Client::new();
    let login: serde_json::Value = http
        .post(format!("http://{backend}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "dana@example.com", "password": "a long password"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let session: serde_json::Value = http
        .post(format!("http://{backend}/api/v1/sessions"))
        .bearer_auth(login["token"].as_str().expect("token"))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("session")
        .json()
        .await
        .expect("json");
    let port = tls_proxy(dir.path(), backend).await;
    let launch = Launch {
        server: format!("https://127.0.0.1:{port}"),
        join: Join::Key {
            key: session["key"].as_str().expect("key").into(),
            name: Some("Alex".into()),
        },
    };

    // Without the private CA the certificate is refused.
    let untrusting = Transport::new(None).expect("transport");
    let refused = untrusting.credentials(&launch).await;
    assert!(
        matches!(refused, Err(AgentError::Unreachable(..))),
        "{refused:?}"
    );

    let transport = Transport::new(Some(&dir.path().join("ca.pem"))).expect("transport");
    let creds = transport
        .credentials(&launch)
        .await
        .expect("joins over https");
    assert_eq!(creds.session_id, session["id"].as_str().expect("id"));
    let mut socket = transport
        .connect(&launch.server, &creds.agent_token)
        .await
        .map_err(|e| format!("{e:?}"))
        .expect("wss");
    let hello = serde_json::json!({"type": "hello", "platform": "linux-x86_64", "hostname": "h", "monitors": []});
    socket
        .send(Message::text(hello.to_string()))
        .await
        .expect("hello");
    loop {
        let Some(Ok(Message::Text(text))) = socket.next().await else {
            panic!("connection closed")
        };
        let frame: serde_json::Value = serde_json::from_str(text.as_str()).expect("json");
        if frame["type"] == "welcome" {
            assert_eq!(frame["technician"], "Dana");
            break;
        }
    }
}
