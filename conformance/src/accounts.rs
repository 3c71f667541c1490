//! The cases of sign-in records: accounts, sessions, public addresses and
//! failed sign-ins (R1–R6). Each takes a fresh, empty store.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use agendo_core::account::{Account, PasswordHash, Passwords as _, Role, Session, Slug, TokenHash};
use agendo_core::agenda::BusinessFields;
use agendo_core::business::Activity;
use agendo_core::contact::Email;
use agendo_core::ids::{AccountId, SessionId};
use agendo_core::store::{Access, Login, Store};
use agendo_core::Error;
use chrono::TimeDelta;

use crate::cases::Boxed;
use crate::salon::{now, Salon};

macro_rules! case {
    ($(#[$doc:meta])* $name:ident, |$store:ident| $body:block) => {
        $(#[$doc])*
        pub fn $name($store: Arc<dyn Store>) -> Boxed {
            Box::pin(async move $body)
        }
    };
}

fn hash(n: u8) -> PasswordHash {
    PasswordHash::parse(&format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${n}")).unwrap()
}

fn account(salon: &Salon, email: &str, name: &str) -> Account {
    Account::new(
        AccountId::random(),
        salon.business.id(),
        Email::parse(email).unwrap(),
        name,
        Role::Owner,
        None,
        hash(1),
    )
    .unwrap()
}

async fn put(store: &Arc<dyn Store>, account: &Account) -> Result<(), Error> {
    let mut work = store.begin(account.business(), Access::Write).await?;
    work.put_account(account).await?;
    work.commit().await
}

case!(
    /// Accounts read back as written, listed by name, and are found by
    /// their e-mail whatever its case.
    accounts_read_back_and_sign_in_by_email,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let owner = account(&salon, "Dona@Salao.com.br", "Zilda");
        let bia = Account::new(
            AccountId::random(),
            salon.business.id(),
            Email::parse("bia@salao.com.br").unwrap(),
            "Bia",
            Role::Professional,
            Some(salon.bia.id()),
            hash(2),
        )
        .unwrap()
        .with_activity(Activity::Retired);
        put(&store, &owner).await.unwrap();
        put(&store, &bia).await.unwrap();

        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.account(owner.id()).await.unwrap().as_ref(), Some(&owner));
        assert_eq!(work.account(bia.id()).await.unwrap().as_ref(), Some(&bia));
        assert_eq!(work.accounts().await.unwrap(), vec![bia.clone(), owner.clone()]);
        drop(work);

        let found = store
            .logins(&Email::parse("dona@salao.com.br").unwrap())
            .await
            .unwrap();
        assert_eq!(
            found,
            vec![Login {
                business: salon.business.id(),
                account: owner.id()
            }]
        );
        assert!(store
            .logins(&Email::parse("ninguem@salao.com.br").unwrap())
            .await
            .unwrap()
            .is_empty());
    }
);

case!(
    /// One e-mail signs in to one account per business, but may have an
    /// account in another business; a refused account changes nothing.
    an_email_is_one_account_per_business,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let other = Salon::open(store.clone()).await;
        let first = account(&salon, "ana@example.com", "Ana");
        put(&store, &first).await.unwrap();
        let twin = account(&salon, "ANA@example.com", "Ana de novo");
        match put(&store, &twin).await {
            Err(Error::EmailTaken { email }) => assert_eq!(email, "ANA@example.com"),
            other => panic!("expected EmailTaken, got {other:?}"),
        }
        // Saving the same account again is not a clash with itself.
        put(&store, &first.clone().with_name("Ana Souza").unwrap()).await.unwrap();
        let elsewhere = account(&other, "ana@example.com", "Ana");
        put(&store, &elsewhere).await.unwrap();

        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.accounts().await.unwrap().len(), 1);
        drop(work);
        let mut found = store
            .logins(&Email::parse("ana@example.com").unwrap())
            .await
            .unwrap();
        let mut expected = vec![
            Login { business: salon.business.id(), account: first.id() },
            Login { business: other.business.id(), account: elsewhere.id() },
        ];
        expected.sort();
        found.sort();
        assert_eq!(found, expected);
    }
);

case!(
    /// Another business's account and session are not found, and cannot
    /// be written through this business's unit of work.
    accounts_stay_in_their_business,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let other = Salon::open(store.clone()).await;
        let theirs = account(&other, "dono@outro.com", "Dono");
        put(&store, &theirs).await.unwrap();
        let mut work = store.begin(salon.business.id(), Access::Write).await.unwrap();
        assert_eq!(work.account(theirs.id()).await.unwrap(), None);
        assert!(work.accounts().await.unwrap().is_empty());
        assert!(work.put_account(&theirs).await.is_err());
    }
);

