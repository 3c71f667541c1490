//! Proving who calls: access tokens (JWT, HS256), refresh tokens, and the
//! limit on sign-in attempts (R2, R6). Password hashes are
//! [`crate::passwords`].
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

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use agendo_core::account::{Role, TokenHash};
use agendo_core::ids::{AccountId, BusinessId, ProfessionalId, SessionId};
use agendo_core::Lang;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngExt as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;

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
    /// `account` acting through `session`, its business speaking `lang`.
    pub fn of(account: &agendo_core::account::Account, lang: Lang, session: SessionId) -> Caller {
        Caller {
            business: account.business(),
            account: account.id(),
            role: account.role(),
            professional: account.professional(),
            lang,
            session,
        }
    }
}

/// A cookie's value, from every `Cookie` header of a request.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
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
    /// Tokens found genuine, by their SHA-256, with the caller each names
    /// and when it expires: a session's requests check its token's
    /// signature once, not each (decoding and checking it was a tenth of
    /// a search's time). Only genuine tokens are added, so no unsigned
    /// caller can fill it; emptied when full.
    verified: std::sync::Mutex<HashMap<[u8; 32], (Caller, i64)>>,
}

/// The most genuine tokens remembered.
const VERIFIED_TOKENS: usize = 4_096;

impl Tokens {
    /// Tokens signed with `secret`, access tokens lasting `access_ttl`.
    ///
    pub fn new(secret: &[u8], access_ttl: Duration) -> Tokens {
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            secret: secret.to_vec(),
            access_ttl: TimeDelta::from_std(access_ttl).unwrap_or(TimeDelta::minutes(15)),
            verified: std::sync::Mutex::default(),
        }
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
        self.token_until(caller, now, now + self.access_ttl)
    }

    /// A token for `caller` that lasts until `expires`: the staff pages'
    /// cookie, which lasts as long as its session. Like every access
    /// token it is good only while its session is live, which the host
    /// checks on each request.
    ///
    /// # Errors
    /// [`Error::Internal`] when signing fails.
    pub fn token_until(
        &self,
        caller: &Caller,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<String, Error> {
        let claims = Claims {
            sub: caller.account.to_string(),
            bus: caller.business.to_string(),
            role: caller.role.as_str().to_owned(),
            pro: caller.professional.map(|p| p.to_string()),
            lng: caller.lang.tag().to_owned(),
            sid: caller.session.to_string(),
            iat: now.timestamp(),
            exp: expires.timestamp(),
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
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let lock = || self.verified.lock().unwrap_or_else(|e| e.into_inner());
        let found = lock().get(&digest).cloned();
        let (caller, expires) = match found {
            Some(found) => found,
            None => {
                let found = self.verify(token)?;
                let mut verified = lock();
                if verified.len() >= VERIFIED_TOKENS {
                    verified.clear();
                }
                verified.insert(digest, found.clone());
                found
            }
        };
        (now.timestamp() < expires).then_some(caller)
    }

    /// The caller a genuine token names and when it expires.
    fn verify(&self, token: &str) -> Option<(Caller, i64)> {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the host's clock below, not the
        // library's, so tests can move time.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .ok()?
            .claims;
        let caller = Caller {
            business: claims.bus.parse().ok()?,
            account: claims.sub.parse().ok()?,
            role: Role::parse(&claims.role).ok()?,
            professional: match claims.pro {
                Some(p) => Some(p.parse().ok()?),
                None => None,
            },
            lang: Lang::from_tag(&claims.lng),
            session: claims.sid.parse().ok()?,
        };
        Some((caller, claims.exp))
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

/// The sessions checked since the store's last commit that changed an
/// account or a session. What a check found is kept while no commit since
/// changed one ([`agendo_core::store::Store::access_changed_since`]): a
/// sign-out, a retired account, a new session anywhere and every session
/// is checked again on its next request; bookings leave them kept. Requests of one session that arrive
/// together after a commit wait for one check instead of each reading the
/// store. On Postgres another host's commit moves the version when its
/// notification arrives, a moment later. A store that cannot tell its
/// version is asked every time.
#[derive(Default)]
pub struct LiveSessions {
    /// A `std::sync::Mutex`: held only to find or add one entry, never
    /// across the check itself.
    seen: std::sync::Mutex<(u64, HashMap<SessionId, Arc<Verdict>>)>,
}

/// What checking one session found: its account's id, role and
/// professional and when the session ends, or `None` when it is over.
type Verdict =
    tokio::sync::OnceCell<Option<(AccountId, Role, Option<ProfessionalId>, DateTime<Utc>)>>;

/// How many sessions are kept between two commits at most.
const KEPT_SESSIONS: usize = 10_000;

impl LiveSessions {
    /// The caller, if its session is live and its account still active with
    /// the role and professional the token names; `None` otherwise.
    ///
    /// # Errors
    /// [`Error::Core`] when the store fails.
    pub async fn check(
        &self,
        agenda: &agendo_core::agenda::Agenda,
        caller: Caller,
        now: DateTime<Utc>,
    ) -> Result<Option<Caller>, Error> {
        let verdict = match agenda.store().version() {
            Some(version) => {
                let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
                if seen.0 != version {
                    // Kept while no commit since changed an account or a
                    // session (bookings do not).
                    if agenda.store().access_changed_since(seen.0) {
                        seen.1.clear();
                    }
                    seen.0 = version;
                }
                if seen.1.len() >= KEPT_SESSIONS {
                    seen.1.clear();
                }
                Arc::clone(seen.1.entry(caller.session).or_default())
            }
            None => Arc::new(Verdict::new()),
        };
        let found = verdict
            .get_or_try_init(|| async {
                let ctx = agendo_core::agenda::Context::staff(caller.business, now);
                match agenda
                    .live_session(&ctx, caller.session, caller.account)
                    .await
                {
                    Ok((session, account)) => Ok(Some((
                        account.id(),
                        account.role(),
                        account.professional(),
                        session.expires(),
                    ))),
                    Err(
                        agendo_core::Error::SessionEnded { .. }
                        | agendo_core::Error::NotFound { .. },
                    ) => Ok(None),
                    Err(other) => Err(Error::from(other)),
                }
            })
            .await?;
        let live = found.is_some_and(|(account, role, professional, expires)| {
            account == caller.account
                && role == caller.role
                && professional == caller.professional
                && now < expires
        });
        Ok(live.then_some(caller))
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

    /// The manage token of `booking`, for its client, good until the
    /// engine's `manage_link_until`.
    ///
    /// # Errors
    /// [`Error::Internal`] when signing fails.
    pub fn manage_token_of(
        &self,
        booking: &agendo_core::booking::Booking,
    ) -> Result<String, Error> {
        self.manage_token(
            Manage {
                business: booking.business(),
                booking: booking.id(),
                client: booking.client(),
            },
            agendo_core::booking::manage_link_until(booking),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Tokens {
        Tokens::new(&[7u8; 32], Duration::from_secs(900))
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
        let other = Tokens::new(&[8u8; 32], Duration::from_secs(900));
        let token = other.access_token(&caller(), Utc::now()).unwrap();
        assert_eq!(tokens().caller(&token, Utc::now()), None);
        assert_eq!(tokens().caller("not.a.token", Utc::now()), None);
    }

    #[test]
    fn a_token_changed_after_its_genuine_one_was_checked_is_refused() {
        let tokens = tokens();
        let now = Utc::now();
        let who = caller();
        let token = tokens.access_token(&who, now).unwrap();
        assert_eq!(tokens.caller(&token, now), Some(who.clone()));
        let (signed, signature) = token.rsplit_once('.').unwrap();
        // Another signature, and the claims of another caller under the
        // genuine signature.
        let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
        let forged = format!("{signed}.{flipped}{}", &signature[1..]);
        assert_eq!(tokens.caller(&forged, now), None);
        let other = tokens.access_token(&caller(), now).unwrap();
        let (other_signed, _) = other.rsplit_once('.').unwrap();
        assert_eq!(
            tokens.caller(&format!("{other_signed}.{signature}"), now),
            None
        );
        // The genuine one still names its caller, until it expires.
        assert_eq!(tokens.caller(&token, now), Some(who));
        assert_eq!(tokens.caller(&token, now + TimeDelta::minutes(15)), None);
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
    fn keyed_ids_depend_on_every_part_and_the_secret() {
        let t = tokens();
        assert_eq!(t.keyed_id(&["a", "b"]), t.keyed_id(&["a", "b"]));
        assert_ne!(t.keyed_id(&["a", "b"]), t.keyed_id(&["ab"]));
        let other = Tokens::new(&[9u8; 32], Duration::from_secs(900));
        assert_ne!(t.keyed_id(&["a"]), other.keyed_id(&["a"]));
    }
}
