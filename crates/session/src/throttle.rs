//! Throttling of support-key guesses, per client address and server-wide.
//!
//! Two token buckets count *failed* attempts: one per client address (IPv6
//! addresses are grouped by their /64, which one machine can fill at will) and
//! one for the whole server. An attempt is refused while either bucket is
//! empty; a successful join costs nothing. `docs/security.md` has the
//! arithmetic that makes guessing a live key infeasible with the defaults.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::Millis;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    /// Failures one address may make in a burst.
    pub per_address_burst: u32,
    /// Milliseconds for one address to earn back one attempt.
    pub per_address_refill_ms: i64,
    /// Failures the whole server accepts in a burst.
    pub global_burst: u32,
    /// Milliseconds for the server to earn back one attempt.
    pub global_refill_ms: i64,
    /// Upper bound on tracked addresses; beyond it, idle entries are dropped.
    pub max_tracked_addresses: usize,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            per_address_burst: 10,
            per_address_refill_ms: 60_000,
            global_burst: 100,
            global_refill_ms: 12_000,
            max_tracked_addresses: 100_000,
        }
    }
}

/// Why an attempt is refused right now, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Address { retry_after_secs: u64 },
    Global { retry_after_secs: u64 },
}

impl Refusal {
    pub fn retry_after_secs(&self) -> u64 {
        match *self {
            Refusal::Address { retry_after_secs } | Refusal::Global { retry_after_secs } => {
                retry_after_secs
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Tokens in thousandths, so that refill needs no floating point.
    milli_tokens: i64,
    updated: Millis,
}

impl Bucket {
    fn full(burst: u32, now: Millis) -> Bucket {
        Bucket {
            milli_tokens: i64::from(burst) * 1000,
            updated: now,
        }
    }

    fn refill(&mut self, burst: u32, refill_ms: i64, now: Millis) {
        let refill_ms = refill_ms.max(1);
        let elapsed = (now - self.updated).max(0);
        let earned = elapsed.saturating_mul(1000) / refill_ms;
        let cap = i64::from(burst) * 1000;
        if self.milli_tokens + earned >= cap {
            self.milli_tokens = cap;
            self.updated = now;
        } else {
            self.milli_tokens += earned;
            // Keep the time not yet turned into tokens, so that frequent
            // checks do not round the refill away.
            self.updated += earned * refill_ms / 1000;
        }
    }

    fn has_token(&self) -> bool {
        self.milli_tokens >= 1000
    }

    fn retry_after_secs(&self, refill_ms: i64) -> u64 {
        let missing = (1000 - self.milli_tokens).max(0);
        let ms = missing * refill_ms.max(1) / 1000;
        // Round up: telling someone to come back too early wastes their try.
        u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1)
    }

    fn take(&mut self) {
        self.milli_tokens -= 1000;
    }

    fn is_full(&self, burst: u32) -> bool {
        self.milli_tokens >= i64::from(burst) * 1000
    }
}

/// Failures counted per key (a client address, an account) and for the
/// whole server. Not synchronised: the owner wraps it in a mutex.
#[derive(Debug)]
pub struct Throttle<K> {
    config: ThrottleConfig,
    global: Bucket,
    addresses: HashMap<K, Bucket>,
}

/// Support-key guesses, per client address.
pub type GuessThrottle = Throttle<IpAddr>;

impl Throttle<IpAddr> {
    /// Call before checking a key: refuses while this address or the server
    /// has used up its failures. IPv6 addresses count per /64.
    pub fn check(&mut self, addr: IpAddr, now: Millis) -> Result<(), Refusal> {
        self.check_key(&group(addr), now)
    }

    /// Call after a wrong key (unknown, expired or used).
    pub fn record_failure(&mut self, addr: IpAddr, now: Millis) {
        self.record_key_failure(group(addr), now);
    }
}

impl<K: std::hash::Hash + Eq> Throttle<K> {
    pub fn new(config: ThrottleConfig, now: Millis) -> Throttle<K> {
        Throttle {
            config,
            global: Bucket::full(config.global_burst, now),
            addresses: HashMap::new(),
        }
    }

    /// Refuses while `key` or the server has used up its failures.
    pub fn check_key(&mut self, key: &K, now: Millis) -> Result<(), Refusal> {
        let c = self.config;
        if let Some(bucket) = self.addresses.get_mut(key) {
            bucket.refill(c.per_address_burst, c.per_address_refill_ms, now);
            if !bucket.has_token() {
                return Err(Refusal::Address {
                    retry_after_secs: bucket.retry_after_secs(c.per_address_refill_ms),
                });
            }
        }
        self.global.refill(c.global_burst, c.global_refill_ms, now);
        if !self.global.has_token() {
            return Err(Refusal::Global {
                retry_after_secs: self.global.retry_after_secs(c.global_refill_ms),
            });
        }
        Ok(())
    }

    /// Counts one failure against `key` and the server.
    pub fn record_key_failure(&mut self, key: K, now: Millis) {
        let c = self.config;
        if self.addresses.len() >= c.max_tracked_addresses {
            self.prune(now);
        }
        let bucket = self
            .addresses
            .entry(key)
            .or_insert_with(|| Bucket::full(c.per_address_burst, now));
        bucket.refill(c.per_address_burst, c.per_address_refill_ms, now);
        bucket.take();
        self.global.refill(c.global_burst, c.global_refill_ms, now);
        self.global.take();
    }

    pub fn tracked_addresses(&self) -> usize {
        self.addresses.len()
    }

    /// Drops addresses whose bucket has refilled: they carry no information.
    fn prune(&mut self, now: Millis) {
        let c = self.config;
        self.addresses.retain(|_, b| {
            b.refill(c.per_address_burst, c.per_address_refill_ms, now);
            !b.is_full(c.per_address_burst)
        });
    }
}

/// IPv4 addresses count one by one; IPv6 addresses by their /64 prefix.
fn group(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("test address")
    }

    fn small() -> ThrottleConfig {
        ThrottleConfig {
            per_address_burst: 3,
            per_address_refill_ms: 10_000,
            global_burst: 5,
            global_refill_ms: 1_000,
            max_tracked_addresses: 4,
        }
    }

    #[test]
    fn address_is_refused_after_its_burst_and_recovers() {
        let mut t = GuessThrottle::new(small(), 0);
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            assert_eq!(t.check(a, 0), Ok(()));
            t.record_failure(a, 0);
        }
        assert_eq!(
            t.check(a, 0),
            Err(Refusal::Address {
                retry_after_secs: 10
            })
        );
        assert_eq!(
            t.check(a, 9_999),
            Err(Refusal::Address {
                retry_after_secs: 1
            })
        );
        assert_eq!(t.check(a, 10_000), Ok(()));
        // Another address is not affected by the first one's failures.
        assert_eq!(t.check(ip("192.0.2.2"), 0), Ok(()));
    }

