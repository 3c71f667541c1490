//! `agendo.Engine`: the use cases over a store. Arguments are read while
//! holding the GIL; the engine then works with it released.

use agendo_embed::{
    read_hours, read_policy, BookSpec, BusinessSpec, ClientSpec, PaymentSpec, ProfessionalSpec,
    ServiceSpec, SlotsSpec,
};
use pyo3::prelude::*;
use pyo3::types::PyType;

use crate::convert::{
    count, count_or_none, date, decimal, from_json, instant, json_text, now_or_clock,
};
use crate::errors::raise;
use crate::records::{
    self, Block, Booking, Business, Cancellation, Client, Payment, Professional, Service, Slot,
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
    #[pyo3(signature = (business, name, duration_minutes, price, *, id = None, description = String::new(), buffer_before_minutes = None, buffer_after_minutes = None, active = true, now = None))]
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
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Service> {
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
}
