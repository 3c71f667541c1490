//! Each record's table and columns, the values written and the reading of
//! a row.
//!
//! Every table carries `business_id`, and every other key is `(business_id,
//! id)`, so a query that forgets the business cannot find anything and a
//! reference across businesses cannot be stored (the foreign keys are
//! composite too). Scalar fields get a column each, typed by the database
//! (money as `numeric` on Postgres, decimal text on SQLite; instants as
//! `timestamptz` or fixed-width RFC 3339 text); nested values are JSON
//! ([`crate::codec`]).

use agendo_core::account::{Account, PasswordHash, Role, Session, Slug, TokenHash};
use agendo_core::availability::Buffers;
use agendo_core::booking::{Booking, BookingParts, BookingStatus};
use agendo_core::business::{
    Activity, Block, Bookable, Business, Client, ConfirmationMode, Professional, Resource, Service,
};
use agendo_core::contact::{Email, Phone, TaxId};
use agendo_core::ids::{
    AccountId, BlockId, BookingId, BusinessId, ClientId, PaymentId, ProfessionalId, ReceivableId,
    ResourceId, SeriesId, ServiceId, SessionId,
};
use agendo_core::money::{Currency, Money};
use agendo_core::payment::{Payment, PaymentMethod, PaymentParts, PaymentStatus, Receivable};
use agendo_core::store::{IdempotencyKey, IdempotencyRecord};
use agendo_core::time::{parse_zone, Span};
use agendo_core::{Error, Lang, RecordKind};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::codec;
use crate::corrupt;
use crate::sql::{Fields, Params, Query};

/// A value written to a column. Adapters bind each kind as their database
/// types it; `None` is SQL `NULL`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An id.
    Uuid(Option<Uuid>),
    /// Text.
    Text(Option<String>),
    /// A whole number.
    Int(i64),
    /// An exact decimal amount.
    Decimal(Decimal),
    /// An instant.
    Time(Option<DateTime<Utc>>),
    /// A calendar date.
    Date(NaiveDate),
    /// JSON text ([`crate::codec`]).
    Json(String),
    /// Bytes (a picture).
    Bytes(Vec<u8>),
}

impl From<Uuid> for Value {
    fn from(id: Uuid) -> Value {
        Value::Uuid(Some(id))
    }
}

impl From<Option<Uuid>> for Value {
    fn from(id: Option<Uuid>) -> Value {
        Value::Uuid(id)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::Text(Some(text.to_owned()))
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::Text(Some(text))
    }
}

impl From<Option<String>> for Value {
    fn from(text: Option<String>) -> Value {
        Value::Text(text)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Int(n)
    }
}

impl From<DateTime<Utc>> for Value {
    fn from(at: DateTime<Utc>) -> Value {
        Value::Time(Some(at))
    }
}

impl From<Option<DateTime<Utc>>> for Value {
    fn from(at: Option<DateTime<Utc>>) -> Value {
        Value::Time(at)
    }
}

