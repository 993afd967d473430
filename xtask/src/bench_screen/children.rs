//! Child processes of the screen benchmark, each in a process group of its
//! own and killed with that whole group when its guard is dropped — on
//! success, on error and on Ctrl-C alike — so no X server, VNC server or
//! workload outlives the run.

use std::io::{BufRead as _, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rustix::process::{Pid, Signal, kill_process_group};

/// How long a group gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_millis(1500);

/// A running child process and its process group. Dropping it ends both.
#[derive(Debug)]
pub struct Guarded {
    name: String,
    child: Child,
    log_path: PathBuf,
}

impl Guarded {
    /// Starts `command` as the leader of a new process group; its standard
    /// error (and standard output unless `pipe_stdout`) goes to
    /// `<log_dir>/<name>.log`.
    pub fn spawn(
        name: &str,
        mut command: Command,
        log_dir: &Path,
        pipe_stdout: bool,
    ) -> anyhow::Result<Guarded> {
        let log_path = log_dir.join(format!("{name}.log"));
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("cannot create {}", log_path.display()))?;
        let stdout = if pipe_stdout {
            Stdio::piped()
        } else {
            Stdio::from(
                log.try_clone()
                    .with_context(|| format!("cannot share {}", log_path.display()))?,
            )
        };
        command
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::from(log))
            .process_group(0);
        let program = command.get_program().to_string_lossy().into_owned();
        let child = command.spawn().with_context(|| {
            format!(
                "cannot start {name} ({program}); is it installed? (scripts/install-bench-deps.sh)"
            )
        })?;
        Ok(Guarded {
            name: name.to_owned(),
            child,
            log_path,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The piped standard output (once).
    pub fn take_stdout(&mut self) -> anyhow::Result<ChildStdout> {
        self.child
            .stdout
            .take()
            .with_context(|| format!("the standard output of {} is not piped", self.name))
    }

    /// Stops the whole group (SIGSTOP); dropping the guard still ends it.
    pub fn pause(&self) -> anyhow::Result<()> {
        let group = self
            .group()
            .with_context(|| format!("{} has no process id", self.name))?;
        kill_process_group(group, Signal::STOP)
            .with_context(|| format!("cannot pause {}", self.name))
    }

    fn group(&self) -> Option<Pid> {
        i32::try_from(self.child.id()).ok().and_then(Pid::from_raw)
    }

    /// Fails, with the end of its log, if the process has exited.
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        match self
            .child
            .try_wait()
            .with_context(|| format!("cannot ask whether {} still runs", self.name))?
        {
            None => Ok(()),
            Some(status) => bail!(
                "{} exited ({status}); its log ends with:\n{}",
                self.name,
                self.log_tail(15)
            ),
        }
    }

    /// The last `lines` lines of the process's log.
    pub fn log_tail(&self, lines: usize) -> String {
        match std::fs::read_to_string(&self.log_path) {
            Ok(log) => {
                let all: Vec<&str> = log.lines().collect();
                all[all.len().saturating_sub(lines)..].join("\n")
            }
            Err(e) => format!("(cannot read {}: {e})", self.log_path.display()),
        }
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        let Some(group) = self.group() else {
            return;
        };
        // ESRCH (already gone) is the good case: nothing is left to end.
        let _ = kill_process_group(group, Signal::TERM);
        // A paused group gets the TERM only once it runs again.
        let _ = kill_process_group(group, Signal::CONT);
        let deadline = Instant::now() + GRACE;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // The leader may be gone while others of its group are not.
        let _ = kill_process_group(group, Signal::KILL);
        let _ = self.child.wait();
    }
}

/// Reads a child's output lines on a thread of their own and hands each to
/// `on_line`, so the child never blocks on a full pipe.
pub fn read_lines(
    name: &str,
    stdout: ChildStdout,
    mut on_line: impl FnMut(&str) + Send + 'static,
) -> anyhow::Result<()> {
    std::thread::Builder::new()
        .name(format!("{name}-stdout"))
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                on_line(&line);
            }
        })
        .with_context(|| format!("cannot start a thread to read {name}'s output"))?;
    Ok(())
}

/// A TCP port of 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).context("cannot find a free TCP port")?;
    Ok(listener
        .local_addr()
        .context("cannot read the free port")?
        .port())
}

/// Waits until something accepts connections on `address`, failing early if
/// `process` exits.
pub fn wait_for_port(
    address: SocketAddr,
    process: &mut Guarded,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        process.check_running()?;
        if Instant::now() > deadline {
            bail!(
                "{} did not listen on {address} within {}s; its log ends with:\n{}",
                process.name(),
                timeout.as_secs(),
                process.log_tail(15)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
