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

use agendo_core::ids::{BusinessId, MessageId, ProfessionalId};
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

use crate::record::{Row, Value};
use crate::work::{Connection, ACTIVE};
use crate::{corrupt, sql};

/// The columns of a message, in [`message_values`] order.
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

/// The values of `message`, in [`MESSAGE_COLUMNS`] order.
pub fn message_values(message: &Message) -> Vec<Value> {
    vec![
        Value::Uuid(Some(message.id.as_uuid())),
        Value::Uuid(Some(message.business.as_uuid())),
        text(&message.key),
        text(message.channel.as_str()),
        text(&message.recipient.to_string()),
        Value::Uuid(message.professional().map(|p| p.as_uuid())),
        text(&message.address),
        text(&message.name),
        text(message.topic.as_str()),
        text(&message.subject.key()),
        text(message.lang.tag()),
        text(&message.title),
        text(&message.body),
        Value::Json(serde_json::to_string(&message.values).unwrap_or_else(|_| "{}".into())),
        Value::Time(Some(message.due_at)),
        Value::Time(Some(message.created_at)),
        text(message.status.as_str()),
        Value::Int(i64::from(message.attempts)),
        Value::Time(Some(message.next_at)),
        opt_text(message.last_error.as_deref()),
        Value::Time(message.sent_at),
        opt_text(message.reference.as_deref()),
        Value::Time(message.read_at),
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
    let p = C::PARAMS;
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (0..chunk.len()).map(|i| p.nth(2 + i)).collect();
        let sql = format!(
            "SELECT id FROM messages WHERE business_id = {} AND id IN ({})",
            p.nth(1),
            marks.join(", ")
        );
        let mut values = vec![Value::Uuid(Some(business.as_uuid()))];
        values.extend(chunk.iter().map(|id| Value::Uuid(Some(id.as_uuid()))));
        for row in conn.fetch(&sql, values).await? {
            found.push(MessageId::from_uuid(row.uuid("id")?));
        }
    }
    Ok(found)
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
    let sql = format!(
        "{} ON CONFLICT (id) DO NOTHING",
        sql::insert(C::PARAMS, "messages", MESSAGE_COLUMNS)
    );
    let mut added = 0;
    for message in messages {
        if message.business != business {
            return Err(Error::Storage {
                detail: "a message of another business".into(),
            });
        }
        added += conn.execute(&sql, message_values(message)).await?;
    }
    Ok(usize::try_from(added).unwrap_or(usize::MAX))
}

/// One message of `business`.
///
/// # Errors
/// [`Error::Storage`].
pub async fn one<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    id: MessageId,
) -> Result<Option<Message>, Error> {
    let p = C::PARAMS;
    let sql = format!(
        "SELECT {} FROM messages WHERE business_id = {} AND id = {}",
        MESSAGE_COLUMNS.join(", "),
        p.nth(1),
        p.nth(2)
    );
    let rows = conn
        .fetch(
            &sql,
            vec![
                Value::Uuid(Some(business.as_uuid())),
                Value::Uuid(Some(id.as_uuid())),
            ],
        )
        .await?;
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
    let p = C::PARAMS;
    let mut clauses = vec![format!("business_id = {}", p.nth(1))];
    let mut values = vec![Value::Uuid(Some(business.as_uuid()))];
    let mut add = |column: &str, value: Value, clauses: &mut Vec<String>| {
        values.push(value);
        clauses.push(format!("{column} = {}", p.nth(values.len())));
    };
    if let Some(status) = filter.status {
        add("status", text(status.as_str()), &mut clauses);
    }
    if let Some(channel) = filter.channel {
        add("channel", text(channel.as_str()), &mut clauses);
    }
    if let Some(professional) = filter.professional {
        add(
            "professional_id",
            Value::Uuid(Some(ProfessionalId::as_uuid(&professional))),
            &mut clauses,
        );
    }
    if let Some(subject) = filter.subject {
        add("subject", text(&subject.key()), &mut clauses);
    }
    let sql = format!(
        "SELECT {} FROM messages WHERE {} ORDER BY created_at, id",
        MESSAGE_COLUMNS.join(", "),
        clauses.join(" AND ")
    );
    let rows = conn.fetch(&sql, values).await?;
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
    let set = format!("read_at = COALESCE(read_at, {})", C::PARAMS.nth(1));
    update_one(conn, business, id, &set, "", Value::Time(Some(at))).await
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
    let set = format!(
        "status = 'pending', attempts = 0, next_at = {}, lease = NULL, lease_until = NULL",
        C::PARAMS.nth(1)
    );
    update_one(
        conn,
        business,
        id,
        &set,
        " AND status = 'dead'",
        Value::Time(Some(at)),
    )
    .await
}

