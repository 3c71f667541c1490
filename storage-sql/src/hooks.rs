//! Webhook endpoints and their deliveries (migration `0009_webhooks`): the
//! endpoints in a business's unit of work, the deliveries queued there and
//! claimed across businesses by the worker ([`crate::queue::claim_hooks`]),
//! their outcome recorded in a short transaction of its own.

use agendo_core::ids::{BusinessId, DeliveryId, EndpointId};
use agendo_core::message::{MessageStatus, Outcome};
use agendo_core::store::Changed;
use agendo_core::webhook::{ClaimedHook, Endpoint, HookDelivery};
use agendo_core::Error;
use chrono::{DateTime, Utc};

use crate::record::{Row, Value};
use crate::work::Connection;
use crate::{corrupt, sql};

const ENDPOINT_COLUMNS: &[&str] = &[
    "business_id",
    "id",
    "url",
    "events",
    "sealed_secret",
    "active",
    "disabled_reason",
    "created_at",
];

/// The columns of a delivery, as read back.
pub const DELIVERY_COLUMNS: &[&str] = &[
    "id",
    "business_id",
    "endpoint_id",
    "event_number",
    "event_type",
    "payload",
    "status",
    "attempts",
    "next_at",
    "last_error",
    "last_status",
    "latency_ms",
    "created_at",
    "sent_at",
];

/// The columns a queued delivery is written with (the rest start `NULL`).
const QUEUED_COLUMNS: &[&str] = &[
    "id",
    "business_id",
    "endpoint_id",
    "event_number",
    "event_type",
    "payload",
    "status",
    "attempts",
    "next_at",
    "created_at",
];

fn text(value: &str) -> Value {
    Value::Text(Some(value.to_owned()))
}

fn uuid(value: uuid::Uuid) -> Value {
    Value::Uuid(Some(value))
}

fn endpoint_from(row: &dyn Row) -> Result<Endpoint, Error> {
    Ok(Endpoint {
        id: EndpointId::from_uuid(row.uuid("id")?),
        business: BusinessId::from_uuid(row.uuid("business_id")?),
        url: row.text("url")?,
        events: serde_json::from_str(&row.json("events")?).map_err(|e| corrupt("events", e))?,
        sealed_secret: row.bytes("sealed_secret")?,
        active: row.int("active")? != 0,
        disabled_reason: row.text_opt("disabled_reason")?,
        created_at: row.time("created_at")?,
    })
}

/// Reads a delivery's row back.
///
/// # Errors
/// [`Error::Storage`] for a value the engine would not have written.
pub fn delivery_from(row: &dyn Row) -> Result<HookDelivery, Error> {
    let small = |column: &str, value: Option<i64>| -> Result<Option<u32>, Error> {
        value
            .map(|v| u32::try_from(v).map_err(|_| corrupt(column, v)))
            .transpose()
    };
    let number = row.int("event_number")?;
    let attempts = row.int("attempts")?;
    Ok(HookDelivery {
        id: DeliveryId::from_uuid(row.uuid("id")?),
        business: BusinessId::from_uuid(row.uuid("business_id")?),
        endpoint: EndpointId::from_uuid(row.uuid("endpoint_id")?),
        event_number: u64::try_from(number).map_err(|_| corrupt("event_number", number))?,
        event_type: row.text("event_type")?,
        payload: row.text("payload")?,
        status: MessageStatus::parse(&row.text("status")?).map_err(|e| corrupt("status", e))?,
        attempts: u32::try_from(attempts).map_err(|_| corrupt("attempts", attempts))?,
        next_at: row.time("next_at")?,
        last_error: row.text_opt("last_error")?,
        last_status: small("last_status", row.int_opt("last_status")?)?
            .map(|s| u16::try_from(s).map_err(|_| corrupt("last_status", s)))
            .transpose()?,
        latency_ms: small("latency_ms", row.int_opt("latency_ms")?)?,
        created_at: row.time("created_at")?,
        sent_at: row.time_opt("sent_at")?,
    })
}

/// The business's endpoints, by creation then id.
///
/// # Errors
/// [`Error::Storage`].
pub async fn endpoints<C: Connection>(
    conn: &mut C,
    business: BusinessId,
) -> Result<Vec<Endpoint>, Error> {
    let sql = format!(
        "SELECT {} FROM endpoints WHERE business_id = {}",
        ENDPOINT_COLUMNS.join(", "),
        C::PARAMS.nth(1)
    );
    let rows = conn.fetch(&sql, vec![uuid(business.as_uuid())]).await?;
    let mut out = rows
        .iter()
        .map(|r| endpoint_from(r))
        .collect::<Result<Vec<_>, Error>>()?;
    out.sort_by_key(|e| (e.created_at, e.id));
    Ok(out)
}

/// Creates or replaces an endpoint.
///
/// # Errors
/// [`Error::Storage`].
pub async fn put_endpoint<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    endpoint: &Endpoint,
) -> Result<(), Error> {
    if endpoint.business != business {
        return Err(Error::Storage {
            detail: "an endpoint of another business".into(),
        });
    }
    let p = C::PARAMS;
    let sql = format!(
        "DELETE FROM endpoints WHERE business_id = {} AND id = {}",
        p.nth(1),
        p.nth(2)
    );
    conn.execute(
        &sql,
        vec![uuid(business.as_uuid()), uuid(endpoint.id.as_uuid())],
    )
    .await?;
    let values = vec![
        uuid(business.as_uuid()),
        uuid(endpoint.id.as_uuid()),
        text(&endpoint.url),
        Value::Json(serde_json::to_string(&endpoint.events).unwrap_or_else(|_| "[]".into())),
        Value::Bytes(endpoint.sealed_secret.clone()),
        Value::Int(i64::from(endpoint.active)),
        Value::Text(endpoint.disabled_reason.clone()),
        Value::Time(Some(endpoint.created_at)),
    ];
    conn.execute(&sql::insert(p, "endpoints", ENDPOINT_COLUMNS), values)
        .await
        .map(drop)
}