    #[test]
    fn global_bucket_stops_distributed_guessing() {
        let mut t = GuessThrottle::new(small(), 0);
        for i in 0..5 {
            let a = ip(&format!("198.51.100.{i}"));
            assert_eq!(t.check(a, 0), Ok(()));
            t.record_failure(a, 0);
        }
        let fresh = ip("203.0.113.9");
        assert_eq!(
            t.check(fresh, 0),
            Err(Refusal::Global {
                retry_after_secs: 1
            })
        );
        assert_eq!(t.check(fresh, 1_000), Ok(()));
    }

    #[test]
    fn ipv6_counts_per_64_prefix() {
        let mut t = GuessThrottle::new(small(), 0);
        for i in 1..=3 {
            t.record_failure(ip(&format!("2001:db8:1:2::{i}")), 0);
        }
        assert!(t.check(ip("2001:db8:1:2:ffff::1"), 0).is_err());
        assert_eq!(t.check(ip("2001:db8:1:3::1"), 0), Ok(()));
    }

    #[test]
    fn any_key_can_be_throttled() {
        let mut t: Throttle<String> = Throttle::new(small(), 0);
        for _ in 0..3 {
            t.record_key_failure("dana@example.com".to_owned(), 0);
        }
        assert!(t.check_key(&"dana@example.com".to_owned(), 0).is_err());
        assert!(t.check_key(&"alex@example.com".to_owned(), 0).is_ok());
    }

    #[test]
    fn tracked_addresses_stay_bounded() {
        let mut t = GuessThrottle::new(
            ThrottleConfig {
                global_burst: 1_000,
                ..small()
            },
            0,
        );
        for i in 0..50 {
            t.record_failure(ip(&format!("10.0.0.{i}")), i64::from(i) * 100_000);
        }
        assert!(t.tracked_addresses() <= 5, "{}", t.tracked_addresses());
    }
}
