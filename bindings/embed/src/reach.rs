//! The rest of core within reach of the bindings: resources, series,
//! receivables, commissions, the business profile, pictures, lists a page
//! at a time, a booking's history and "why not free?". Each method is one
//! use case, as HTTP's routes are.

use std::collections::BTreeMap;

use agendo_core::agenda::{
    BusinessPatch, ClientFilter, CommissionQuery, Ended, History, Owed, PaymentFilter, Payments,
    ReceivableFilter, ReceivableRequest, ResourceFields, SeriesRequest, Why, WhyRequest,
};
use agendo_core::booking::Booking;
use agendo_core::business::{Business, Client, Resource};
use agendo_core::commission::{CommissionRule, Statement};
use agendo_core::ids::{ClientId, ProfessionalId, ReceivableId, ResourceId, ServiceId};
use agendo_core::page::{Page, PageRequest};
use agendo_core::payment::{PaymentMethod, PaymentStatus, ReceivableStatus};
use agendo_core::picture::{Picture, Subject};
use agendo_core::policy::Party;
use agendo_core::recurrence::RecurrenceRule;
use agendo_core::time::Span;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;

use crate::spec::existing;
use crate::{booking_id, id, Engine, Error};

/// A resource to create (no `id`) or change (its `id`): only the fields
/// given change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceSpec {
    /// The resource to change; a new one when `None`.
    pub id: Option<String>,
    /// The name (needed for a new one).
    pub name: Option<String>,
    /// Its kind; empty for none.
    pub kind: Option<String>,
    /// How many bookings at once.
    pub capacity: Option<u32>,
    /// When it can be used, JSON text in the engine's hours shape.
    pub hours: Option<String>,
    /// Whether it takes new bookings.
    pub active: Option<bool>,
}

/// A recurring series to book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesSpec {
    /// The service.
    pub service: String,
    /// The professional.
    pub professional: String,
    /// The client.
    pub client: String,
    /// The first occurrence's local date and time in the business's zone.
    pub first: NaiveDateTime,
    /// The RFC 5545 rule (`FREQ=WEEKLY;BYDAY=TU;COUNT=12`).
    pub rule: String,
}

/// A receivable to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivableSpec {
    /// Who owes.
    pub client: String,
    /// The booking it is for, if any.
    pub booking: Option<String>,
    /// How much, in the business's currency.
    pub amount: Decimal,
    /// The (first) due date.
    pub due: NaiveDate,
    /// What it is for.
    pub description: String,
    /// How many monthly ones (1 for a one-off).
    pub months: u32,
}

/// Which payments to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PaymentsSpec {
    /// Only in this state.
    pub status: Option<String>,
    /// Only made this way.
    pub method: Option<String>,
    /// Only recorded at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only recorded before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only for this professional's bookings.
    pub professional: Option<String>,
    /// Only this client's.
    pub client: Option<String>,
}

fn page(
    list: &'static str,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<PageRequest, Error> {
    Ok(PageRequest::read(list, cursor, limit)?)
}

fn subject(text: &str) -> Result<Subject, Error> {
    if text == "logo" {
        return Ok(Subject::Logo);
    }
    Ok(Subject::Professional(id(
        text,
        "subject",
        ProfessionalId::parse,
    )?))
}

impl Engine {
    /// Creates a resource (no `id` in the spec) or changes the one its
    /// `id` names; `active: false` retires it.
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming the field; [`crate::Kind::NotFound`].
    pub fn save_resource(
        &self,
        business: &str,
        spec: &ResourceSpec,
        now: DateTime<Utc>,
    ) -> Result<Resource, Error> {
        let ctx = self.context(business, None, now)?;
        let fields = ResourceFields {
            name: spec.name.clone(),
            kind: spec.kind.clone(),
            capacity: spec.capacity,
            hours: spec.hours.as_deref().map(crate::read_hours).transpose()?,
            active: spec.active,
        };
        match existing(spec.id.as_deref(), ResourceId::parse)? {
            None => self.run(self.shared.agenda.create_resource(&ctx, &fields)),
            Some(id) => self.run(self.shared.agenda.change_resource(&ctx, id, &fields)),
        }
    }

