//! Proving who calls: password hashes (argon2id), access tokens (JWT,
//! HS256), refresh tokens, and the limit on failed sign-ins (R2, R3, R6).
//!
//! - An access token lasts minutes and carries the business, the account,
//!   its role and professional, the business's language and the session;
//!   checking it needs no database, so any host can.
//! - A refresh token is `rt1.{business}.{session}.{secret}`: 32 random
//!   bytes, of which the store keeps only the SHA-256. The session's rules
//!   (only the newest token is good, an older one ends the session) are the
//!   engine's ([`agendo_core::account::Session`]).
//! - Failed sign-ins are counted in the store per e-mail and per address,
//!   so every host behind a load balancer sees the same count.

use std::time::Duration;

use agendo_core::account::{PasswordHash, Role, TokenHash};
use agendo_core::ids::{AccountId, BusinessId, ProfessionalId, SessionId};
use agendo_core::store::Store;
use agendo_core::Lang;
use argon2::password_hash::{phc, PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngExt as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;

/// Failed sign-ins allowed in [`FAILURE_WINDOW`] per e-mail and per
/// address before the next attempt is refused (R6).
pub const MAX_FAILURES: usize = 5;
/// The window failed sign-ins are counted in.
pub const FAILURE_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// Who is calling, read from a valid access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The business; every request acts on its records only (R7).
    pub business: BusinessId,
    /// The account.
    pub account: AccountId,
    /// What the account may do.
    pub role: Role,
    /// The account's own professional, if any.
    pub professional: Option<ProfessionalId>,
    /// The business's language, the fallback for messages.
    pub lang: Lang,
    /// The sign-in session.
    pub session: SessionId,
}

impl Caller {
    /// Refuses a caller whose role is not one of `roles`.
    ///
    /// # Errors
    /// [`Error::Forbidden`].
    pub fn require(&self, roles: &[Role]) -> Result<(), Error> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Error::Forbidden {
                role: self.role.as_str(),
            })
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Claims {
    /// The account.
    sub: String,
    bus: String,
    role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pro: Option<String>,
    lng: String,
    sid: String,
    iat: i64,
    exp: i64,
}

/// Signs and checks tokens with the host's secret.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    secret: Vec<u8>,
    access_ttl: TimeDelta,
    argon2: Argon2<'static>,
    /// A hash of nothing anyone knows, verified when an e-mail has no
    /// account, so a wrong e-mail takes as long as a wrong password.
    decoy: String,
}