/// The value written for `column` in `fields`.
///
/// # Panics
/// When `fields` has no such column: a statement written for a record
/// names one of its own columns.
pub fn field(fields: &[(&'static str, Value)], column: &str) -> Value {
    fields
        .iter()
        .find(|(c, _)| *c == column)
        .map(|(_, value)| value.clone())
        .unwrap_or_else(|| panic!("a record written with no {column} column"))
}

/// A row read back: each adapter reads its database's types into the
/// engine's.
pub trait Row {
    /// An id column, maybe `NULL`.
    fn uuid_opt(&self, column: &str) -> Result<Option<Uuid>, Error>;
    /// A text column, maybe `NULL`.
    fn text_opt(&self, column: &str) -> Result<Option<String>, Error>;
    /// A whole number column.
    fn int(&self, column: &str) -> Result<i64, Error>;
    /// A whole-number column, maybe `NULL`.
    fn int_opt(&self, column: &str) -> Result<Option<i64>, Error>;
    /// A decimal amount column.
    fn decimal(&self, column: &str) -> Result<Decimal, Error>;
    /// An instant column, maybe `NULL`.
    fn time_opt(&self, column: &str) -> Result<Option<DateTime<Utc>>, Error>;
    /// A date column.
    fn date(&self, column: &str) -> Result<NaiveDate, Error>;
    /// A JSON column, as text.
    fn json(&self, column: &str) -> Result<String, Error>;
    /// A bytes column.
    fn bytes(&self, column: &str) -> Result<Vec<u8>, Error>;

    /// An id column that is never `NULL`.
    fn uuid(&self, column: &str) -> Result<Uuid, Error> {
        self.uuid_opt(column)?
            .ok_or_else(|| corrupt(column, "NULL where an id is required"))
    }
    /// A text column that is never `NULL`.
    fn text(&self, column: &str) -> Result<String, Error> {
        self.text_opt(column)?
            .ok_or_else(|| corrupt(column, "NULL where text is required"))
    }
    /// An instant column that is never `NULL`.
    fn time(&self, column: &str) -> Result<DateTime<Utc>, Error> {
        self.time_opt(column)?
            .ok_or_else(|| corrupt(column, "NULL where an instant is required"))
    }
}

/// A record kept in a table of its own.
pub trait Stored: Sized {
    /// The table.
    const TABLE: &'static str;
    /// The columns a read selects: the names of [`Stored::fields`], in
    /// their order (checked on every write of a debug build).
    const COLUMNS: &'static [&'static str];
    /// The key: `business_id`, then `id` except for the business itself.
    const KEY: &'static [&'static str] = &["business_id", "id"];
    /// The order of a listing.
    const ORDER: &'static str;
    /// What the record is, for errors.
    const KIND: RecordKind;

    /// The business it belongs to.
    fn business(&self) -> BusinessId;
    /// Its id.
    fn uuid(&self) -> Uuid;
    /// The record as written: each column with its value, the key's
    /// first.
    fn fields(&self) -> Fields;
    /// Reads it back.
    ///
    /// # Errors
    /// [`Error::Storage`] when a column does not read back.
    fn read(row: &dyn Row) -> Result<Self, Error>;
}

/// Rebuilds a record through the engine's checks; a refusal means the
/// stored row is not one the engine wrote.
fn checked<T>(table: &str, result: Result<T, Error>) -> Result<T, Error> {
    result.map_err(|e| corrupt(table, e))
}

fn u32_of(row: &dyn Row, column: &str) -> Result<u32, Error> {
    let value = row.int(column)?;
    u32::try_from(value).map_err(|_| corrupt(column, format_args!("{value} is not a count")))
}

fn currency(row: &dyn Row, column: &str) -> Result<Currency, Error> {
    checked(column, Currency::parse(&row.text(column)?))
}

fn money(row: &dyn Row, column: &str, currency: Currency) -> Result<Money, Error> {
    checked(column, Money::new(row.decimal(column)?, currency))
}

fn activity_text(activity: Activity) -> Value {
    Value::Text(Some(
        match activity {
            Activity::Active => "active",
            Activity::Retired => "retired",
        }
        .to_owned(),
    ))
}

fn activity(row: &dyn Row) -> Result<Activity, Error> {
    match row.text("activity")?.as_str() {
        "active" => Ok(Activity::Active),
        "retired" => Ok(Activity::Retired),
        other => Err(corrupt("activity", format_args!("{other:?}"))),
    }
}

fn text(value: &str) -> Value {
    Value::Text(Some(value.to_owned()))
}

fn id(value: Uuid) -> Value {
    Value::Uuid(Some(value))
}

