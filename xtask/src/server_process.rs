//! The real `tether` binary as a child process with a throw-away data folder:
//! create an account, start `tether serve` on a free port, and kill it again
//! (also when the benchmark fails half-way).

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, bail};

const LISTENING: &str = "Tether is listening on http://";
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// `target/release/<name>` of this workspace (or of `CARGO_TARGET_DIR`).
pub fn release_bin(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap_or_else(|| Path::new("."))
                .join("target")
        });
    target.join("release").join(name)
}

/// A running `tether serve`. Dropping it kills the process.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    address: SocketAddr,
    log_path: PathBuf,
    // Removed when the server is gone; declared last so it is dropped last.
    _data_dir: tempfile::TempDir,
}

impl ServerProcess {
    /// Creates the technician `email` with `password` in a fresh data folder,
    /// then starts the server on a free port of 127.0.0.1.
    pub fn start(bin: &Path, email: &str, password: &str) -> anyhow::Result<ServerProcess> {
        let data_dir = tempfile::Builder::new()
            .prefix("tether-bench-")
            .tempdir()
            .context("cannot create a temporary data folder")?;
        add_user(bin, data_dir.path(), email, password)?;

        let log_path = data_dir.path().join("server.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        let mut command = Command::new(bin);
        command
            .arg("serve")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        // Logging every request would be part of what is measured.
        if std::env::var_os("TETHER_LOG").is_none() {
            command.env("TETHER_LOG", "warn");
        }
        command.env("NO_COLOR", "1");
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let stdout = child
            .stdout
            .take()
            .context("the server's standard output is not connected")?;
        let (tx, rx) = mpsc::channel();
        // Reads the address, then keeps draining so the server never blocks on a full pipe.
        std::thread::Builder::new()
            .name("server-stdout".into())
            .spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(address) = line.strip_prefix(LISTENING)
                        && let Some(tx) = tx.take()
                    {
                        let _ = tx.send(address.trim().to_owned());
                    }
                }
            })
            .context("cannot start a thread to read the server's output")?;
        let mut server = ServerProcess {
            child,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            log_path,
            _data_dir: data_dir,
        };
        let address = match rx.recv_timeout(START_TIMEOUT) {
            Ok(address) => address,
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                bail!(
                    "the server did not say where it listens within {}s (exit status: {status:?}); its log ends with:\n{}",
                    START_TIMEOUT.as_secs(),
                    server.log_tail(20)
                );
            }
        };
        server.address = address
            .parse()
            .with_context(|| format!("the server printed an unreadable address {address:?}"))?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Fails with the end of the server's log if the process has exited.
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        match self
            .child
            .try_wait()
            .context("cannot ask whether the server still runs")?
        {
            None => Ok(()),
            Some(status) => bail!(
                "the server exited ({status}); its log ends with:\n{}",
                self.log_tail(20)
            ),
        }
    }

    /// The last `lines` lines the server logged (standard error).
    pub fn log_tail(&self, lines: usize) -> String {
        match std::fs::read_to_string(&self.log_path) {
            Ok(log) => {
                let all: Vec<&str> = log.lines().collect();
                all[all.len().saturating_sub(lines)..].join("\n")
            }
            Err(e) => format!("(cannot read {}: {e})", self.log_path.display()),
        }
    }

    /// What the server logged so far: warnings and errors counted, and its
    /// most recent distinct messages (numbers ignored) with how often each came.
    pub fn log_summary(&self, distinct: usize) -> anyhow::Result<LogSummary> {
        let log = std::fs::read_to_string(&self.log_path)
            .with_context(|| format!("cannot read {}", self.log_path.display()))?;
        let mut summary = LogSummary::default();
        let mut seen: Vec<(String, usize, &str)> = Vec::new();
        for line in log.lines().rev() {
            summary.warnings += usize::from(line.contains(" WARN "));
            summary.errors += usize::from(line.contains(" ERROR "));
            // Without the timestamp and the numbers, repeats look alike.
            let message = line.split_once(' ').map_or(line, |(_, rest)| rest);
            let key: String = message.chars().filter(|c| !c.is_ascii_digit()).collect();
            if let Some(i) = seen.iter().position(|(k, _, _)| *k == key) {
                seen[i].1 += 1;
            } else if seen.len() < distinct {
                seen.push((key, 1, line));
            }
        }
        summary.recent = seen
            .into_iter()
            .rev()
            .map(|(_, count, line)| format!("({count}x) {line}"))
            .collect();
        Ok(summary)
    }
}

/// See [`ServerProcess::log_summary`].
#[derive(Debug, Default, serde::Serialize)]
pub struct LogSummary {
    pub warnings: usize,
    pub errors: usize,
    pub recent: Vec<String>,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Already gone is fine: this only makes sure nothing is left running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn add_user(bin: &Path, data_dir: &Path, email: &str, password: &str) -> anyhow::Result<()> {
    let mut child = Command::new(bin)
        .args(["user", "add", "--email", email, "--name", "Bench"])
        .arg("--data-dir")
        .arg(data_dir)
        .env("TETHER_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {} user add", bin.display()))?;
    child
        .stdin
        .take()
        .context("the standard input of `tether user add` is not connected")?
        .write_all(format!("{password}\n").as_bytes())
        .context("cannot pass the password to `tether user add`")?;
    let output = child
        .wait_with_output()
        .context("cannot wait for `tether user add`")?;
    if !output.status.success() {
        bail!(
            "`tether user add` failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
