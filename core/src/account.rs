//! Who signs in to a business, and their sign-in sessions (R1–R5).
//!
//! An [`Account`] is a person of the business who signs in: the owner, a
//! receptionist or a professional ([`Role`]). A [`Session`] is one sign-in:
//! the refresh tokens a device gets, one after the other, share it, and
//! only the newest of them is good. Presenting an older one means a token
//! was copied, so the whole session ends ([`Redemption::Reused`]).
//!
//! The engine keeps these records and their rules; it does not hash
//! passwords or make tokens, which need randomness and a clock. The host
//! hashes a password (argon2id) into a [`PasswordHash`] and a token's
//! secret (SHA-256) into a [`TokenHash`]; the engine stores only those.
//!
//! Choices where the requirements are silent:
//! - A password has 10 to 128 characters, is not one character repeated,
//!   does not contain the e-mail's name part and is not one of the most
//!   common passwords ([`check_password`]); length beats composition rules
//!   (NIST SP 800-63B §5.1.1).
//! - A session lasts a fixed time from sign-in; using it does not extend
//!   it, so a stolen device is signed out at the latest then.
//! - An e-mail signs in to one account per business; the same person may
//!   have accounts in several businesses.

use chrono::{DateTime, TimeDelta, Utc};

use crate::business::{fold_accent, name, Activity};
use crate::contact::Email;
use crate::error::{clip, Error, Problem};
use crate::ids::{AccountId, BusinessId, ProfessionalId, SessionId};
use crate::lang::Lang;

/// The fewest characters of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most characters of a password.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// What a person may do in the business (R5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Everything, including staff, prices and policies.
    Owner,
    /// Clients and bookings; reads payments.
    Receptionist,
    /// Their own agenda and bookings.
    Professional,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Owner, Role::Receptionist, Role::Professional];

    /// The role as written in APIs: `owner`, `receptionist`, `professional`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Receptionist => "receptionist",
            Role::Professional => "professional",
        }
    }

    /// Reads a role written by [`Role::as_str`].
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `role` with [`Problem::UnknownValue`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::account::Role;
    /// assert_eq!(Role::parse("receptionist")?, Role::Receptionist);
    /// assert!(Role::parse("admin").is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Role, Error> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| {
                Error::invalid(
                    "role",
                    Problem::UnknownValue {
                        value: clip(text),
                        expected: "owner, receptionist, professional",
                    },
                )
            })
    }

    /// The role in `lang`, for people.
    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(
            self.as_str(),
            match self {
                Role::Owner => "proprietário(a)",
                Role::Receptionist => "recepcionista",
                Role::Professional => "profissional",
            },
        )
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Passwords so common that an attacker tries them first, already 10
/// characters or longer (shorter ones fail the length rule).
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "0123456789",
    "0987654321",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwertyuiop",
    "asdfghjkl;",
    "password123",
    "password1234",
    "passw0rd123",
    "senha12345",
    "senha123456",
    "minhasenha",
    "minhasenha123",
    "iloveyou123",
    "abcdefghij",
    "abc1234567",
    "qwerty1234",
    "qwerty123456",
    "admin12345",
    "administrator",
    "welcome123",
    "letmein123",
    "agendo1234",
    "brasil1234",
    "flamengo123",
    "corinthians",
    "palmeiras123",
];

/// Checks a new password against the minimum policy (R3).
///
/// # Errors
/// [`Error::Invalid`] for the field `password`: [`Problem::TooShort`],
/// [`Problem::TooLong`], or [`Problem::WeakPassword`] when it is one
/// character repeated, contains the e-mail's name part or is a common
/// password.
///
/// # Example
/// ```
/// use agendo_core::account::check_password;
/// use agendo_core::contact::Email;
/// let ana = Email::parse("ana.souza@example.com")?;
/// assert!(check_password("cavalo-bateria-grampo", &ana).is_ok());
/// assert!(check_password("curta", &ana).is_err());
/// assert!(check_password("ana.souza2026!", &ana).is_err());
/// assert!(check_password("senha12345", &ana).is_err());
/// # Ok::<(), agendo_core::Error>(())
/// ```
pub fn check_password(password: &str, email: &Email) -> Result<(), Error> {
    let field = "password";
    let len = password.chars().count();
    if len < MIN_PASSWORD_CHARS {
        return Err(Error::invalid(
            field,
            Problem::TooShort {
                len,
                min: MIN_PASSWORD_CHARS,
            },
        ));
    }
    if len > MAX_PASSWORD_CHARS {
        return Err(Error::invalid(
            field,
            Problem::TooLong {
                len,
                max: MAX_PASSWORD_CHARS,
            },
        ));
    }
    let lower = password.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(Error::invalid(field, Problem::WeakPassword));
    }
    let local = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    if local.chars().count() >= 3 && lower.contains(&local) {
        return Err(Error::invalid(field, Problem::WeakPassword));
    }
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(Error::invalid(field, Problem::WeakPassword));
    }
    Ok(())
}

