//! `agendo-ffi`: Agendo's engine for Kotlin (Android), Swift (iOS) and
//! Python through uniffi. The surface is the Python module's, over the same
//! blocking [`agendo_embed::Engine`]: call it off the UI thread (a Kotlin
//! coroutine on `Dispatchers.IO`, a Swift `Task.detached`).
//!
//! Across the boundary instants are timestamps (`java.time.Instant`,
//! `Date`, `datetime`), money is decimal text (`"80.00"`, for
//! `BigDecimal`/`Decimal`), local dates are `YYYY-MM-DD`, and the engine's
//! JSON shapes (slot query, working hours, policy) travel as JSON text.
//! `cargo xtask bindings` writes the Kotlin and Swift sources.

#![allow(clippy::too_many_arguments)] // one parameter per argument foreign callers pass

mod reach;
pub use reach::{BookingPage, ClientPage};
mod records;

use std::sync::Arc;
use std::time::SystemTime;

use agendo_core::Lang;
use agendo_embed::{
    read_hours, read_policy, BookSpec, BusinessSpec, ClientSpec, Kind, PaymentSpec,
    ProfessionalSpec, ServiceSpec, SlotsSpec,
};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

pub use records::{
    Block, Booking, Business, Cancellation, Client, ClientInput, EventOut, Payment, PaymentInput,
    Professional, ProfessionalInput, Service, ServiceInput, Settlement, Slot,
};

uniffi::setup_scaffolding!();

/// Every error of the engine, by family. `detail` is the message in
/// English, `detail_pt_br` in Brazilian Portuguese, `code` the engine's
/// stable name of the cause.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum AgendoError {
    /// A value passed is wrong; `field` names it.
    #[error("{detail}")]
    Validation {
        code: String,
        field: String,
        detail: String,
        detail_pt_br: String,
    },
    /// A record named does not exist in that business.
    #[error("{detail}")]
    NotFound {
        code: String,
        detail: String,
        detail_pt_br: String,
    },
    /// The time is taken; `conflicts` holds the bookings in the way.
    #[error("{detail}")]
    SlotTaken {
        code: String,
        professional: String,
        conflicts: Vec<String>,
        detail: String,
        detail_pt_br: String,
    },
    /// The time meets a block; `conflicts` holds its id.
    #[error("{detail}")]
    Blocked {
        code: String,
        professional: String,
        conflicts: Vec<String>,
        detail: String,
        detail_pt_br: String,
    },
    /// The time is outside the professional's hours.
    #[error("{detail}")]
    OutsideWorkingHours {
        code: String,
        professional: String,
        detail: String,
        detail_pt_br: String,
    },
    /// A rule refuses the action (a booking's state, a retired record, an
    /// unpaid deposit).
    #[error("{detail}")]
    NotAllowed {
        code: String,
        detail: String,
        detail_pt_br: String,
    },
    /// The role acting may not do this (the engine's permission table).
    #[error("{detail}")]
    Forbidden {
        code: String,
        detail: String,
        detail_pt_br: String,
    },
    /// Concurrent writers kept getting in the way; trying again may work.
    #[error("{detail}")]
    Busy {
        code: String,
        detail: String,
        detail_pt_br: String,
    },
    /// The store failed or cannot be reached.
    #[error("{detail}")]
    Storage {
        code: String,
        detail: String,
        detail_pt_br: String,
    },
}

