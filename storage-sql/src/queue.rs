//! The message queue: messages queued in a business's unit of work
//! ([`crate::Work`]), and the reads and writes across businesses a worker
//! makes (which businesses to gather, claims, outcomes), each in a short
//! transaction of its own as in [`crate::directory`].
//!
//! A claim is one `UPDATE … WHERE id IN (SELECT … LIMIT n)` that leases
//! the messages and counts the attempt: on Postgres the inner select takes
//! `FOR UPDATE SKIP LOCKED` ([`Connection::skip_locked`]), so workers
//! claiming at once pass over each other's rows instead of waiting; SQLite
//! has one writer, so claims take turns.

use std::collections::BTreeMap;

use agendo_core::ids::{BusinessId, MessageId};
use agendo_core::message::{
    ChannelKind, ChannelSetup, Claimed, Form, Message, MessageFilter, MessageStatus, Outcome,
    Template, Topic,
};
use agendo_core::notify::{Recipient, Subject};
use agendo_core::store::Changed;
use agendo_core::webhook::ClaimedHook;
use agendo_core::{Error, Lang};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::corrupt;
use crate::record::{Row, Value};
use crate::sql::{self, Fields, Params, Query};
use crate::work::{Connection, ACTIVE};

/// The columns of a message, as read back: those of [`message_fields`].
pub const MESSAGE_COLUMNS: &[&str] = &[
    "id",
    "business_id",
    "key",
    "channel",
    "recipient",
    "professional_id",
    "address",
    "name",
    "topic",
    "subject",
    "lang",
    "title",
    "body",
    "vals",
    "due_at",
    "created_at",
    "status",
    "attempts",
    "next_at",
    "last_error",
    "sent_at",
    "reference",
    "read_at",
];

fn text(value: &str) -> Value {
    Value::Text(Some(value.to_owned()))
}

fn opt_text(value: Option<&str>) -> Value {
    Value::Text(value.map(str::to_owned))
}

/// A message as written.
pub fn message_fields(message: &Message) -> Fields {
    vec![
        ("id", Value::Uuid(Some(message.id.as_uuid()))),
        ("business_id", Value::Uuid(Some(message.business.as_uuid()))),
        ("key", text(&message.key)),
        ("channel", text(message.channel.as_str())),
        ("recipient", text(&message.recipient.to_string())),
        (
            "professional_id",
            Value::Uuid(message.professional().map(|p| p.as_uuid())),
        ),
        ("address", text(&message.address)),
        ("name", text(&message.name)),
        ("topic", text(message.topic.as_str())),
        ("subject", text(&message.subject.key())),
        ("lang", text(message.lang.tag())),
        ("title", text(&message.title)),
        ("body", text(&message.body)),
        (
            "vals",
            Value::Json(serde_json::to_string(&message.values).unwrap_or_else(|_| "{}".into())),
        ),
        ("due_at", Value::Time(Some(message.due_at))),
        ("created_at", Value::Time(Some(message.created_at))),
        ("status", text(message.status.as_str())),
        ("attempts", Value::Int(i64::from(message.attempts))),
        ("next_at", Value::Time(Some(message.next_at))),
        ("last_error", opt_text(message.last_error.as_deref())),
        ("sent_at", Value::Time(message.sent_at)),
        ("reference", opt_text(message.reference.as_deref())),
        ("read_at", Value::Time(message.read_at)),
    ]
}