impl Tokens {
    /// Tokens signed with `secret`, access tokens lasting `access_ttl`.
    ///
    /// # Errors
    /// [`Error::Internal`] when the decoy hash cannot be made.
    pub fn new(secret: &[u8], access_ttl: Duration) -> Result<Tokens, Error> {
        let argon2 = Argon2::default();
        let decoy = argon2
            .hash_password(&random_bytes())
            .map_err(|e| Error::Internal {
                detail: format!("argon2: {e}"),
            })?
            .to_string();
        Ok(Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            secret: secret.to_vec(),
            access_ttl: TimeDelta::from_std(access_ttl).unwrap_or(TimeDelta::minutes(15)),
            argon2,
            decoy,
        })
    }

    /// How long an access token lasts.
    pub fn access_ttl(&self) -> TimeDelta {
        self.access_ttl
    }

    /// An access token for `caller`, issued at `now`.
    ///
    /// # Errors
    /// [`Error::Internal`] when signing fails.
    pub fn access_token(&self, caller: &Caller, now: DateTime<Utc>) -> Result<String, Error> {
        let claims = Claims {
            sub: caller.account.to_string(),
            bus: caller.business.to_string(),
            role: caller.role.as_str().to_owned(),
            pro: caller.professional.map(|p| p.to_string()),
            lng: caller.lang.tag().to_owned(),
            sid: caller.session.to_string(),
            iat: now.timestamp(),
            exp: (now + self.access_ttl).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
            Error::Internal {
                detail: format!("signing a token: {e}"),
            }
        })
    }

    /// The caller an access token names, if it is genuine and not expired
    /// at `now`.
    pub fn caller(&self, token: &str, now: DateTime<Utc>) -> Option<Caller> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the host's clock below, not the
        // library's, so tests can move time.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        if now.timestamp() >= claims.exp {
            return None;
        }
        Some(Caller {
            business: claims.bus.parse().ok()?,
            account: claims.sub.parse().ok()?,
            role: Role::parse(&claims.role).ok()?,
            professional: match claims.pro {
                Some(p) => Some(p.parse().ok()?),
                None => None,
            },
            lang: Lang::from_tag(&claims.lng),
            session: claims.sid.parse().ok()?,
        })
    }

    /// Hashes a password (argon2id, OWASP's parameters: 19 MiB, 2 passes).
    /// Slow on purpose: call it off the async threads.
    ///
    /// # Errors
    /// [`Error::Internal`] when hashing fails.
    pub fn hash_password(&self, password: &str) -> Result<PasswordHash, Error> {
        let hash = self
            .argon2
            .hash_password(password.as_bytes())
            .map_err(|e| Error::Internal {
                detail: format!("argon2: {e}"),
            })?;
        PasswordHash::parse(&hash.to_string()).map_err(Error::from)
    }

    /// Whether `password` matches `hash`; with no hash, checks against the
    /// decoy so the answer takes as long, and is false. Slow on purpose.
    pub fn verify_password(&self, password: &str, hash: Option<&PasswordHash>) -> bool {
        let text = hash.map_or(self.decoy.as_str(), PasswordHash::as_str);
        let Ok(parsed) = phc::PasswordHash::new(text) else {
            return false;
        };
        let ok = self
            .argon2
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && hash.is_some()
    }

    /// An id that only this host's secret makes from `parts`: a record
    /// created under an idempotency key gets it, so a retry finds the
    /// record instead of making another, and nobody can guess it (R8).
    pub fn keyed_id(&self, parts: &[&str]) -> uuid::Uuid {
        let mut hasher = Sha256::new();
        hasher.update(&self.secret);
        for part in parts {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        let digest = hasher.finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

#[derive(Serialize, Deserialize)]
struct ManageClaims {
    typ: String,
    bus: String,
    bkg: String,
    cli: String,
    exp: i64,
}

/// What a manage link lets a client act on: one booking of theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Manage {
    /// The business.
    pub business: BusinessId,
    /// The booking.
    pub booking: agendo_core::ids::BookingId,
    /// The client it is for.
    pub client: agendo_core::ids::ClientId,
}

impl Tokens {
    /// A token for the link with which a client who booked without
    /// signing in sees, cancels or reschedules that booking, until
    /// `expires`.
    ///
    /// # Errors
    /// [`Error::Internal`] when signing fails.
    pub fn manage_token(&self, manage: Manage, expires: DateTime<Utc>) -> Result<String, Error> {
        let claims = ManageClaims {
            typ: "manage".to_owned(),
            bus: manage.business.to_string(),
            bkg: manage.booking.to_string(),
            cli: manage.client.to_string(),
            exp: expires.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
            Error::Internal {
                detail: format!("signing a token: {e}"),
            }
        })
    }

    /// The booking a manage token names, if it is genuine and not expired.
    pub fn manage(&self, token: &str, now: DateTime<Utc>) -> Option<Manage> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<ManageClaims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        if claims.typ != "manage" || now.timestamp() >= claims.exp {
            return None;
        }
        Some(Manage {
            business: claims.bus.parse().ok()?,
            booking: claims.bkg.parse().ok()?,
            client: claims.cli.parse().ok()?,
        })
    }
}

/// A refresh token: where it belongs and its secret.
pub struct RefreshToken {
    /// The business.
    pub business: BusinessId,
    /// The session.
    pub session: SessionId,
    secret: String,
}

impl RefreshToken {
    /// A new token for `session` of `business`, with a random secret.
    pub fn new(business: BusinessId, session: SessionId) -> RefreshToken {
        RefreshToken {
            business,
            session,
            secret: URL_SAFE_NO_PAD.encode(random_bytes()),
        }
    }

    /// Reads a token; `None` when it is not one this host makes.
    pub fn parse(text: &str) -> Option<RefreshToken> {
        let mut parts = text.trim().split('.');
        if parts.next()? != "rt1" {
            return None;
        }
        let business = parts.next()?.parse().ok()?;
        let session = parts.next()?.parse().ok()?;
        let secret = parts.next()?.to_owned();
        if parts.next().is_some() || secret.len() != 43 {
            return None;
        }
        Some(RefreshToken {
            business,
            session,
            secret,
        })
    }

