//! How many sign-ins and registrations are judged (R6): the policy every
//! host applies, over the store's atomic attempt counter
//! ([`crate::store::Store::take_sign_in_attempt`]), so every host behind a
//! load balancer counts the same attempts.
//!
//! Choices where the requirements are silent:
//! - Failures are counted per e-mail ([`MAX_FAILURES`]) and per address
//!   ([`MAX_ADDRESS_FAILURES`]) apart, so one person failing five times
//!   cannot lock out every colleague behind an office's or a carrier's
//!   shared address, while one address still cannot try passwords across
//!   many accounts without bound.
//! - An attempt is counted before any password is hashed, in one step with
//!   the check, so of many sent at once only the limit are judged.
//! - Every registration that reaches the password hash counts, good or
//!   not: hashing is what it costs.

use chrono::{DateTime, TimeDelta, Utc};

use crate::account::Account;
use crate::contact::Email;
use crate::error::Error;
use crate::store::Store;

/// Failed sign-ins allowed in [`FAILURE_WINDOW`] per e-mail before the
/// next attempt is refused.
pub const MAX_FAILURES: usize = 5;
/// Failed sign-ins allowed in [`FAILURE_WINDOW`] from one address, for any
/// e-mails.
pub const MAX_ADDRESS_FAILURES: usize = 50;
/// The window failed sign-ins are counted in.
pub const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(15);
/// The window registrations from one address are counted in.
pub const REGISTRATION_WINDOW: TimeDelta = TimeDelta::hours(1);

/// A sign-in attempt, counted under its address and e-mail until it ends.
#[derive(Debug)]
pub struct SignInAttempt {
    address: String,
    email: Option<String>,
    at: DateTime<Utc>,
}

impl SignInAttempt {
    /// Counts a sign-in from `address` for `email`, or refuses it when the
    /// e-mail has had [`MAX_FAILURES`], or the address
    /// [`MAX_ADDRESS_FAILURES`], in the last [`FAILURE_WINDOW`].
    ///
    /// # Errors
    /// [`Error::TooManyAttempts`] saying when to try again;
    /// [`Error::Storage`].
    pub async fn begin(
        store: &dyn Store,
        address: &str,
        email: Option<&Email>,
        now: DateTime<Utc>,
    ) -> Result<SignInAttempt, Error> {
        let since = now - FAILURE_WINDOW;
        let address = format!("address:{address}");
        if let Some(oldest) = store
            .take_sign_in_attempt(&address, now, since, MAX_ADDRESS_FAILURES)
            .await?
        {
            return Err(wait_until(oldest + FAILURE_WINDOW, now));
        }
        let email = email.map(|e| format!("email:{}", Account::login_key(e)));
        if let Some(key) = &email {
            if let Some(oldest) = store
                .take_sign_in_attempt(key, now, since, MAX_FAILURES)
                .await?
            {
                store.release_sign_in_attempt(&address, now).await?;
                return Err(wait_until(oldest + FAILURE_WINDOW, now));
            }
        }
        Ok(SignInAttempt {
            address,
            email,
            at: now,
        })
    }

    /// The password was not judged (the host was busy): the attempt is
    /// taken back under every key.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn abandon(self, store: &dyn Store) -> Result<(), Error> {
        store
            .release_sign_in_attempt(&self.address, self.at)
            .await?;
        if let Some(email) = &self.email {
            store.release_sign_in_attempt(email, self.at).await?;
        }
        Ok(())
    }

    /// The sign-in was good: the e-mail's failures are forgotten and this
    /// attempt no longer counts against the address.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn succeeded(self, store: &dyn Store) -> Result<(), Error> {
        store
            .release_sign_in_attempt(&self.address, self.at)
            .await?;
        if let Some(email) = &self.email {
            store.clear_sign_in_failures(email).await?;
        }
        Ok(())
    }
}

/// Counts a registration from `address`, refusing it past `per_hour` in
/// the last [`REGISTRATION_WINDOW`].
///
/// # Errors
/// [`Error::TooManyAttempts`]; [`Error::Storage`].
pub async fn count_registration(
    store: &dyn Store,
    address: &str,
    per_hour: usize,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let key = format!("register:{address}");
    match store
        .take_sign_in_attempt(&key, now, now - REGISTRATION_WINDOW, per_hour)
        .await?
    {
        Some(oldest) => Err(wait_until(oldest + REGISTRATION_WINDOW, now)),
        None => Ok(()),
    }
}

/// How many links (password resets, e-mail verifications) one e-mail may
/// ask for in [`LINK_WINDOW`].
pub const MAX_LINKS: usize = 3;
/// How many links one address may ask for in [`LINK_WINDOW`], whatever
/// the e-mails.
pub const MAX_ADDRESS_LINKS: usize = 20;
/// The window links are counted in.
pub const LINK_WINDOW: TimeDelta = TimeDelta::hours(1);

/// Counts a request for a link to `email` from `address`: every request,
/// whether the e-mail has accounts or not, so the limit tells nothing.
///
/// # Errors
/// [`Error::TooManyAttempts`] past [`MAX_LINKS`] for the e-mail or
/// [`MAX_ADDRESS_LINKS`] for the address, with the wait.
pub async fn count_link_request(
    store: &dyn Store,
    email: &crate::contact::Email,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let since = now - LINK_WINDOW;
    let by_address = format!("link-address:{address}");
    if let Some(oldest) = store
        .take_sign_in_attempt(&by_address, now, since, MAX_ADDRESS_LINKS)
        .await?
    {
        return Err(wait_until(oldest + LINK_WINDOW, now));
    }
    let by_email = format!("link:{}", crate::account::Account::login_key(email));
    match store
        .take_sign_in_attempt(&by_email, now, since, MAX_LINKS)
        .await?
    {
        Some(oldest) => Err(wait_until(oldest + LINK_WINDOW, now)),
        None => Ok(()),
    }
}

fn wait_until(free: DateTime<Utc>, now: DateTime<Utc>) -> Error {
    let seconds = (free - now).num_seconds().max(1);
    Error::TooManyAttempts {
        retry_after: u64::try_from(seconds).unwrap_or(1),
    }
}
