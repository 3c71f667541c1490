//! `agendo.Engine`: the use cases over a store. Arguments are read while
//! holding the GIL; the engine then works with it released.

use agendo_embed::{
    read_hours, read_policy, views, BookSpec, BusinessSpec, ClientSpec, PaymentSpec, PaymentsSpec,
    ProfessionalSpec, ReceivableSpec, ResourceSpec, SeriesSpec, ServiceSpec, SlotsSpec,
};
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::convert::{
    count, count_or_none, date, decimal, from_json, instant, instant_or_none, json_text,
    now_or_clock, wall_time,
};
use crate::errors::raise;
use crate::records::{
    self, Block, Booking, Business, Cancellation, Client, Payment, Professional, Service,
    Settlement, Slot,
};

/// The engine over an SQLite file or a Postgres database. Thread-safe:
/// share one per process (open it after a pre-forking server forks).
#[pyclass(module = "agendo", frozen)]
pub struct Engine {
    inner: agendo_embed::Engine,
}

/// Runs `work` with the GIL released and maps its error.
fn free<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, agendo_embed::Error> + Send,
) -> PyResult<T> {
    py.detach(work).map_err(raise)
}

fn all<'a, T: 'a, R: From<&'a T>>(items: &'a [T]) -> Vec<R> {
    items.iter().map(R::from).collect()
}

#[pymethods]
impl Engine {
    /// Opens (creating it if missing) the SQLite file at `path`.
    #[classmethod]
    fn open(
        _cls: &Bound<'_, PyType>,
        py: Python<'_>,
        path: std::path::PathBuf,
    ) -> PyResult<Engine> {
        let inner = free(py, || agendo_embed::Engine::open(&path))?;
        Ok(Engine { inner })
    }

    /// Connects to the Postgres database at `url`.
    #[classmethod]
    fn connect(_cls: &Bound<'_, PyType>, py: Python<'_>, url: &str) -> PyResult<Engine> {
        let inner = free(py, || agendo_embed::Engine::connect(url))?;
        Ok(Engine { inner })
    }

    /// Closes the store; later calls raise `StorageError`.
    /// A handle of the same engine through which `role` acts (`owner`,
    /// `receptionist`, or `professional` with their professional's id):
    /// every call asks the engine's permission table, and a refusal raises
    /// `Forbidden`.
    #[pyo3(signature = (role, professional = None))]
    fn acting(&self, role: &str, professional: Option<&str>) -> PyResult<Engine> {
        let inner = self.inner.acting(role, professional).map_err(raise)?;
        Ok(Engine { inner })
    }

