//! How often sign-in may be tried: per account name (password guessing
//! against one user from many addresses) and per client address (one
//! client trying many names). Every attempt counts, whether or not its
//! password is right. With SQLite (one instance) the counts are GCRA
//! buckets from `governor` in memory; with PostgreSQL the same algorithm on
//! rows that every instance counts in (`meta/pg/limits.rs`), so that
//! instances behind one address do not each give the whole allowance.

use super::secret_hash;
use crate::error::AppError;
use crate::server::config::SignInLimits;
use crate::server::meta::pg::{limits, Pg};
use crate::server::meta::Meta;
use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;

/// Keys remembered before the idle ones are dropped.
const MAX_KEYS: usize = 10_000;

pub enum SignInLimiter {
    Here { accounts: DefaultKeyedRateLimiter<String>, addresses: DefaultKeyedRateLimiter<IpAddr> },
    Shared { pg: Pg, limits: SignInLimits },
}

impl SignInLimiter {
    pub fn new(limits: SignInLimits, meta: &Meta) -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        match meta {
            Meta::Postgres(pg) => Self::Shared { pg: pg.clone(), limits },
            Meta::Sqlite(_) => Self::Here {
                accounts: RateLimiter::keyed(per_minute(limits.per_account)),
                addresses: RateLimiter::keyed(per_minute(limits.per_address)),
            },
        }
    }

    /// Counts an attempt to sign in as `name` from `address` (unknown when
    /// the request did not come over a socket, as in tests); `TooManyAttempts`
    /// with the seconds to wait when either limit is reached.
    pub async fn attempt(&self, name: &str, address: Option<IpAddr>) -> Result<(), AppError> {
        // Names are at most 64 bytes; a longer one must not cost memory.
        let name: String = name.chars().take(64).collect();
        let address = address.map(client);
        match self {
            Self::Here { accounts, addresses } => {
                if let Some(address) = address {
                    check(addresses, address)?;
                }
                check(accounts, name)
            }
            Self::Shared { pg, limits } => {
                // Hashed: no name typed at the form is kept in the database.
                let keys = address.map(|a| (format!("address {a}"), limits.per_address));
                for (key, per_minute) in keys.into_iter().chain([(format!("account {name}"), limits.per_account)]) {
                    let key = secret_hash(&key);
                    pg.run(move |p| limits::attempt(p, key, per_minute)).await?;
                }
                Ok(())
            }
        }
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