/// Reads a message's row back.
///
/// # Errors
/// [`Error::Storage`] for a value the engine would not have written.
pub fn message_from(row: &dyn Row) -> Result<Message, Error> {
    let stored = |column: &str, e: Error| corrupt(column, e);
    let attempts = row.int("attempts")?;
    let values: BTreeMap<String, String> =
        serde_json::from_str(&row.json("vals")?).map_err(|e| corrupt("vals", e))?;
    Ok(Message {
        id: MessageId::from_uuid(row.uuid("id")?),
        business: BusinessId::from_uuid(row.uuid("business_id")?),
        key: row.text("key")?,
        channel: ChannelKind::parse(&row.text("channel")?).map_err(|e| stored("channel", e))?,
        recipient: Recipient::parse(&row.text("recipient")?).map_err(|e| stored("recipient", e))?,
        address: row.text("address")?,
        name: row.text("name")?,
        topic: Topic::parse(&row.text("topic")?).map_err(|e| stored("topic", e))?,
        subject: Subject::parse(&row.text("subject")?).map_err(|e| stored("subject", e))?,
        lang: Lang::from_tag(&row.text("lang")?),
        title: row.text("title")?,
        body: row.text("body")?,
        values,
        due_at: row.time("due_at")?,
        created_at: row.time("created_at")?,
        status: MessageStatus::parse(&row.text("status")?).map_err(|e| stored("status", e))?,
        attempts: u32::try_from(attempts).map_err(|_| corrupt("attempts", attempts))?,
        next_at: row.time("next_at")?,
        last_error: row.text_opt("last_error")?,
        sent_at: row.time_opt("sent_at")?,
        reference: row.text_opt("reference")?,
        read_at: row.time_opt("read_at")?,
    })
}

/// Of `ids`, those queued in `business`.
///
/// # Errors
/// [`Error::Storage`].
pub async fn known<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    ids: &[MessageId],
) -> Result<Vec<MessageId>, Error> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        for row in conn.fetch(known_query(C::PARAMS, chunk)).await? {
            if row.uuid("business_id")? == business.as_uuid() {
                found.push(MessageId::from_uuid(row.uuid("id")?));
            }
        }
    }
    Ok(found)
}

/// The messages of `ids` with their businesses, read by their key alone:
/// with the business in the condition too, SQLite reads every message of
/// the business through `messages_of_business` instead (2 ms a round for a
/// few thousand messages, growing with the queue).
pub fn known_query(params: Params, ids: &[MessageId]) -> Query {
    Query::new(params, "SELECT id, business_id FROM messages WHERE id IN (")
        .bind_list(ids.iter().map(|id| id.as_uuid()))
        .push(")")
}

/// Queues the messages not queued yet; how many were new.
///
/// # Errors
/// [`Error::Storage`].
pub async fn queue<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    messages: &[Message],
) -> Result<usize, Error> {
    if messages.iter().any(|m| m.business != business) {
        return Err(Error::Storage {
            detail: "a message of another business".into(),
        });
    }
    let mut added = 0;
    // Several rows a statement, in runs of a few sizes only, so prepared
    // statements are still reused.
    for run in messages.chunks(MESSAGES_A_STATEMENT) {
        let mut rows = run.iter().map(message_fields);
        let Some(first) = rows.next() else {
            continue;
        };
        let mut query = sql::insert(C::PARAMS, "messages", first);
        for fields in rows {
            query = query
                .push(", (")
                .bind_list(fields.into_iter().map(|(_, value)| value))
                .push(")");
        }
        added += conn
            .execute(query.push(" ON CONFLICT (id) DO NOTHING"))
            .await?;
    }
    Ok(usize::try_from(added).unwrap_or(usize::MAX))
}

/// The most messages one `INSERT` writes: 16 rows of 25 values stay far
/// below both databases' limits on bound values.
const MESSAGES_A_STATEMENT: usize = 16;

/// One message of `business`.
///
/// # Errors
/// [`Error::Storage`].
pub async fn one<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    id: MessageId,
) -> Result<Option<Message>, Error> {
    let query = C::query(&format!(
        "SELECT {} FROM messages WHERE ",
        MESSAGE_COLUMNS.join(", ")
    ))
    .equal([
        ("business_id", business.as_uuid().into()),
        ("id", id.as_uuid().into()),
    ]);
    let rows = conn.fetch(query).await?;
    rows.first().map(|r| message_from(r)).transpose()
}

