//! The reads and writes across businesses: a business found by its public
//! address, the accounts an e-mail signs in to, and failed sign-ins. Each
//! runs in a short transaction of its own: the adapter opens it and hands
//! it over, and the function commits it. Everything else goes through a
//! [`crate::Work`] scoped to one business.

use agendo_core::account::{Account, Slug};
use agendo_core::agenda::{AccountToken, TokenPurpose};
use agendo_core::contact::Email;
use agendo_core::ids::{AccountId, BusinessId, ProfessionalId};
use agendo_core::store::{Changed, Login};
use agendo_core::Error;
use chrono::{DateTime, Utc};

use crate::record::Row;
use crate::sql::{self, Fields};
use crate::work::Connection;

/// The business whose public address is `slug`.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn business_by_slug<C: Connection>(
    mut conn: C,
    slug: &Slug,
) -> Result<Option<BusinessId>, Error> {
    let query = C::query("SELECT business_id FROM businesses WHERE slug = ").bind(slug.as_str());
    let rows = conn.fetch(query).await?;
    let found = rows
        .first()
        .map(|r| r.uuid("business_id").map(BusinessId::from_uuid))
        .transpose()?;
    conn.commit(Changed::default()).await?;
    Ok(found)
}

/// The accounts that sign in with `email`, by business then id.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn logins<C: Connection>(mut conn: C, email: &Email) -> Result<Vec<Login>, Error> {
    let query = C::query("SELECT business_id, id FROM accounts WHERE login_key = ")
        .bind(Account::login_key(email))
        .push(" ORDER BY business_id, id");
    let rows = conn.fetch(query).await?;
    let mut logins = rows
        .iter()
        .map(|r| {
            Ok(Login {
                business: BusinessId::from_uuid(r.uuid("business_id")?),
                account: AccountId::from_uuid(r.uuid("id")?),
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    // SQLite orders UUID text and Postgres uuid bytes alike, but sorting
    // here keeps the promise whatever the column type.
    logins.sort();
    conn.commit(Changed::default()).await?;
    Ok(logins)
}

/// How old an attempt of any key is when the next attempt sweeps it away:
/// longer than any window the host counts in.
pub const SWEPT_AFTER: chrono::TimeDelta = chrono::TimeDelta::days(1);

/// Counts a sign-in attempt under `key` unless it has `limit` since
/// `since` (see `Store::take_sign_in_attempt`). The adapter's write
/// transaction makes the count and the insert one step: SQLite's single
/// writer, or the lock the connection takes on the key
/// ([`Connection::lock_name`]).
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn take_sign_in_attempt<C: Connection>(
    mut conn: C,
    key: &str,
    at: DateTime<Utc>,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<Option<DateTime<Utc>>, Error> {
    conn.lock_name(&format!("sign-in:{key}")).await?;
    let forget = C::query("DELETE FROM sign_in_failures WHERE key = ")
        .bind(key)
        .push(" AND at < ")
        .bind(since);
    conn.execute(forget).await?;
    // Keys never tried again would stay for ever: sweep every key's
    // attempts older than any window (a day), through the index on `at`.
    let sweep = C::query("DELETE FROM sign_in_failures WHERE at < ").bind(at - SWEPT_AFTER);
    conn.execute(sweep).await?;
    let count = C::query("SELECT at FROM sign_in_failures WHERE key = ")
        .bind(key)
        .push(" ORDER BY at");
    let rows = conn.fetch(count).await?;
    if rows.len() >= limit {
        let oldest = rows[rows.len() - limit.max(1)].time("at")?;
        conn.commit(Changed::default()).await?;
        return Ok(Some(oldest));
    }
    let add = sql::insert(
        C::PARAMS,
        "sign_in_failures",
        vec![("key", key.into()), ("at", at.into())],
    );
    conn.execute(add).await?;
    conn.commit(Changed::default()).await?;
    Ok(None)
}

/// Takes back the attempt counted under `key` at `at`. Two attempts of one
/// key at the same microsecond are both taken back: the host's clock makes
/// that all but impossible, and it can only forgive, never lock out.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn release_sign_in_attempt<C: Connection>(
    mut conn: C,
    key: &str,
    at: DateTime<Utc>,
) -> Result<(), Error> {
    let query = C::query("DELETE FROM sign_in_failures WHERE ")
        .equal([("key", key.into()), ("at", at.into())]);
    conn.execute(query).await?;
    conn.commit(Changed::default()).await
}

/// The failed sign-ins under `key` at or after `since`, oldest first.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn sign_in_failures<C: Connection>(
    mut conn: C,
    key: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, Error> {
    let query = C::query("SELECT at FROM sign_in_failures WHERE key = ")
        .bind(key)
        .push(" AND at >= ")
        .bind(since)
        .push(" ORDER BY at");
    let rows = conn.fetch(query).await?;
    let failures = rows
        .iter()
        .map(|r| r.time("at"))
        .collect::<Result<Vec<_>, Error>>()?;
    conn.commit(Changed::default()).await?;
    Ok(failures)
}

/// Forgets the failed sign-ins under `key`.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn clear_sign_in_failures<C: Connection>(mut conn: C, key: &str) -> Result<(), Error> {
    let query = C::query("DELETE FROM sign_in_failures WHERE key = ").bind(key);
    conn.execute(query).await?;
    conn.commit(Changed::default()).await
}

/// The account link whose key is `key`.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn account_token<C: Connection>(
    mut conn: C,
    key: &str,
) -> Result<Option<AccountToken>, Error> {
    let query = C::query(
        "SELECT key, business_id, account_id, purpose, expires_at, used_at \
         FROM account_tokens WHERE key = ",
    )
    .bind(key);
    let rows = conn.fetch(query).await?;
    let found = rows.first().map(|r| token_from(r)).transpose()?;
    conn.commit(Changed::default()).await?;
    Ok(found)
}

fn token_from(row: &dyn Row) -> Result<AccountToken, Error> {
    Ok(AccountToken {
        key: row.text("key")?,
        business: BusinessId::from_uuid(row.uuid("business_id")?),
        account: AccountId::from_uuid(row.uuid("account_id")?),
        purpose: TokenPurpose::parse(&row.text("purpose")?)
            .map_err(|e| crate::corrupt("purpose", e))?,
        expires_at: row.time("expires_at")?,
        used_at: row.time_opt("used_at")?,
    })
}

/// Keeps an account link, in the business's unit of work.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn put_account_token<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    token: &AccountToken,
) -> Result<(), Error> {
    if token.business != business {
        return Err(Error::Storage {
            detail: "a link of another business".into(),
        });
    }
    // Expired links are of no use: each new one sweeps them.
    let sweep = C::query("DELETE FROM account_tokens WHERE expires_at < ")
        .bind(token.expires_at - chrono::TimeDelta::days(1));
    conn.execute(sweep).await?;
    let fields = vec![
        ("key", token.key.as_str().into()),
        ("business_id", business.as_uuid().into()),
        ("account_id", token.account.as_uuid().into()),
        ("purpose", token.purpose.as_str().into()),
        ("expires_at", token.expires_at.into()),
    ];
    conn.execute(sql::insert(C::PARAMS, "account_tokens", fields))
        .await
        .map(drop)
}