impl From<agendo_embed::Error> for AgendoError {
    fn from(error: agendo_embed::Error) -> AgendoError {
        let code = error.code().to_owned();
        let detail = error.message(Lang::En);
        let detail_pt_br = error.message(Lang::PtBr);
        let professional = error.professional().unwrap_or_default().to_owned();
        match error.kind() {
            Kind::Validation => AgendoError::Validation {
                field: error.field().unwrap_or_default().to_owned(),
                code,
                detail,
                detail_pt_br,
            },
            Kind::NotFound => AgendoError::NotFound {
                code,
                detail,
                detail_pt_br,
            },
            Kind::SlotTaken => AgendoError::SlotTaken {
                conflicts: error.conflicts(),
                professional,
                code,
                detail,
                detail_pt_br,
            },
            Kind::Blocked => AgendoError::Blocked {
                conflicts: error.conflicts(),
                professional,
                code,
                detail,
                detail_pt_br,
            },
            Kind::OutsideWorkingHours => AgendoError::OutsideWorkingHours {
                professional,
                code,
                detail,
                detail_pt_br,
            },
            Kind::NotAllowed => AgendoError::NotAllowed {
                code,
                detail,
                detail_pt_br,
            },
            Kind::Forbidden => AgendoError::Forbidden {
                code,
                detail,
                detail_pt_br,
            },
            Kind::Busy => AgendoError::Busy {
                code,
                detail,
                detail_pt_br,
            },
            Kind::Storage => AgendoError::Storage {
                code,
                detail,
                detail_pt_br,
            },
        }
    }
}

/// A bad argument caught at the boundary, as the engine's own
/// invalid-value error.
fn invalid(field: &str, problem: agendo_core::Problem) -> AgendoError {
    agendo_embed::Error::Engine(agendo_core::Error::invalid(field, problem)).into()
}

/// A timestamp as a UTC instant, refusing those outside the engine's range.
fn instant(time: SystemTime, field: &str) -> Result<DateTime<Utc>, AgendoError> {
    let utc = match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_micros())
            .ok()
            .and_then(DateTime::from_timestamp_micros),
        Err(before) => i64::try_from(before.duration().as_micros())
            .ok()
            .and_then(|micros| DateTime::from_timestamp_micros(-micros)),
    };
    utc.ok_or_else(|| invalid(field, agendo_core::Problem::OutOfRange))
}

/// Decimal text as an exact amount.
fn amount(text: &str, field: &str) -> Result<Decimal, AgendoError> {
    Ok(agendo_embed::read_amount(text, field)?)
}

/// `YYYY-MM-DD`, by the engine's one reader of dates.
fn date(text: &str, field: &str) -> Result<NaiveDate, AgendoError> {
    Ok(agendo_core::time::read_date(text, field).map_err(agendo_embed::Error::Engine)?)
}

/// Who cancels: the client or the business.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum Party {
    /// The client.
    Client,
    /// The business.
    Business,
}

impl From<Party> for agendo_core::policy::Party {
    fn from(party: Party) -> agendo_core::policy::Party {
        match party {
            Party::Client => agendo_core::policy::Party::Client,
            Party::Business => agendo_core::policy::Party::Business,
        }
    }
}

/// The free slots of a query in the engine's JSON contract.
#[uniffi::export]
pub fn find_slots(query_json: String) -> Result<Vec<Slot>, AgendoError> {
    Ok(records::slots(&agendo_embed::pure::find_slots(
        &query_json,
    )?))
}

/// Checks that `staff` of the query may be booked at exactly `start` for
/// the query's duration; an error names what is in the way.
#[uniffi::export]
pub fn check_booking(
    query_json: String,
    staff: String,
    start: SystemTime,
) -> Result<(), AgendoError> {
    let start = instant(start, "start")?;
    Ok(agendo_embed::pure::check_booking(
        &query_json,
        &staff,
        start,
    )?)
}

/// What cancelling costs under a policy (JSON in the engine's shape): the
/// fee kept and the refund of what was paid, as decimal text.
#[uniffi::export]
pub fn settle_cancellation(
    policy_json: String,
    currency: String,
    price: String,
    paid: String,
    by: Party,
    start: SystemTime,
    now: SystemTime,
) -> Result<Settlement, AgendoError> {
    let settled = agendo_embed::pure::settle_cancellation(
        &read_policy(&policy_json)?,
        &currency,
        amount(&price, "price")?,
        amount(&paid, "paid")?,
        by.into(),
        instant(start, "start")?,
        instant(now, "now")?,
    )?;
    Ok((&settled).into())
}