/// A password hash in the PHC string format (`$argon2id$v=19$...`), made by
/// the host. The engine only keeps it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PasswordHash(Box<str>);

impl PasswordHash {
    /// Reads a PHC string.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `password_hash` with
    /// [`Problem::BadHash`] when it does not start with `$`, is longer than
    /// 512 characters or has characters other than visible ASCII.
    pub fn parse(text: &str) -> Result<PasswordHash, Error> {
        if !text.starts_with('$') || text.len() > 512 || !text.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(Error::invalid("password_hash", Problem::BadHash));
        }
        Ok(PasswordHash(text.into()))
    }

    /// The PHC string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    // A hash is not a secret, but it is an offline attack's starting point:
    // it never reaches a log through `Debug`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// The SHA-256 of a token's secret, as 64 lowercase hex digits, made by the
/// host. The secret itself is never stored.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(Box<str>);

impl TokenHash {
    /// Reads 64 lowercase hex digits.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `token_hash` with [`Problem::BadHash`].
    pub fn parse(text: &str) -> Result<TokenHash, Error> {
        if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(Error::invalid("token_hash", Problem::BadHash));
        }
        Ok(TokenHash(text.into()))
    }

    /// The hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

/// A person who signs in to a business (R1, R5).
///
/// # Example
/// ```
/// use agendo_core::account::{Account, PasswordHash, Role};
/// use agendo_core::contact::Email;
/// use agendo_core::ids::{AccountId, BusinessId, ProfessionalId};
///
/// let hash = PasswordHash::parse("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA")?;
/// let email = Email::parse("bia@example.com")?;
/// let bia = Account::new(AccountId::random(), BusinessId::random(), email.clone(), "Bia",
///     Role::Professional, Some(ProfessionalId::random()), hash.clone())?;
/// assert_eq!(bia.role(), Role::Professional);
/// // A professional's account must say whose agenda is theirs.
/// assert!(Account::new(AccountId::random(), BusinessId::random(), email, "Bia",
///     Role::Professional, None, hash).is_err());
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    id: AccountId,
    business: BusinessId,
    email: Email,
    name: Box<str>,
    role: Role,
    professional: Option<ProfessionalId>,
    password: PasswordHash,
    activity: Activity,
    verified_at: Option<DateTime<Utc>>,
}

impl Account {
    /// An active account. `professional` is the professional whose agenda
    /// is the person's own: required for [`Role::Professional`], optional
    /// otherwise (an owner who also cuts hair).
    ///
    /// # Errors
    /// [`Error::Invalid`] for `name` when empty or too long, and for
    /// `professional_id` ([`Problem::Required`]) when a professional's
    /// account names no professional.
    pub fn new(
        id: AccountId,
        business: BusinessId,
        email: Email,
        name: &str,
        role: Role,
        professional: Option<ProfessionalId>,
        password: PasswordHash,
    ) -> Result<Account, Error> {
        let account = Account {
            id,
            business,
            email,
            name: self::name("name", name)?,
            role,
            professional,
            password,
            activity: Activity::Active,
            verified_at: None,
        };
        account.checked()
    }

    fn checked(self) -> Result<Account, Error> {
        if self.role == Role::Professional && self.professional.is_none() {
            return Err(Error::invalid("professional_id", Problem::Required));
        }
        Ok(self)
    }

