//! A per-address request limit for the routes anyone may call without
//! signing in (the public booking pages), so one address cannot flood a
//! business's agenda (R6).
//!
//! It is kept in each host's memory, unlike the sign-in failures: a
//! flood is spread over the hosts behind a load balancer, and each host
//! refusing its share is enough; a precise shared count would cost a
//! database write per public request.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

/// A fixed-window counter per address.
pub struct Limiter {
    per_minute: u32,
    // A `std::sync::Mutex`: nothing is awaited while it is held.
    windows: Mutex<HashMap<IpAddr, (DateTime<Utc>, u32)>>,
}

impl Limiter {
    /// At most `per_minute` requests a minute from one address.
    pub fn per_minute(per_minute: u32) -> Limiter {
        Limiter {
            per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from `address` at `now`; `Err(seconds)` to wait
    /// when it is over the limit.
    pub fn check(&self, address: IpAddr, now: DateTime<Utc>) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            // Forget windows that ended, so the map stays bounded.
            windows.retain(|_, (start, _)| now - *start < TimeDelta::minutes(1));
        }
        let entry = windows.entry(address).or_insert((now, 0));
        if now - entry.0 >= TimeDelta::minutes(1) {
            *entry = (now, 0);
        }
        if entry.1 >= self.per_minute {
            let wait = (entry.0 + TimeDelta::minutes(1) - now).num_seconds().max(1);
            return Err(u64::try_from(wait).unwrap_or(60));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_over_the_limit_waits_for_the_next_minute() {
        let limiter = Limiter::per_minute(2);
        let at: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let one: IpAddr = "10.0.0.1".parse().unwrap();
        let two: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(limiter.check(one, at), Ok(()));
        assert_eq!(limiter.check(one, at), Ok(()));
        assert_eq!(limiter.check(one, at + TimeDelta::seconds(20)), Err(40));
        assert_eq!(limiter.check(two, at), Ok(()));
        assert_eq!(limiter.check(one, at + TimeDelta::seconds(60)), Ok(()));
    }
}