case!(
    /// A session reads back as written through rotation and revocation.
    sessions_read_back_as_written,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let owner = account(&salon, "dona@salao.com.br", "Zilda");
        put(&store, &owner).await.unwrap();
        let first = TokenHash::parse(&"1".repeat(64)).unwrap();
        let session = Session::new(
            SessionId::random(),
            salon.business.id(),
            owner.id(),
            first,
            now(),
            TimeDelta::days(30),
        );
        let rotated = session
            .clone()
            .rotate(TokenHash::parse(&"2".repeat(64)).unwrap(), now() + TimeDelta::minutes(20));
        let revoked = rotated.clone().revoke(now() + TimeDelta::hours(1));
        for version in [&session, &rotated, &revoked] {
            let mut work = store.begin(salon.business.id(), Access::Write).await.unwrap();
            work.put_session(version).await.unwrap();
            work.commit().await.unwrap();
            let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
            assert_eq!(work.session(session.id()).await.unwrap().as_ref(), Some(version));
        }
        let other = Salon::open(store.clone()).await;
        let mut work = store.begin(other.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.session(session.id()).await.unwrap(), None);
    }
);

case!(
    /// A public address finds its business; no two businesses share one.
    public_addresses_are_unique,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let other = Salon::open(store.clone()).await;
        let slug = Slug::parse("salao-conformidade").unwrap();
        let named = salon.business.clone().with_slug(Some(slug.clone()));
        let take = BusinessFields { slug: Some(Some(slug.clone())), ..Default::default() };
        let give_up = BusinessFields { slug: Some(None), ..Default::default() };
        salon.agenda.change_business(&salon.staff(), &take).await.unwrap();
        assert_eq!(store.business_by_slug(&slug).await.unwrap(), Some(salon.business.id()));
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        assert_eq!(work.business().await.unwrap().as_ref(), Some(&named));
        drop(work);

        match other.agenda.change_business(&other.staff(), &take).await {
            Err(Error::SlugTaken { slug: taken }) => assert_eq!(taken, slug.as_str()),
            wrong => panic!("expected SlugTaken, got {wrong:?}"),
        }
        // Saving the owner again keeps it; giving it up frees it.
        salon.agenda.change_business(&salon.staff(), &take).await.unwrap();
        salon.agenda.change_business(&salon.staff(), &give_up).await.unwrap();
        assert_eq!(store.business_by_slug(&slug).await.unwrap(), None);
        other.agenda.change_business(&other.staff(), &take).await.unwrap();
        assert_eq!(store.business_by_slug(&slug).await.unwrap(), Some(other.business.id()));
    }
);

case!(
    /// Sign-in attempts are counted per key up to a limit, forgotten when
    /// old, released one by one, and cleared.
    sign_in_failures_are_counted_per_key,
    |store| {
        let t = |minutes: i64| now() + TimeDelta::minutes(minutes);
        for m in [0, 5, 10] {
            assert_eq!(store.take_sign_in_attempt("account:a", t(m), t(m - 60), 5).await.unwrap(), None);
        }
        assert_eq!(store.take_sign_in_attempt("address:1.2.3.4", t(10), t(-50), 5).await.unwrap(), None);
        assert_eq!(store.sign_in_failures("account:a", t(0)).await.unwrap(), vec![t(0), t(5), t(10)]);
        assert_eq!(store.sign_in_failures("account:a", t(1)).await.unwrap(), vec![t(5), t(10)]);
        // At the limit, an attempt is refused naming the oldest of the
        // last `limit`, and nothing is written.
        assert_eq!(store.take_sign_in_attempt("account:a", t(11), t(-60), 3).await.unwrap(), Some(t(0)));
        assert_eq!(store.take_sign_in_attempt("account:a", t(11), t(-60), 2).await.unwrap(), Some(t(5)));
        assert_eq!(store.sign_in_failures("account:a", t(-100)).await.unwrap(), vec![t(0), t(5), t(10)]);
        // An attempt 70 minutes on forgets those more than an hour before it.
        assert_eq!(store.take_sign_in_attempt("account:a", t(70), t(10), 5).await.unwrap(), None);
        assert_eq!(store.sign_in_failures("account:a", t(-100)).await.unwrap(), vec![t(10), t(70)]);
        store.release_sign_in_attempt("account:a", t(70)).await.unwrap();
        assert_eq!(store.sign_in_failures("account:a", t(-100)).await.unwrap(), vec![t(10)]);
        store.clear_sign_in_failures("account:a").await.unwrap();
        assert!(store.sign_in_failures("account:a", t(-100)).await.unwrap().is_empty());
        assert_eq!(store.sign_in_failures("address:1.2.3.4", t(0)).await.unwrap(), vec![t(10)]);
        // A day on, any attempt sweeps away every key's old attempts.
        assert_eq!(store.take_sign_in_attempt("email:b", t(24 * 60 + 11), t(24 * 60), 5).await.unwrap(), None);
        assert!(store.sign_in_failures("address:1.2.3.4", t(-100)).await.unwrap().is_empty());
        assert!(store.sign_in_failures("account:a", t(-100)).await.unwrap().is_empty());
    }
);