    /// The resources, by name, retired ones included.
    ///
    /// # Errors
    /// [`crate::Kind::NotAllowed`] for a role that may not see them.
    pub fn resources(&self, business: &str) -> Result<Vec<Resource>, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(self.shared.agenda.resources(&ctx))
    }

    /// Books a recurring series, all or none: a clash raises
    /// [`crate::Kind::SlotTaken`] listing each occurrence, why, and the
    /// next free starts that week.
    ///
    /// # Errors
    /// As [`Engine::book`]; [`crate::Kind::Validation`] naming `rule`.
    pub fn book_series(
        &self,
        business: &str,
        spec: &SeriesSpec,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Booking>, Error> {
        let ctx = self.context(business, key, now)?;
        let request = SeriesRequest {
            service: id(&spec.service, "service", ServiceId::parse)?,
            professional: id(&spec.professional, "professional", ProfessionalId::parse)?,
            client: id(&spec.client, "client", ClientId::parse)?,
            first: spec.first,
            rule: RecurrenceRule::parse(&spec.rule).map_err(|e| e.at("rule"))?,
            discount: None,
        };
        self.run(self.shared.agenda.book_series(&ctx, &request))
    }

    /// Moves a booking of a series and the following ones by as much, in
    /// local time, all or none.
    ///
    /// # Errors
    /// As [`Engine::reschedule`]; [`crate::Kind::NotAllowed`] when it is
    /// not in a series.
    pub fn reschedule_following(
        &self,
        business: &str,
        booking: &str,
        start: DateTime<Utc>,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Booking>, Error> {
        let ctx = self.context(business, key, now)?;
        self.run(
            self.shared
                .agenda
                .reschedule_following(&ctx, booking_id(booking)?, start),
        )
    }

    /// Cancels a booking of a series and the following ones.
    ///
    /// # Errors
    /// As [`Engine::cancel`].
    pub fn cancel_following(
        &self,
        business: &str,
        booking: &str,
        by: Party,
        reason: &str,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Ended>, Error> {
        let mut ctx = self.context(business, key, now)?;
        ctx.by = by;
        self.run(
            self.shared
                .agenda
                .cancel_following(&ctx, booking_id(booking)?, reason),
        )
    }

    /// Makes a receivable, or one a month for `months` months.
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming `amount`, `months`, `due`…
    pub fn create_receivables(
        &self,
        business: &str,
        spec: &ReceivableSpec,
        key: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Owed>, Error> {
        let ctx = self.context(business, key, now)?;
        let request = ReceivableRequest {
            client: id(&spec.client, "client", ClientId::parse)?,
            booking: spec.booking.as_deref().map(booking_id).transpose()?,
            amount: spec.amount,
            due: spec.due,
            description: spec.description.clone(),
            months: spec.months,
        };
        self.run(self.shared.agenda.create_receivables(&ctx, &request))
    }

    /// A page of receivables by due date, as they stand at `now`.
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming `status`, `cursor` or `limit`.
    #[allow(clippy::too_many_arguments)]
    pub fn receivables(
        &self,
        business: &str,
        status: Option<&str>,
        client: Option<&str>,
        cursor: Option<&str>,
        limit: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<Page<Owed>, Error> {
        let ctx = self.context(business, None, now)?;
        let filter = ReceivableFilter {
            status: status.map(ReceivableStatus::parse).transpose()?,
            client: client
                .map(|c| id(c, "client", ClientId::parse))
                .transpose()?,
        };
        let request = page("receivables", cursor, limit)?;
        self.run(self.shared.agenda.receivables(&ctx, &filter, &request))
    }

    /// Marks a receivable paid at `now`.
    ///
    /// # Errors
    /// [`crate::Kind::NotAllowed`] when it was paid; [`crate::Kind::NotFound`].
    pub fn pay_receivable(
        &self,
        business: &str,
        receivable: &str,
        now: DateTime<Utc>,
    ) -> Result<Owed, Error> {
        let ctx = self.context(business, None, now)?;
        let receivable = id(receivable, "receivable", ReceivableId::parse)?;
        self.run(self.shared.agenda.pay_receivable(&ctx, receivable))
    }

    /// Replaces the commission rules with `rules`, JSON text of a list of
    /// `{"staff_id"?, "service_id"?, "percent" | "amount"}`.
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming `[i].…`; [`crate::Kind::NotFound`].
    pub fn set_commissions(
        &self,
        business: &str,
        rules: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<CommissionRule>, Error> {
        let ctx = self.context(business, None, now)?;
        let fields = CommissionQuery::list_from_json(rules)?
            .iter()
            .enumerate()
            .map(|(i, q)| q.to_fields(i))
            .collect::<Result<Vec<_>, _>>()?;
        self.run(self.shared.agenda.set_commissions(&ctx, &fields))
    }

    /// The commission rules.
    ///
    /// # Errors
    /// [`crate::Kind::NotAllowed`] but for the owner.
    pub fn commissions(&self, business: &str) -> Result<Vec<CommissionRule>, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(self.shared.agenda.commissions(&ctx))
    }

    /// A professional's commission statement for the month of `month`.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`]; [`crate::Kind::NotAllowed`].
    pub fn statement(
        &self,
        business: &str,
        professional: &str,
        month: NaiveDate,
    ) -> Result<Statement, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        let professional = id(professional, "professional", ProfessionalId::parse)?;
        self.run(self.shared.agenda.statement(&ctx, professional, month))
    }

    /// Changes the business's settings and profile from JSON text of the
    /// fields that change (`name`, `locale`, `confirmation`, `policy`,
    /// `notify`, `legal_name`, `tax_id`, `phone`, `email`, `address`,
    /// `colour`, `description`).
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming the field.
    pub fn change_business(
        &self,
        business: &str,
        changes: &str,
        now: DateTime<Utc>,
    ) -> Result<Business, Error> {
        let ctx = self.context(business, None, now)?;
        let fields = BusinessPatch::from_json(changes)?.to_fields()?;
        self.run(self.shared.agenda.change_business(&ctx, &fields))
    }

    /// Keeps `upload` (PNG, JPEG or WebP) as the logo (`subject` `logo`)
    /// or a professional's photo (their id), checked and re-encoded;
    /// `None` removes it. Answers the picture kept.
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming `image`; [`crate::Kind::NotFound`].
    pub fn set_picture(
        &self,
        business: &str,
        subject_: &str,
        upload: Option<&[u8]>,
        now: DateTime<Utc>,
    ) -> Result<Option<Picture>, Error> {
        let ctx = self.context(business, None, now)?;
        let subject = subject(subject_)?;
        self.run(self.shared.agenda.may_set_picture(&ctx, subject))?;
        let picture = upload.map(Picture::read).transpose()?;
        self.run(
            self.shared
                .agenda
                .set_picture(&ctx, subject, picture.clone()),
        )?;
        Ok(picture)
    }

    /// The logo or a professional's photo.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`] when there is none.
    pub fn picture(&self, business: &str, subject_: &str) -> Result<Picture, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(self.shared.agenda.picture(&ctx, subject(subject_)?))
    }

    /// A booking's history: who did what, when.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`].
    pub fn booking_history(&self, business: &str, booking: &str) -> Result<History, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(
            self.shared
                .agenda
                .booking_history(&ctx, booking_id(booking)?),
        )
    }

    /// A page of payments by when they were recorded, with the totals of
    /// every one the filter keeps.
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming the filter's field.
    pub fn list_payments(
        &self,
        business: &str,
        spec: &PaymentsSpec,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Payments, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        let during = agendo_core::time::span_between(spec.from, spec.to)?;
        let filter = PaymentFilter {
            status: spec
                .status
                .as_deref()
                .map(PaymentStatus::parse)
                .transpose()?,
            method: spec
                .method
                .as_deref()
                .map(PaymentMethod::parse)
                .transpose()?,
            during,
            professional: spec
                .professional
                .as_deref()
                .map(|p| id(p, "professional", ProfessionalId::parse))
                .transpose()?,
            client: spec
                .client
                .as_deref()
                .map(|c| id(c, "client", ClientId::parse))
                .transpose()?,
        };
        let request = page("payments", cursor, limit)?;
        self.run(self.shared.agenda.payments(&ctx, &filter, &request))
    }

    /// A page of clients by name: those matching `query` and having every
    /// one of `attributes`.
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming `cursor` or `limit`.
    pub fn clients_page(
        &self,
        business: &str,
        query: &str,
        attributes: BTreeMap<String, String>,
        include_retired: bool,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<Client>, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        let filter = ClientFilter {
            query: query.to_owned(),
            attributes,
            include_retired,
        };
        let request = page("clients", cursor, limit)?;
        self.run(self.shared.agenda.clients_page(&ctx, &filter, &request))
    }

    /// Why `start` is or is not free for `service` (with one professional,
    /// or any who performs it), seen at `now`.
    ///
    /// # Errors
    /// As [`Engine::availability`].
    pub fn why_not_free(
        &self,
        business: &str,
        service: &str,
        start: DateTime<Utc>,
        professional: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Why, Error> {
        let ctx = self.context(business, None, now)?;
        let request = WhyRequest {
            service: id(service, "service", ServiceId::parse)?,
            professional: professional
                .map(|p| id(p, "professional", ProfessionalId::parse))
                .transpose()?,
            start,
        };
        self.run(self.shared.agenda.why_not_free(&ctx, &request))
    }
}

impl Engine {
    /// A service.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`]; [`crate::Kind::Validation`] for a
    /// malformed id.
    pub fn service(
        &self,
        business: &str,
        service: &str,
    ) -> Result<agendo_core::business::Service, Error> {
        let service = id(service, "service", ServiceId::parse)?;
        self.read(crate::business_id(business)?, |mut work| async move {
            work.service(service)
                .await?
                .ok_or(agendo_core::Error::NotFound {
                    record: agendo_core::RecordKind::Service,
                    id: service.to_string(),
                })
        })
    }

    /// A professional, with their hours.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`]; [`crate::Kind::Validation`] for a
    /// malformed id.
    pub fn professional(
        &self,
        business: &str,
        professional: &str,
    ) -> Result<agendo_core::business::Professional, Error> {
        let professional = id(professional, "professional", ProfessionalId::parse)?;
        self.read(crate::business_id(business)?, |mut work| async move {
            work.professional(professional)
                .await?
                .ok_or(agendo_core::Error::NotFound {
                    record: agendo_core::RecordKind::Professional,
                    id: professional.to_string(),
                })
        })
    }

    /// A client.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`].
    pub fn client(&self, business: &str, client: &str) -> Result<Client, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        let client = id(client, "client", ClientId::parse)?;
        self.run(self.shared.agenda.client(&ctx, client))
    }

    /// A resource.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`].
    pub fn resource(&self, business: &str, resource: &str) -> Result<Resource, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        let resource = id(resource, "resource", ResourceId::parse)?;
        self.run(self.shared.agenda.resource(&ctx, resource))
    }

    /// A receivable as it stands at `now`.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`].
    pub fn receivable(
        &self,
        business: &str,
        receivable: &str,
        now: DateTime<Utc>,
    ) -> Result<Owed, Error> {
        let ctx = self.context(business, None, now)?;
        let receivable = id(receivable, "receivable", ReceivableId::parse)?;
        self.run(self.shared.agenda.receivable(&ctx, receivable))
    }

    /// A payment.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`].
    pub fn payment(
        &self,
        business: &str,
        payment: &str,
    ) -> Result<agendo_core::payment::Payment, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        self.run(
            self.shared
                .agenda
                .payment(&ctx, crate::payment_id(payment)?),
        )
    }

    /// Refuses a pending payment (it did not come in).
    ///
    /// # Errors
    /// [`crate::Kind::NotAllowed`] when it is not pending.
    pub fn refuse_payment(
        &self,
        business: &str,
        payment: &str,
        now: DateTime<Utc>,
    ) -> Result<agendo_core::payment::Payment, Error> {
        let ctx = self.context(business, None, now)?;
        self.run(
            self.shared
                .agenda
                .refuse_payment(&ctx, crate::payment_id(payment)?),
        )
    }

    /// A professional's blocks that meet `[from, to)`.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`]; [`crate::Kind::Validation`] for `to` not
    /// after `from`.
    pub fn blocks(
        &self,
        business: &str,
        professional: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<agendo_core::business::Block>, Error> {
        let professional = id(professional, "professional", ProfessionalId::parse)?;
        let span = Span::new(from, to).map_err(|e| e.at("to"))?;
        self.read(crate::business_id(business)?, |mut work| async move {
            if work.professional(professional).await?.is_none() {
                return Err(agendo_core::Error::NotFound {
                    record: agendo_core::RecordKind::Professional,
                    id: professional.to_string(),
                });
            }
            work.blocks_meeting(
                agendo_core::business::Bookable::Professional(professional),
                span,
            )
            .await
        })
    }

    /// A client's bookings, by start.
    ///
    /// # Errors
    /// [`crate::Kind::NotFound`] for the client.
    pub fn client_bookings(&self, business: &str, client: &str) -> Result<Vec<Booking>, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        let filter = agendo_core::store::BookingFilter {
            client: Some(id(client, "client", ClientId::parse)?),
            ..Default::default()
        };
        self.run(self.shared.agenda.bookings(&ctx, &filter))
    }
}

impl Engine {
    /// A page of the bookings meeting `[from, to)` (any time when
    /// `None`), of one professional and one client or all, by start.
    ///
    /// # Errors
    /// [`crate::Kind::Validation`] naming `to`, `cursor` or `limit`;
    /// [`crate::Kind::NotFound`] for the professional or client.
    #[allow(clippy::too_many_arguments)]
    pub fn bookings_page(
        &self,
        business: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        professional: Option<&str>,
        client: Option<&str>,
        cursor: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Page<Booking>, Error> {
        let ctx = self.context(business, None, Utc::now())?;
        let during = agendo_core::time::span_between(from, to)?;
        let filter = agendo_core::store::BookingFilter {
            during,
            professional: professional
                .map(|p| id(p, "professional", ProfessionalId::parse))
                .transpose()?,
            client: client
                .map(|c| id(c, "client", ClientId::parse))
                .transpose()?,
            ..Default::default()
        };
        let request = page("bookings", cursor, limit)?;
        self.run(self.shared.agenda.bookings_page(&ctx, &filter, &request))
    }
}
