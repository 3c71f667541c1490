//! Commands: every change a business, its staff or a client makes to an
//! agenda, as one value.
//!
//! A [`Command`] says what is asked, not how: the runner
//! ([`super::Agenda::run`]) asks the permission table whether the actor
//! may, executes it in one unit of work, records its events and keeps its
//! outcome under the caller's idempotency key.
//!
//! Its canonical form ([`Command::fingerprint`]) is what a retry is
//! compared by. It is JSON with sorted keys, prefixed by a version
//! (`v1 `), built from the command's `serde` form, whose field names and
//! value texts are pinned by tests: changing one changes every stored
//! fingerprint, so such a change needs a new version. Keys kept before
//! version 1 (issue 17; their text had no version) never equal a versioned
//! fingerprint, so a retry under such a key is refused as
//! [`crate::Error::IdempotencyKeyReused`] rather than answered or done
//! twice.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};

use crate::account::{PasswordHash, Role, Slug};
use crate::availability::HoursQuery;
use crate::business::{
    Activity, Bookable, Client, Colour, ConfirmationMode, Professional, Resource, Service,
};
use crate::contact::{Email, Phone, TaxId};
use crate::ids::{
    BlockId, BookingId, ClientId, PaymentId, ProfessionalId, ReceivableId, ResourceId, ServiceId,
};
use crate::lang::Lang;
use crate::money::Money;
use crate::notify::NotifySettings;
use crate::picture::{Picture, Subject};
use crate::policy::PolicyQuery;
use crate::recurrence::RecurrenceRule;

use super::commissions::CommissionFields;
use super::permission::Action;
use super::receivables::ReceivableRequest;
use super::{
    BookRequest, ContactBookRequest, Discount, PaymentRequest, PaymentState, SeriesRequest,
};

/// The version of [`Command::fingerprint`]'s text.
pub const FINGERPRINT_VERSION: u32 = 1;

