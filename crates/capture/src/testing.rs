//! Test support (feature `testing`): a private Xvfb server per test.
//!
//! Used by this crate's tests and, as a dev-dependency feature, by the `input`
//! crate's tests. Each [`Xvfb`] is a fresh 1280×720×24 server on a display
//! number nobody else uses, gone when the value is dropped.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{self, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a starting Xvfb may take before we give up on it.
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Display numbers tried before giving up.
const ATTEMPTS: u32 = 32;

/// A running `Xvfb :N -screen 0 1280x720x24 -nolisten tcp -noreset`.
#[derive(Debug)]
pub struct Xvfb {
    child: Child,
    number: u32,
}

impl Xvfb {
    /// Screen size of every test server.
    pub const WIDTH: u32 = 1280;
    pub const HEIGHT: u32 = 720;

    /// Starts a server and returns once it accepts connections.
    ///
    /// Display numbers are tried upwards from a random start; Xvfb itself
    /// refuses a number whose lock file `/tmp/.X{N}-lock` it cannot create, so
    /// parallel tests (and other people's servers) never collide. Readiness
    /// is awaited, not guessed: with `-displayfd` Xvfb writes its display
    /// number to our pipe once it is ready to accept clients, and closes the
    /// pipe without writing if it fails.
    pub fn start() -> io::Result<Self> {
        let first =
            1000 + u32::try_from(RandomState::new().hash_one("xvfb") % 30_000).unwrap_or_default();
        let mut last_error = io::Error::other("no display number tried");
        for number in first..first + ATTEMPTS {
            if lock_file(number).exists() {
                continue;
            }
            match Self::start_on(number) {
                Ok(xvfb) => return Ok(xvfb),
                Err(error) => last_error = error,
            }
        }
        Err(last_error)
    }

    fn start_on(number: u32) -> io::Result<Self> {
        let (mut ready, ready_writer) = io::pipe()?;
        let mut child = Command::new("Xvfb")
            .arg(format!(":{number}"))
            .args(["-screen", "0"])
            .arg(format!("{}x{}x24", Self::WIDTH, Self::HEIGHT))
            .args(["-nolisten", "tcp", "-noreset", "-displayfd", "1"])
            // Stdout is the readiness pipe; Xvfb logs to stderr.
            .stdout(ready_writer)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        // `Command` held the only other write end; it is gone now, so the read
        // below ends when Xvfb writes its number or exits.
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut announced = String::new();
            let result = ready.read_to_string(&mut announced).map(|_| announced);
            // The receiver is gone only if the starter timed out; nothing to tell.
            sender.send(result).ok();
        });
        let outcome = match receiver.recv_timeout(START_TIMEOUT) {
            Ok(Ok(announced)) if announced.trim() == number.to_string() => Ok(()),
            Ok(Ok(announced)) => Err(io::Error::other(format!(
                "Xvfb :{number} did not start (announced {announced:?}; is the display taken?)"
            ))),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("Xvfb :{number} not ready after {START_TIMEOUT:?}"),
            )),
        };
        match outcome {
            Ok(()) => Ok(Self { child, number }),
            Err(error) => {
                // Stop it if it still runs, but leave the lock file and socket
                // alone: they may belong to whoever holds display `number`.
                child.kill().ok();
                child.wait().ok();
                Err(error)
            }
        }
    }

    /// The display name, e.g. `:1234`.
    pub fn display(&self) -> String {
        format!(":{}", self.number)
    }

    /// Connects a client for the test's own windows and checks.
    #[cfg(all(unix, not(target_os = "macos")))]
    pub fn connect(&self) -> io::Result<(x11rb::rust_connection::RustConnection, usize)> {
        x11rb::rust_connection::RustConnection::connect(Some(&self.display()))
            .map_err(io::Error::other)
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        // A killed Xvfb cannot remove its lock file and socket; we do, so the
        // display number is free again. Errors only mean it was already gone.
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_file(lock_file(self.number)).ok();
        std::fs::remove_file(format!("/tmp/.X11-unix/X{}", self.number)).ok();
    }
}

fn lock_file(number: u32) -> PathBuf {
    PathBuf::from(format!("/tmp/.X{number}-lock"))
}