impl Stored for Business {
    const TABLE: &'static str = "businesses";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "name",
        "zone",
        "currency",
        "locale",
        "confirmation",
        "policy",
        "notify",
        "commissions",
        "slug",
        "profile",
    ];
    const KEY: &'static [&'static str] = &["business_id"];
    const ORDER: &'static str = "business_id";
    const KIND: RecordKind = RecordKind::Business;

    fn business(&self) -> BusinessId {
        self.id()
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        vec![
            ("business_id", id(self.id().as_uuid())),
            ("name", text(self.name())),
            ("zone", text(self.zone().name())),
            ("currency", text(self.currency().code())),
            ("locale", text(self.locale().tag())),
            ("confirmation", text(self.confirmation().as_str())),
            ("policy", Value::Json(codec::policy_text(self.policy()))),
            ("notify", Value::Json(codec::notify_text(self.notify()))),
            (
                "commissions",
                Value::Json(codec::commissions_text(self.commissions())),
            ),
            (
                "slug",
                Value::Text(self.slug().map(|s| s.as_str().to_owned())),
            ),
            ("profile", Value::Json(codec::profile_text(self.profile()))),
        ]
    }
    fn read(row: &dyn Row) -> Result<Business, Error> {
        let slug = row.text_opt("slug")?.map(|s| Slug::parse(&s)).transpose();
        let slug = checked("slug", slug)?;
        let zone = checked("zone", parse_zone(&row.text("zone")?))?;
        let confirmation = row.text("confirmation")?;
        let confirmation = ConfirmationMode::parse(&confirmation)
            .map_err(|_| corrupt("confirmation", format_args!("{confirmation:?}")))?;
        let business = Business::new(
            BusinessId::from_uuid(row.uuid("business_id")?),
            &row.text("name")?,
            zone,
            currency(row, "currency")?,
            Lang::from_tag(&row.text("locale")?),
        )
        .and_then(|b| b.with_policy(codec::policy_from("policy", &row.json("policy")?)?))
        .and_then(|b| {
            b.with_confirmation(confirmation)
                .with_notify(codec::notify_from("notify", &row.json("notify")?)?)
                .with_commissions(codec::commissions_from(
                    "commissions",
                    &row.json("commissions")?,
                )?)
        })
        .and_then(|b| {
            Ok(b.with_slug(slug)
                .with_profile(codec::profile_from("profile", &row.json("profile")?)?))
        });
        checked(Self::TABLE, business)
    }
}

impl Stored for Service {
    const TABLE: &'static str = "services";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "name",
        "description",
        "duration_minutes",
        "price",
        "currency",
        "buffer_before_minutes",
        "buffer_after_minutes",
        "policy",
        "resource_id",
        "activity",
        "resource_kind",
    ];
    const ORDER: &'static str = "name, id";
    const KIND: RecordKind = RecordKind::Service;

    fn business(&self) -> BusinessId {
        Service::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        vec![
            ("business_id", id(Service::business(self).as_uuid())),
            ("id", id(self.id().as_uuid())),
            ("name", text(self.name())),
            ("description", text(self.description())),
            (
                "duration_minutes",
                Value::Int(self.duration_minutes().into()),
            ),
            ("price", Value::Decimal(self.price().amount())),
            ("currency", text(self.price().currency().code())),
            (
                "buffer_before_minutes",
                Value::Int(self.buffers().before_minutes().into()),
            ),
            (
                "buffer_after_minutes",
                Value::Int(self.buffers().after_minutes().into()),
            ),
            (
                "policy",
                Value::Json(
                    self.policy()
                        .map(codec::policy_text)
                        .unwrap_or_else(|| "null".to_owned()),
                ),
            ),
            (
                "resource_id",
                Value::Uuid(self.resource().map(|r| r.as_uuid())),
            ),
            ("activity", activity_text(self.activity())),
            (
                "resource_kind",
                Value::Text(self.resource_kind().map(str::to_owned)),
            ),
        ]
    }
    fn read(row: &dyn Row) -> Result<Service, Error> {
        let policy = row.json("policy")?;
        let policy = match policy.trim() {
            "null" => None,
            text => Some(codec::policy_from("policy", text)?),
        };
        let price = money(row, "price", currency(row, "currency")?)?;
        let service = Service::new(
            ServiceId::from_uuid(row.uuid("id")?),
            BusinessId::from_uuid(row.uuid("business_id")?),
            &row.text("name")?,
            u32_of(row, "duration_minutes")?,
            price,
        )
        .and_then(|s| s.with_description(&row.text("description")?))
        .and_then(|s| {
            let buffers = Buffers::new(
                u32_of(row, "buffer_before_minutes")?,
                u32_of(row, "buffer_after_minutes")?,
            )?;
            s.with_buffers(buffers).with_policy(policy)
        })
        .and_then(|s| {
            Ok(
                s.with_resource(row.uuid_opt("resource_id")?.map(ResourceId::from_uuid))
                    .with_activity(activity(row)?),
            )
        })
        .and_then(|s| match row.text_opt("resource_kind")? {
            Some(kind) => s.with_resource_kind(Some(&kind)),
            None => Ok(s),
        });
        checked(Self::TABLE, service)
    }
}

