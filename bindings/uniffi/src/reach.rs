//! The rest of core within reach of phones: resources, series,
//! receivables, commissions, the business profile, pictures, lists a page
//! at a time, a booking's history and "why not free?". Rich answers travel
//! as JSON text in the shapes of [`agendo_embed::views`] (the Python
//! module's dicts); texts for people come in the `lang` asked for.

use std::collections::HashMap;
use std::time::SystemTime;

use agendo_core::Lang;
use agendo_embed::{views, PaymentsSpec, ReceivableSpec, ResourceSpec, SeriesSpec};
use serde_json::Value;

use crate::records::{self, Booking};
use crate::{amount, date, instant, AgendoError, Engine};

/// A page of clients.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ClientPage {
    /// The clients, by name.
    pub items: Vec<crate::records::Client>,
    /// The next page's cursor; none on the last page.
    pub next: Option<String>,
}

/// A page of bookings.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct BookingPage {
    /// The bookings, by start.
    pub items: Vec<Booking>,
    /// The next page's cursor; none on the last page.
    pub next: Option<String>,
}

/// JSON text of a value the engine built (it always serializes).
fn text(value: &Value) -> String {
    value.to_string()
}

fn lang(tag: &str) -> Lang {
    Lang::from_tag(tag)
}

#[uniffi::export]
impl Engine {
    /// Creates a resource (no `id`) or changes one; answers it as JSON
    /// text (`id`, `name`, `kind`, `capacity`, `hours`, `active`).
    pub fn save_resource(
        &self,
        business: String,
        id: Option<String>,
        name: Option<String>,
        kind: Option<String>,
        capacity: Option<u32>,
        hours_json: Option<String>,
        active: Option<bool>,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let spec = ResourceSpec {
            id,
            name,
            kind,
            capacity,
            hours: hours_json,
            active,
        };
        let resource = self
            .inner
            .save_resource(&business, &spec, instant(now, "now")?)?;
        Ok(text(&views::resource(&resource)))
    }

    /// The resources, as JSON text of a list.
    pub fn resources(&self, business: String) -> Result<String, AgendoError> {
        let all: Vec<Value> = self
            .inner
            .resources(&business)?
            .iter()
            .map(views::resource)
            .collect();
        Ok(text(&Value::Array(all)))
    }

    /// Books a recurring series, all or none. `first` is the local date
    /// and time (`2026-03-03T09:00:00`), `rule` an RFC 5545 rule.
    pub fn book_series(
        &self,
        business: String,
        service: String,
        professional: String,
        client: String,
        first: String,
        rule: String,
        key: Option<String>,
        now: SystemTime,
    ) -> Result<Vec<Booking>, AgendoError> {
        let spec = SeriesSpec {
            service,
            professional,
            client,
            first: agendo_core::time::read_local(&first, "first")
                .map_err(agendo_embed::Error::from)?,
            rule,
        };
        let now = instant(now, "now")?;
        Ok(records::all(&self.inner.book_series(
            &business,
            &spec,
            key.as_deref(),
            now,
        )?))
    }

    /// Moves a booking of a series and the following ones by as much.
    pub fn reschedule_following(
        &self,
        business: String,
        booking: String,
        start: SystemTime,
        key: Option<String>,
        now: SystemTime,
    ) -> Result<Vec<Booking>, AgendoError> {
        let (start, now) = (instant(start, "start")?, instant(now, "now")?);
        let moved =
            self.inner
                .reschedule_following(&business, &booking, start, key.as_deref(), now)?;
        Ok(records::all(&moved))
    }

    /// Cancels a booking of a series and the following ones, `by` the
    /// client or the business; answers the cancelled bookings' ids.
    pub fn cancel_following(
        &self,
        business: String,
        booking: String,
        by: String,
        reason: String,
        key: Option<String>,
        now: SystemTime,
    ) -> Result<Vec<String>, AgendoError> {
        let by = agendo_core::policy::Party::parse(&by).map_err(agendo_embed::Error::from)?;
        let ended = self.inner.cancel_following(
            &business,
            &booking,
            by,
            &reason,
            key.as_deref(),
            instant(now, "now")?,
        )?;
        Ok(ended.iter().map(|e| e.booking.id().to_string()).collect())
    }

