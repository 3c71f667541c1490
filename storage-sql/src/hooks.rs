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

use crate::corrupt;
use crate::record::{Row, Value};
use crate::sql::{self, Fields};
use crate::work::Connection;

/// The columns of an endpoint, as read back.
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
    let query = C::query(&format!(
        "SELECT {} FROM endpoints WHERE business_id = ",
        ENDPOINT_COLUMNS.join(", ")
    ))
    .bind(business.as_uuid());
    let rows = conn.fetch(query).await?;
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
    let old = C::query("DELETE FROM endpoints WHERE ").equal([
        ("business_id", business.as_uuid().into()),
        ("id", endpoint.id.as_uuid().into()),
    ]);
    conn.execute(old).await?;
    let events = serde_json::to_string(&endpoint.events).unwrap_or_else(|_| "[]".into());
    let fields = vec![
        ("business_id", business.as_uuid().into()),
        ("id", endpoint.id.as_uuid().into()),
        ("url", endpoint.url.as_str().into()),
        ("events", Value::Json(events)),
        (
            "sealed_secret",
            Value::Bytes(endpoint.sealed_secret.clone()),
        ),
        ("active", Value::Int(i64::from(endpoint.active))),
        ("disabled_reason", endpoint.disabled_reason.clone().into()),
        ("created_at", endpoint.created_at.into()),
    ];
    conn.execute(sql::insert(C::PARAMS, "endpoints", fields))
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
    let key = |column: &'static str| -> Fields {
        vec![
            ("business_id", business.as_uuid().into()),
            (column, id.as_uuid().into()),
        ]
    };
    let deliveries = C::query("DELETE FROM hook_deliveries WHERE ").equal(key("endpoint_id"));
    conn.execute(deliveries).await?;
    let endpoint = C::query("DELETE FROM endpoints WHERE ").equal(key("id"));
    Ok(conn.execute(endpoint).await? > 0)
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
    let mut added = 0;
    for d in deliveries {
        if d.business != business {
            return Err(Error::Storage {
                detail: "a delivery of another business".into(),
            });
        }
        // The rest of the columns start `NULL`.
        let fields = vec![
            ("id", d.id.as_uuid().into()),
            ("business_id", business.as_uuid().into()),
            ("endpoint_id", d.endpoint.as_uuid().into()),
            (
                "event_number",
                Value::Int(i64::try_from(d.event_number).unwrap_or(i64::MAX)),
            ),
            ("event_type", d.event_type.as_str().into()),
            ("payload", d.payload.as_str().into()),
            ("status", d.status.as_str().into()),
            ("attempts", Value::Int(i64::from(d.attempts))),
            ("next_at", d.next_at.into()),
            ("created_at", d.created_at.into()),
        ];
        let query =
            sql::insert(C::PARAMS, "hook_deliveries", fields).push(" ON CONFLICT (id) DO NOTHING");
        added += conn.execute(query).await?;
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
    let (column, value) = match (endpoint, id) {
        (Some(endpoint), _) => ("endpoint_id", endpoint.as_uuid()),
        (None, Some(id)) => ("id", id.as_uuid()),
        (None, None) => return Ok(Vec::new()),
    };
    let query = C::query(&format!(
        "SELECT {} FROM hook_deliveries WHERE ",
        DELIVERY_COLUMNS.join(", ")
    ))
    .equal([
        ("business_id", business.as_uuid().into()),
        (column, value.into()),
    ]);
    let rows = conn.fetch(query).await?;
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
    let query = C::query("UPDATE hook_deliveries SET status = 'pending', attempts = 0, next_at = ")
        .bind(at)
        .push(", lease = NULL, lease_until = NULL WHERE ")
        .equal([
            ("business_id", business.as_uuid().into()),
            ("id", id.as_uuid().into()),
        ]);
    Ok(conn.execute(query).await? > 0)
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
    let mut delivery = claimed.delivery.clone();
    outcome.apply_to_hook(&mut delivery);
    let set = vec![
        ("status", delivery.status.as_str().into()),
        ("next_at", delivery.next_at.into()),
        ("last_error", delivery.last_error.clone().into()),
        ("sent_at", delivery.sent_at.into()),
        ("latency_ms", Value::Int(latency_ms.into())),
    ];
    let mut query = C::query("UPDATE hook_deliveries SET ").assignments(set);
    query = match status {
        Some(code) => query.push(", last_status = ").bind(i64::from(code)),
        None => query.push(", last_status = NULL"),
    };
    let query = query
        .push(", lease = NULL, lease_until = NULL WHERE ")
        .equal([
            ("id", delivery.id.as_uuid().into()),
            ("lease", claimed.lease.into()),
        ]);
    let changed = conn.execute(query).await?;
    conn.commit(Changed::default()).await?;
    Ok(changed > 0)
}