/// A change to an agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "command", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Command {
    /// Changes the business's settings: only the fields given.
    ChangeBusiness(BusinessFields),
    /// Adds a service.
    CreateService(ServiceFields),
    /// Changes a service: only the fields given.
    ChangeService {
        /// The service.
        service: ServiceId,
        /// What changes.
        fields: ServiceFields,
    },
    /// Creates or replaces a whole service, with the id it has: the
    /// embedding program's way, which keeps its own records.
    SaveService(Service),
    /// Adds a professional, with a login when one is given.
    CreateProfessional {
        /// Their fields.
        fields: ProfessionalFields,
        /// Their login, if they sign in.
        login: Option<LoginFields>,
        /// The hash of the login's first password. Not part of the
        /// fingerprint: a hash differs each time it is made, so a retry's
        /// password is compared by verifying it.
        #[serde(skip)]
        password: Option<PasswordHash>,
    },
    /// Adds a login (an account) to the business.
    CreateAccount {
        /// The account's fields.
        fields: AccountFields,
        /// The hash of its first password (not part of the fingerprint).
        #[serde(skip)]
        password: PasswordHash,
    },
    /// Changes a professional: only the fields given.
    ChangeProfessional {
        /// The professional.
        professional: ProfessionalId,
        /// What changes.
        fields: ProfessionalFields,
    },
    /// Creates or replaces a whole professional, with the id they have.
    SaveProfessional(Professional),
    /// Creates or replaces a whole resource (a room, a machine).
    SaveResource(Resource),
    /// Adds a resource.
    CreateResource(ResourceFields),
    /// Changes a resource: only the fields given.
    ChangeResource {
        /// The resource.
        resource: ResourceId,
        /// What changes.
        fields: ResourceFields,
    },
    /// Replaces a professional's working hours.
    SetHours {
        /// The professional.
        professional: ProfessionalId,
        /// The new hours.
        hours: HoursQuery,
    },
    /// Adds a client.
    CreateClient(ClientFields),
    /// Changes a client: only the fields given.
    ChangeClient {
        /// The client.
        client: ClientId,
        /// What changes.
        fields: ClientFields,
    },
    /// Creates or replaces a whole client, with the id they have.
    SaveClient(Client),
    /// Blocks time of a professional or a resource.
    AddBlock(BlockFields),
    /// Removes a block.
    RemoveBlock {
        /// Whose time it blocks.
        #[serde(serialize_with = "display")]
        on: Bookable,
        /// The block.
        block: BlockId,
    },
    /// Books one appointment.
    Book(BookRequest),
    /// Books one appointment for a person known by their contact.
    BookAsContact(ContactBookRequest),
    /// Books a recurring series, all or nothing.
    BookSeries(SeriesRequest),
    /// Confirms a pending booking.
    Confirm {
        /// The booking.
        booking: BookingId,
    },
    /// Marks a booking performed.
    Complete {
        /// The booking.
        booking: BookingId,
    },
    /// Moves a booking.
    Reschedule {
        /// The booking.
        booking: BookingId,
        /// Its new start.
        #[serde(serialize_with = "instant")]
        start: DateTime<Utc>,
        /// Whether the booking's later occurrences in its series move by
        /// as much, in local time. Left out of the fingerprint when false,
        /// so keys kept before it existed still match.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        following: bool,
    },
    /// Cancels a booking, settling by the policy.
    Cancel {
        /// The booking.
        booking: BookingId,
        /// Why.
        reason: String,
        /// Whether the booking's later occurrences in its series go too.
        following: bool,
    },
    /// Marks that the client did not come.
    NoShow {
        /// The booking.
        booking: BookingId,
    },
    /// Records a payment made outside the engine.
    RecordPayment(PaymentRequest),
    /// Approves a pending payment.
    ApprovePayment {
        /// The payment.
        payment: PaymentId,
    },
    /// Refuses a pending payment.
    RefusePayment {
        /// The payment.
        payment: PaymentId,
    },
    /// Refunds part or all of an approved payment.
    Refund {
        /// The payment.
        payment: PaymentId,
        /// How much, in the payment's currency.
        #[serde(serialize_with = "amount_text")]
        amount: Decimal,
        /// Why.
        reason: String,
    },
    /// Makes a receivable, or a run of monthly ones.
    CreateReceivable(ReceivableRequest),
    /// Replaces the business's commission rules.
    SetCommissions(Vec<CommissionFields>),
    /// Keeps a picture (the logo, a professional's photo), replacing the
    /// one it had.
    SetPicture {
        /// Whose.
        #[serde(serialize_with = "subject_key")]
        subject: Subject,
        /// The picture, read and re-encoded by [`Picture::read`].
        #[serde(serialize_with = "picture_digest")]
        picture: Picture,
    },
    /// Removes a picture.
    RemovePicture {
        /// Whose.
        #[serde(serialize_with = "subject_key")]
        subject: Subject,
    },
    /// Marks a receivable paid.
    PayReceivable {
        /// The receivable.
        receivable: ReceivableId,
    },
}

impl Command {
    /// What the permission table is asked about.
    pub fn action(&self) -> Action {
        match self {
            Command::ChangeBusiness(_) | Command::SetCommissions(_) => Action::ChangeBusiness,
            Command::SetPicture { subject, .. } | Command::RemovePicture { subject } => {
                match subject {
                    Subject::Logo => Action::ChangeBusiness,
                    Subject::Professional(_) => Action::EditStaff,
                }
            }
            Command::CreateService(_)
            | Command::ChangeService { .. }
            | Command::SaveService(_)
            | Command::SaveResource(_)
            | Command::CreateResource(_)
            | Command::ChangeResource { .. } => Action::EditCatalog,
            Command::CreateAccount { .. } => Action::ManageAccounts,
            Command::CreateProfessional { .. }
            | Command::ChangeProfessional { .. }
            | Command::SaveProfessional(_) => Action::EditStaff,
            Command::SetHours { .. } | Command::AddBlock(_) | Command::RemoveBlock { .. } => {
                Action::EditHours
            }
            Command::CreateClient(_) | Command::ChangeClient { .. } | Command::SaveClient(_) => {
                Action::EditClients
            }
            Command::Book(_) | Command::BookSeries(_) => Action::Book,
            Command::BookAsContact(_) => Action::BookAsContact,
            Command::Confirm { .. } | Command::Complete { .. } | Command::NoShow { .. } => {
                Action::Attend
            }
            Command::Reschedule { .. } | Command::Cancel { .. } => Action::Move,
            Command::RecordPayment(_)
            | Command::ApprovePayment { .. }
            | Command::RefusePayment { .. }
            | Command::CreateReceivable(_)
            | Command::PayReceivable { .. } => Action::TakePayments,
            Command::Refund { .. } => Action::Refund,
        }
    }