case!(
    /// Of 64 sign-in attempts at once under one key, exactly the limit are
    /// counted: the count and the write are one step (R6).
    concurrent_sign_in_attempts_count_exactly_the_limit,
    |store| {
        let attempts = (0..64).map(|i| {
            let store = Arc::clone(&store);
            async move {
                let at = now() + TimeDelta::microseconds(i);
                store.take_sign_in_attempt("email:ana@example.com", at, now() - TimeDelta::minutes(15), 5).await.unwrap()
            }
        });
        let answers = futures_util::future::join_all(attempts).await;
        assert_eq!(answers.iter().filter(|a| a.is_none()).count(), 5);
        assert_eq!(store.sign_in_failures("email:ana@example.com", now() - TimeDelta::hours(1)).await.unwrap().len(), 5);
    }
);

case!(
    /// Opening a business stores it with its owner, or nothing: a taken
    /// public address leaves no business behind.
    registering_opens_a_business_with_its_owner_or_nothing,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let slug = Slug::parse("salao-da-ana").unwrap();
        let take = BusinessFields { slug: Some(Some(slug.clone())), ..Default::default() };
        salon.agenda.change_business(&salon.staff(), &take).await.unwrap();

        let shop = agendo_core::business::Business::new(
            agendo_core::ids::BusinessId::random(),
            "Salão da Ana",
            chrono_tz::America::Sao_Paulo,
            agendo_core::money::Currency::BRL,
            agendo_core::Lang::PtBr,
        )
        .unwrap();
        let owner = |business: &agendo_core::business::Business| {
            Account::new(
                AccountId::random(),
                business.id(),
                Email::parse("ana@salao.com.br").unwrap(),
                "Ana",
                Role::Owner,
                None,
                hash(3),
            )
            .unwrap()
        };
        let clash = shop.clone().with_slug(Some(slug));
        assert!(matches!(
            salon.agenda.register(&clash, &owner(&clash)).await,
            Err(Error::SlugTaken { .. })
        ));
        let mut work = store.begin(shop.id(), Access::Read).await.unwrap();
        assert_eq!(work.business().await.unwrap(), None);
        drop(work);
        assert!(store
            .logins(&Email::parse("ana@salao.com.br").unwrap())
            .await
            .unwrap()
            .is_empty());

        let free = shop.with_slug(Some(Slug::parse("salao-da-ana-2").unwrap()));
        let ana = owner(&free);
        salon.agenda.register(&free, &ana).await.unwrap();
        let mut work = store.begin(free.id(), Access::Read).await.unwrap();
        assert_eq!(work.business().await.unwrap().as_ref(), Some(&free));
        assert_eq!(work.account(ana.id()).await.unwrap().as_ref(), Some(&ana));
    }
);

case!(
    /// Refreshing trades the newest token for the next; an older token
    /// ends the session, and then even the newest one is refused (R2).
    a_reused_refresh_token_ends_its_session,
    |store| {
        let salon = Salon::open(store.clone()).await;
        let owner = account(&salon, "dona@salao.com.br", "Zilda");
        put(&store, &owner).await.unwrap();
        let ctx = salon.staff();
        let token = |c: char| TokenHash::parse(&c.to_string().repeat(64)).unwrap();
        let session = Session::new(
            SessionId::random(),
            salon.business.id(),
            owner.id(),
            token('a'),
            now(),
            TimeDelta::days(30),
        );
        salon.agenda.start_session(&ctx, &session).await.unwrap();
        let (rotated, who) = salon
            .agenda
            .refresh_session(&ctx, session.id(), &token('a'), token('b'))
            .await
            .unwrap();
        assert_eq!(who.id(), owner.id());
        assert_eq!(rotated.secret(), &token('b'));

        let reused = salon
            .agenda
            .refresh_session(&ctx, session.id(), &token('a'), token('c'))
            .await;
        assert!(
            matches!(reused, Err(Error::SessionEnded { why: agendo_core::account::Redemption::Reused, .. })),
            "{reused:?}"
        );
        let newest = salon
            .agenda
            .refresh_session(&ctx, session.id(), &token('b'), token('d'))
            .await;
        assert!(matches!(newest, Err(Error::SessionEnded { .. })), "{newest:?}");

        // Signing out ends a session; twice is not an error.
        let other = Session::new(
            SessionId::random(),
            salon.business.id(),
            owner.id(),
            token('e'),
            now(),
            TimeDelta::days(30),
        );
        salon.agenda.start_session(&ctx, &other).await.unwrap();
        salon.agenda.end_session(&ctx, other.id()).await.unwrap();
        salon.agenda.end_session(&ctx, other.id()).await.unwrap();
        assert!(salon
            .agenda
            .refresh_session(&ctx, other.id(), &token('e'), token('f'))
            .await
            .is_err());
    }
);

