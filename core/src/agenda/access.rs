//! Signing in: opening a business with its owner, the accounts of its
//! staff, and the sessions that keep them signed in (R1, R2, R5).
//!
//! The host proves who someone is (it checks the password hash and makes
//! the tokens); these use cases keep the records and apply the rules: an
//! owner opens the business, a professional's account names a stored
//! professional, only the newest token of a session refreshes it, and an
//! older one ends the session (a copy is in someone else's hands).

use super::command::{AccountFields, Command};
use super::event::{Event, Journal};
use super::runner::{authorize, retry, reused};
use super::{load_business, same_business, Action, Agenda, Context};
use crate::account::{
    check_password, Account, PasswordHash, Passwords, Redemption, Role, Session, Slug, TokenHash,
};
use crate::business::{Activity, Business};
use crate::contact::Email;
use crate::error::{Error, Problem, RecordKind};
use crate::ids::{AccountId, SessionId};
use crate::store::{Access, Outcome, UnitOfWork};

impl Agenda {
    /// Opens a business with its owner's account, together or not at all
    /// (R1), and answers it as opened. A business without a public address
    /// gets one made from its name ([`Slug::from_name`]), with a short
    /// random suffix when that is taken (five tries); an address the
    /// caller chose is theirs or refused.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when the business exists;
    /// [`Error::SlugTaken`]; [`Error::Invalid`] for `role` when the account
    /// is not an owner's, or for `business_id` when it is of another
    /// business.
    pub async fn register(&self, business: &Business, owner: &Account) -> Result<Business, Error> {
        if owner.role() != Role::Owner {
            return Err(Error::invalid(
                "role",
                Problem::UnknownValue {
                    value: owner.role().to_string(),
                    expected: "owner",
                },
            ));
        }
        if owner.business() != business.id() {
            return Err(Error::invalid(
                "business_id",
                Problem::BadId {
                    value: owner.business().to_string(),
                },
            ));
        }
        let chosen = business.slug().is_some();
        let mut attempt = 0;
        loop {
            let business = match (chosen, attempt) {
                (true, _) => business.clone(),
                (false, 0) => business
                    .clone()
                    .with_slug(Some(Slug::from_name(business.name(), None))),
                (false, _) => {
                    let suffix = uuid::Uuid::new_v4().simple().to_string();
                    let slug = Slug::from_name(business.name(), Some(&suffix[..5]));
                    business.clone().with_slug(Some(slug))
                }
            };
            let opened = retry(|| async {
                let mut work = self.store.begin(business.id(), Access::Write).await?;
                if work.business().await?.is_some() {
                    return Err(Error::AlreadyExists {
                        record: RecordKind::Business,
                        id: business.id().to_string(),
                    });
                }
                work.put_business(&business).await?;
                work.put_account(owner).await?;
                work.commit().await
            })
            .await;
            match opened {
                Ok(()) => return Ok(business),
                Err(Error::SlugTaken { .. }) if !chosen && attempt < 5 => attempt += 1,
                Err(other) => return Err(other),
            }
        }
    }

    /// Creates or changes an account of the business (R5).
    ///
    /// A business always keeps an active owner: the last one may be
    /// neither retired nor given another role.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business, another business's account or
    /// the professional it names; [`Error::EmailTaken`];
    /// [`Error::LastOwner`]; [`Error::Forbidden`] but for the owner.
    pub async fn save_account(&self, ctx: &Context, account: &Account) -> Result<(), Error> {
        authorize(ctx, Action::ManageAccounts)?;
        same_business(ctx, account.business(), RecordKind::Account, account.id())?;
        let owns = |a: &Account| a.role() == Role::Owner && a.activity() == Activity::Active;
        retry(|| async {
            let mut work = self.store.begin(ctx.business, Access::Write).await?;
            load_business(&mut *work, ctx.business).await?;
            let before = work.account(account.id()).await?;
            if before.as_ref().is_some_and(owns) && !owns(account) {
                // Two owners retiring each other at once take turns here,
                // so one of them stays.
                work.business_for_update().await?;
                let others = work
                    .accounts()
                    .await?
                    .iter()
                    .filter(|a| a.id() != account.id() && owns(a))
                    .count();
                if others == 0 {
                    return Err(Error::LastOwner {
                        account: account.id(),
                    });
                }
            }
            if let Some(id) = account.professional() {
                if work.professional(id).await?.is_none() {
                    return Err(Error::NotFound {
                        record: RecordKind::Professional,
                        id: id.to_string(),
                    });
                }
            }
            work.put_account(account).await?;
            work.commit().await
        })
        .await
    }

