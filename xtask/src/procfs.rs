//! What Linux tells in `/proc` about a process (resident memory, CPU time,
//! open files) and about the machine (CPU time of all processes).

use std::time::Duration;

use anyhow::Context;

/// Resident set size (`VmRSS`) in KiB.
pub fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let line = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .with_context(|| format!("{path} has no VmRSS line"))?;
    line.trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .with_context(|| format!("cannot read VmRSS from {path}: {line:?}"))
}

/// User plus system CPU time the process has used so far.
pub fn cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    // The command name in field 2 may contain spaces: count from after it.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .with_context(|| format!("{path} is not in the expected format"))?;
    // `rest` starts at field 3 (state); utime and stime are fields 14 and 15.
    let mut fields = rest.split_whitespace().skip(11);
    let mut next_ticks = |name: &str| -> anyhow::Result<u64> {
        fields
            .next()
            .with_context(|| format!("{path} has no {name} field"))?
            .parse::<u64>()
            .with_context(|| format!("cannot read {name} from {path}"))
    };
    let ticks = next_ticks("utime")? + next_ticks("stime")?;
    Ok(ticks_to_duration(ticks))
}

/// How many file descriptors the process holds.
pub fn open_files(pid: u32) -> anyhow::Result<usize> {
    let path = format!("/proc/{pid}/fd");
    Ok(std::fs::read_dir(&path)
        .with_context(|| format!("cannot list {path}"))?
        .count())
}

/// CPU time all processes of the machine have used so far (every core, from
/// the `cpu` line of `/proc/stat`, without idle and I/O wait).
pub fn machine_busy_time() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").context("cannot read /proc/stat")?;
    let line = stat
        .lines()
        .find_map(|l| l.strip_prefix("cpu "))
        .context("/proc/stat has no cpu line")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .context("cannot read the cpu line of /proc/stat")?;
    // user nice system idle iowait irq softirq steal (guest time is part of user).
    let busy: u64 = ticks
        .iter()
        .take(8)
        .enumerate()
        .filter(|&(i, _)| i != 3 && i != 4)
        .map(|(_, t)| t)
        .sum();
    Ok(ticks_to_duration(busy))
}

fn ticks_to_duration(ticks: u64) -> Duration {
    let per_second = rustix::param::clock_ticks_per_second().max(1);
    Duration::from_nanos(ticks.saturating_mul(1_000_000_000) / per_second)
}

/// Context switches (voluntary and not) of all the process's threads so far.
pub fn context_switches(pid: u32) -> anyhow::Result<u64> {
    let dir = format!("/proc/{pid}/task");
    let mut total = 0;
    for task in std::fs::read_dir(&dir).with_context(|| format!("cannot list {dir}"))? {
        let path = task
            .with_context(|| format!("cannot list {dir}"))?
            .path()
            .join("status");
        // A thread may end between listing and reading: it no longer counts.
        let Ok(status) = std::fs::read_to_string(&path) else {
            continue;
        };
        for line in status.lines() {
            if let Some(value) = line
                .strip_prefix("voluntary_ctxt_switches:")
                .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
            {
                total += value
                    .trim()
                    .parse::<u64>()
                    .with_context(|| format!("cannot read {}", path.display()))?;
            }
        }
    }
    Ok(total)
}