/// The messages of `business` that pass `filter`, by creation then id.
///
/// # Errors
/// [`Error::Storage`].
pub async fn list<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    filter: &MessageFilter,
) -> Result<Vec<Message>, Error> {
    let mut clauses: Fields = vec![("business_id", business.as_uuid().into())];
    if let Some(status) = filter.status {
        clauses.push(("status", status.as_str().into()));
    }
    if let Some(channel) = filter.channel {
        clauses.push(("channel", channel.as_str().into()));
    }
    if let Some(professional) = filter.professional {
        clauses.push(("professional_id", professional.as_uuid().into()));
    }
    if let Some(subject) = filter.subject {
        clauses.push(("subject", subject.key().into()));
    }
    let query = C::query(&format!(
        "SELECT {} FROM messages WHERE ",
        MESSAGE_COLUMNS.join(", ")
    ))
    .equal(clauses)
    .push(" ORDER BY created_at, id");
    let rows = conn.fetch(query).await?;
    let mut messages: Vec<Message> = rows
        .iter()
        .map(|r| message_from(r))
        .collect::<Result<_, _>>()?;
    // Both databases order instants alike; ids by their text, as the
    // memory store does.
    messages.sort_by_key(|m| (m.created_at, m.id));
    Ok(messages)
}

/// Marks a message read (kept if read before); whether it exists.
///
/// # Errors
/// [`Error::Storage`].
pub async fn mark_read<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    id: MessageId,
    at: DateTime<Utc>,
) -> Result<bool, Error> {
    let set = C::query("UPDATE messages SET read_at = COALESCE(read_at, ")
        .bind(at)
        .push(")");
    update_one(conn, set, business, id, "").await
}

/// Puts a dead message back to be sent at `at`; whether it was dead.
///
/// # Errors
/// [`Error::Storage`].
pub async fn revive<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    id: MessageId,
    at: DateTime<Utc>,
) -> Result<bool, Error> {
    let set = C::query("UPDATE messages SET status = 'pending', attempts = 0, next_at = ")
        .bind(at)
        .push(", lease = NULL, lease_until = NULL");
    update_one(conn, set, business, id, " AND status = 'dead'").await
}

/// Runs `update` (`UPDATE messages SET …`) on one message of `business`,
/// when `also` holds; whether it changed.
async fn update_one<C: Connection>(
    conn: &mut C,
    update: Query,
    business: BusinessId,
    id: MessageId,
    also: &str,
) -> Result<bool, Error> {
    let query = update
        .push(" WHERE ")
        .equal([
            ("business_id", business.as_uuid().into()),
            ("id", id.as_uuid().into()),
        ])
        .push(also);
    Ok(conn.execute(query).await? > 0)
}

/// The last event of `business` messages were gathered from.
///
/// # Errors
/// [`Error::Storage`].
pub async fn gathered<C: Connection>(conn: &mut C, business: BusinessId) -> Result<u64, Error> {
    let query =
        C::query("SELECT number FROM gathered WHERE business_id = ").bind(business.as_uuid());
    let rows = conn.fetch(query).await?;
    match rows.first() {
        Some(row) => {
            let number = row.int("number")?;
            u64::try_from(number).map_err(|_| corrupt("number", number))
        }
        None => Ok(0),
    }
}

/// Records that messages were gathered up to event `number`.
///
/// # Errors
/// [`Error::Storage`].
pub async fn set_gathered<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    number: u64,
) -> Result<(), Error> {
    let fields = vec![
        ("business_id", business.as_uuid().into()),
        (
            "number",
            Value::Int(i64::try_from(number).unwrap_or(i64::MAX)),
        ),
    ];
    // Never backwards: two gatherers at once may end in either order.
    let query = sql::insert(C::PARAMS, "gathered", fields).push(
        " ON CONFLICT (business_id) DO UPDATE SET number = \
         CASE WHEN gathered.number > excluded.number THEN gathered.number ELSE excluded.number END",
    );
    conn.execute(query).await.map(drop)
}

