//! Failed authentication attempts, counted per client so that guessing stops without locking
//! anyone else out.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed attempts allowed by default per client address within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: usize = 10;
/// The window over which failed attempts are counted.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Failed authentication attempts per client: an IPv4 address, or the /64 network of an IPv6
/// one (a single host usually holds a whole /64). A client that used up its attempts is refused
/// (429) whatever it presents, so guessing stops; every other client is untouched.
///
/// Memory stays bounded by the clients that failed within the last [`FAILURE_WINDOW`]: each
/// keeps at most `limit` times, and clients with no recent failure are pruned whenever the map
/// has doubled since the last pruning.
pub struct FailedAttempts {
    inner: Mutex<Failures>,
}

struct Failures {
    recent: HashMap<IpAddr, VecDeque<Instant>>,
    /// The number of clients at which the map is pruned next.
    prune_at: usize,
}

/// The map is never pruned below this many clients (pruning a small map gains nothing).
const PRUNE_FLOOR: usize = 1024;

impl Default for FailedAttempts {
    fn default() -> FailedAttempts {
        FailedAttempts {
            inner: Mutex::new(Failures {
                recent: HashMap::new(),
                prune_at: PRUNE_FLOOR,
            }),
        }
    }
}

/// The key a client's failures are counted under.
fn bucket(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

/// Drops the times that fell out of the window.
fn expire(times: &mut VecDeque<Instant>, now: Instant) {
    while times
        .front()
        .is_some_and(|t| now.duration_since(*t) > FAILURE_WINDOW)
    {
        times.pop_front();
    }
}

impl FailedAttempts {
    /// Whether `client` has used up its attempts.
    pub(super) fn blocked(&self, client: IpAddr, now: Instant, limit: usize) -> bool {
        let mut failures = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = bucket(client);
        let Some(times) = failures.recent.get_mut(&key) else {
            return false;
        };
        expire(times, now);
        if times.is_empty() {
            failures.recent.remove(&key);
            return false;
        }
        times.len() >= limit
    }

    pub(super) fn record(&self, client: IpAddr, now: Instant, limit: usize) {
        let mut failures = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let times = failures.recent.entry(bucket(client)).or_default();
        expire(times, now);
        times.push_back(now);
        while times.len() > limit.max(1) {
            times.pop_front();
        }
        if failures.recent.len() >= failures.prune_at {
            failures.recent.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) <= FAILURE_WINDOW)
            });
            failures.prune_at = (failures.recent.len() * 2).max(PRUNE_FLOOR);
        }
    }

    /// The number of clients with failures on record.
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .recent
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn v4(last: u32) -> IpAddr {
        IpAddr::from((0x0a00_0000u32 + last).to_be_bytes())
    }

    #[test]
    fn failures_count_per_client_and_expire_after_the_window() {
        let failed = FailedAttempts::default();
        let t0 = Instant::now();
        for _ in 0..3 {
            failed.record(v4(1), t0, 3);
        }
        assert!(failed.blocked(v4(1), t0, 3));
        assert!(!failed.blocked(v4(2), t0, 3));
        let later = t0 + FAILURE_WINDOW + Duration::from_secs(1);
        assert!(!failed.blocked(v4(1), later, 3));
        assert_eq!(failed.clients(), 0);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_network() {
        let failed = FailedAttempts::default();
        let t0 = Instant::now();
        let host = |last: u16| IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, last));
        for last in 0..3 {
            failed.record(host(last), t0, 3);
        }
        assert!(failed.blocked(host(99), t0, 3));
        let elsewhere = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 1, 3, 0, 0, 0, 1));
        assert!(!failed.blocked(elsewhere, t0, 3));
    }

    #[test]
    fn clients_without_recent_failures_are_pruned() {
        let failed = FailedAttempts::default();
        let t0 = Instant::now();
        for n in 0..5_000 {
            failed.record(v4(n), t0, 10);
        }
        assert_eq!(failed.clients(), 5_000);
        // The map doubled to 8,192 clients before it is pruned: then only the clients of the
        // last minute stay.
        let later = t0 + FAILURE_WINDOW + Duration::from_secs(1);
        for n in 0..4_000 {
            failed.record(v4(1_000_000 + n), later, 10);
        }
        assert_eq!(failed.clients(), 4_000);
        // Each client keeps at most `limit` times, however often it fails.
        for _ in 0..100 {
            failed.record(v4(7), later, 10);
        }
        let kept = failed.inner.lock().unwrap().recent[&v4(7)].len();
        assert_eq!(kept, 10);
    }
}