impl Stored for Professional {
    const TABLE: &'static str = "professionals";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "name",
        "service_ids",
        "hours",
        "capacity",
        "activity",
    ];
    const ORDER: &'static str = "name, id";
    const KIND: RecordKind = RecordKind::Professional;

    fn business(&self) -> BusinessId {
        Professional::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        let services: Vec<Uuid> = self.services().iter().map(|s| s.as_uuid()).collect();
        vec![
            ("business_id", id(Professional::business(self).as_uuid())),
            ("id", id(self.id().as_uuid())),
            ("name", text(self.name())),
            (
                "service_ids",
                Value::Json(serde_json::to_string(&services).unwrap_or_default()),
            ),
            ("hours", Value::Json(codec::hours_text(self.hours()))),
            ("capacity", Value::Int(self.capacity().into())),
            ("activity", activity_text(self.activity())),
        ]
    }
    fn read(row: &dyn Row) -> Result<Professional, Error> {
        let services: Vec<Uuid> = serde_json::from_str(&row.json("service_ids")?)
            .map_err(|e| corrupt("service_ids", e))?;
        let professional = Professional::new(
            ProfessionalId::from_uuid(row.uuid("id")?),
            BusinessId::from_uuid(row.uuid("business_id")?),
            &row.text("name")?,
        )
        .and_then(|p| {
            p.with_services(services.into_iter().map(ServiceId::from_uuid))
                .with_hours(codec::hours_from("hours", &row.json("hours")?)?)
                .with_capacity(u32_of(row, "capacity")?)
        })
        .and_then(|p| Ok(p.with_activity(activity(row)?)));
        checked(Self::TABLE, professional)
    }
}

impl Stored for Resource {
    const TABLE: &'static str = "resources";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "name",
        "hours",
        "capacity",
        "activity",
        "kind",
    ];
    const ORDER: &'static str = "name, id";
    const KIND: RecordKind = RecordKind::Resource;

    fn business(&self) -> BusinessId {
        Resource::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        vec![
            ("business_id", id(Resource::business(self).as_uuid())),
            ("id", id(self.id().as_uuid())),
            ("name", text(self.name())),
            ("hours", Value::Json(codec::hours_text(self.hours()))),
            ("capacity", Value::Int(self.capacity().into())),
            ("activity", activity_text(self.activity())),
            ("kind", text(self.kind())),
        ]
    }
    fn read(row: &dyn Row) -> Result<Resource, Error> {
        let resource = Resource::new(
            ResourceId::from_uuid(row.uuid("id")?),
            BusinessId::from_uuid(row.uuid("business_id")?),
            &row.text("name")?,
        )
        .and_then(|r| r.with_capacity(u32_of(row, "capacity")?))
        .and_then(|r| r.with_kind(&row.text("kind")?))
        .and_then(|r| {
            Ok(
                r.with_hours(codec::hours_from("hours", &row.json("hours")?)?)
                    .with_activity(activity(row)?),
            )
        });
        checked(Self::TABLE, resource)
    }
}