/// The starts of a recurring series: an RRULE from a first occurrence at
/// local `first` (`YYYY-MM-DDTHH:MM`) in `timezone`.
#[uniffi::export]
pub fn expand_recurrence(
    rule: String,
    timezone: String,
    first: String,
) -> Result<Vec<SystemTime>, AgendoError> {
    let wall =
        agendo_core::time::read_local(&first, "first").map_err(agendo_embed::Error::Engine)?;
    let starts = agendo_embed::pure::expand_recurrence(&rule, &timezone, wall)?;
    Ok(starts.into_iter().map(SystemTime::from).collect())
}

/// The engine over an SQLite file or a Postgres database. Thread-safe;
/// every call blocks until the engine answers.
#[derive(uniffi::Object)]
pub struct Engine {
    inner: agendo_embed::Engine,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

#[uniffi::export]
impl Engine {
    /// Opens (creating it if missing) the SQLite file at `path` (on a phone,
    /// in the app's files directory).
    #[uniffi::constructor]
    pub fn open(path: String) -> Result<Arc<Engine>, AgendoError> {
        Ok(Arc::new(Engine {
            inner: agendo_embed::Engine::open(path)?,
        }))
    }

    /// Connects to a Postgres database.
    #[uniffi::constructor]
    pub fn connect(url: String) -> Result<Arc<Engine>, AgendoError> {
        Ok(Arc::new(Engine {
            inner: agendo_embed::Engine::connect(&url)?,
        }))
    }

    /// Closes the store; later calls fail with `Storage`.
    pub fn close(&self) {
        self.inner.close();
    }

    /// A handle of the same engine through which `role` acts (`owner`,
    /// `receptionist`, or `professional` with their professional's id):
    /// every call asks the engine's permission table, and a refusal is
    /// `Forbidden`.
    pub fn acting(
        &self,
        role: String,
        professional: Option<String>,
    ) -> Result<Arc<Engine>, AgendoError> {
        Ok(Arc::new(Engine {
            inner: self.inner.acting(&role, professional.as_deref())?,
        }))
    }

    /// The business's events numbered after `after`, oldest first, at most
    /// `limit` (up to 500).
    pub fn events(
        &self,
        business: String,
        after: u64,
        limit: u32,
    ) -> Result<Vec<EventOut>, AgendoError> {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        Ok(self
            .inner
            .events(&business, after, limit)?
            .iter()
            .map(EventOut::from)
            .collect())
    }

    /// Creates a business; `policy_json` in the engine's shape, or none for
    /// free cancellation.
    pub fn create_business(
        &self,
        name: String,
        timezone: String,
        currency: String,
        locale: String,
        confirmation: String,
        policy_json: Option<String>,
    ) -> Result<Business, AgendoError> {
        let spec = BusinessSpec {
            name,
            timezone,
            currency,
            locale,
            confirmation,
            policy: policy_json.as_deref().map(read_policy).transpose()?,
        };
        Ok((&self.inner.create_business(&spec)?).into())
    }

    /// A business.
    pub fn business(&self, business: String) -> Result<Business, AgendoError> {
        Ok((&self.inner.business(&business)?).into())
    }

    /// Creates or replaces a service.
    pub fn save_service(
        &self,
        business: String,
        service: ServiceInput,
        now: SystemTime,
    ) -> Result<Service, AgendoError> {
        let spec = ServiceSpec {
            price: amount(&service.price, "price")?,
            id: service.id,
            name: service.name,
            description: service.description,
            duration_minutes: service.duration_minutes,
            buffer_before_minutes: service.buffer_before_minutes,
            buffer_after_minutes: service.buffer_after_minutes,
            active: service.active,
            resource: service.resource,
            resource_kind: service.resource_kind,
            policy: service
                .policy_json
                .as_deref()
                .map(read_policy)
                .transpose()?,
        };
        let now = instant(now, "now")?;
        Ok((&self.inner.save_service(&business, &spec, now)?).into())
    }

    /// The services, retired ones included.
    pub fn services(&self, business: String) -> Result<Vec<Service>, AgendoError> {
        Ok(records::all(&self.inner.services(&business)?))
    }