    /// Makes a receivable, or one a month; JSON text of the list made.
    pub fn create_receivables(
        &self,
        business: String,
        client: String,
        booking: Option<String>,
        amount_text: String,
        due: String,
        description: String,
        months: u32,
        key: Option<String>,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let spec = ReceivableSpec {
            client,
            booking,
            amount: amount(&amount_text, "amount")?,
            due: date(&due, "due")?,
            description,
            months,
        };
        let made = self.inner.create_receivables(
            &business,
            &spec,
            key.as_deref(),
            instant(now, "now")?,
        )?;
        Ok(text(&Value::Array(made.iter().map(views::owed).collect())))
    }

    /// A page of receivables (`items`, `next`) as JSON text.
    pub fn receivables(
        &self,
        business: String,
        status: Option<String>,
        client: Option<String>,
        cursor: Option<String>,
        limit: Option<u32>,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let page = self.inner.receivables(
            &business,
            status.as_deref(),
            client.as_deref(),
            cursor.as_deref(),
            limit,
            instant(now, "now")?,
        )?;
        Ok(text(&views::page(&page, views::owed)))
    }

    /// Marks a receivable paid; JSON text of it.
    pub fn pay_receivable(
        &self,
        business: String,
        receivable: String,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let owed = self
            .inner
            .pay_receivable(&business, &receivable, instant(now, "now")?)?;
        Ok(text(&views::owed(&owed)))
    }

    /// Replaces the commission rules (`rules_json`, a list of
    /// `{"staff_id"?, "service_id"?, "percent" | "amount"}`); JSON text of
    /// the rules now.
    pub fn set_commissions(
        &self,
        business: String,
        rules_json: String,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let rules = self
            .inner
            .set_commissions(&business, &rules_json, instant(now, "now")?)?;
        Ok(text(&Value::Array(rules.iter().map(views::rule).collect())))
    }

    /// The commission rules, as JSON text.
    pub fn commissions(&self, business: String) -> Result<String, AgendoError> {
        let rules = self.inner.commissions(&business)?;
        Ok(text(&Value::Array(rules.iter().map(views::rule).collect())))
    }

    /// A professional's statement for a month (`2026-03`), as JSON text.
    pub fn statement(
        &self,
        business: String,
        professional: String,
        month: String,
    ) -> Result<String, AgendoError> {
        let month =
            agendo_core::time::read_month(&month, "month").map_err(agendo_embed::Error::from)?;
        let statement = self.inner.statement(&business, &professional, month)?;
        Ok(text(&views::statement(&statement)))
    }

    /// Changes the business's settings and profile from JSON text of the
    /// fields that change; JSON text of the profile now.
    pub fn change_business(
        &self,
        business: String,
        changes_json: String,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let changed = self
            .inner
            .change_business(&business, &changes_json, instant(now, "now")?)?;
        Ok(text(&views::profile(&changed)))
    }

    /// The business's profile and notification settings, as JSON text.
    pub fn business_profile(&self, business: String) -> Result<String, AgendoError> {
        Ok(text(&views::profile(&self.inner.business(&business)?)))
    }

    /// Keeps a picture (`subject` `logo`, or a professional's id) from
    /// its bytes, checked and re-encoded; none removes it. JSON text of
    /// the picture kept, or `null`.
    pub fn set_picture(
        &self,
        business: String,
        subject: String,
        upload: Option<Vec<u8>>,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let kept =
            self.inner
                .set_picture(&business, &subject, upload.as_deref(), instant(now, "now")?)?;
        Ok(text(&kept.as_ref().map_or(Value::Null, views::picture)))
    }

    /// A picture's bytes (PNG or JPEG, as re-encoded by the engine).
    pub fn picture(&self, business: String, subject: String) -> Result<Vec<u8>, AgendoError> {
        Ok(self.inner.picture(&business, &subject)?.bytes().to_vec())
    }

    /// A booking's history, JSON text with each line's text in `lang`.
    pub fn booking_history(
        &self,
        business: String,
        booking: String,
        lang_tag: String,
    ) -> Result<String, AgendoError> {
        let history = self.inner.booking_history(&business, &booking)?;
        Ok(text(&views::history(&history, lang(&lang_tag))))
    }