/// Runs `SET {set}` (whose one parameter is `value`) on one message of
/// `business`, when `also` holds; whether it changed.
async fn update_one<C: Connection>(
    conn: &mut C,
    business: BusinessId,
    id: MessageId,
    set: &str,
    also: &str,
    value: Value,
) -> Result<bool, Error> {
    let p = C::PARAMS;
    let sql = format!(
        "UPDATE messages SET {set} WHERE business_id = {} AND id = {}{also}",
        p.nth(2),
        p.nth(3)
    );
    let values = vec![
        value,
        Value::Uuid(Some(business.as_uuid())),
        Value::Uuid(Some(id.as_uuid())),
    ];
    Ok(conn.execute(&sql, values).await? > 0)
}

/// The last event of `business` messages were gathered from.
///
/// # Errors
/// [`Error::Storage`].
pub async fn gathered<C: Connection>(conn: &mut C, business: BusinessId) -> Result<u64, Error> {
    let sql = format!(
        "SELECT number FROM gathered WHERE business_id = {}",
        C::PARAMS.nth(1)
    );
    let rows = conn
        .fetch(&sql, vec![Value::Uuid(Some(business.as_uuid()))])
        .await?;
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
    let p = C::PARAMS;
    // Never backwards: two gatherers at once may end in either order.
    let sql = format!(
        "INSERT INTO gathered (business_id, number) VALUES ({}, {}) \
         ON CONFLICT (business_id) DO UPDATE SET number = \
         CASE WHEN gathered.number > excluded.number THEN gathered.number ELSE excluded.number END",
        p.nth(1),
        p.nth(2)
    );
    conn.execute(
        &sql,
        vec![
            Value::Uuid(Some(business.as_uuid())),
            Value::Int(i64::try_from(number).unwrap_or(i64::MAX)),
        ],
    )
    .await
    .map(drop)
}

/// The business's own templates.
///
/// # Errors
/// [`Error::Storage`].
pub async fn templates<C: Connection>(
    conn: &mut C,
    business: BusinessId,
) -> Result<Vec<Template>, Error> {
    let sql = format!(
        "SELECT topic, form, lang, title, body FROM templates WHERE business_id = {} \
         ORDER BY topic, form, lang",
        C::PARAMS.nth(1)
    );
    let rows = conn
        .fetch(&sql, vec![Value::Uuid(Some(business.as_uuid()))])
        .await?;
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
    let sql = sql::insert(
        C::PARAMS,
        "templates",
        &["business_id", "topic", "form", "lang", "title", "body"],
    );
    conn.execute(
        &sql,
        vec![
            Value::Uuid(Some(business.as_uuid())),
            text(template.topic().as_str()),
            text(template.form().as_str()),
            text(template.lang().tag()),
            text(template.title()),
            text(template.body()),
        ],
    )
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
    let p = C::PARAMS;
    let sql = format!(
        "DELETE FROM templates WHERE business_id = {} AND topic = {} AND form = {} AND lang = {}",
        p.nth(1),
        p.nth(2),
        p.nth(3),
        p.nth(4)
    );
    let deleted = conn
        .execute(
            &sql,
            vec![
                Value::Uuid(Some(business.as_uuid())),
                text(topic.as_str()),
                text(form.as_str()),
                text(lang.tag()),
            ],
        )
        .await?;
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
    let sql = format!(
        "SELECT kind, settings, sealed, updated_at FROM channels WHERE business_id = {} ORDER BY kind",
        C::PARAMS.nth(1)
    );
    let rows = conn
        .fetch(&sql, vec![Value::Uuid(Some(business.as_uuid()))])
        .await?;
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
    let sql = sql::insert(
        C::PARAMS,
        "channels",
        &["business_id", "kind", "settings", "sealed", "updated_at"],
    );
    conn.execute(
        &sql,
        vec![
            Value::Uuid(Some(business.as_uuid())),
            text(setup.kind.as_str()),
            Value::Json(serde_json::to_string(&setup.settings).unwrap_or_else(|_| "{}".into())),
            Value::Bytes(setup.sealed.clone()),
            Value::Time(Some(setup.updated_at)),
        ],
    )
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
    let p = C::PARAMS;
    let sql = format!(
        "DELETE FROM channels WHERE business_id = {} AND kind = {}",
        p.nth(1),
        p.nth(2)
    );
    let deleted = conn
        .execute(
            &sql,
            vec![Value::Uuid(Some(business.as_uuid())), text(kind.as_str())],
        )
        .await?;
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
    let p = C::PARAMS;
    let sql = format!(
        "SELECT b.business_id FROM businesses b \
           LEFT JOIN gathered g ON g.business_id = b.business_id \
           WHERE EXISTS (SELECT 1 FROM events e WHERE e.business_id = b.business_id \
                         AND e.number > COALESCE(g.number, 0)) \
              OR EXISTS (SELECT 1 FROM events e WHERE e.business_id = b.business_id \
                         AND e.number IS NULL) \
         UNION SELECT business_id FROM bookings \
           WHERE {ACTIVE} AND start_at >= {} AND start_at < {} \
         UNION SELECT business_id FROM receivables \
           WHERE paid_at IS NULL AND due >= {} AND due <= {}",
        p.nth(1),
        p.nth(2),
        p.nth(3),
        p.nth(4)
    );
    let rows = conn
        .fetch(
            &sql,
            vec![
                Value::Time(Some(now)),
                Value::Time(Some(until)),
                Value::Date(due_from),
                Value::Date(due_until),
            ],
        )
        .await?;
    let mut out = rows
        .iter()
        .map(|r| r.uuid("business_id").map(BusinessId::from_uuid))
        .collect::<Result<Vec<_>, Error>>()?;
    out.sort();
    out.dedup();
    conn.commit(Changed::default()).await?;
    Ok(out)
}