/// Marks the link `key` of `business` used at `at` if it is unused and
/// unexpired: one statement, so of two at once one wins.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn use_account_token<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    key: &str,
    at: DateTime<Utc>,
) -> Result<bool, Error> {
    let query = C::query("UPDATE account_tokens SET used_at = ")
        .bind(at)
        .push(" WHERE ")
        .equal([
            ("key", key.into()),
            ("business_id", business.as_uuid().into()),
        ])
        .push(" AND used_at IS NULL AND expires_at > ")
        .bind(at);
    let changed = conn.execute(query).await?;
    Ok(changed > 0)
}

/// Ends every open sign-in of `account` at `at`; how many.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn revoke_sessions<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    account: AccountId,
    at: DateTime<Utc>,
) -> Result<usize, Error> {
    let query = C::query("UPDATE sessions SET revoked_at = ")
        .bind(at)
        .push(" WHERE ")
        .equal([
            ("business_id", business.as_uuid().into()),
            ("account_id", account.as_uuid().into()),
        ])
        .push(" AND revoked_at IS NULL");
    let changed = conn.execute(query).await?;
    Ok(usize::try_from(changed).unwrap_or(usize::MAX))
}

/// The business and professional whose calendar feed `key` opens.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn feed<C: Connection>(
    mut conn: C,
    key: &str,
) -> Result<Option<(BusinessId, ProfessionalId)>, Error> {
    let query = C::query("SELECT business_id, professional_id FROM feeds WHERE key = ").bind(key);
    let rows = conn.fetch(query).await?;
    let found = rows
        .first()
        .map(|r| -> Result<_, Error> {
            Ok((
                BusinessId::from_uuid(r.uuid("business_id")?),
                ProfessionalId::from_uuid(r.uuid("professional_id")?),
            ))
        })
        .transpose()?;
    conn.commit(Changed::default()).await?;
    Ok(found)
}

/// Keeps `key` as the professional's feed, ending the one it had, in the
/// business's unit of work.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn put_feed<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    professional: ProfessionalId,
    key: &str,
) -> Result<(), Error> {
    let ids = || -> Fields {
        vec![
            ("business_id", business.as_uuid().into()),
            ("professional_id", professional.as_uuid().into()),
        ]
    };
    conn.execute(C::query("DELETE FROM feeds WHERE ").equal(ids()))
        .await?;
    let mut fields = ids();
    fields.push(("key", key.into()));
    conn.execute(sql::insert(C::PARAMS, "feeds", fields))
        .await
        .map(drop)
}