impl Stored for Client {
    const TABLE: &'static str = "clients";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "name",
        "email",
        "phone",
        "tax_id",
        "notes",
        "attributes",
        "activity",
    ];
    const ORDER: &'static str = "name, id";
    const KIND: RecordKind = RecordKind::Client;

    fn business(&self) -> BusinessId {
        Client::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        vec![
            ("business_id", id(Client::business(self).as_uuid())),
            ("id", id(self.id().as_uuid())),
            ("name", text(self.name())),
            (
                "email",
                Value::Text(self.email().map(|e| e.as_str().to_owned())),
            ),
            (
                "phone",
                Value::Text(self.phone().map(|p| p.as_str().to_owned())),
            ),
            (
                "tax_id",
                Value::Text(self.tax_id().map(|t| t.as_str().to_owned())),
            ),
            ("notes", text(self.notes())),
            (
                "attributes",
                Value::Json(codec::attributes_text(self.attributes())),
            ),
            ("activity", activity_text(self.activity())),
        ]
    }
    fn read(row: &dyn Row) -> Result<Client, Error> {
        let mut client = checked(
            Self::TABLE,
            Client::new(
                ClientId::from_uuid(row.uuid("id")?),
                BusinessId::from_uuid(row.uuid("business_id")?),
                &row.text("name")?,
            ),
        )?;
        let email = row.text_opt("email")?.map(|e| Email::parse(&e)).transpose();
        let phone = row.text_opt("phone")?.map(|p| Phone::parse(&p)).transpose();
        let tax_id = row
            .text_opt("tax_id")?
            .map(|t| TaxId::parse(&t))
            .transpose();
        client = client
            .with_email(checked("email", email)?)
            .with_phone(checked("phone", phone)?)
            .with_tax_id(checked("tax_id", tax_id)?);
        client = checked("notes", client.with_notes(&row.text("notes")?))?;
        for (name, value) in codec::attributes_from("attributes", &row.json("attributes")?)? {
            client = checked("attributes", client.with_attribute(&name, &value))?;
        }
        Ok(client.with_activity(activity(row)?))
    }
}

impl Stored for Account {
    const TABLE: &'static str = "accounts";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "email",
        "login_key",
        "name",
        "role",
        "professional_id",
        "password_hash",
        "activity",
        "email_verified_at",
    ];
    const ORDER: &'static str = "name, id";
    const KIND: RecordKind = RecordKind::Account;

    fn business(&self) -> BusinessId {
        Account::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        vec![
            ("business_id", id(Account::business(self).as_uuid())),
            ("id", id(self.id().as_uuid())),
            ("email", text(self.email().as_str())),
            ("login_key", text(&Account::login_key(self.email()))),
            ("name", text(self.name())),
            ("role", text(self.role().as_str())),
            (
                "professional_id",
                Value::Uuid(self.professional().map(|p| p.as_uuid())),
            ),
            ("password_hash", text(self.password().as_str())),
            ("activity", activity_text(self.activity())),
            ("email_verified_at", Value::Time(self.verified_at())),
        ]
    }
    fn read(row: &dyn Row) -> Result<Account, Error> {
        let email = checked("email", Email::parse(&row.text("email")?))?;
        let role = checked("role", Role::parse(&row.text("role")?))?;
        let password = checked(
            "password_hash",
            PasswordHash::parse(&row.text("password_hash")?),
        )?;
        let account = Account::new(
            AccountId::from_uuid(row.uuid("id")?),
            BusinessId::from_uuid(row.uuid("business_id")?),
            email,
            &row.text("name")?,
            role,
            row.uuid_opt("professional_id")?
                .map(ProfessionalId::from_uuid),
            password,
        );
        Ok(checked(Self::TABLE, account)?
            .with_activity(activity(row)?)
            .with_verified_at(row.time_opt("email_verified_at")?))
    }
}

impl Stored for Session {
    const TABLE: &'static str = "sessions";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "account_id",
        "secret",
        "created_at",
        "expires_at",
        "rotated_at",
        "revoked_at",
    ];
    const ORDER: &'static str = "created_at, id";
    const KIND: RecordKind = RecordKind::Session;

    fn business(&self) -> BusinessId {
        Session::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        vec![
            ("business_id", id(Session::business(self).as_uuid())),
            ("id", id(self.id().as_uuid())),
            ("account_id", id(self.account().as_uuid())),
            ("secret", text(self.secret().as_str())),
            ("created_at", Value::Time(Some(self.created()))),
            ("expires_at", Value::Time(Some(self.expires()))),
            ("rotated_at", Value::Time(Some(self.rotated()))),
            ("revoked_at", Value::Time(self.revoked())),
        ]
    }
    fn read(row: &dyn Row) -> Result<Session, Error> {
        let secret = checked("secret", TokenHash::parse(&row.text("secret")?))?;
        let session = Session::from_parts(
            SessionId::from_uuid(row.uuid("id")?),
            BusinessId::from_uuid(row.uuid("business_id")?),
            AccountId::from_uuid(row.uuid("account_id")?),
            secret,
            row.time("created_at")?,
            row.time("expires_at")?,
            row.time("rotated_at")?,
            row.time_opt("revoked_at")?,
        );
        checked(Self::TABLE, session)
    }
}