    /// The same account with another name.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `name` when empty or too long.
    pub fn with_name(mut self, name: &str) -> Result<Account, Error> {
        self.name = self::name("name", name)?;
        Ok(self)
    }

    /// The same account signing in with another e-mail.
    pub fn with_email(mut self, email: Email) -> Account {
        if Account::login_key(&email) != Account::login_key(&self.email) {
            self.verified_at = None;
        }
        self.email = email;
        self
    }

    /// The same account with another role and professional.
    ///
    /// # Errors
    /// As [`Account::new`] for `professional_id`.
    pub fn with_role(
        mut self,
        role: Role,
        professional: Option<ProfessionalId>,
    ) -> Result<Account, Error> {
        self.role = role;
        self.professional = professional;
        self.checked()
    }

    /// The same account with a new password hash.
    pub fn with_password(mut self, password: PasswordHash) -> Account {
        self.password = password;
        self
    }

    /// The same account, its e-mail verified at `at` (or not).
    pub fn with_verified_at(mut self, at: Option<DateTime<Utc>>) -> Account {
        self.verified_at = at;
        self
    }

    /// When the account's e-mail was verified (a link sent to it was
    /// followed), if it was. Changing the e-mail does not keep it.
    pub fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.verified_at
    }

    /// The same account, active or retired (a retired account cannot sign
    /// in).
    pub fn with_activity(mut self, activity: Activity) -> Account {
        self.activity = activity;
        self
    }

    /// The account's id.
    pub fn id(&self) -> AccountId {
        self.id
    }

    /// The business.
    pub fn business(&self) -> BusinessId {
        self.business
    }

    /// The e-mail it signs in with.
    pub fn email(&self) -> &Email {
        &self.email
    }

    /// How e-mails are compared when signing in: the whole address in
    /// lowercase, so `Ana@Example.com` and `ana@example.com` are one login.
    pub fn login_key(email: &Email) -> String {
        email.as_str().to_lowercase()
    }

    /// The person's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the person may do.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The professional whose agenda is the person's own, if any.
    pub fn professional(&self) -> Option<ProfessionalId> {
        self.professional
    }

    /// The password hash.
    pub fn password(&self) -> &PasswordHash {
        &self.password
    }

    /// Whether the account is active or retired.
    pub fn activity(&self) -> Activity {
        self.activity
    }
}

/// What presenting a refresh token's secret to its session means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Redemption {
    /// The newest token of a live session: rotate it.
    Current,
    /// Not the newest token: a copy is in someone else's hands, so the
    /// session must end (R2).
    Reused,
    /// The session's time is over.
    Expired,
    /// The session was ended (sign-out, or a reuse seen before).
    Revoked,
}

/// One sign-in of an account: the refresh tokens issued to one device, of
/// which only the newest is good (R2).
///
/// # Example
/// ```
/// use agendo_core::account::{Redemption, Session, TokenHash};
/// use agendo_core::ids::{AccountId, BusinessId, SessionId};
/// use chrono::{DateTime, TimeDelta, Utc};
///
/// let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
/// let first = TokenHash::parse(&"a".repeat(64))?;
/// let second = TokenHash::parse(&"b".repeat(64))?;
/// let session = Session::new(SessionId::random(), BusinessId::random(), AccountId::random(),
///     first.clone(), now, TimeDelta::days(30));
/// assert_eq!(session.redeem(&first, now), Redemption::Current);
/// let session = session.rotate(second.clone(), now);
/// assert_eq!(session.redeem(&second, now), Redemption::Current);
/// // The first token again: someone kept a copy.
/// assert_eq!(session.redeem(&first, now), Redemption::Reused);
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    id: SessionId,
    business: BusinessId,
    account: AccountId,
    secret: TokenHash,
    created: DateTime<Utc>,
    expires: DateTime<Utc>,
    rotated: DateTime<Utc>,
    revoked: Option<DateTime<Utc>>,
}

impl Session {
    /// A session signed in at `now`, lasting `lifetime`, whose first token's
    /// secret hashes to `secret`.
    pub fn new(
        id: SessionId,
        business: BusinessId,
        account: AccountId,
        secret: TokenHash,
        now: DateTime<Utc>,
        lifetime: TimeDelta,
    ) -> Session {
        Session {
            id,
            business,
            account,
            secret,
            created: now,
            expires: now.checked_add_signed(lifetime).unwrap_or(now),
            rotated: now,
            revoked: None,
        }
    }

