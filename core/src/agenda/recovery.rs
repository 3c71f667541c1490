//! Account recovery (R4): verifying an account's e-mail and resetting a
//! forgotten password, each by a link sent to the e-mail.
//!
//! The host makes each link's secret and gives the engine only its hash
//! (the key), so a database read never yields a working link. A link is
//! good for [`TOKEN_LIFETIME`] and once: redeeming it marks it used in the
//! same step as the change. A new password must pass the same policy as
//! any other ([`check_password`]), and ends every sign-in of the account,
//! so whoever knew the old password is signed out. Asking for links
//! answers alike whether the e-mail has accounts or not: the host sends
//! whatever [`Agenda::issue_account_tokens`] returns and says nothing
//! of it.

use chrono::{DateTime, TimeDelta, Utc};

use super::Agenda;
use crate::account::{check_password, Account, Passwords};
use crate::business::Activity;
use crate::contact::Email;
use crate::error::{Error, Problem};
use crate::ids::{AccountId, BusinessId};
use crate::lang::Lang;
use crate::store::Access;

/// How long a link is good for.
pub const TOKEN_LIFETIME: TimeDelta = TimeDelta::hours(1);

/// What a link does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenPurpose {
    /// Verifies the account's e-mail.
    VerifyEmail,
    /// Sets a new password.
    ResetPassword,
}

impl TokenPurpose {
    /// As stored: `verify_email`, `reset_password`.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::VerifyEmail => "verify_email",
            TokenPurpose::ResetPassword => "reset_password",
        }
    }

    /// Reads [`TokenPurpose::as_str`] back.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `purpose`.
    pub fn parse(text: &str) -> Result<TokenPurpose, Error> {
        match text {
            "verify_email" => Ok(TokenPurpose::VerifyEmail),
            "reset_password" => Ok(TokenPurpose::ResetPassword),
            other => Err(Error::invalid(
                "purpose",
                Problem::UnknownValue {
                    value: crate::error::clip(other),
                    expected: "verify_email, reset_password",
                },
            )),
        }
    }
}

/// A link's record: the hash of its secret and what it may do, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountToken {
    /// The hash of the link's secret.
    pub key: String,
    /// The business of the account.
    pub business: BusinessId,
    /// The account.
    pub account: AccountId,
    /// What it does.
    pub purpose: TokenPurpose,
    /// The first instant it no longer works.
    pub expires_at: DateTime<Utc>,
    /// When it was used, if it was.
    pub used_at: Option<DateTime<Utc>>,
}

/// A link issued, for the host to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    /// The link's secret (what goes in the e-mail).
    pub secret: String,
    /// The account's name.
    pub name: String,
    /// Where it goes.
    pub email: Email,
    /// The business's name.
    pub business: String,
    /// The business's language.
    pub lang: Lang,
}