/// The business's own templates.
///
/// # Errors
/// [`Error::Storage`].
pub async fn templates<C: Connection>(
    conn: &mut C,
    business: BusinessId,
) -> Result<Vec<Template>, Error> {
    let query =
        C::query("SELECT topic, form, lang, title, body FROM templates WHERE business_id = ")
            .bind(business.as_uuid())
            .push(" ORDER BY topic, form, lang");
    let rows = conn.fetch(query).await?;
    rows.iter()
        .map(|row| {
            let stored = |column: &'static str| move |e: Error| corrupt(column, e);
            Template::new(
                Topic::parse(&row.text("topic")?).map_err(stored("topic"))?,
                Form::parse(&row.text("form")?).map_err(stored("form"))?,
                Lang::from_tag(&row.text("lang")?),
                &row.text("title")?,
                &row.text("body")?,
            )
            .map_err(stored("body"))
        })
        .collect()
}

/// Keeps a template, replacing its topic's, form's and language's.
///
/// # Errors
/// [`Error::Storage`].
pub async fn put_template<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    template: &Template,
) -> Result<(), Error> {
    delete_template(
        conn,
        business,
        template.topic(),
        template.form(),
        template.lang(),
    )
    .await?;
    let fields = vec![
        ("business_id", business.as_uuid().into()),
        ("topic", template.topic().as_str().into()),
        ("form", template.form().as_str().into()),
        ("lang", template.lang().tag().into()),
        ("title", template.title().into()),
        ("body", template.body().into()),
    ];
    conn.execute(sql::insert(C::PARAMS, "templates", fields))
        .await
        .map(drop)
}

/// Removes a template; whether there was one.
///
/// # Errors
/// [`Error::Storage`].
pub async fn delete_template<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    topic: Topic,
    form: Form,
    lang: Lang,
) -> Result<bool, Error> {
    let query = C::query("DELETE FROM templates WHERE ").equal([
        ("business_id", business.as_uuid().into()),
        ("topic", topic.as_str().into()),
        ("form", form.as_str().into()),
        ("lang", lang.tag().into()),
    ]);
    let deleted = conn.execute(query).await?;
    Ok(deleted > 0)
}