    /// Creates or replaces a professional.
    pub fn save_professional(
        &self,
        business: String,
        professional: ProfessionalInput,
        now: SystemTime,
    ) -> Result<Professional, AgendoError> {
        let spec = ProfessionalSpec {
            hours: professional
                .hours_json
                .as_deref()
                .map(read_hours)
                .transpose()?,
            id: professional.id,
            name: professional.name,
            services: professional.services,
            capacity: professional.capacity,
            active: professional.active,
        };
        let now = instant(now, "now")?;
        Ok((&self.inner.save_professional(&business, &spec, now)?).into())
    }

    /// The professionals, retired ones included.
    pub fn professionals(&self, business: String) -> Result<Vec<Professional>, AgendoError> {
        Ok(records::all(&self.inner.professionals(&business)?))
    }

    /// Replaces a professional's working hours (JSON in the engine's shape).
    pub fn set_hours(
        &self,
        business: String,
        professional: String,
        hours_json: String,
        now: SystemTime,
    ) -> Result<Professional, AgendoError> {
        let hours = read_hours(&hours_json)?;
        let now = instant(now, "now")?;
        Ok((&self
            .inner
            .set_hours(&business, &professional, &hours, now)?)
            .into())
    }

    /// Blocks a professional's time from `start` to `end`.
    pub fn add_block(
        &self,
        business: String,
        professional: String,
        start: SystemTime,
        end: SystemTime,
        reason: String,
        now: SystemTime,
    ) -> Result<Block, AgendoError> {
        let (start, end) = (instant(start, "start")?, instant(end, "end")?);
        let now = instant(now, "now")?;
        let block = self
            .inner
            .add_block(&business, &professional, start, end, &reason, now)?;
        Ok((&block).into())
    }

    /// Removes a block of a professional's time.
    pub fn remove_block(
        &self,
        business: String,
        professional: String,
        block: String,
        now: SystemTime,
    ) -> Result<(), AgendoError> {
        Ok(self
            .inner
            .remove_block(&business, &professional, &block, instant(now, "now")?)?)
    }

    /// Creates or replaces a client.
    pub fn save_client(
        &self,
        business: String,
        client: ClientInput,
        now: SystemTime,
    ) -> Result<Client, AgendoError> {
        let spec = ClientSpec {
            id: client.id,
            name: client.name,
            email: client.email,
            phone: client.phone,
            notes: client.notes,
        };
        let now = instant(now, "now")?;
        Ok((&self.inner.save_client(&business, &spec, now)?).into())
    }

    /// The clients matching `query` by name, e-mail or phone (all when
    /// empty).
    pub fn clients(&self, business: String, query: String) -> Result<Vec<Client>, AgendoError> {
        Ok(records::all(&self.inner.clients(&business, &query)?))
    }

    /// The free slots of a service between two local dates
    /// (`YYYY-MM-DD`, both included).
    pub fn availability(
        &self,
        business: String,
        service: String,
        professional: Option<String>,
        from: String,
        to: String,
        step_minutes: Option<u32>,
        now: SystemTime,
    ) -> Result<Vec<Slot>, AgendoError> {
        let spec = SlotsSpec {
            service,
            professional,
            from: date(&from, "from")?,
            to: date(&to, "to")?,
            step_minutes,
        };
        let now = instant(now, "now")?;
        Ok(records::slots(
            &self.inner.availability(&business, &spec, now)?,
        ))
    }

    /// Books an appointment; of many callers asking for one slot, one gets
    /// it and the others `SlotTaken`.
    pub fn book(
        &self,
        business: String,
        service: String,
        professional: String,
        client: String,
        start: SystemTime,
        key: Option<String>,
        now: SystemTime,
    ) -> Result<Booking, AgendoError> {
        let spec = BookSpec {
            service,
            professional,
            client,
            start: instant(start, "start")?,
        };
        let now = instant(now, "now")?;
        Ok((&self.inner.book(&business, &spec, key.as_deref(), now)?).into())
    }

    /// A booking.
    pub fn booking(&self, business: String, booking: String) -> Result<Booking, AgendoError> {
        Ok((&self.inner.booking(&business, &booking)?).into())
    }