    /// A session as a store reads it back.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `expires` when it is before `created`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        id: SessionId,
        business: BusinessId,
        account: AccountId,
        secret: TokenHash,
        created: DateTime<Utc>,
        expires: DateTime<Utc>,
        rotated: DateTime<Utc>,
        revoked: Option<DateTime<Utc>>,
    ) -> Result<Session, Error> {
        if expires < created {
            return Err(Error::invalid(
                "expires",
                Problem::SpanNotIncreasing {
                    start: created,
                    end: expires,
                },
            ));
        }
        Ok(Session {
            id,
            business,
            account,
            secret,
            created,
            expires,
            rotated,
            revoked,
        })
    }

    /// What presenting a token whose secret hashes to `presented` at `now`
    /// means. A revoked session stays revoked whatever is presented.
    pub fn redeem(&self, presented: &TokenHash, now: DateTime<Utc>) -> Redemption {
        if self.revoked.is_some() {
            Redemption::Revoked
        } else if *presented != self.secret {
            Redemption::Reused
        } else if now >= self.expires {
            Redemption::Expired
        } else {
            Redemption::Current
        }
    }

    /// Whether the session still stands at `now`: not ended, not expired.
    /// An access token issued for it is good only while it is.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked.is_none() && now < self.expires
    }

    /// The session with a new newest token, at `now`.
    pub fn rotate(mut self, secret: TokenHash, now: DateTime<Utc>) -> Session {
        self.secret = secret;
        self.rotated = now;
        self
    }

    /// The session ended at `now` (kept if it had ended before).
    pub fn revoke(mut self, now: DateTime<Utc>) -> Session {
        self.revoked.get_or_insert(now);
        self
    }

    /// The session's id.
    pub fn id(&self) -> SessionId {
        self.id
    }

    /// The business.
    pub fn business(&self) -> BusinessId {
        self.business
    }

    /// The account signed in.
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// The hash of the newest token's secret.
    pub fn secret(&self) -> &TokenHash {
        &self.secret
    }

    /// When it was signed in.
    pub fn created(&self) -> DateTime<Utc> {
        self.created
    }

    /// When it ends by itself.
    pub fn expires(&self) -> DateTime<Utc> {
        self.expires
    }

    /// When its newest token was issued.
    pub fn rotated(&self) -> DateTime<Utc> {
        self.rotated
    }

    /// When it was ended, if it was.
    pub fn revoked(&self) -> Option<DateTime<Utc>> {
        self.revoked
    }
}

/// The longest public address of a business.
pub const MAX_SLUG_CHARS: usize = 63;

/// A business's public address, as in `/v1/public/salao-da-ana`: 3 to 63
/// lowercase ASCII letters, digits and inner hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(Box<str>);

impl serde::Serialize for Slug {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl Slug {
    /// Reads a slug.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `slug` with [`Problem::BadSlug`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::account::Slug;
    /// assert_eq!(Slug::parse("salao-da-ana")?.as_str(), "salao-da-ana");
    /// assert!(Slug::parse("Salão").is_err());
    /// assert!(Slug::parse("-ana").is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Slug, Error> {
        let ok = (3..=MAX_SLUG_CHARS).contains(&text.len())
            && text
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
            && !text.starts_with('-')
            && !text.ends_with('-')
            && !text.contains("--");
        if !ok {
            return Err(Error::invalid(
                "slug",
                Problem::BadSlug { value: clip(text) },
            ));
        }
        Ok(Slug(text.into()))
    }