case!(
    /// A reset link sets a new password once, within the hour, ends every
    /// sign-in and proves the e-mail; a verification link proves it; an
    /// e-mail without accounts gets no link, a retired account none; an
    /// old, used or foreign link is refused naming `token`.
    account_links_reset_passwords_and_verify_emails_once,
    |store| {
        use agendo_core::agenda::{TokenPurpose, TOKEN_LIFETIME};
        let salon = Salon::open(store.clone()).await;
        let owner = account(&salon, "dona@salao.com.br", "Zilda");
        put(&store, &owner).await.unwrap();
        let session = Session::new(
            SessionId::random(),
            salon.business.id(),
            owner.id(),
            TokenHash::parse(&"1".repeat(64)).unwrap(),
            now(),
            TimeDelta::days(30),
        );
        let mut work = store.begin(salon.business.id(), Access::Write).await.unwrap();
        work.put_session(&session).await.unwrap();
        work.commit().await.unwrap();

        let mut n = 0;
        let mut secret = || {
            n += 1;
            (format!("secret-{n}"), format!("key-{n}"))
        };
        let email = Email::parse("dona@salao.com.br").unwrap();
        let agenda = &salon.agenda;
        let issued = agenda
            .issue_account_tokens(&email, TokenPurpose::ResetPassword, now(), &mut secret)
            .await
            .unwrap();
        assert_eq!(issued.len(), 1);
        assert_eq!(issued[0].secret, "secret-1");
        assert_eq!(issued[0].business, "Salão Conformidade");
        let nobody = Email::parse("ninguem@salao.com.br").unwrap();
        assert!(agenda
            .issue_account_tokens(&nobody, TokenPurpose::ResetPassword, now(), &mut secret)
            .await
            .unwrap()
            .is_empty());

        let hasher = crate::commands::PlainPasswords;
        let weak = agenda
            .reset_password("key-1", "123", now(), &hasher)
            .await
            .unwrap_err();
        assert_eq!(weak.field(), Some("password"));
        // A verification link is not a reset link.
        agenda
            .issue_account_tokens(&email, TokenPurpose::VerifyEmail, now(), &mut secret)
            .await
            .unwrap();
        let wrong = agenda
            .reset_password("key-2", "cavalo-bateria-grampo", now(), &hasher)
            .await
            .unwrap_err();
        assert_eq!(wrong.field(), Some("token"));
        let later = now() + TimeDelta::minutes(30);
        let changed = agenda
            .reset_password("key-1", "cavalo-bateria-grampo", later, &hasher)
            .await
            .unwrap();
        assert!(hasher
            .verify("cavalo-bateria-grampo", changed.password())
            .await
            .unwrap());
        assert_eq!(changed.verified_at(), Some(later));
        let mut work = store.begin(salon.business.id(), Access::Read).await.unwrap();
        let ended = work.session(session.id()).await.unwrap().unwrap();
        assert_eq!(ended.revoked(), Some(later), "the old sign-in is ended");
        drop(work);
        let again = agenda
            .reset_password("key-1", "outra-senha-bem-longa", later, &hasher)
            .await
            .unwrap_err();
        assert_eq!(again.field(), Some("token"), "a link works once");
        // A verification link, an hour and more later, no longer works.
        let expired = agenda
            .verify_email("key-2", now() + TOKEN_LIFETIME)
            .await
            .unwrap_err();
        assert_eq!(expired.field(), Some("token"));
        agenda
            .issue_account_tokens(&email, TokenPurpose::VerifyEmail, later, &mut secret)
            .await
            .unwrap();
        let verified = agenda.verify_email("key-3", later).await.unwrap();
        assert_eq!(verified.verified_at(), Some(later));
        // A retired account gets no link.
        put(&store, &owner.clone().with_activity(agendo_core::business::Activity::Retired))
            .await
            .unwrap();
        assert!(agenda
            .issue_account_tokens(&email, TokenPurpose::ResetPassword, later, &mut secret)
            .await
            .unwrap()
            .is_empty());
    }
);