    /// A page of payments with the totals of all the filter keeps, as JSON
    /// text.
    pub fn list_payments(
        &self,
        business: String,
        status: Option<String>,
        method: Option<String>,
        from: Option<SystemTime>,
        to: Option<SystemTime>,
        professional: Option<String>,
        client: Option<String>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<String, AgendoError> {
        let spec = PaymentsSpec {
            status,
            method,
            from: from.map(|t| instant(t, "from")).transpose()?,
            to: to.map(|t| instant(t, "to")).transpose()?,
            professional,
            client,
        };
        let found = self
            .inner
            .list_payments(&business, &spec, cursor.as_deref(), limit)?;
        Ok(text(&views::payments(&found)))
    }

    /// A page of clients, by name, that match `query` and have every one
    /// of `attributes`.
    pub fn clients_page(
        &self,
        business: String,
        query: String,
        attributes: HashMap<String, String>,
        include_retired: bool,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<ClientPage, AgendoError> {
        let page = self.inner.clients_page(
            &business,
            &query,
            attributes.into_iter().collect(),
            include_retired,
            cursor.as_deref(),
            limit,
        )?;
        Ok(ClientPage {
            items: records::all(&page.items),
            next: page.next,
        })
    }

    /// Why a start is or is not free, as JSON text with names and local
    /// times in `lang`.
    pub fn why_not_free(
        &self,
        business: String,
        service: String,
        start: SystemTime,
        professional: Option<String>,
        lang_tag: String,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let why = self.inner.why_not_free(
            &business,
            &service,
            instant(start, "start")?,
            professional.as_deref(),
            instant(now, "now")?,
        )?;
        Ok(text(&views::why(&why, lang(&lang_tag))))
    }

    /// A service.
    pub fn service(
        &self,
        business: String,
        service: String,
    ) -> Result<crate::records::Service, AgendoError> {
        Ok((&self.inner.service(&business, &service)?).into())
    }

    /// A professional, with their hours.
    pub fn professional(
        &self,
        business: String,
        professional: String,
    ) -> Result<crate::records::Professional, AgendoError> {
        Ok((&self.inner.professional(&business, &professional)?).into())
    }

    /// A client.
    pub fn client(
        &self,
        business: String,
        client: String,
    ) -> Result<crate::records::Client, AgendoError> {
        Ok((&self.inner.client(&business, &client)?).into())
    }

    /// A resource, as JSON text.
    pub fn resource(&self, business: String, resource: String) -> Result<String, AgendoError> {
        Ok(text(&views::resource(
            &self.inner.resource(&business, &resource)?,
        )))
    }

    /// A receivable as it stands at `now`, as JSON text.
    pub fn receivable(
        &self,
        business: String,
        receivable: String,
        now: SystemTime,
    ) -> Result<String, AgendoError> {
        let owed = self
            .inner
            .receivable(&business, &receivable, instant(now, "now")?)?;
        Ok(text(&views::owed(&owed)))
    }

    /// A payment.
    pub fn payment(
        &self,
        business: String,
        payment: String,
    ) -> Result<crate::records::Payment, AgendoError> {
        Ok((&self.inner.payment(&business, &payment)?).into())
    }

    /// Refuses a pending payment.
    pub fn refuse_payment(
        &self,
        business: String,
        payment: String,
        now: SystemTime,
    ) -> Result<crate::records::Payment, AgendoError> {
        Ok((&self
            .inner
            .refuse_payment(&business, &payment, instant(now, "now")?)?)
            .into())
    }

    /// A professional's blocks that meet `[start, end)`.
    pub fn blocks(
        &self,
        business: String,
        professional: String,
        start: SystemTime,
        end: SystemTime,
    ) -> Result<Vec<crate::records::Block>, AgendoError> {
        let (start, end) = (instant(start, "start")?, instant(end, "end")?);
        Ok(records::all(&self.inner.blocks(
            &business,
            &professional,
            start,
            end,
        )?))
    }

    /// A client's bookings, by start.
    pub fn client_bookings(
        &self,
        business: String,
        client: String,
    ) -> Result<Vec<Booking>, AgendoError> {
        Ok(records::all(
            &self.inner.client_bookings(&business, &client)?,
        ))
    }

    /// A page of bookings by start: those meeting `[from, to)` (any time
    /// when none), of one professional and one client or all.
    pub fn bookings_page(
        &self,
        business: String,
        from: Option<SystemTime>,
        to: Option<SystemTime>,
        professional: Option<String>,
        client: Option<String>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<BookingPage, AgendoError> {
        let from = from.map(|t| instant(t, "from")).transpose()?;
        let to = to.map(|t| instant(t, "to")).transpose()?;
        let page = self.inner.bookings_page(
            &business,
            from,
            to,
            professional.as_deref(),
            client.as_deref(),
            cursor.as_deref(),
            limit,
        )?;
        Ok(BookingPage {
            items: records::all(&page.items),
            next: page.next,
        })
    }
}