    /// The canonical text a retry under the same idempotency key must
    /// match: `v1 ` and the command as JSON with sorted keys. The business
    /// and the key are the record's own key in the store, so the
    /// fingerprint stands for the business, the key and the command.
    ///
    /// ```
    /// use agendo_core::agenda::Command;
    /// use agendo_core::ids::BookingId;
    /// let booking = BookingId::parse("67e55044-10b1-426f-9247-bb680e5fe0c8")?;
    /// assert_eq!(
    ///     Command::Confirm { booking }.fingerprint(),
    ///     r#"v1 {"booking":"67e55044-10b1-426f-9247-bb680e5fe0c8","command":"confirm"}"#,
    /// );
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn fingerprint(&self) -> String {
        let mut text = format!("v{FINGERPRINT_VERSION} ");
        match serde_json::to_value(self) {
            Ok(value) => canonical(&value, &mut text),
            // Every field serializes to text, numbers and maps with text
            // keys, so this cannot happen; were it to, the Debug form still
            // names the whole request.
            Err(_) => text.push_str(&format!("{self:?}")),
        }
        text
    }
}

/// Writes `value` as JSON with every object's keys sorted, whatever map
/// `serde_json` was built with.
fn canonical(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The business's settings a [`Command::ChangeBusiness`] changes; a field
/// left out keeps its value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BusinessFields {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The language of messages.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "opt_display"
    )]
    pub locale: Option<Lang>,
    /// How bookings are confirmed.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "opt_confirmation"
    )]
    pub confirmation: Option<ConfirmationMode>,
    /// The cancellation policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyQuery>,
    /// The public booking page's address; `Some(None)` takes it down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<Option<Slug>>,
    /// When reminders and payment notices go (the whole settings).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_notify")]
    pub notify: Option<NotifySettings>,
    /// The registered name (razão social); empty clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal_name: Option<String>,
    /// The CPF or CNPJ; `Some(None)` clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<Option<TaxId>>,
    /// The phone clients call; `Some(None)` clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Option<Phone>>,
    /// The e-mail clients write to; `Some(None)` clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<Email>>,
    /// Where it is; empty clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The brand colour; `Some(None)` clears it.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "opt_opt_display"
    )]
    pub colour: Option<Option<Colour>>,
    /// What it is about; empty clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A service's fields. Creating one needs `name`, `duration_minutes` and
/// `price`, the others default (no description, no buffers, active);
/// changing one changes only the fields given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServiceFields {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How long it takes, in minutes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<u32>,
    /// Its price, in the business's currency.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "opt_amount")]
    pub price: Option<Decimal>,
    /// Minutes kept free before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer_before_minutes: Option<u32>,
    /// Minutes kept free after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer_after_minutes: Option<u32>,
    /// Whether it takes new bookings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// The room (or machine) it needs; `Some(None)` needs none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Option<ResourceId>>,
    /// The kind of room it needs, any free one of which will do;
    /// `Some(None)` needs none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_kind: Option<Option<String>>,
    /// Its own cancellation policy; `Some(None)` follows the business's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<Option<PolicyQuery>>,
}