    /// The hash the store keeps.
    ///
    /// # Errors
    /// None in practice: the hex of a SHA-256 digest is always 64
    /// lowercase hex digits, which is what [`TokenHash`] asks.
    pub fn hash(&self) -> Result<TokenHash, Error> {
        let digest = Sha256::digest(self.secret.as_bytes());
        TokenHash::parse(&hex::encode(digest)).map_err(Error::from)
    }

    /// The token as given to the client.
    pub fn text(&self) -> String {
        format!("rt1.{}.{}.{}", self.business, self.session, self.secret)
    }
}

fn random_bytes() -> [u8; 32] {
    rand::rng().random()
}

/// A new random secret for tokens, as text.
pub fn new_secret() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes())
}

/// Refuses a sign-in attempt when `keys` have had [`MAX_FAILURES`] failed
/// sign-ins in the last [`FAILURE_WINDOW`], saying when to try again.
///
/// # Errors
/// [`Error::TooManyRequests`]; [`Error::Core`] when the store fails.
pub async fn check_throttle(
    store: &dyn Store,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let mut wait = 0;
    for key in keys {
        let failures = store.sign_in_failures(key, now - FAILURE_WINDOW).await?;
        if failures.len() >= MAX_FAILURES {
            // Allowed again when the oldest failure that keeps the count
            // at the limit leaves the window.
            let oldest = failures[failures.len() - MAX_FAILURES];
            let seconds = (oldest + FAILURE_WINDOW - now).num_seconds().max(1);
            wait = wait.max(u64::try_from(seconds).unwrap_or(1));
        }
    }
    if wait > 0 {
        return Err(Error::TooManyRequests { retry_after: wait });
    }
    Ok(())
}

/// Records a failed sign-in under each of `keys`.
///
/// # Errors
/// [`Error::Core`] when the store fails.
pub async fn note_failure(
    store: &dyn Store,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<(), Error> {
    for key in keys {
        store
            .add_sign_in_failure(key, now, now - FAILURE_WINDOW)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(&[7u8; 32], Duration::from_secs(900)).unwrap()
    }

    fn caller() -> Caller {
        Caller {
            business: BusinessId::random(),
            account: AccountId::random(),
            role: Role::Receptionist,
            professional: None,
            lang: Lang::PtBr,
            session: SessionId::random(),
        }
    }

    #[test]
    fn an_access_token_names_its_caller_until_it_expires() {
        let tokens = tokens();
        let now = Utc::now();
        let who = caller();
        let token = tokens.access_token(&who, now).unwrap();
        assert_eq!(tokens.caller(&token, now), Some(who));
        assert_eq!(tokens.caller(&token, now + TimeDelta::minutes(15)), None);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = Tokens::new(&[8u8; 32], Duration::from_secs(900)).unwrap();
        let token = other.access_token(&caller(), Utc::now()).unwrap();
        assert_eq!(tokens().caller(&token, Utc::now()), None);
        assert_eq!(tokens().caller("not.a.token", Utc::now()), None);
    }

    #[test]
    fn refresh_tokens_round_trip_and_hash_the_secret() {
        let token = RefreshToken::new(BusinessId::random(), SessionId::random());
        let again = RefreshToken::parse(&token.text()).unwrap();
        assert_eq!(again.hash().unwrap(), token.hash().unwrap());
        assert_eq!(again.business, token.business);
        assert!(RefreshToken::parse("rt1.x.y.z").is_none());
        assert!(RefreshToken::parse(&format!("{}x", token.text())).is_none());
    }

    #[test]
    fn passwords_verify_and_an_unknown_account_never_does() {
        let tokens = tokens();
        let hash = tokens.hash_password("cavalo-bateria-grampo").unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"));
        assert!(tokens.verify_password("cavalo-bateria-grampo", Some(&hash)));
        assert!(!tokens.verify_password("cavalo-bateria-grampa", Some(&hash)));
        assert!(!tokens.verify_password("anything", None));
    }

    #[test]
    fn keyed_ids_depend_on_every_part_and_the_secret() {
        let t = tokens();
        assert_eq!(t.keyed_id(&["a", "b"]), t.keyed_id(&["a", "b"]));
        assert_ne!(t.keyed_id(&["a", "b"]), t.keyed_id(&["ab"]));
        let other = Tokens::new(&[9u8; 32], Duration::from_secs(900)).unwrap();
        assert_ne!(t.keyed_id(&["a"]), other.keyed_id(&["a"]));
    }
}