    /// Adds a login to the business (R5). Under an idempotency key a retry
    /// must send the same request, password included, which is checked by
    /// verifying it: a hash differs each time it is made.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `password` (too short, too long, the
    /// e-mail) or `professional_id`; [`Error::NotFound`] for the
    /// professional; [`Error::EmailTaken`]; [`Error::Forbidden`] but for
    /// the owner; [`Error::Busy`] from `passwords`.
    pub async fn create_account(
        &self,
        ctx: &Context,
        fields: &AccountFields,
        password: &str,
        passwords: &dyn Passwords,
    ) -> Result<Account, Error> {
        authorize(ctx, Action::ManageAccounts)?;
        check_password(password, &fields.email)?;
        let hash = passwords.hash(password).await?;
        let command = Command::CreateAccount {
            fields: fields.clone(),
            password: hash,
        };
        let (outcome, replayed) = self.run_traced(ctx, &command).await?;
        let Outcome::Account(id) = outcome else {
            return Err(reused(ctx));
        };
        let account = self.account(ctx, id).await?;
        if replayed && !passwords.verify(password, account.password()).await? {
            return Err(reused(ctx));
        }
        Ok(account)
    }

    /// The business's accounts, by name.
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner.
    pub async fn accounts(&self, ctx: &Context) -> Result<Vec<Account>, Error> {
        authorize(ctx, Action::ManageAccounts)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        work.accounts().await
    }

    /// An account of the business.
    ///
    /// # Errors
    /// [`Error::NotFound`].
    pub async fn account(&self, ctx: &Context, id: AccountId) -> Result<Account, Error> {
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_account(&mut *work, id).await
    }

    /// The session and the account acting through it, when the session is
    /// live at
    /// `ctx.now` and its account active: what a host checks on every
    /// request signed by an access token, so that signing out or retiring
    /// an account stops its tokens at once, not when they expire.
    ///
    /// # Errors
    /// [`Error::SessionEnded`] when the session is unknown, ended, expired,
    /// of another account, or its account is retired.
    pub async fn live_session(
        &self,
        ctx: &Context,
        session: SessionId,
        account: AccountId,
    ) -> Result<(Session, Account), Error> {
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        let ended = |why| Error::SessionEnded { session, why };
        let Some(found) = work.session(session).await? else {
            return Err(ended(Redemption::Revoked));
        };
        if found.account() != account {
            return Err(ended(Redemption::Revoked));
        }
        if !found.is_live(ctx.now) {
            return Err(ended(if found.revoked().is_some() {
                Redemption::Revoked
            } else {
                Redemption::Expired
            }));
        }
        match work.account(account).await? {
            Some(active) if active.activity() == Activity::Active => Ok((found, active)),
            _ => Err(ended(Redemption::Revoked)),
        }
    }

    /// Starts a session for an active account (signing in).
    ///
    /// # Errors
    /// [`Error::NotFound`] for the account; [`Error::Retired`] when it is
    /// retired.
    pub async fn start_session(&self, ctx: &Context, session: &Session) -> Result<(), Error> {
        same_business(ctx, session.business(), RecordKind::Session, session.id())?;
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let account = load_account(&mut *work, session.account()).await?;
        signs_in(&account)?;
        work.put_session(session).await?;
        work.commit().await
    }