/// The `(professional_id, resource_id)` columns of what a block or booking
/// is on.
fn on_columns(on: Bookable) -> (Value, Value) {
    match on {
        Bookable::Professional(p) => (id(p.as_uuid()), Value::Uuid(None)),
        Bookable::Resource(r) => (Value::Uuid(None), id(r.as_uuid())),
    }
}

fn span(row: &dyn Row, start: &str, end: &str) -> Result<Span, Error> {
    checked(start, Span::new(row.time(start)?, row.time(end)?))
}

impl Stored for Block {
    const TABLE: &'static str = "blocks";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "professional_id",
        "resource_id",
        "start_at",
        "end_at",
        "reason",
    ];
    const ORDER: &'static str = "start_at, end_at, id";
    const KIND: RecordKind = RecordKind::Block;

    fn business(&self) -> BusinessId {
        Block::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        let (professional, resource) = on_columns(self.on());
        vec![
            ("business_id", id(Block::business(self).as_uuid())),
            ("id", id(self.id().as_uuid())),
            ("professional_id", professional),
            ("resource_id", resource),
            ("start_at", Value::Time(Some(self.span().start()))),
            ("end_at", Value::Time(Some(self.span().end()))),
            ("reason", text(self.reason())),
        ]
    }
    fn read(row: &dyn Row) -> Result<Block, Error> {
        let on = match (
            row.uuid_opt("professional_id")?,
            row.uuid_opt("resource_id")?,
        ) {
            (Some(p), None) => Bookable::Professional(ProfessionalId::from_uuid(p)),
            (None, Some(r)) => Bookable::Resource(ResourceId::from_uuid(r)),
            _ => {
                return Err(corrupt(
                    "blocks",
                    "not on exactly one professional or resource",
                ))
            }
        };
        checked(
            Self::TABLE,
            Block::new(
                BlockId::from_uuid(row.uuid("id")?),
                BusinessId::from_uuid(row.uuid("business_id")?),
                on,
                span(row, "start_at", "end_at")?,
                &row.text("reason")?,
            ),
        )
    }
}

impl Stored for Booking {
    const TABLE: &'static str = "bookings";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "service_id",
        "professional_id",
        "resource_id",
        "client_id",
        "start_at",
        "end_at",
        "held_start",
        "held_end",
        "status",
        "price",
        "deposit",
        "currency",
        "series_id",
        "created_at",
        "history",
    ];
    const ORDER: &'static str = "start_at, id";
    const KIND: RecordKind = RecordKind::Booking;

    fn business(&self) -> BusinessId {
        Booking::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        let parts = self.to_parts();
        vec![
            ("business_id", id(parts.business.as_uuid())),
            ("id", id(parts.id.as_uuid())),
            ("service_id", id(parts.service.as_uuid())),
            ("professional_id", id(parts.professional.as_uuid())),
            (
                "resource_id",
                Value::Uuid(parts.resource.map(|r| r.as_uuid())),
            ),
            ("client_id", id(parts.client.as_uuid())),
            ("start_at", Value::Time(Some(parts.appointment.start()))),
            ("end_at", Value::Time(Some(parts.appointment.end()))),
            ("held_start", Value::Time(Some(parts.held.start()))),
            ("held_end", Value::Time(Some(parts.held.end()))),
            ("status", text(parts.status.as_str())),
            ("price", Value::Decimal(parts.price.amount())),
            ("deposit", Value::Decimal(parts.deposit.amount())),
            ("currency", text(parts.price.currency().code())),
            ("series_id", Value::Uuid(parts.series.map(|s| s.as_uuid()))),
            ("created_at", Value::Time(Some(parts.created_at))),
            ("history", Value::Json(codec::history_text(&parts.history))),
        ]
    }
    fn read(row: &dyn Row) -> Result<Booking, Error> {
        let currency = currency(row, "currency")?;
        let parts = BookingParts {
            id: BookingId::from_uuid(row.uuid("id")?),
            business: BusinessId::from_uuid(row.uuid("business_id")?),
            service: ServiceId::from_uuid(row.uuid("service_id")?),
            professional: ProfessionalId::from_uuid(row.uuid("professional_id")?),
            resource: row.uuid_opt("resource_id")?.map(ResourceId::from_uuid),
            client: ClientId::from_uuid(row.uuid("client_id")?),
            appointment: span(row, "start_at", "end_at")?,
            held: span(row, "held_start", "held_end")?,
            status: checked("status", BookingStatus::parse(&row.text("status")?))?,
            price: money(row, "price", currency)?,
            deposit: money(row, "deposit", currency)?,
            series: row.uuid_opt("series_id")?.map(SeriesId::from_uuid),
            created_at: row.time("created_at")?,
            history: codec::history_from("history", &row.json("history")?)?,
        };
        checked(Self::TABLE, Booking::from_parts(parts))
    }
}