    /// The bookings meeting `[start, end)`, by start.
    pub fn bookings(
        &self,
        business: String,
        start: SystemTime,
        end: SystemTime,
        professional: Option<String>,
    ) -> Result<Vec<Booking>, AgendoError> {
        let (start, end) = (instant(start, "start")?, instant(end, "end")?);
        let found = self
            .inner
            .bookings(&business, start, end, professional.as_deref())?;
        Ok(records::all(&found))
    }

    /// Confirms a pending booking.
    pub fn confirm(
        &self,
        business: String,
        booking: String,
        now: SystemTime,
    ) -> Result<Booking, AgendoError> {
        Ok((&self
            .inner
            .confirm(&business, &booking, instant(now, "now")?)?)
            .into())
    }

    /// Marks a booking done, once it has started.
    pub fn complete(
        &self,
        business: String,
        booking: String,
        now: SystemTime,
    ) -> Result<Booking, AgendoError> {
        Ok((&self
            .inner
            .complete(&business, &booking, instant(now, "now")?)?)
            .into())
    }

    /// Moves a booking to `start`, keeping its length.
    pub fn reschedule(
        &self,
        business: String,
        booking: String,
        start: SystemTime,
        key: Option<String>,
        now: SystemTime,
    ) -> Result<Booking, AgendoError> {
        let start = instant(start, "start")?;
        let now = instant(now, "now")?;
        let moved = self
            .inner
            .reschedule(&business, &booking, start, key.as_deref(), now)?;
        Ok((&moved).into())
    }

    /// Cancels a booking, applying the cancellation policy.
    pub fn cancel(
        &self,
        business: String,
        booking: String,
        by: Party,
        reason: String,
        key: Option<String>,
        now: SystemTime,
    ) -> Result<Cancellation, AgendoError> {
        let now = instant(now, "now")?;
        let ended =
            self.inner
                .cancel(&business, &booking, by.into(), &reason, key.as_deref(), now)?;
        Ok((&ended).into())
    }

    /// What cancelling the booking now by `by` would settle, exactly as
    /// `cancel` would; nothing changes.
    pub fn cancellation_quote(
        &self,
        business: String,
        booking: String,
        by: Party,
        now: SystemTime,
    ) -> Result<Settlement, AgendoError> {
        let now = instant(now, "now")?;
        let quote = self
            .inner
            .cancellation_quote(&business, &booking, by.into(), now)?;
        Ok((&quote).into())
    }

    /// Records that the client did not come.
    pub fn no_show(
        &self,
        business: String,
        booking: String,
        now: SystemTime,
    ) -> Result<Cancellation, AgendoError> {
        Ok((&self
            .inner
            .no_show(&business, &booking, instant(now, "now")?)?)
            .into())
    }

    /// Records a payment made outside the engine.
    pub fn record_payment(
        &self,
        business: String,
        payment: PaymentInput,
        key: Option<String>,
        now: SystemTime,
    ) -> Result<Payment, AgendoError> {
        let spec = PaymentSpec {
            amount: amount(&payment.amount, "amount")?,
            client: payment.client,
            booking: payment.booking,
            method: payment.method,
            approved: payment.approved,
        };
        let now = instant(now, "now")?;
        let paid = self
            .inner
            .record_payment(&business, &spec, key.as_deref(), now)?;
        Ok((&paid.payment).into())
    }

    /// Approves a pending payment.
    pub fn approve_payment(
        &self,
        business: String,
        payment: String,
        now: SystemTime,
    ) -> Result<Payment, AgendoError> {
        let paid = self
            .inner
            .approve_payment(&business, &payment, instant(now, "now")?)?;
        Ok((&paid.payment).into())
    }

    /// Refunds part or all of an approved payment.
    pub fn refund(
        &self,
        business: String,
        payment: String,
        amount_text: String,
        reason: String,
        now: SystemTime,
    ) -> Result<Payment, AgendoError> {
        let value = amount(&amount_text, "amount")?;
        let now = instant(now, "now")?;
        Ok((&self
            .inner
            .refund(&business, &payment, value, &reason, now)?)
            .into())
    }

    /// The payments of a booking.
    pub fn payments(&self, business: String, booking: String) -> Result<Vec<Payment>, AgendoError> {
        Ok(records::all(&self.inner.payments(&business, &booking)?))
    }
}