/// The businesses with a channel of their own or a webhook endpoint, in
/// its own transaction.
///
/// # Errors
/// [`Error::Storage`].
pub async fn businesses_with_secrets<C: Connection>(mut conn: C) -> Result<Vec<BusinessId>, Error> {
    let rows = conn
        .fetch(
            "SELECT business_id FROM channels UNION SELECT business_id FROM endpoints",
            Vec::new(),
        )
        .await?;
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
    let p = C::PARAMS;
    let sql = format!(
        "SELECT id FROM {table} WHERE status = 'pending' AND next_at <= {} \
         AND (lease_until IS NULL OR lease_until <= {}) LIMIT 1",
        p.nth(1),
        p.nth(1)
    );
    let rows = conn.fetch(&sql, vec![Value::Time(Some(now))]).await?;
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
    let p = C::PARAMS;
    let lease = Uuid::new_v4();
    let sql = format!(
        "UPDATE {table} SET lease = {}, lease_until = {}, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM {table} WHERE status = 'pending' AND next_at <= {} \
                      AND (lease_until IS NULL OR lease_until <= {}) \
                      ORDER BY next_at LIMIT {}{}) \
         RETURNING {}",
        p.nth(1),
        p.nth(2),
        p.nth(3),
        p.nth(3),
        p.nth(4),
        C::skip_locked(),
        columns.join(", ")
    );
    let rows = conn
        .fetch(
            &sql,
            vec![
                Value::Uuid(Some(lease)),
                Value::Time(Some(lease_until)),
                Value::Time(Some(now)),
                Value::Int(i64::try_from(limit).unwrap_or(i64::MAX)),
            ],
        )
        .await?;
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
    let p = C::PARAMS;
    let mut message = claimed.message.clone();
    outcome.apply(&mut message);
    let sql = format!(
        "UPDATE messages SET status = {}, next_at = {}, last_error = {}, sent_at = {}, \
         reference = {}, lease = NULL, lease_until = NULL WHERE id = {} AND lease = {}",
        p.nth(1),
        p.nth(2),
        p.nth(3),
        p.nth(4),
        p.nth(5),
        p.nth(6),
        p.nth(7)
    );
    let changed = conn
        .execute(
            &sql,
            vec![
                text(message.status.as_str()),
                Value::Time(Some(message.next_at)),
                opt_text(message.last_error.as_deref()),
                Value::Time(message.sent_at),
                opt_text(message.reference.as_deref()),
                Value::Uuid(Some(message.id.as_uuid())),
                Value::Uuid(Some(claimed.lease)),
            ],
        )
        .await?;
    conn.commit(Changed::default()).await?;
    Ok(changed > 0)
}