/// Removes an endpoint and its deliveries; whether it existed.
///
/// # Errors
/// [`Error::Storage`].
pub async fn delete_endpoint<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    id: EndpointId,
) -> Result<bool, Error> {
    let p = C::PARAMS;
    let values = || vec![uuid(business.as_uuid()), uuid(id.as_uuid())];
    let deliveries = format!(
        "DELETE FROM hook_deliveries WHERE business_id = {} AND endpoint_id = {}",
        p.nth(1),
        p.nth(2)
    );
    conn.execute(&deliveries, values()).await?;
    let endpoint = format!(
        "DELETE FROM endpoints WHERE business_id = {} AND id = {}",
        p.nth(1),
        p.nth(2)
    );
    Ok(conn.execute(&endpoint, values()).await? > 0)
}

/// Queues the deliveries not queued yet; how many were new.
///
/// # Errors
/// [`Error::Storage`].
pub async fn queue<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    deliveries: &[HookDelivery],
) -> Result<usize, Error> {
    let sql = format!(
        "{} ON CONFLICT (id) DO NOTHING",
        sql::insert(C::PARAMS, "hook_deliveries", QUEUED_COLUMNS)
    );
    let mut added = 0;
    for d in deliveries {
        if d.business != business {
            return Err(Error::Storage {
                detail: "a delivery of another business".into(),
            });
        }
        let values = vec![
            uuid(d.id.as_uuid()),
            uuid(business.as_uuid()),
            uuid(d.endpoint.as_uuid()),
            Value::Int(i64::try_from(d.event_number).unwrap_or(i64::MAX)),
            text(&d.event_type),
            text(&d.payload),
            text(d.status.as_str()),
            Value::Int(i64::from(d.attempts)),
            Value::Time(Some(d.next_at)),
            Value::Time(Some(d.created_at)),
        ];
        added += conn.execute(&sql, values).await?;
    }
    Ok(usize::try_from(added).unwrap_or(usize::MAX))
}

/// The deliveries to an endpoint (`Some`), or the one delivery `id`.
///
/// # Errors
/// [`Error::Storage`].
pub async fn deliveries<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    endpoint: Option<EndpointId>,
    id: Option<DeliveryId>,
) -> Result<Vec<HookDelivery>, Error> {
    let p = C::PARAMS;
    let (column, value) = match (endpoint, id) {
        (Some(endpoint), _) => ("endpoint_id", endpoint.as_uuid()),
        (None, Some(id)) => ("id", id.as_uuid()),
        (None, None) => return Ok(Vec::new()),
    };
    let sql = format!(
        "SELECT {} FROM hook_deliveries WHERE business_id = {} AND {column} = {}",
        DELIVERY_COLUMNS.join(", "),
        p.nth(1),
        p.nth(2)
    );
    let rows = conn
        .fetch(&sql, vec![uuid(business.as_uuid()), uuid(value)])
        .await?;
    let mut out = rows
        .iter()
        .map(|r| delivery_from(r))
        .collect::<Result<Vec<_>, Error>>()?;
    out.sort_by_key(|d| (d.created_at, d.id));
    Ok(out)
}

/// Puts a delivery back to be posted at `at`; whether it exists.
///
/// # Errors
/// [`Error::Storage`].
pub async fn replay<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    id: DeliveryId,
    at: DateTime<Utc>,
) -> Result<bool, Error> {
    let p = C::PARAMS;
    let sql = format!(
        "UPDATE hook_deliveries SET status = 'pending', attempts = 0, next_at = {}, \
         lease = NULL, lease_until = NULL WHERE business_id = {} AND id = {}",
        p.nth(1),
        p.nth(2),
        p.nth(3)
    );
    let values = vec![
        Value::Time(Some(at)),
        uuid(business.as_uuid()),
        uuid(id.as_uuid()),
    ];
    Ok(conn.execute(&sql, values).await? > 0)
}

/// Records a claimed delivery's outcome if its lease holds, in its own
/// transaction; whether it did.
///
/// # Errors
/// [`Error::Storage`].
pub async fn settle<C: Connection>(
    mut conn: C,
    claimed: &ClaimedHook,
    outcome: &Outcome,
    status: Option<u16>,
    latency_ms: u32,
) -> Result<bool, Error> {
    let p = C::PARAMS;
    let mut delivery = claimed.delivery.clone();
    outcome.apply_to_hook(&mut delivery);
    let last_status = status.map_or_else(|| "NULL".to_owned(), |s| s.to_string());
    let sql = format!(
        "UPDATE hook_deliveries SET status = {}, next_at = {}, last_error = {}, sent_at = {}, \
         last_status = {last_status}, latency_ms = {latency_ms}, lease = NULL, lease_until = NULL \
         WHERE id = {} AND lease = {}",
        p.nth(1),
        p.nth(2),
        p.nth(3),
        p.nth(4),
        p.nth(5),
        p.nth(6)
    );
    let values = vec![
        text(delivery.status.as_str()),
        Value::Time(Some(delivery.next_at)),
        Value::Text(delivery.last_error.clone()),
        Value::Time(delivery.sent_at),
        uuid(delivery.id.as_uuid()),
        uuid(claimed.lease),
    ];
    let changed = conn.execute(&sql, values).await?;
    conn.commit(Changed::default()).await?;
    Ok(changed > 0)
}