    /// A slug made from a business's name: accents dropped, lowercase,
    /// runs of other characters made one hyphen, cut to fit; `suffix`, when
    /// given, is added after a hyphen (to tell apart two businesses of the
    /// same name). A name with nothing usable gives `negocio`.
    ///
    /// # Example
    /// ```
    /// use agendo_core::account::Slug;
    /// assert_eq!(Slug::from_name("Salão da Ana & Cia.", None).as_str(), "salao-da-ana-cia");
    /// assert_eq!(Slug::from_name("Salão da Ana", Some("2")).as_str(), "salao-da-ana-2");
    /// assert_eq!(Slug::from_name("!!", None).as_str(), "negocio");
    /// ```
    pub fn from_name(name: &str, suffix: Option<&str>) -> Slug {
        let mut text = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            let c = fold_accent(c);
            if c.is_ascii_alphanumeric() {
                text.push(c);
            } else if !text.is_empty() && !text.ends_with('-') {
                text.push('-');
            }
        }
        let suffix: String = suffix
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .flat_map(|c| c.to_lowercase())
            .take(MAX_SLUG_CHARS / 2)
            .collect();
        let room = MAX_SLUG_CHARS
            - if suffix.is_empty() {
                0
            } else {
                suffix.len() + 1
            };
        text.truncate(room);
        let mut text = text.trim_matches('-').to_owned();
        if text.len() < 3 {
            text = "negocio".to_owned();
        }
        if !suffix.is_empty() {
            text.push('-');
            text.push_str(&suffix);
        }
        Slug(text.into())
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the host does with passwords. Hashing is slow on purpose, and the
/// host decides where it runs (its own threads, a bounded queue), so the
/// engine asks for it through this port rather than hashing itself.
#[async_trait::async_trait]
pub trait Passwords: Send + Sync {
    /// A new hash of `password`.
    ///
    /// # Errors
    /// [`Error::Busy`] when the host is hashing all it can.
    async fn hash(&self, password: &str) -> Result<PasswordHash, Error>;

    /// Whether `password` is the one `hash` was made from.
    ///
    /// # Errors
    /// [`Error::Busy`] when the host is hashing all it can.
    async fn verify(&self, password: &str, hash: &PasswordHash) -> Result<bool, Error>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email::parse("ana@example.com").unwrap()
    }

    #[test]
    fn a_password_of_nine_characters_is_too_short() {
        let err = check_password("abcdefgh9", &email()).unwrap_err();
        assert_eq!(err.field(), Some("password"));
        assert!(err.to_string().contains("at least 10"), "{err}");
    }

    #[test]
    fn a_repeated_character_is_weak_whatever_its_length() {
        assert!(check_password(&"z".repeat(40), &email()).is_err());
    }

    #[test]
    fn the_email_name_inside_the_password_is_weak() {
        assert!(check_password("xxANAxx2026", &email()).is_err());
        assert!(check_password("xxBIAxx2026", &email()).is_ok());
    }

    #[test]
    fn a_long_password_is_refused_over_128_characters() {
        assert!(check_password(&"ab".repeat(64), &email()).is_ok());
        assert!(check_password(&"ab".repeat(65), &email()).is_err());
    }

    #[test]
    fn a_revoked_session_stays_revoked_even_with_the_current_token() {
        let now: DateTime<Utc> = "2026-03-01T12:00:00Z".parse().unwrap();
        let hash = TokenHash::parse(&"c".repeat(64)).unwrap();
        let session = Session::new(
            SessionId::random(),
            BusinessId::random(),
            AccountId::random(),
            hash.clone(),
            now,
            TimeDelta::days(1),
        );
        assert_eq!(
            session.redeem(&hash, now + TimeDelta::days(1)),
            Redemption::Expired
        );
        let revoked = session.revoke(now);
        assert_eq!(revoked.redeem(&hash, now), Redemption::Revoked);
    }

    #[test]
    fn slugs_made_from_names_always_parse() {
        for name in [
            "Salão da Ana",
            "a",
            "ÇÇÇ",
            &"x".repeat(300),
            "--b--c--",
            "1 2 3",
        ] {
            for suffix in [None, Some("7f3a"), Some("!!")] {
                let slug = Slug::from_name(name, suffix);
                assert_eq!(Slug::parse(slug.as_str()).as_ref(), Ok(&slug), "{name}");
            }
        }
    }

    #[test]
    fn hashes_never_show_in_debug() {
        let hash = PasswordHash::parse("$argon2id$v=19$secret").unwrap();
        assert!(!format!("{hash:?}").contains("secret"));
    }
}