    /// The business's events numbered after `after`, oldest first, at most
    /// `limit` (up to 500), each a dict: `number`, `at` (ISO text), `type`
    /// (`booking_created`, `payment_refunded`…) and its fields.
    #[pyo3(signature = (business, *, after = 0, limit = 100))]
    fn events<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        after: u64,
        limit: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let events = free(py, || self.inner.events(business, after, limit))?;
        let text = serde_json::to_string(&events)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        from_json(py, &text)
    }

    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.close());
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _kind: &Bound<'_, PyAny>,
        _value: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }

    /// Creates a business.
    #[pyo3(signature = (name, timezone, currency, *, locale = "pt-BR".to_owned(), confirmation = "immediate".to_owned(), policy = None))]
    fn create_business(
        &self,
        py: Python<'_>,
        name: String,
        timezone: String,
        currency: String,
        locale: String,
        confirmation: String,
        policy: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Business> {
        let policy = match policy {
            Some(p) if !p.is_none() => Some(read_policy(&json_text(p, "policy")?).map_err(raise)?),
            _ => None,
        };
        let spec = BusinessSpec {
            name,
            timezone,
            currency,
            locale,
            confirmation,
            policy,
        };
        let business = free(py, || self.inner.create_business(&spec))?;
        Ok((&business).into())
    }

    /// A business.
    fn business(&self, py: Python<'_>, business: &str) -> PyResult<Business> {
        Ok((&free(py, || self.inner.business(business))?).into())
    }

    /// Creates a service (or replaces the one with `id`).
    #[pyo3(signature = (business, name, duration_minutes, price, *, id = None, description = String::new(), buffer_before_minutes = None, buffer_after_minutes = None, active = true, resource = None, resource_kind = None, policy = None, now = None))]
    fn save_service(
        &self,
        py: Python<'_>,
        business: &str,
        name: String,
        duration_minutes: &Bound<'_, PyAny>,
        price: &Bound<'_, PyAny>,
        id: Option<String>,
        description: String,
        buffer_before_minutes: Option<&Bound<'_, PyAny>>,
        buffer_after_minutes: Option<&Bound<'_, PyAny>>,
        active: bool,
        resource: Option<String>,
        resource_kind: Option<String>,
        policy: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Service> {
        let policy = match policy {
            Some(p) if !p.is_none() => Some(read_policy(&json_text(p, "policy")?).map_err(raise)?),
            _ => None,
        };
        let spec = ServiceSpec {
            id,
            name,
            description,
            duration_minutes: count(duration_minutes, "duration_minutes")?,
            price: decimal(price, "price")?,
            buffer_before_minutes: count_or_none(buffer_before_minutes, "buffer_before_minutes")?
                .unwrap_or(0),
            buffer_after_minutes: count_or_none(buffer_after_minutes, "buffer_after_minutes")?
                .unwrap_or(0),
            active,
            resource,
            resource_kind,
            policy,
        };
        let now = now_or_clock(now)?;
        Ok((&free(py, || self.inner.save_service(business, &spec, now))?).into())
    }

    /// The services, retired ones included.
    fn services(&self, py: Python<'_>, business: &str) -> PyResult<Vec<Service>> {
        Ok(all(&free(py, || self.inner.services(business))?))
    }

    /// Creates a professional (or replaces the one with `id`). `hours` is a
    /// dict in the engine's shape; when left out, a new professional has no
    /// hours and a replaced one keeps theirs.
    #[pyo3(signature = (business, name, *, services = Vec::new(), hours = None, capacity = None, id = None, active = true, now = None))]
    fn save_professional(
        &self,
        py: Python<'_>,
        business: &str,
        name: String,
        services: Vec<String>,
        hours: Option<&Bound<'_, PyAny>>,
        capacity: Option<&Bound<'_, PyAny>>,
        id: Option<String>,
        active: bool,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Professional> {
        let hours = match hours {
            Some(h) if !h.is_none() => Some(read_hours(&json_text(h, "hours")?).map_err(raise)?),
            _ => None,
        };
        let spec = ProfessionalSpec {
            id,
            name,
            services,
            hours,
            capacity: count_or_none(capacity, "capacity")?.unwrap_or(1),
            active,
        };
        let now = now_or_clock(now)?;
        Ok((&free(py, || self.inner.save_professional(business, &spec, now))?).into())
    }

    /// The professionals, retired ones included.
    fn professionals(&self, py: Python<'_>, business: &str) -> PyResult<Vec<Professional>> {
        Ok(all(&free(py, || self.inner.professionals(business))?))
    }

    /// Replaces a professional's working hours (a dict in the engine's
    /// shape: `{"weekly": {"mon": [["09:00", "18:00"]]}, "overrides": []}`).
    #[pyo3(signature = (business, professional, hours, *, now = None))]
    fn set_hours(
        &self,
        py: Python<'_>,
        business: &str,
        professional: &str,
        hours: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Professional> {
        let hours = read_hours(&json_text(hours, "hours")?).map_err(raise)?;
        let now = now_or_clock(now)?;
        let changed = free(py, || {
            self.inner.set_hours(business, professional, &hours, now)
        })?;
        Ok((&changed).into())
    }

    /// Blocks a professional's time from `start` to `end`.
    #[pyo3(signature = (business, professional, start, end, *, reason = "", now = None))]
    fn add_block(
        &self,
        py: Python<'_>,
        business: &str,
        professional: &str,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        reason: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Block> {
        let (start, end) = (instant(start, "start")?, instant(end, "end")?);
        let now = now_or_clock(now)?;
        let block = free(py, || {
            self.inner
                .add_block(business, professional, start, end, reason, now)
        })?;
        Ok((&block).into())
    }

    /// Removes a block of a professional's time.
    #[pyo3(signature = (business, professional, block, *, now = None))]
    fn remove_block(
        &self,
        py: Python<'_>,
        business: &str,
        professional: &str,
        block: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let now = now_or_clock(now)?;
        free(py, || {
            self.inner.remove_block(business, professional, block, now)
        })
    }

    /// Creates a client (or replaces the one with `id`).
    #[pyo3(signature = (business, name, *, email = None, phone = None, notes = String::new(), id = None, now = None))]
    fn save_client(
        &self,
        py: Python<'_>,
        business: &str,
        name: String,
        email: Option<String>,
        phone: Option<String>,
        notes: String,
        id: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Client> {
        let spec = ClientSpec {
            id,
            name,
            email,
            phone,
            notes,
        };
        let now = now_or_clock(now)?;
        Ok((&free(py, || self.inner.save_client(business, &spec, now))?).into())
    }

    /// The clients whose name, e-mail or phone matches `query` (accents and
    /// case ignored); all when it is empty.
    #[pyo3(signature = (business, query = ""))]
    fn clients(&self, py: Python<'_>, business: &str, query: &str) -> PyResult<Vec<Client>> {
        Ok(all(&free(py, || self.inner.clients(business, query))?))
    }

    /// The free slots of a service from `start_date` to `end_date` (local
    /// dates in the business's zone, both included).
    #[pyo3(signature = (business, service, start_date, end_date, *, professional = None, step_minutes = None, now = None))]
    fn availability(
        &self,
        py: Python<'_>,
        business: &str,
        service: String,
        start_date: &Bound<'_, PyAny>,
        end_date: &Bound<'_, PyAny>,
        professional: Option<String>,
        step_minutes: Option<&Bound<'_, PyAny>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Slot>> {
        let spec = SlotsSpec {
            service,
            professional,
            from: date(start_date, "start_date")?,
            to: date(end_date, "end_date")?,
            step_minutes: count_or_none(step_minutes, "step_minutes")?,
        };
        let now = now_or_clock(now)?;
        let answer = free(py, || self.inner.availability(business, &spec, now))?;
        Ok(records::slots(&answer))
    }

    /// Books an appointment. Of many callers asking for one slot, one gets
    /// it and the others `SlotTaken`. With `key`, a retry answers the same
    /// booking.
    #[pyo3(signature = (business, service, professional, client, start, *, key = None, now = None))]
    fn book(
        &self,
        py: Python<'_>,
        business: &str,
        service: String,
        professional: String,
        client: String,
        start: &Bound<'_, PyAny>,
        key: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Booking> {
        let spec = BookSpec {
            service,
            professional,
            client,
            start: instant(start, "start")?,
        };
        let now = now_or_clock(now)?;
        let booking = free(py, || self.inner.book(business, &spec, key.as_deref(), now))?;
        Ok((&booking).into())
    }

    /// A booking.
    fn booking(&self, py: Python<'_>, business: &str, booking: &str) -> PyResult<Booking> {
        Ok((&free(py, || self.inner.booking(business, booking))?).into())
    }

    /// The bookings whose appointment meets `[start, end)`, by start.
    #[pyo3(signature = (business, start, end, *, professional = None))]
    fn bookings(
        &self,
        py: Python<'_>,
        business: &str,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
        professional: Option<String>,
    ) -> PyResult<Vec<Booking>> {
        let (start, end) = (instant(start, "start")?, instant(end, "end")?);
        let found = free(py, || {
            self.inner
                .bookings(business, start, end, professional.as_deref())
        })?;
        Ok(all(&found))
    }

    /// Confirms a pending booking.
    #[pyo3(signature = (business, booking, *, now = None))]
    fn confirm(
        &self,
        py: Python<'_>,
        business: &str,
        booking: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Booking> {
        let now = now_or_clock(now)?;
        Ok((&free(py, || self.inner.confirm(business, booking, now))?).into())
    }

    /// Marks a booking done, once it has started.
    #[pyo3(signature = (business, booking, *, now = None))]
    fn complete(
        &self,
        py: Python<'_>,
        business: &str,
        booking: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Booking> {
        let now = now_or_clock(now)?;
        Ok((&free(py, || self.inner.complete(business, booking, now))?).into())
    }

    /// Moves a booking to `start`, keeping its length.
    #[pyo3(signature = (business, booking, start, *, key = None, now = None))]
    fn reschedule(
        &self,
        py: Python<'_>,
        business: &str,
        booking: &str,
        start: &Bound<'_, PyAny>,
        key: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Booking> {
        let start = instant(start, "start")?;
        let now = now_or_clock(now)?;
        let moved = free(py, || {
            self.inner
                .reschedule(business, booking, start, key.as_deref(), now)
        })?;
        Ok((&moved).into())
    }

    /// Cancels a booking `by` the `client` or the `business`, applying the
    /// cancellation policy to its payments.
    #[pyo3(signature = (business, booking, *, by = "client", reason = "", key = None, now = None))]
    fn cancel(
        &self,
        py: Python<'_>,
        business: &str,
        booking: &str,
        by: &str,
        reason: &str,
        key: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Cancellation> {
        let by = agendo_core::policy::Party::parse(by).map_err(|e| raise(e.into()))?;
        let now = now_or_clock(now)?;
        let ended = free(py, || {
            self.inner
                .cancel(business, booking, by, reason, key.as_deref(), now)
        })?;
        Ok((&ended).into())
    }

    /// What cancelling the booking now by `by` (`client` or `business`)
    /// would settle, exactly as `cancel` would; nothing changes.
    #[pyo3(signature = (business, booking, *, by = "client", now = None))]
    fn cancellation_quote(
        &self,
        py: Python<'_>,
        business: &str,
        booking: &str,
        by: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Settlement> {
        let by = agendo_core::policy::Party::parse(by).map_err(|e| raise(e.into()))?;
        let now = now_or_clock(now)?;
        let quote = free(py, || {
            self.inner.cancellation_quote(business, booking, by, now)
        })?;
        Ok((&quote).into())
    }

    /// Records that the client did not come, applying the no-show fee.
    #[pyo3(signature = (business, booking, *, now = None))]
    fn no_show(
        &self,
        py: Python<'_>,
        business: &str,
        booking: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Cancellation> {
        let now = now_or_clock(now)?;
        Ok((&free(py, || self.inner.no_show(business, booking, now))?).into())
    }

    /// Records a payment made outside the engine: `method` is `pix`,
    /// `cash`, `card` or `other`; `amount` a Decimal in the business's
    /// currency.
    #[pyo3(signature = (business, client, amount, method, *, booking = None, approved = true, key = None, now = None))]
    fn record_payment(
        &self,
        py: Python<'_>,
        business: &str,
        client: String,
        amount: &Bound<'_, PyAny>,
        method: String,
        booking: Option<String>,
        approved: bool,
        key: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Payment> {
        let spec = PaymentSpec {
            client,
            booking,
            method,
            amount: decimal(amount, "amount")?,
            approved,
        };
        let now = now_or_clock(now)?;
        let paid = free(py, || {
            self.inner
                .record_payment(business, &spec, key.as_deref(), now)
        })?;
        Ok((&paid.payment).into())
    }

    /// Approves a pending payment.
    #[pyo3(signature = (business, payment, *, now = None))]
    fn approve_payment(
        &self,
        py: Python<'_>,
        business: &str,
        payment: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Payment> {
        let now = now_or_clock(now)?;
        let paid = free(py, || self.inner.approve_payment(business, payment, now))?;
        Ok((&paid.payment).into())
    }

    /// Refunds part or all of an approved payment.
    #[pyo3(signature = (business, payment, amount, *, reason = "", now = None))]
    fn refund(
        &self,
        py: Python<'_>,
        business: &str,
        payment: &str,
        amount: &Bound<'_, PyAny>,
        reason: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Payment> {
        let amount = decimal(amount, "amount")?;
        let now = now_or_clock(now)?;
        let refunded = free(py, || {
            self.inner.refund(business, payment, amount, reason, now)
        })?;
        Ok((&refunded).into())
    }

    /// The payments of a booking.
    fn payments(&self, py: Python<'_>, business: &str, booking: &str) -> PyResult<Vec<Payment>> {
        Ok(all(&free(py, || self.inner.payments(business, booking))?))
    }

    /// Creates a resource (no `id`) or changes the fields given of one;
    /// `active=False` retires it. A dict: `id`, `name`, `kind`,
    /// `capacity`, `hours`, `active`.
    #[pyo3(signature = (business, *, id = None, name = None, kind = None, capacity = None, hours = None, active = None, now = None))]
    fn save_resource<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        id: Option<String>,
        name: Option<String>,
        kind: Option<String>,
        capacity: Option<&Bound<'_, PyAny>>,
        hours: Option<&Bound<'_, PyAny>>,
        active: Option<bool>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let hours = match hours {
            Some(h) if !h.is_none() => Some(json_text(h, "hours")?),
            _ => None,
        };
        let spec = ResourceSpec {
            id,
            name,
            kind,
            capacity: count_or_none(capacity, "capacity")?,
            hours,
            active,
        };
        let now = now_or_clock(now)?;
        let resource = free(py, || self.inner.save_resource(business, &spec, now))?;
        view(py, &views::resource(&resource))
    }

    /// The resources, by name, retired ones included: a list of dicts.
    fn resources<'py>(&self, py: Python<'py>, business: &str) -> PyResult<Bound<'py, PyAny>> {
        let all: Vec<serde_json::Value> = free(py, || self.inner.resources(business))?
            .iter()
            .map(views::resource)
            .collect();
        view(py, &serde_json::Value::Array(all))
    }

    /// Books a recurring series, all or none. `first` is a naive
    /// `datetime`, the first occurrence's wall time in the business's
    /// zone; `rule` an RFC 5545 rule (`FREQ=WEEKLY;BYDAY=TU;COUNT=12`).
    /// A clash raises `SlotTaken` whose `conflicts` list each occurrence.
    #[pyo3(signature = (business, service, professional, client, first, rule, *, key = None, now = None))]
    fn book_series(
        &self,
        py: Python<'_>,
        business: &str,
        service: String,
        professional: String,
        client: String,
        first: &Bound<'_, PyAny>,
        rule: String,
        key: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Booking>> {
        let spec = SeriesSpec {
            service,
            professional,
            client,
            first: wall_time(first, "first")?,
            rule,
        };
        let now = now_or_clock(now)?;
        let series = free(py, || {
            self.inner.book_series(business, &spec, key.as_deref(), now)
        })?;
        Ok(all(&series))
    }

    /// Moves a booking of a series and the following ones by as much, in
    /// local time, all or none.
    #[pyo3(signature = (business, booking, start, *, key = None, now = None))]
    fn reschedule_following(
        &self,
        py: Python<'_>,
        business: &str,
        booking: &str,
        start: &Bound<'_, PyAny>,
        key: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Booking>> {
        let start = instant(start, "start")?;
        let now = now_or_clock(now)?;
        let moved = free(py, || {
            self.inner
                .reschedule_following(business, booking, start, key.as_deref(), now)
        })?;
        Ok(all(&moved))
    }

    /// Cancels a booking of a series and the following ones.
    #[pyo3(signature = (business, booking, *, by = "client", reason = "", key = None, now = None))]
    fn cancel_following(
        &self,
        py: Python<'_>,
        business: &str,
        booking: &str,
        by: &str,
        reason: &str,
        key: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Cancellation>> {
        let by = agendo_core::policy::Party::parse(by).map_err(|e| raise(e.into()))?;
        let now = now_or_clock(now)?;
        let ended = free(py, || {
            self.inner
                .cancel_following(business, booking, by, reason, key.as_deref(), now)
        })?;
        Ok(all(&ended))
    }

    /// Makes a receivable, or one a month for `months` months: a list of
    /// dicts (`id`, `client`, `amount`, `due`, `status`, …).
    #[pyo3(signature = (business, client, amount, due, *, booking = None, description = String::new(), months = 1, key = None, now = None))]
    fn create_receivables<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        client: String,
        amount: &Bound<'_, PyAny>,
        due: &Bound<'_, PyAny>,
        booking: Option<String>,
        description: String,
        months: u32,
        key: Option<String>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let spec = ReceivableSpec {
            client,
            booking,
            amount: decimal(amount, "amount")?,
            due: date(due, "due")?,
            description,
            months,
        };
        let now = now_or_clock(now)?;
        let made = free(py, || {
            self.inner
                .create_receivables(business, &spec, key.as_deref(), now)
        })?;
        view(
            py,
            &serde_json::Value::Array(made.iter().map(views::owed).collect()),
        )
    }

    /// A page of receivables by due date: `{"items": [...], "next": cursor}`.
    #[pyo3(signature = (business, *, status = None, client = None, cursor = None, limit = None, now = None))]
    fn receivables<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        status: Option<String>,
        client: Option<String>,
        cursor: Option<String>,
        limit: Option<u32>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now_or_clock(now)?;
        let page = free(py, || {
            self.inner.receivables(
                business,
                status.as_deref(),
                client.as_deref(),
                cursor.as_deref(),
                limit,
                now,
            )
        })?;
        view(py, &views::page(&page, views::owed))
    }

    /// Marks a receivable paid now: the receivable's dict.
    #[pyo3(signature = (business, receivable, *, now = None))]
    fn pay_receivable<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        receivable: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now_or_clock(now)?;
        let owed = free(py, || self.inner.pay_receivable(business, receivable, now))?;
        view(py, &views::owed(&owed))
    }

    /// Replaces the commission rules with `rules`, a list of dicts
    /// `{"staff_id"?, "service_id"?, "percent" | "amount"}`.
    #[pyo3(signature = (business, rules, *, now = None))]
    fn set_commissions<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        rules: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = json_text(rules, "rules")?;
        let now = now_or_clock(now)?;
        let kept = free(py, || self.inner.set_commissions(business, &text, now))?;
        view(
            py,
            &serde_json::Value::Array(kept.iter().map(views::rule).collect()),
        )
    }

    /// The commission rules: a list of dicts.
    fn commissions<'py>(&self, py: Python<'py>, business: &str) -> PyResult<Bound<'py, PyAny>> {
        let rules = free(py, || self.inner.commissions(business))?;
        view(
            py,
            &serde_json::Value::Array(rules.iter().map(views::rule).collect()),
        )
    }

    /// A professional's commission statement for the month of `month` (a
    /// `date`, any day of it): a dict with each line and the totals.
    fn statement<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        professional: &str,
        month: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let month = date(month, "month")?;
        let statement = free(py, || self.inner.statement(business, professional, month))?;
        view(py, &views::statement(&statement))
    }

    /// Changes the business's settings and profile: `changes` is a dict of
    /// the fields that change (`name`, `locale`, `confirmation`, `policy`,
    /// `notify`, `legal_name`, `tax_id`, `phone`, `email`, `address`,
    /// `colour`, `description`; `None` clears an optional one).
    #[pyo3(signature = (business, changes, *, now = None))]
    fn change_business(
        &self,
        py: Python<'_>,
        business: &str,
        changes: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Business> {
        let text = json_text(changes, "changes")?;
        let now = now_or_clock(now)?;
        Ok((&free(py, || self.inner.change_business(business, &text, now))?).into())
    }

    /// The business's profile and notification settings, a dict.
    fn business_profile<'py>(
        &self,
        py: Python<'py>,
        business: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let found = free(py, || self.inner.business(business))?;
        view(py, &views::profile(&found))
    }

    /// Keeps `image` (PNG, JPEG or WebP bytes) as the logo (`subject`
    /// `"logo"`) or a professional's photo (their id), checked and
    /// re-encoded; `None` removes it. The picture kept, as a dict.
    #[pyo3(signature = (business, subject, image, *, now = None))]
    fn set_picture<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        subject: &str,
        image: Option<Vec<u8>>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now_or_clock(now)?;
        let kept = free(py, || {
            self.inner
                .set_picture(business, subject, image.as_deref(), now)
        })?;
        view(
            py,
            &kept
                .as_ref()
                .map_or(serde_json::Value::Null, views::picture),
        )
    }

    /// A picture's bytes, as the engine re-encoded them.
    fn picture<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        subject: &str,
    ) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        let picture = free(py, || self.inner.picture(business, subject))?;
        Ok(pyo3::types::PyBytes::new(py, picture.bytes()))
    }

    /// A booking's history: who did what, when; each line's `text` in
    /// `lang` with local times.
    #[pyo3(signature = (business, booking, *, lang = "pt-BR"))]
    fn booking_history<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        booking: &str,
        lang: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let lang = agendo_core::Lang::from_tag(lang);
        let history = free(py, || self.inner.booking_history(business, booking))?;
        view(py, &views::history(&history, lang))
    }

    /// A page of payments with the totals of every one the filters keep:
    /// `{"items", "next", "count", "amount", "refunded", "net"}`.
    #[pyo3(signature = (business, *, status = None, method = None, start = None, end = None, professional = None, client = None, cursor = None, limit = None))]
    fn list_payments<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        status: Option<String>,
        method: Option<String>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
        professional: Option<String>,
        client: Option<String>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let spec = PaymentsSpec {
            status,
            method,
            from: instant_or_none(start, "start")?,
            to: instant_or_none(end, "end")?,
            professional,
            client,
        };
        let found = free(py, || {
            self.inner
                .list_payments(business, &spec, cursor.as_deref(), limit)
        })?;
        view(py, &views::payments(&found))
    }

    /// A page of clients by name, those matching `query` with every one of
    /// `attributes`: `{"items": [Client, ...], "next": cursor}`.
    #[pyo3(signature = (business, query = "", *, attributes = None, include_retired = false, cursor = None, limit = None))]
    fn clients_page<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        query: &str,
        attributes: Option<std::collections::BTreeMap<String, String>>,
        include_retired: bool,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let page = free(py, || {
            self.inner.clients_page(
                business,
                query,
                attributes.unwrap_or_default(),
                include_retired,
                cursor.as_deref(),
                limit,
            )
        })?;
        page_dict::<_, Client>(py, &page)
    }

    /// Why `start` is or is not free for `service`: each professional and
    /// room with every rule that removed it, names and local times in
    /// `lang`.
    #[pyo3(signature = (business, service, start, *, professional = None, lang = "pt-BR", now = None))]
    fn why_not_free<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        service: &str,
        start: &Bound<'_, PyAny>,
        professional: Option<String>,
        lang: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let start = instant(start, "start")?;
        let now = now_or_clock(now)?;
        let lang = agendo_core::Lang::from_tag(lang);
        let why = free(py, || {
            self.inner
                .why_not_free(business, service, start, professional.as_deref(), now)
        })?;
        view(py, &views::why(&why, lang))
    }

    /// A service.
    fn service(&self, py: Python<'_>, business: &str, service: &str) -> PyResult<Service> {
        Ok((&free(py, || self.inner.service(business, service))?).into())
    }

    /// A professional, with their hours.
    fn professional(
        &self,
        py: Python<'_>,
        business: &str,
        professional: &str,
    ) -> PyResult<Professional> {
        Ok((&free(py, || self.inner.professional(business, professional))?).into())
    }

    /// A client.
    fn client(&self, py: Python<'_>, business: &str, client: &str) -> PyResult<Client> {
        Ok((&free(py, || self.inner.client(business, client))?).into())
    }

    /// A resource, as a dict.
    fn resource<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        resource: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let found = free(py, || self.inner.resource(business, resource))?;
        view(py, &views::resource(&found))
    }

    /// A receivable as it stands now, as a dict.
    #[pyo3(signature = (business, receivable, *, now = None))]
    fn receivable<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        receivable: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = now_or_clock(now)?;
        let owed = free(py, || self.inner.receivable(business, receivable, now))?;
        view(py, &views::owed(&owed))
    }

    /// A payment.
    fn payment(&self, py: Python<'_>, business: &str, payment: &str) -> PyResult<Payment> {
        Ok((&free(py, || self.inner.payment(business, payment))?).into())
    }

    /// Refuses a pending payment (it did not come in).
    #[pyo3(signature = (business, payment, *, now = None))]
    fn refuse_payment(
        &self,
        py: Python<'_>,
        business: &str,
        payment: &str,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Payment> {
        let now = now_or_clock(now)?;
        Ok((&free(py, || self.inner.refuse_payment(business, payment, now))?).into())
    }

    /// A professional's blocks that meet `[start, end)`.
    fn blocks(
        &self,
        py: Python<'_>,
        business: &str,
        professional: &str,
        start: &Bound<'_, PyAny>,
        end: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Block>> {
        let (start, end) = (instant(start, "start")?, instant(end, "end")?);
        Ok(all(&free(py, || {
            self.inner.blocks(business, professional, start, end)
        })?))
    }

    /// A client's bookings, by start.
    fn client_bookings(
        &self,
        py: Python<'_>,
        business: &str,
        client: &str,
    ) -> PyResult<Vec<Booking>> {
        Ok(all(&free(py, || {
            self.inner.client_bookings(business, client)
        })?))
    }

    /// A page of bookings by start: those meeting `[start, end)` (any
    /// time when left out), of one professional and one client or all:
    /// `{"items": [Booking, ...], "next": cursor}`.
    #[pyo3(signature = (business, *, start = None, end = None, professional = None, client = None, cursor = None, limit = None))]
    fn bookings_page<'py>(
        &self,
        py: Python<'py>,
        business: &str,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
        professional: Option<String>,
        client: Option<String>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let (start, end) = (
            instant_or_none(start, "start")?,
            instant_or_none(end, "end")?,
        );
        let page = free(py, || {
            self.inner.bookings_page(
                business,
                start,
                end,
                professional.as_deref(),
                client.as_deref(),
                cursor.as_deref(),
                limit,
            )
        })?;
        page_dict::<_, Booking>(py, &page)
    }
}

/// A page as `{"items": [record, ...], "next": cursor}`, each item the
/// Python record `R` of the engine's `T`.
fn page_dict<'py, T, R>(
    py: Python<'py>,
    page: &agendo_core::page::Page<T>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>>
where
    R: for<'a> From<&'a T> + IntoPyObject<'py>,
{
    let out = pyo3::types::PyDict::new(py);
    out.set_item("items", all::<T, R>(&page.items))?;
    out.set_item("next", page.next.as_deref())?;
    Ok(out)
}

/// An engine's JSON view as Python values.
fn view<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    from_json(py, &value.to_string())
}
