//! How often sign-in may be tried: per account name (password guessing
//! against one user from many addresses) and per client address (one
//! client trying many names). GCRA buckets from `governor`; every attempt
//! counts, whether or not its password is right.

use crate::error::AppError;
use crate::server::config::SignInLimits;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;

/// Keys remembered before the idle ones are dropped.
const MAX_KEYS: usize = 10_000;

pub struct SignInLimiter {
    accounts: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
}

impl SignInLimiter {
    pub fn new(limits: SignInLimits) -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            accounts: RateLimiter::keyed(per_minute(limits.per_account)),
            addresses: RateLimiter::keyed(per_minute(limits.per_address)),
        }
    }

    /// Counts an attempt to sign in as `name` from `address` (unknown when
    /// the request did not come over a socket, as in tests); `TooManyAttempts`
    /// with the seconds to wait when either limit is reached.
    pub fn attempt(&self, name: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        if let Some(address) = address {
            check(&self.addresses, client(address))?;
        }
        // Names are at most 64 bytes; a longer one must not cost memory.
        check(&self.accounts, name.chars().take(64).collect())
    }
}

fn check<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: K) -> Result<(), AppError> {
    if limiter.len() > MAX_KEYS {
        limiter.retain_recent();
    }
    limiter.check_key(&key).map_err(|not_until| {
        let wait = not_until.wait_time_from(limiter.clock().now());
        AppError::TooManyAttempts(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
    })
}

/// One client: an IPv4 address, or an IPv6 /64 (what one host is usually given).
fn client(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        v4 => v4,
    }
}