fn payment_status_text(status: PaymentStatus) -> &'static str {
    status.as_str()
}

fn payment_status(row: &dyn Row) -> Result<PaymentStatus, Error> {
    let text = row.text("status")?;
    [
        PaymentStatus::Pending,
        PaymentStatus::Approved,
        PaymentStatus::Refused,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
    ]
    .into_iter()
    .find(|s| s.as_str() == text)
    .ok_or_else(|| corrupt("status", format_args!("{text:?}")))
}

impl Stored for Payment {
    const TABLE: &'static str = "payments";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "client_id",
        "booking_id",
        "method",
        "amount",
        "currency",
        "status",
        "created_at",
        "decided_at",
        "refunds",
    ];
    const ORDER: &'static str = "created_at, id";
    const KIND: RecordKind = RecordKind::Payment;

    fn business(&self) -> BusinessId {
        Payment::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        let parts = self.to_parts();
        vec![
            ("business_id", id(parts.business.as_uuid())),
            ("id", id(parts.id.as_uuid())),
            ("client_id", id(parts.client.as_uuid())),
            (
                "booking_id",
                Value::Uuid(parts.booking.map(|b| b.as_uuid())),
            ),
            ("method", text(parts.method.as_str())),
            ("amount", Value::Decimal(parts.amount.amount())),
            ("currency", text(parts.amount.currency().code())),
            ("status", text(payment_status_text(parts.status))),
            ("created_at", Value::Time(Some(parts.created_at))),
            ("decided_at", Value::Time(parts.decided_at)),
            ("refunds", Value::Json(codec::refunds_text(&parts.refunds))),
        ]
    }
    fn read(row: &dyn Row) -> Result<Payment, Error> {
        let parts = PaymentParts {
            id: PaymentId::from_uuid(row.uuid("id")?),
            business: BusinessId::from_uuid(row.uuid("business_id")?),
            client: ClientId::from_uuid(row.uuid("client_id")?),
            booking: row.uuid_opt("booking_id")?.map(BookingId::from_uuid),
            method: checked("method", PaymentMethod::parse(&row.text("method")?))?,
            amount: money(row, "amount", currency(row, "currency")?)?,
            status: payment_status(row)?,
            created_at: row.time("created_at")?,
            decided_at: row.time_opt("decided_at")?,
            refunds: codec::refunds_from("refunds", &row.json("refunds")?)?,
        };
        checked(Self::TABLE, Payment::from_parts(parts))
    }
}

