//! Sending invitations to real servers on loopback: an SMTP server (Python's
//! aiosmtpd, started per test) and an HTTP server in the test that speaks
//! Twilio's Messages API and records what it receives.

mod email;
mod logs;
mod sms;

/// The invitation every test sends, in the given language.
fn invitation(language: notify::Language) -> notify::Invitation {
    notify::Invitation {
        join_url: "https://support.example.com/join/123456789".into(),
        support_key: "123456789".into(),
        technician_name: "Anna Schmidt".into(),
        website: Some("support.example.com".into()),
        minutes_valid: 60,
        language,
    }
}

/// A self-signed certificate for "localhost", made with the openssl tool.
fn self_signed(dir: &std::path::Path) -> (String, String) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let status = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("the openssl tool (scripts/install-test-deps.sh installs it)");
    assert!(status.success(), "openssl could not make a certificate");
    (
        cert.to_string_lossy().into_owned(),
        key.to_string_lossy().into_owned(),
    )
}