/// A resource's fields (a room, a chair, a machine). Creating one needs
/// `name`; the others default (no kind, capacity 1, open around the
/// clock, active). Changing one changes only the fields given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResourceFields {
    /// The name ("Sala 2").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its kind ("sala de laser"); empty for none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// How many bookings at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// When it can be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<HoursQuery>,
    /// Whether it takes new bookings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl ResourceFields {
    /// The change that retires a resource: it takes no new bookings; its
    /// bookings stay.
    pub fn retired() -> ResourceFields {
        ResourceFields {
            active: Some(false),
            ..ResourceFields::default()
        }
    }
}

impl ServiceFields {
    /// The change that retires a service: it takes no new bookings; its bookings and history stay.
    pub fn retired() -> ServiceFields {
        ServiceFields {
            active: Some(false),
            ..ServiceFields::default()
        }
    }
}

/// A professional's fields. Creating one needs `name`; the others default
/// (no services, capacity 1, closed every day, active). Changing one
/// changes only the fields given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProfessionalFields {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The services they perform (the whole list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<ServiceId>>,
    /// How many clients at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Their working hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<HoursQuery>,
    /// Whether they take new bookings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl ProfessionalFields {
    /// The change that retires a professional: they take no new bookings; their bookings and history stay.
    pub fn retired() -> ProfessionalFields {
        ProfessionalFields {
            active: Some(false),
            ..ProfessionalFields::default()
        }
    }
}

/// A client's fields. Creating one needs `name`. Changing one changes
/// only the fields given; `Some(None)` clears an e-mail, phone or tax id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClientFields {
    /// The name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Their e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Option<Email>>,
    /// Their phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Option<Phone>>,
    /// Their tax id (CPF).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<Option<TaxId>>,
    /// Notes the business keeps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Custom attributes (the whole map).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<BTreeMap<String, String>>,
    /// Whether they may book.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl ClientFields {
    /// The change that retires a client: they can no longer book; their history stays.
    pub fn retired() -> ClientFields {
        ClientFields {
            active: Some(false),
            ..ClientFields::default()
        }
    }
}

/// A login made with a new professional: it signs in with `email` and
/// carries the professional's name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoginFields {
    /// The e-mail to sign in with.
    pub email: Email,
    /// What the account may do.
    #[serde(serialize_with = "display")]
    pub role: Role,
}

/// A login to add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountFields {
    /// The person's name.
    pub name: String,
    /// The e-mail to sign in with.
    pub email: Email,
    /// What the account may do.
    #[serde(serialize_with = "display")]
    pub role: Role,
    /// The professional it acts as, for a professional's account.
    pub professional: Option<ProfessionalId>,
}

/// A block of time to add.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlockFields {
    /// Whose time.
    #[serde(serialize_with = "display")]
    pub on: Bookable,
    /// When it starts.
    #[serde(serialize_with = "instant")]
    pub start: DateTime<Utc>,
    /// When it ends (not included).
    #[serde(serialize_with = "instant")]
    pub end: DateTime<Utc>,
    /// Why: lunch, vacation, dentist.
    pub reason: String,
}

// The request types of the use cases, in their canonical form.

impl Serialize for BookRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            service: ServiceId,
            professional: ProfessionalId,
            client: ClientId,
            #[serde(serialize_with = "instant")]
            start: &'a DateTime<Utc>,
            #[serde(serialize_with = "discount")]
            discount: &'a Option<Discount>,
        }
        Form {
            service: self.service,
            professional: self.professional,
            client: self.client,
            start: &self.start,
            discount: &self.discount,
        }
        .serialize(s)
    }
}

impl Serialize for ContactBookRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            service: ServiceId,
            professional: ProfessionalId,
            #[serde(serialize_with = "instant")]
            start: &'a DateTime<Utc>,
            name: &'a str,
            // Left out when absent, so a request with an e-mail has the
            // fingerprint it had when the e-mail was required.
            #[serde(skip_serializing_if = "Option::is_none")]
            email: Option<&'a Email>,
            phone: Option<&'a Phone>,
        }
        Form {
            service: self.service,
            professional: self.professional,
            start: &self.start,
            name: self.name.trim(),
            email: self.email.as_ref(),
            phone: self.phone.as_ref(),
        }
        .serialize(s)
    }
}