    /// Trades the newest token of a session for the next one: the session
    /// now answers only to `next` (R2). Presenting an older token ends the
    /// session and is refused, so a stolen token works at most until its
    /// owner refreshes, and then neither of them can go on.
    ///
    /// # Errors
    /// [`Error::SessionEnded`] when the session is unknown, expired or
    /// ended, its account is retired or gone, or `presented` is not its
    /// newest token (and then the session ends).
    pub async fn refresh_session(
        &self,
        ctx: &Context,
        id: SessionId,
        presented: &TokenHash,
        next: TokenHash,
    ) -> Result<(Session, Account), Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        let ended = |why| Error::SessionEnded { session: id, why };
        let Some(session) = work.session(id).await? else {
            return Err(ended(Redemption::Revoked));
        };
        match session.redeem(presented, ctx.now) {
            Redemption::Current => {}
            Redemption::Reused => {
                work.put_session(&session.revoke(ctx.now)).await?;
                work.commit().await?;
                return Err(ended(Redemption::Reused));
            }
            other => return Err(ended(other)),
        }
        let account = work.account(session.account()).await?;
        let Some(account) = account.filter(|a| a.activity() == Activity::Active) else {
            work.put_session(&session.revoke(ctx.now)).await?;
            work.commit().await?;
            return Err(ended(Redemption::Revoked));
        };
        let session = session.rotate(next, ctx.now);
        work.put_session(&session).await?;
        work.commit().await?;
        Ok((session, account))
    }

    /// Ends a session (signing out). Ending one that is unknown or ended
    /// already does nothing, so signing out twice is not an error.
    ///
    /// # Errors
    /// [`Error::Storage`] only.
    pub async fn end_session(&self, ctx: &Context, id: SessionId) -> Result<(), Error> {
        let mut work = self.store.begin(ctx.business, Access::Write).await?;
        if let Some(session) = work.session(id).await? {
            if session.revoked().is_none() {
                work.put_session(&session.revoke(ctx.now)).await?;
                work.commit().await?;
            }
        }
        Ok(())
    }
}

pub(super) async fn create_account(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    fields: &AccountFields,
    password: &PasswordHash,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    let account = Account::new(
        AccountId::random(),
        ctx.business,
        fields.email.clone(),
        &fields.name,
        fields.role,
        fields.professional,
        password.clone(),
    )?;
    if let Some(id) = account.professional() {
        if work.professional(id).await?.is_none() {
            return Err(Error::NotFound {
                record: RecordKind::Professional,
                id: id.to_string(),
            });
        }
    }
    work.put_account(&account).await?;
    journal.record(Event::AccountCreated {
        account: account.id(),
    });
    Ok(Outcome::Account(account.id()))
}

/// Whether a registration retried under its key asks for what the first
/// one made: the same business (name, zone, currency, language, and the
/// public address asked, or the one made from the name, which may carry a
/// suffix when it was taken) and the same owner (name and e-mail as it
/// signs in). The password is compared by the host, by verifying it: a
/// hash differs each time it is made.
pub fn registered_as(
    stored: &Business,
    owner: &Account,
    asked: &Business,
    slug: Option<&Slug>,
    name: &str,
    email: &Email,
) -> bool {
    let slug_matches = match (slug, stored.slug()) {
        (Some(asked), Some(kept)) => asked == kept,
        (None, Some(kept)) => {
            let made = Slug::from_name(stored.name(), None);
            kept == &made || kept.as_str().starts_with(&format!("{}-", made.as_str()))
        }
        (_, None) => false,
    };
    slug_matches
        && stored.name() == asked.name()
        && stored.zone() == asked.zone()
        && stored.currency() == asked.currency()
        && stored.locale() == asked.locale()
        && owner.role() == Role::Owner
        && owner.professional().is_none()
        && owner.name() == name.trim()
        && Account::login_key(owner.email()) == Account::login_key(email)
}

/// Refuses a retired account.
fn signs_in(account: &Account) -> Result<(), Error> {
    match account.activity() {
        Activity::Active => Ok(()),
        Activity::Retired => Err(Error::Retired {
            record: RecordKind::Account,
            id: account.id().to_string(),
        }),
    }
}

async fn load_account(work: &mut dyn UnitOfWork, id: AccountId) -> Result<Account, Error> {
    work.account(id).await?.ok_or_else(|| Error::NotFound {
        record: RecordKind::Account,
        id: id.to_string(),
    })
}