/// The channels `business` set up itself, by kind.
///
/// # Errors
/// [`Error::Storage`].
pub async fn channel_setups<C: Connection>(
    conn: &mut C,
    business: BusinessId,
) -> Result<Vec<ChannelSetup>, Error> {
    let query =
        C::query("SELECT kind, settings, sealed, updated_at FROM channels WHERE business_id = ")
            .bind(business.as_uuid())
            .push(" ORDER BY kind");
    let rows = conn.fetch(query).await?;
    let mut setups = rows
        .iter()
        .map(|row| {
            Ok(ChannelSetup {
                kind: ChannelKind::parse(&row.text("kind")?).map_err(|e| corrupt("kind", e))?,
                settings: serde_json::from_str(&row.json("settings")?)
                    .map_err(|e| corrupt("settings", e))?,
                sealed: row.bytes("sealed")?,
                updated_at: row.time("updated_at")?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    setups.sort_by_key(|s| s.kind);
    Ok(setups)
}

/// Keeps a channel's setup, replacing its kind's.
///
/// # Errors
/// [`Error::Storage`].
pub async fn put_channel_setup<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    setup: &ChannelSetup,
) -> Result<(), Error> {
    delete_channel_setup(conn, business, setup.kind).await?;
    let settings = serde_json::to_string(&setup.settings).unwrap_or_else(|_| "{}".into());
    let fields = vec![
        ("business_id", business.as_uuid().into()),
        ("kind", setup.kind.as_str().into()),
        ("settings", Value::Json(settings)),
        ("sealed", Value::Bytes(setup.sealed.clone())),
        ("updated_at", setup.updated_at.into()),
    ];
    conn.execute(sql::insert(C::PARAMS, "channels", fields))
        .await
        .map(drop)
}

/// Removes a channel's setup; whether there was one.
///
/// # Errors
/// [`Error::Storage`].
pub async fn delete_channel_setup<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    kind: ChannelKind,
) -> Result<bool, Error> {
    let query = C::query("DELETE FROM channels WHERE ").equal([
        ("business_id", business.as_uuid().into()),
        ("kind", kind.as_str().into()),
    ]);
    let deleted = conn.execute(query).await?;
    Ok(deleted > 0)
}

/// The businesses with messages to gather (see
/// `Store::businesses_to_gather`), in its own transaction.
///
/// # Errors
/// [`Error::Storage`].
pub async fn businesses_to_gather<C: Connection>(
    mut conn: C,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    due_from: NaiveDate,
    due_until: NaiveDate,
) -> Result<Vec<BusinessId>, Error> {
    let query = gather_query(C::PARAMS, now, until, due_from, due_until);
    let rows = conn.fetch(query).await?;
    let mut out = rows
        .iter()
        .map(|r| r.uuid("business_id").map(BusinessId::from_uuid))
        .collect::<Result<Vec<_>, Error>>()?;
    out.sort();
    out.dedup();
    conn.commit(Changed::default()).await?;
    Ok(out)
}

/// The statement of [`businesses_to_gather`]. Each business is looked at
/// through its own rows (its events after the last gathered, its active
/// bookings starting between `now` and `until` by `bookings_start`), so a
/// round reads by index however many bookings are stored; a range over
/// every business's bookings would read them all.
pub fn gather_query(
    params: Params,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    due_from: NaiveDate,
    due_until: NaiveDate,
) -> Query {
    Query::new(
        params,
        &format!(
            "SELECT b.business_id FROM businesses b \
               LEFT JOIN gathered g ON g.business_id = b.business_id \
               WHERE EXISTS (SELECT 1 FROM events e WHERE e.business_id = b.business_id \
                             AND e.number > COALESCE(g.number, 0)) \
                  OR EXISTS (SELECT 1 FROM events e WHERE e.business_id = b.business_id \
                             AND e.number IS NULL) \
                  OR EXISTS (SELECT 1 FROM bookings k WHERE k.business_id = b.business_id \
                             AND k.{ACTIVE} AND k.start_at >= "
        ),
    )
    .bind(now)
    .push(" AND k.start_at < ")
    .bind(until)
    .push(") UNION SELECT business_id FROM receivables WHERE paid_at IS NULL AND due >= ")
    .bind(Value::Date(due_from))
    .push(" AND due <= ")
    .bind(Value::Date(due_until))
}

/// The businesses with a channel of their own or a webhook endpoint, in
/// its own transaction.
///
/// # Errors
/// [`Error::Storage`].
pub async fn businesses_with_secrets<C: Connection>(mut conn: C) -> Result<Vec<BusinessId>, Error> {
    let query =
        C::query("SELECT business_id FROM channels UNION SELECT business_id FROM endpoints");
    let rows = conn.fetch(query).await?;
    let mut out = rows
        .iter()
        .map(|r| r.uuid("business_id").map(BusinessId::from_uuid))
        .collect::<Result<Vec<_>, Error>>()?;
    out.sort();
    conn.commit(Changed::default()).await?;
    Ok(out)
}

/// Whether any row of `table` (`messages`, `hook_deliveries`) is due to
/// be claimed at `now`: a read a store makes before claiming, so a worker
/// with nothing to do writes nothing.
///
/// # Errors
/// [`Error::Storage`].
pub async fn any_due<C: Connection>(
    mut conn: C,
    table: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let query = C::query(&format!(
        "SELECT id FROM {table} WHERE status = 'pending' AND next_at <= "
    ))
    .bind(now)
    .push(" AND (lease_until IS NULL OR lease_until <= ")
    .bind(now)
    .push(") LIMIT 1");
    let rows = conn.fetch(query).await?;
    conn.commit(Changed::default()).await?;
    Ok(!rows.is_empty())
}

/// Leases up to `limit` due rows of `table` until `lease_until`, counting
/// the attempt: one `UPDATE … WHERE id IN (SELECT … LIMIT n)`, the inner
/// select skipping locked rows where the database can. The rows, with
/// `columns`, and the lease.
async fn lease_due<C: Connection>(
    conn: &mut C,
    table: &str,
    columns: &[&str],
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<(Vec<C::Row>, Uuid), Error> {
    let lease = Uuid::new_v4();
    let query = C::query(&format!("UPDATE {table} SET "))
        .assignments(vec![
            ("lease", lease.into()),
            ("lease_until", lease_until.into()),
        ])
        .push(&format!(
            ", attempts = attempts + 1 WHERE id IN (SELECT id FROM {table} \
             WHERE status = 'pending' AND next_at <= "
        ))
        .bind(now)
        .push(" AND (lease_until IS NULL OR lease_until <= ")
        .bind(now)
        .push(") ORDER BY next_at LIMIT ")
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .push(C::skip_locked())
        .push(&format!(") RETURNING {}", columns.join(", ")));
    let rows = conn.fetch(query).await?;
    Ok((rows, lease))
}

/// Claims up to `limit` due messages (see `Store::claim_messages`), in
/// its own transaction.
///
/// # Errors
/// [`Error::Storage`].
pub async fn claim<C: Connection>(
    mut conn: C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Claimed>, Error> {
    let (rows, lease) = lease_due(
        &mut conn,
        "messages",
        MESSAGE_COLUMNS,
        now,
        lease_until,
        limit,
    )
    .await?;
    let mut claimed = rows
        .iter()
        .map(|r| message_from(r).map(|message| Claimed { message, lease }))
        .collect::<Result<Vec<_>, Error>>()?;
    claimed.sort_by_key(|c| (c.message.next_at, c.message.id));
    conn.commit(Changed::default()).await?;
    Ok(claimed)
}

/// Claims up to `limit` due webhook deliveries, in its own transaction.
///
/// # Errors
/// [`Error::Storage`].
pub async fn claim_hooks<C: Connection>(
    mut conn: C,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<ClaimedHook>, Error> {
    let (rows, lease) = lease_due(
        &mut conn,
        "hook_deliveries",
        crate::hooks::DELIVERY_COLUMNS,
        now,
        lease_until,
        limit,
    )
    .await?;
    let mut claimed = rows
        .iter()
        .map(|r| crate::hooks::delivery_from(r).map(|delivery| ClaimedHook { delivery, lease }))
        .collect::<Result<Vec<_>, Error>>()?;
    claimed.sort_by_key(|c| (c.delivery.next_at, c.delivery.id));
    conn.commit(Changed::default()).await?;
    Ok(claimed)
}

/// Records a claimed message's outcome if its lease still holds, in its
/// own transaction; whether it did.
///
/// # Errors
/// [`Error::Storage`].
pub async fn settle<C: Connection>(
    mut conn: C,
    claimed: &Claimed,
    outcome: &Outcome,
) -> Result<bool, Error> {
    let mut message = claimed.message.clone();
    outcome.apply(&mut message);
    let set = vec![
        ("status", message.status.as_str().into()),
        ("next_at", message.next_at.into()),
        ("last_error", message.last_error.clone().into()),
        ("sent_at", message.sent_at.into()),
        ("reference", message.reference.clone().into()),
    ];
    let query = C::query("UPDATE messages SET ")
        .assignments(set)
        .push(", lease = NULL, lease_until = NULL WHERE ")
        .equal([
            ("id", message.id.as_uuid().into()),
            ("lease", claimed.lease.into()),
        ]);
    let changed = conn.execute(query).await?;
    conn.commit(Changed::default()).await?;
    Ok(changed > 0)
}