impl Serialize for SeriesRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            service: ServiceId,
            professional: ProfessionalId,
            client: ClientId,
            #[serde(serialize_with = "local")]
            first: &'a NaiveDateTime,
            #[serde(serialize_with = "display")]
            rule: &'a RecurrenceRule,
            #[serde(serialize_with = "discount")]
            discount: &'a Option<Discount>,
        }
        Form {
            service: self.service,
            professional: self.professional,
            client: self.client,
            first: &self.first,
            rule: &self.rule,
            discount: &self.discount,
        }
        .serialize(s)
    }
}

impl Serialize for PaymentRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            client: ClientId,
            booking: Option<BookingId>,
            method: &'static str,
            #[serde(serialize_with = "amount_text")]
            amount: &'a Decimal,
            approved: bool,
        }
        Form {
            client: self.client,
            booking: self.booking,
            method: self.method.as_str(),
            amount: &self.amount,
            approved: self.state == PaymentState::Approved,
        }
        .serialize(s)
    }
}

impl Serialize for CommissionFields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form {
            professional: Option<ProfessionalId>,
            service: Option<ServiceId>,
            #[serde(serialize_with = "discount")]
            rate: Option<Discount>,
        }
        Form {
            professional: self.professional,
            service: self.service,
            rate: Some(self.rate),
        }
        .serialize(s)
    }
}

impl Serialize for ReceivableRequest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            client: ClientId,
            booking: Option<BookingId>,
            #[serde(serialize_with = "amount_text")]
            amount: &'a Decimal,
            due: String,
            description: &'a str,
            months: u32,
        }
        Form {
            client: self.client,
            booking: self.booking,
            amount: &self.amount,
            due: self.due.to_string(),
            description: self.description.trim(),
            months: self.months,
        }
        .serialize(s)
    }
}

impl Serialize for Service {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            id: ServiceId,
            name: &'a str,
            description: &'a str,
            duration_minutes: u32,
            #[serde(serialize_with = "money")]
            price: &'a Money,
            buffer_before_minutes: u32,
            buffer_after_minutes: u32,
            active: bool,
            policy: Option<PolicyQuery>,
            resource: Option<ResourceId>,
        }
        Form {
            id: self.id(),
            name: self.name(),
            description: self.description(),
            duration_minutes: self.duration_minutes(),
            price: &self.price(),
            buffer_before_minutes: self.buffers().before_minutes(),
            buffer_after_minutes: self.buffers().after_minutes(),
            active: self.activity() == Activity::Active,
            policy: self.policy().map(PolicyQuery::from),
            resource: self.resource(),
        }
        .serialize(s)
    }
}

impl Serialize for Professional {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            id: ProfessionalId,
            name: &'a str,
            services: Vec<ServiceId>,
            capacity: u32,
            hours: HoursQuery,
            active: bool,
        }
        Form {
            id: self.id(),
            name: self.name(),
            services: self.services().iter().copied().collect(),
            capacity: self.capacity(),
            hours: HoursQuery::from(self.hours()),
            active: self.activity() == Activity::Active,
        }
        .serialize(s)
    }
}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            id: ResourceId,
            name: &'a str,
            capacity: u32,
            hours: HoursQuery,
            active: bool,
        }
        Form {
            id: self.id(),
            name: self.name(),
            capacity: self.capacity(),
            hours: HoursQuery::from(self.hours()),
            active: self.activity() == Activity::Active,
        }
        .serialize(s)
    }
}

impl Serialize for Client {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Form<'a> {
            id: ClientId,
            name: &'a str,
            email: Option<&'a Email>,
            phone: Option<&'a Phone>,
            tax_id: Option<&'a TaxId>,
            notes: &'a str,
            attributes: &'a BTreeMap<String, String>,
            active: bool,
        }
        Form {
            id: self.id(),
            name: self.name(),
            email: self.email(),
            phone: self.phone(),
            tax_id: self.tax_id(),
            notes: self.notes(),
            attributes: self.attributes(),
            active: self.activity() == Activity::Active,
        }
        .serialize(s)
    }
}

