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

use crate::record::{Row, Value};
use crate::work::Connection;

/// The business whose public address is `slug`.
///
/// # Errors
/// [`Error::Storage`] from the database.
pub async fn business_by_slug<C: Connection>(
    mut conn: C,
    slug: &Slug,
) -> Result<Option<BusinessId>, Error> {
    let sql = format!(
        "SELECT business_id FROM businesses WHERE slug = {}",
        C::PARAMS.nth(1)
    );
    let rows = conn
        .fetch(&sql, vec![Value::Text(Some(slug.as_str().to_owned()))])
        .await?;
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
    let sql = format!(
        "SELECT business_id, id FROM accounts WHERE login_key = {} ORDER BY business_id, id",
        C::PARAMS.nth(1)
    );
    let rows = conn
        .fetch(&sql, vec![Value::Text(Some(Account::login_key(email)))])
        .await?;
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
    let p = C::PARAMS;
    conn.lock_name(&format!("sign-in:{key}")).await?;
    let forget = format!(
        "DELETE FROM sign_in_failures WHERE key = {} AND at < {}",
        p.nth(1),
        p.nth(2)
    );
    conn.execute(&forget, vec![text(key), Value::Time(Some(since))])
        .await?;
    // Keys never tried again would stay for ever: sweep every key's
    // attempts older than any window (a day), through the index on `at`.
    let sweep = format!("DELETE FROM sign_in_failures WHERE at < {}", p.nth(1));
    conn.execute(&sweep, vec![Value::Time(Some(at - SWEPT_AFTER))])
        .await?;
    let count = format!(
        "SELECT at FROM sign_in_failures WHERE key = {} ORDER BY at",
        p.nth(1)
    );
    let rows = conn.fetch(&count, vec![text(key)]).await?;
    if rows.len() >= limit {
        let oldest = rows[rows.len() - limit.max(1)].time("at")?;
        conn.commit(Changed::default()).await?;
        return Ok(Some(oldest));
    }
    let add = format!(
        "INSERT INTO sign_in_failures (key, at) VALUES ({}, {})",
        p.nth(1),
        p.nth(2)
    );
    conn.execute(&add, vec![text(key), Value::Time(Some(at))])
        .await?;
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
    let sql = format!(
        "DELETE FROM sign_in_failures WHERE key = {} AND at = {}",
        C::PARAMS.nth(1),
        C::PARAMS.nth(2)
    );
    conn.execute(&sql, vec![text(key), Value::Time(Some(at))])
        .await?;
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
    let sql = format!(
        "SELECT at FROM sign_in_failures WHERE key = {} AND at >= {} ORDER BY at",
        C::PARAMS.nth(1),
        C::PARAMS.nth(2)
    );
    let rows = conn
        .fetch(&sql, vec![text(key), Value::Time(Some(since))])
        .await?;
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
    let sql = format!(
        "DELETE FROM sign_in_failures WHERE key = {}",
        C::PARAMS.nth(1)
    );
    conn.execute(&sql, vec![text(key)]).await?;
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
    let sql = format!(
        "SELECT key, business_id, account_id, purpose, expires_at, used_at \
         FROM account_tokens WHERE key = {}",
        C::PARAMS.nth(1)
    );
    let rows = conn.fetch(&sql, vec![text(key)]).await?;
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
    let p = C::PARAMS;
    let sweep = format!("DELETE FROM account_tokens WHERE expires_at < {}", p.nth(1));
    conn.execute(
        &sweep,
        vec![Value::Time(Some(
            token.expires_at - chrono::TimeDelta::days(1),
        ))],
    )
    .await?;
    let sql = format!(
        "INSERT INTO account_tokens (key, business_id, account_id, purpose, expires_at) \
         VALUES ({}, {}, {}, {}, {})",
        p.nth(1),
        p.nth(2),
        p.nth(3),
        p.nth(4),
        p.nth(5)
    );
    conn.execute(
        &sql,
        vec![
            text(&token.key),
            Value::Uuid(Some(business.as_uuid())),
            Value::Uuid(Some(token.account.as_uuid())),
            text(token.purpose.as_str()),
            Value::Time(Some(token.expires_at)),
        ],
    )
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
    let p = C::PARAMS;
    let sql = format!(
        "UPDATE account_tokens SET used_at = {} WHERE key = {} AND business_id = {} \
         AND used_at IS NULL AND expires_at > {}",
        p.nth(1),
        p.nth(2),
        p.nth(3),
        p.nth(1)
    );
    let changed = conn
        .execute(
            &sql,
            vec![
                Value::Time(Some(at)),
                text(key),
                Value::Uuid(Some(business.as_uuid())),
            ],
        )
        .await?;
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
    let p = C::PARAMS;
    let sql = format!(
        "UPDATE sessions SET revoked_at = {} WHERE business_id = {} AND account_id = {} \
         AND revoked_at IS NULL",
        p.nth(1),
        p.nth(2),
        p.nth(3)
    );
    let changed = conn
        .execute(
            &sql,
            vec![
                Value::Time(Some(at)),
                Value::Uuid(Some(business.as_uuid())),
                Value::Uuid(Some(account.as_uuid())),
            ],
        )
        .await?;
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
    let sql = format!(
        "SELECT business_id, professional_id FROM feeds WHERE key = {}",
        C::PARAMS.nth(1)
    );
    let rows = conn.fetch(&sql, vec![text(key)]).await?;
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
    let p = C::PARAMS;
    let ids = || {
        vec![
            Value::Uuid(Some(business.as_uuid())),
            Value::Uuid(Some(professional.as_uuid())),
        ]
    };
    let old = format!(
        "DELETE FROM feeds WHERE business_id = {} AND professional_id = {}",
        p.nth(1),
        p.nth(2)
    );
    conn.execute(&old, ids()).await?;
    let new = format!(
        "INSERT INTO feeds (business_id, professional_id, key) VALUES ({}, {}, {})",
        p.nth(1),
        p.nth(2),
        p.nth(3)
    );
    let mut values = ids();
    values.push(text(key));
    conn.execute(&new, values).await.map(drop)
}

fn text(value: &str) -> Value {
    Value::Text(Some(value.to_owned()))
}