impl Agenda {
    /// Issues a link of `purpose` for each active account `email` signs in
    /// to (in every business), valid from `now` for [`TOKEN_LIFETIME`];
    /// `secret` makes each link's secret and its key (hash). None when the
    /// e-mail has no account: the caller answers alike.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub async fn issue_account_tokens(
        &self,
        email: &Email,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
        secret: &mut (dyn FnMut() -> (String, String) + Send),
    ) -> Result<Vec<Issued>, Error> {
        let mut issued = Vec::new();
        for login in self.store.logins(email).await? {
            let mut work = self.store.begin(login.business, Access::Write).await?;
            let (Some(shop), Some(account)) =
                (work.business().await?, work.account(login.account).await?)
            else {
                continue;
            };
            if account.activity() != Activity::Active {
                continue;
            }
            let (clear, key) = secret();
            work.put_account_token(&AccountToken {
                key,
                business: login.business,
                account: login.account,
                purpose,
                expires_at: now + TOKEN_LIFETIME,
                used_at: None,
            })
            .await?;
            work.commit().await?;
            issued.push(Issued {
                secret: clear,
                name: account.name().to_owned(),
                email: account.email().clone(),
                business: shop.name().to_owned(),
                lang: shop.locale(),
            });
        }
        Ok(issued)
    }

    /// Sets a new password with the reset link whose key is `key`: the
    /// link is used up, every sign-in of the account ended.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `token` ([`Problem::ExpiredLink`]) when no
    /// reset link has this key or it expired or was used; for `password`
    /// when it fails the policy; [`Error::Busy`] from the hasher.
    pub async fn reset_password(
        &self,
        key: &str,
        password: &str,
        now: DateTime<Utc>,
        passwords: &dyn Passwords,
    ) -> Result<Account, Error> {
        let token = self.usable(key, TokenPurpose::ResetPassword, now).await?;
        let mut work = self.store.begin(token.business, Access::Write).await?;
        let account = work
            .account(token.account)
            .await?
            .filter(|a| a.activity() == Activity::Active)
            .ok_or_else(expired)?;
        check_password(password, account.email())?;
        let hash = passwords.hash(password).await?;
        if !work.use_account_token(key, now).await? {
            return Err(expired());
        }
        // Following the link proves the e-mail too.
        let changed = account.with_password(hash).with_verified_at(Some(now));
        work.put_account(&changed).await?;
        work.revoke_sessions(changed.id(), now).await?;
        work.commit().await?;
        Ok(changed)
    }

    /// Marks an account's e-mail verified with the link whose key is
    /// `key`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `token` when no verification link has this
    /// key or it expired or was used.
    pub async fn verify_email(&self, key: &str, now: DateTime<Utc>) -> Result<Account, Error> {
        let token = self.usable(key, TokenPurpose::VerifyEmail, now).await?;
        let mut work = self.store.begin(token.business, Access::Write).await?;
        let account = work.account(token.account).await?.ok_or_else(expired)?;
        if !work.use_account_token(key, now).await? {
            return Err(expired());
        }
        let verified = account.with_verified_at(Some(now));
        work.put_account(&verified).await?;
        work.commit().await?;
        Ok(verified)
    }

    /// The link `key` if it is of `purpose`, unused and unexpired at `now`.
    async fn usable(
        &self,
        key: &str,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<AccountToken, Error> {
        match self.store.account_token(key).await? {
            Some(t) if t.purpose == purpose && t.used_at.is_none() && now < t.expires_at => Ok(t),
            _ => Err(expired()),
        }
    }
}

fn expired() -> Error {
    Error::invalid("token", Problem::ExpiredLink)
}

/// The e-mail that carries a link: subject and body, in `lang`.
pub fn link_mail(
    purpose: TokenPurpose,
    lang: Lang,
    name: &str,
    business: &str,
    link: &str,
) -> (String, String) {
    match (purpose, lang) {
        (TokenPurpose::ResetPassword, Lang::PtBr) => (
            format!("Nova senha para {business}"),
            format!(
                "Olá, {name}!\n\nPara criar uma nova senha de acesso a {business}, abra:\n{link}\n\n\
                 O link vale por uma hora e uma vez. Se não pediu, ignore este e-mail: sua senha continua a mesma."
            ),
        ),
        (TokenPurpose::ResetPassword, Lang::En) => (
            format!("A new password for {business}"),
            format!(
                "Hello {name},\n\nTo set a new password for {business}, open:\n{link}\n\n\
                 The link works once, for an hour. If you did not ask, ignore this e-mail: your password stays the same."
            ),
        ),
        (TokenPurpose::VerifyEmail, Lang::PtBr) => (
            format!("Confirme seu e-mail em {business}"),
            format!(
                "Olá, {name}!\n\nPara confirmar este e-mail no acesso a {business}, abra:\n{link}\n\n\
                 O link vale por uma hora e uma vez."
            ),
        ),
        (TokenPurpose::VerifyEmail, Lang::En) => (
            format!("Confirm your e-mail at {business}"),
            format!(
                "Hello {name},\n\nTo confirm this e-mail for {business}, open:\n{link}\n\n\
                 The link works once, for an hour."
            ),
        ),
    }
}