fn instant<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn local<S: Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.format("%Y-%m-%dT%H:%M:%S").to_string())
}

fn display<T: std::fmt::Display, S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(value)
}

fn opt_display<T: std::fmt::Display, S: Serializer>(
    value: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

fn opt_opt_display<T: std::fmt::Display, S: Serializer>(
    value: &Option<Option<T>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(Some(v)) => s.collect_str(v),
        _ => s.serialize_none(),
    }
}

fn opt_notify<S: Serializer>(value: &Option<NotifySettings>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(n) => s.collect_str(&format_args!(
            "day_before_at={} minutes_before={} payment_at={} overdue_days={}",
            n.day_before_at().map(|t| t.to_string()).unwrap_or_default(),
            n.minutes_before()
                .map(|m| m.to_string())
                .unwrap_or_default(),
            n.payment_at(),
            n.overdue_days()
        )),
        None => s.serialize_none(),
    }
}

fn subject_key<S: Serializer>(subject: &Subject, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&subject.key())
}

fn picture_digest<S: Serializer>(picture: &Picture, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_args!(
        "{} {}x{} {:016x}",
        picture.encoding().media_type(),
        picture.width(),
        picture.height(),
        picture.digest()
    ))
}

fn opt_confirmation<S: Serializer>(
    value: &Option<ConfirmationMode>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(mode) => s.serialize_str(mode.as_str()),
        None => s.serialize_none(),
    }
}

fn opt_amount<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(amount) => s.serialize_str(&amount.normalize().to_string()),
        None => s.serialize_none(),
    }
}

fn amount_text<S: Serializer>(amount: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&amount.normalize().to_string())
}

fn money<S: Serializer>(money: &Money, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!(
        "{} {}",
        money.amount().normalize(),
        money.currency().code()
    ))
}

fn discount<S: Serializer>(discount: &Option<Discount>, s: S) -> Result<S::Ok, S::Error> {
    match discount {
        None => s.serialize_none(),
        Some(Discount::Percent(p)) => s.serialize_str(&format!("{}%", p.value().normalize())),
        Some(Discount::Amount(a)) => amount_text(a, s),
    }
}

#[cfg(test)]
mod tests {
    //! The fingerprints below are kept in databases under idempotency
    //! keys: if one of these tests fails, a stored key would no longer
    //! match its retry. Change the text only with a new
    //! [`FINGERPRINT_VERSION`].

    use super::*;
    use crate::money::Percent;
    use crate::payment::PaymentMethod;

