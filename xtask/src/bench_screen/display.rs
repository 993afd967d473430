//! The benchmark's own X server: Xvfb at 1920×1080×24 on the first free
//! display number, and `xdotool` run against it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::children::Guarded;

pub const WIDTH: u32 = 1920;
pub const HEIGHT: u32 = 1080;

/// A running Xvfb; dropping it ends it.
#[derive(Debug)]
pub struct Display {
    /// `:N`
    pub name: String,
    pub server: Guarded,
}

impl Display {
    pub fn start(log_dir: &Path) -> anyhow::Result<Display> {
        let number = (100..200)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .context("no free X display number between :100 and :199")?;
        let name = format!(":{number}");
        let mut command = Command::new("Xvfb");
        command.arg(&name).args([
            "-screen",
            "0",
            &format!("{WIDTH}x{HEIGHT}x24"),
            "-nolisten",
            "tcp",
            "-noreset",
        ]);
        let mut server = Guarded::spawn("xvfb", command, log_dir, false)?;
        let socket = format!("/tmp/.X11-unix/X{number}");
        let deadline = Instant::now() + Duration::from_secs(15);
        while !Path::new(&socket).exists() {
            server.check_running()?;
            if Instant::now() > deadline {
                bail!("Xvfb {name} did not come up within 15s");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Ok(Display { name, server })
    }

    /// A command that runs on this display.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command.env("DISPLAY", &self.name);
        command
    }

    /// Runs `xdotool args…` on this display and returns its output; fails
    /// after `timeout` or on a non-zero exit.
    pub async fn xdotool(&self, args: &[&str], timeout: Duration) -> anyhow::Result<String> {
        let output = self.xdotool_output(args, timeout).await?;
        if !output.status.success() {
            bail!(
                "xdotool {} failed ({}): {}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    async fn xdotool_output(
        &self,
        args: &[&str],
        timeout: Duration,
    ) -> anyhow::Result<std::process::Output> {
        let mut command = tokio::process::Command::new("xdotool");
        command
            .args(args)
            .env("DISPLAY", &self.name)
            .kill_on_drop(true);
        tokio::time::timeout(timeout, command.output())
            .await
            .with_context(|| format!("xdotool {} took over {timeout:?}", args.join(" ")))?
            .context("cannot run xdotool (scripts/install-bench-deps.sh)")
    }

    /// Ids of the mapped windows whose name matches `pattern` (none: empty).
    pub async fn visible_windows(&self, pattern: &str) -> anyhow::Result<Vec<String>> {
        let args = ["search", "--onlyvisible", "--name", pattern];
        let output = self.xdotool_output(&args, Duration::from_secs(10)).await?;
        let ids: Vec<String> = String::from_utf8_lossy(&output.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        // xdotool exits with 1 when nothing matches.
        let nothing_found = output.status.code() == Some(1) && ids.is_empty();
        if !output.status.success() && !nothing_found {
            bail!(
                "xdotool {} failed ({}): {}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(ids)
    }

    /// Waits until a mapped window's name matches `pattern`; returns its id.
    pub async fn wait_for_window(
        &self,
        pattern: &str,
        timeout: Duration,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(id) = self.visible_windows(pattern).await?.into_iter().next() {
                return Ok(id);
            }
            if Instant::now() > deadline {
                bail!("no window named {pattern:?} appeared within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
