//! A real SMTP server for the scenarios that send e-mail: `smtp_server.py`
//! from the notify crate's tests (aiosmtpd) as a child process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// `smtp_server.py` on a free loopback port; killed when dropped. It refuses
/// mail to `nobody@example.com` and accepts everything else.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    out: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let out = tempfile::tempdir().expect("temporary directory");
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../notify/tests/send/smtp_server.py");
        let python = ["/usr/bin/python3", "python3"]
            .into_iter()
            .find(|p| {
                Command::new(p)
                    .args(["-c", "import aiosmtpd"])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
            .expect("python3-aiosmtpd is needed: run scripts/install-test-deps.sh");
        let mut child = Command::new(python)
            .arg(script)
            .arg(out.path())
            .args(["--refuse", "nobody@example.com"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start smtp_server.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port line");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .expect("a port");
        SmtpServer { child, port, out }
    }

    /// What the server accepted, oldest first, as decoded by Python's
    /// e-mail parser: envelope, headers and each part's text.
    pub fn messages(&self) -> Vec<Value> {
        let mut paths: Vec<_> = std::fs::read_dir(self.out.path())
            .expect("read dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("json"))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Err(e) = self.child.kill() {
            eprintln!("could not stop smtp_server.py: {e}");
        }
        if let Err(e) = self.child.wait() {
            eprintln!("could not wait for smtp_server.py: {e}");
        }
    }
}