    fn id<T: std::str::FromStr>(n: u8) -> T
    where
        T::Err: std::fmt::Debug,
    {
        format!("00000000-0000-4000-8000-0000000000{n:02}")
            .parse()
            .unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn a_booking_keeps_its_fingerprint() {
        let command = Command::Book(BookRequest {
            service: id(1),
            professional: id(2),
            client: id(3),
            start: at("2026-03-02T12:00:00Z"),
            discount: Some(Discount::Percent(Percent::parse("10").unwrap())),
        });
        assert_eq!(
            command.fingerprint(),
            concat!(
                r#"v1 {"client":"00000000-0000-4000-8000-000000000003","command":"book","#,
                r#""discount":"10%","professional":"00000000-0000-4000-8000-000000000002","#,
                r#""service":"00000000-0000-4000-8000-000000000001","start":"2026-03-02T12:00:00Z"}"#
            )
        );
    }

    #[test]
    fn a_contact_booking_keeps_its_fingerprint_and_leaves_out_a_missing_email() {
        let request = |email: Option<&str>| {
            Command::BookAsContact(ContactBookRequest {
                service: id(1),
                professional: id(2),
                start: at("2026-03-02T12:00:00Z"),
                name: " Maria Silva ".to_owned(),
                email: email.map(|e| Email::parse(e).unwrap()),
                phone: Some(Phone::parse("+55 11 98765-4321").unwrap()),
            })
        };
        assert_eq!(
            request(Some("maria@example.com")).fingerprint(),
            concat!(
                r#"v1 {"command":"book_as_contact","email":"maria@example.com","#,
                r#""name":"Maria Silva","phone":"+5511987654321","#,
                r#""professional":"00000000-0000-4000-8000-000000000002","#,
                r#""service":"00000000-0000-4000-8000-000000000001","start":"2026-03-02T12:00:00Z"}"#
            )
        );
        assert_eq!(
            request(None).fingerprint(),
            concat!(
                r#"v1 {"command":"book_as_contact","name":"Maria Silva","phone":"+5511987654321","#,
                r#""professional":"00000000-0000-4000-8000-000000000002","#,
                r#""service":"00000000-0000-4000-8000-000000000001","start":"2026-03-02T12:00:00Z"}"#
            )
        );
    }

    #[test]
    fn a_change_names_only_the_fields_sent() {
        let command = Command::ChangeService {
            service: id(1),
            fields: ServiceFields {
                price: Some(Decimal::new(8000, 2)),
                ..ServiceFields::default()
            },
        };
        assert_eq!(
            command.fingerprint(),
            r#"v1 {"command":"change_service","fields":{"price":"80"},"service":"00000000-0000-4000-8000-000000000001"}"#
        );
        // Clearing an e-mail is not the same request as leaving it alone.
        let clear = Command::ChangeClient {
            client: id(3),
            fields: ClientFields {
                email: Some(None),
                ..ClientFields::default()
            },
        };
        let keep = Command::ChangeClient {
            client: id(3),
            fields: ClientFields::default(),
        };
        assert_ne!(clear.fingerprint(), keep.fingerprint());
        assert!(clear.fingerprint().contains(r#""email":null"#));
    }

    #[test]
    fn payments_and_refunds_keep_their_fingerprints() {
        let pay = Command::RecordPayment(PaymentRequest {
            client: id(3),
            booking: None,
            method: PaymentMethod::Pix,
            amount: Decimal::new(8000, 2),
            state: PaymentState::Approved,
        });
        assert_eq!(
            pay.fingerprint(),
            concat!(
                r#"v1 {"amount":"80","approved":true,"booking":null,"#,
                r#""client":"00000000-0000-4000-8000-000000000003","command":"record_payment","method":"pix"}"#
            )
        );
        let refund = Command::Refund {
            payment: id(4),
            amount: Decimal::new(4050, 2),
            reason: "desistiu".to_owned(),
        };
        assert_eq!(
            refund.fingerprint(),
            r#"v1 {"amount":"40.5","command":"refund","payment":"00000000-0000-4000-8000-000000000004","reason":"desistiu"}"#
        );
    }

    #[test]
    fn a_login_password_is_not_in_the_fingerprint() {
        let with = |hash: &str| Command::CreateAccount {
            fields: AccountFields {
                name: "Ana".to_owned(),
                email: Email::parse("ana@example.com").unwrap(),
                role: Role::Receptionist,
                professional: None,
            },
            password: PasswordHash::parse(hash).unwrap(),
        };
        let one = with("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaDE");
        let two = with("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaDI");
        assert_eq!(one.fingerprint(), two.fingerprint());
        assert!(!one.fingerprint().contains("argon2"));
        assert_eq!(
            one.fingerprint(),
            concat!(
                r#"v1 {"command":"create_account","fields":{"email":"ana@example.com","#,
                r#""name":"Ana","professional":null,"role":"receptionist"}}"#
            )
        );
    }

    #[test]
    fn every_command_names_its_action() {
        let cancel = Command::Cancel {
            booking: id(5),
            reason: String::new(),
            following: true,
        };
        assert_eq!(cancel.action(), Action::Move);
        assert_eq!(
            Command::Refund {
                payment: id(4),
                amount: Decimal::ONE,
                reason: String::new()
            }
            .action(),
            Action::Refund
        );
        assert_eq!(
            Command::ChangeBusiness(BusinessFields::default()).action(),
            Action::ChangeBusiness
        );
    }
}