impl Stored for Receivable {
    const TABLE: &'static str = "receivables";
    const COLUMNS: &'static [&'static str] = &[
        "business_id",
        "id",
        "client_id",
        "booking_id",
        "amount",
        "currency",
        "due",
        "description",
        "paid_at",
    ];
    const ORDER: &'static str = "due, id";
    const KIND: RecordKind = RecordKind::Receivable;

    fn business(&self) -> BusinessId {
        Receivable::business(self)
    }
    fn uuid(&self) -> Uuid {
        self.id().as_uuid()
    }
    fn fields(&self) -> Fields {
        vec![
            ("business_id", id(Receivable::business(self).as_uuid())),
            ("id", id(self.id().as_uuid())),
            ("client_id", id(self.client().as_uuid())),
            (
                "booking_id",
                Value::Uuid(self.booking().map(|b| b.as_uuid())),
            ),
            ("amount", Value::Decimal(self.amount().amount())),
            ("currency", text(self.amount().currency().code())),
            ("due", Value::Date(self.due())),
            ("description", text(self.description())),
            ("paid_at", Value::Time(self.paid_at())),
        ]
    }
    fn read(row: &dyn Row) -> Result<Receivable, Error> {
        let receivable = Receivable::new(
            ReceivableId::from_uuid(row.uuid("id")?),
            BusinessId::from_uuid(row.uuid("business_id")?),
            ClientId::from_uuid(row.uuid("client_id")?),
            row.uuid_opt("booking_id")?.map(BookingId::from_uuid),
            money(row, "amount", currency(row, "currency")?)?,
            row.date("due")?,
            &row.text("description")?,
        );
        Ok(checked(Self::TABLE, receivable)?.with_paid_at(row.time_opt("paid_at")?))
    }
}

/// The columns of the `idempotency` table, keyed by `(business_id, key)`,
/// as read.
pub const IDEMPOTENCY_COLUMNS: &[&str] = &["business_id", "key", "request", "outcome", "at"];

/// An idempotency record as written.
pub fn idempotency_fields(business: BusinessId, record: &IdempotencyRecord) -> Fields {
    vec![
        ("business_id", id(business.as_uuid())),
        ("key", text(record.key.as_str())),
        ("request", text(&record.request)),
        ("outcome", Value::Json(codec::outcome_text(&record.outcome))),
        ("at", Value::Time(Some(record.at))),
    ]
}

/// Reads an idempotency record back.
///
/// # Errors
/// [`Error::Storage`] when a column does not read back.
pub fn idempotency_from(row: &dyn Row) -> Result<IdempotencyRecord, Error> {
    Ok(IdempotencyRecord {
        key: checked("key", IdempotencyKey::parse(&row.text("key")?))?,
        request: row.text("request")?,
        outcome: codec::outcome_from("outcome", &row.json("outcome")?)?,
        at: row.time("at")?,
    })
}

/// The columns of an event as read back.
pub const EVENT_COLUMNS: &[&str] = &["business_id", "number", "at", "type", "event"];

/// One statement adding `events` of `business`, all at `at`, in order,
/// numbered on from the business's last (its writer must hold the
/// business's lock, or be the only writer).
pub fn numbered_events(
    params: Params,
    business: BusinessId,
    at: DateTime<Utc>,
    events: &[agendo_core::agenda::Event],
) -> Query {
    let business = id(business.as_uuid());
    let mut query = Query::new(
        params,
        "INSERT INTO events (business_id, number, at, type, event) SELECT ",
    )
    .bind(business.clone())
    .push(", (SELECT COALESCE(MAX(number), 0) FROM events WHERE business_id = ")
    .bind(business)
    .push(") + e.column1, ")
    .bind(at)
    .push(", e.column2, e.column3 FROM (VALUES ");
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            query = query.push(", ");
        }
        query = query
            .push(&format!("({}, ", i + 1))
            .bind(event.kind())
            .push(", ")
            .bind(Value::Json(event.to_json()))
            .push(")");
    }
    query.push(") e")
}

/// An event written unnumbered, numbered when first read
/// (`Connection::NUMBERS_EVENTS_ON_READ`).
pub fn unnumbered_event_fields(
    business: BusinessId,
    at: DateTime<Utc>,
    event: &agendo_core::agenda::Event,
) -> Fields {
    vec![
        ("business_id", id(business.as_uuid())),
        ("at", Value::Time(Some(at))),
        ("type", text(event.kind())),
        ("event", Value::Json(event.to_json())),
    ]
}

/// Reads an event back.
///
/// # Errors
/// [`Error::Storage`] when a column does not read back.
pub fn event_from(row: &dyn Row) -> Result<agendo_core::agenda::EventRecord, Error> {
    let number = row.int("number")?;
    Ok(agendo_core::agenda::EventRecord {
        number: u64::try_from(number).map_err(|_| Error::Storage {
            detail: format!("event number {number} is negative"),
        })?,
        at: row.time("at")?,
        event: agendo_core::agenda::Event::from_json(&row.json("event")?)?,
    })
}
