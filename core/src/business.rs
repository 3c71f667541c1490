//! The records a business keeps: itself, its professionals, services,
//! resources, clients and blocks (R7, R12, R13, R16, R24).
//!
//! Each record carries the id of its business (R7), and each constructor
//! checks what it is given and names the field when something is wrong. A
//! record never changes in place: `with_*` methods return a changed copy,
//! which the use cases in [`crate::agenda`] then store. Availability, money
//! and policies are computed elsewhere from these records.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Weekday;
use chrono_tz::Tz;

use crate::account::Slug;
use crate::availability::{
    check_capacity, Buffers, WeeklyHours, WorkingHours, MAX_DURATION_MINUTES,
};
use crate::commission::CommissionRule;
use crate::contact::{Email, Phone, TaxId};
use crate::error::{Error, Problem};
use crate::ids::{BlockId, BusinessId, ClientId, ProfessionalId, ResourceId, ServiceId};
use crate::lang::Lang;
use crate::money::{Currency, Money};
use crate::notify::NotifySettings;
use crate::policy::CancellationPolicy;
use crate::time::{Span, Window};

/// The longest name, in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// The longest free text (a description, notes, a reason), in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// The most custom attributes a client may have.
pub const MAX_ATTRIBUTES: usize = 100;
/// The longest attribute name, in characters.
pub const MAX_ATTRIBUTE_NAME_CHARS: usize = 64;
/// The longest attribute value, in characters.
pub const MAX_ATTRIBUTE_VALUE_CHARS: usize = 1_000;
/// The most commission rules a business may have.
pub const MAX_COMMISSION_RULES: usize = 1_000;

/// A name: trimmed, 1 to [`MAX_NAME_CHARS`] characters, on one line.
pub(crate) fn name(field: &str, text: &str) -> Result<Box<str>, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid(field, Problem::Empty));
    }
    printable(field, text, |_| false)?;
    bounded(field, text, MAX_NAME_CHARS)
}

/// Free text of at most `max` characters, kept as written: line breaks
/// and tabs are the only control characters allowed.
pub(crate) fn bounded(field: &str, text: &str, max: usize) -> Result<Box<str>, Error> {
    let len = text.chars().count();
    if len > max {
        return Err(Error::invalid(field, Problem::TooLong { len, max }));
    }
    printable(field, text, |c| matches!(c, '\n' | '\r' | '\t'))?;
    Ok(text.into())
}

/// Refuses a control character other than those `allowed`.
fn printable(field: &str, text: &str, allowed: impl Fn(char) -> bool) -> Result<(), Error> {
    match text
        .chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() && !allowed(c))
    {
        Some((i, c)) => Err(Error::invalid(
            field,
            Problem::ControlCharacter {
                code: u32::from(c),
                position: i + 1,
            },
        )),
        None => Ok(()),
    }
}

/// The letter without its accent, for the letters of Portuguese and its
/// neighbours; any other character unchanged.
pub(crate) fn fold_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// Text as people search it: lowercase, accents dropped.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(fold_accent)
        .collect()
}

/// How a new booking becomes confirmed (R19).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ConfirmationMode {
    /// Staff confirm each booking by hand. A required deposit must be paid
    /// first.
    #[default]
    Manual,
    /// A booking is confirmed when its approved payments cover the deposit,
    /// or the price when there is no deposit. Staff may still confirm by hand.
    OnPayment,
    /// A booking is confirmed as it is made, unless a deposit is required,
    /// in which case it waits for the payment as in `OnPayment`.
    Immediate,
}

impl ConfirmationMode {
    /// The mode as written in APIs and stores: `manual`, `on_payment`,
    /// `immediate`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmationMode::Manual => "manual",
            ConfirmationMode::OnPayment => "on_payment",
            ConfirmationMode::Immediate => "immediate",
        }
    }

    /// Reads a mode written by [`ConfirmationMode::as_str`].
    ///
    /// # Errors
    /// [`Error::Invalid`] for `confirmation` with [`Problem::UnknownValue`].
    ///
    /// # Example
    /// ```
    /// use agendo_core::business::ConfirmationMode;
    /// assert_eq!(ConfirmationMode::parse("on_payment")?, ConfirmationMode::OnPayment);
    /// assert_eq!(ConfirmationMode::parse("later").unwrap_err().field(), Some("confirmation"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<ConfirmationMode, Error> {
        Ok(match text {
            "manual" => ConfirmationMode::Manual,
            "on_payment" => ConfirmationMode::OnPayment,
            "immediate" => ConfirmationMode::Immediate,
            _ => {
                return Err(Error::invalid(
                    "confirmation",
                    Problem::UnknownValue {
                        value: crate::error::clip(text),
                        expected: "manual, on_payment, immediate",
                    },
                ))
            }
        })
    }
}

/// A business: the barber shop, the nail studio, the clinic.
///
/// # Example
/// ```
/// use agendo_core::business::Business;
/// use agendo_core::ids::BusinessId;
/// use agendo_core::money::Currency;
/// use agendo_core::Lang;
///
/// let shop = Business::new(BusinessId::random(), "Barbearia do Zé", chrono_tz::America::Sao_Paulo, Currency::BRL, Lang::PtBr)?;
/// assert_eq!(shop.name(), "Barbearia do Zé");
/// assert!(Business::new(BusinessId::random(), "  ", chrono_tz::UTC, Currency::BRL, Lang::En).is_err());
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Business {
    id: BusinessId,
    name: Box<str>,
    zone: Tz,
    currency: Currency,
    locale: Lang,
    policy: CancellationPolicy,
    confirmation: ConfirmationMode,
    notify: NotifySettings,
    commissions: Vec<CommissionRule>,
    slug: Option<Slug>,
    profile: Profile,
}

/// How a business presents itself (R9): its legal name and tax id, how to
/// reach it, where it is, its brand colour and a description. Every part is
/// optional; the logo is a picture kept beside it
/// ([`crate::picture::Subject::Logo`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    legal_name: Box<str>,
    tax_id: Option<TaxId>,
    phone: Option<Phone>,
    email: Option<Email>,
    address: Box<str>,
    colour: Option<Colour>,
    description: Box<str>,
}

/// The longest address kept.
pub const MAX_ADDRESS_CHARS: usize = 300;

/// The longest description of a business or professional kept.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

impl Profile {
    /// A profile from its parts, each checked.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming `legal_name`, `address` or
    /// `description` (too long, control characters).
    pub fn new(
        legal_name: &str,
        tax_id: Option<TaxId>,
        phone: Option<Phone>,
        email: Option<Email>,
        address: &str,
        colour: Option<Colour>,
        description: &str,
    ) -> Result<Profile, Error> {
        let legal_name = legal_name.trim();
        Ok(Profile {
            legal_name: if legal_name.is_empty() {
                Box::from("")
            } else {
                name("legal_name", legal_name)?
            },
            tax_id,
            phone,
            email,
            address: bounded("address", address.trim(), MAX_ADDRESS_CHARS)?,
            colour,
            description: bounded("description", description.trim(), MAX_DESCRIPTION_CHARS)?,
        })
    }

    /// The registered name (razão social); empty when not given.
    pub fn legal_name(&self) -> &str {
        &self.legal_name
    }
    /// The CPF or CNPJ, check digits verified.
    pub fn tax_id(&self) -> Option<&TaxId> {
        self.tax_id.as_ref()
    }
    /// The phone clients call.
    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }
    /// The e-mail clients write to.
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }
    /// Where it is; empty when not given.
    pub fn address(&self) -> &str {
        &self.address
    }
    /// The brand colour.
    pub fn colour(&self) -> Option<Colour> {
        self.colour
    }
    /// What it is about; empty when not given.
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// A colour as `#RRGGBB`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Colour([u8; 3]);

impl Colour {
    /// Reads `#RRGGBB` (or `RRGGBB`, any case).
    ///
    /// # Errors
    /// [`Error::Invalid`] for `colour`.
    ///
    /// ```
    /// use agendo_core::business::Colour;
    /// assert_eq!(Colour::parse("#1a7F3c")?.to_string(), "#1A7F3C");
    /// assert!(Colour::parse("red").is_err());
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Colour, Error> {
        let hex = text.trim().trim_start_matches('#');
        let bad = || {
            Error::invalid(
                "colour",
                Problem::BadColour {
                    value: crate::error::clip(text),
                },
            )
        };
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
        Ok(Colour([byte(0)?, byte(2)?, byte(4)?]))
    }
}

impl std::fmt::Display for Colour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let [r, g, b] = self.0;
        write!(f, "#{r:02X}{g:02X}{b:02X}")
    }
}

impl Business {
    /// A business with a free cancellation policy, manual confirmation, the
    /// default reminders and no commission rules.
    ///
    /// # Errors
    /// [`Error::Invalid`] for the field `name` when it is empty or too long.
    pub fn new(
        id: BusinessId,
        name: &str,
        zone: Tz,
        currency: Currency,
        locale: Lang,
    ) -> Result<Business, Error> {
        Ok(Business {
            id,
            name: self::name("name", name)?,
            zone,
            currency,
            locale,
            policy: CancellationPolicy::free(),
            confirmation: ConfirmationMode::default(),
            notify: NotifySettings::default(),
            commissions: Vec::new(),
            slug: None,
            profile: Profile::default(),
        })
    }

    /// The same business presenting itself with `profile`.
    pub fn with_profile(mut self, profile: Profile) -> Business {
        self.profile = profile;
        self
    }

    /// How it presents itself.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The same business with a public address (for booking without
    /// signing in), or without one. No two businesses share one; the store
    /// refuses a taken one with [`Error::SlugTaken`].
    pub fn with_slug(mut self, slug: Option<Slug>) -> Business {
        self.slug = slug;
        self
    }

    /// The same business with `policy` for services without their own.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when a fixed amount of the policy is in
    /// another currency than the business.
    pub fn with_policy(mut self, policy: CancellationPolicy) -> Result<Business, Error> {
        policy.check_currency(self.currency)?;
        self.policy = policy;
        Ok(self)
    }

    /// The same business confirming bookings by `mode`.
    pub fn with_confirmation(mut self, mode: ConfirmationMode) -> Business {
        self.confirmation = mode;
        self
    }

    /// The same business with these notification settings.
    pub fn with_notify(mut self, notify: NotifySettings) -> Business {
        self.notify = notify;
        self
    }

    /// The same business with these commission rules (R14).
    ///
    /// # Errors
    /// [`Error::Invalid`] for `commissions` past [`MAX_COMMISSION_RULES`], or
    /// [`Error::CurrencyMismatch`] for a fixed commission in another currency.
    pub fn with_commissions(
        mut self,
        rules: impl IntoIterator<Item = CommissionRule>,
    ) -> Result<Business, Error> {
        let rules: Vec<CommissionRule> = rules.into_iter().collect();
        if rules.len() > MAX_COMMISSION_RULES {
            return Err(Error::invalid(
                "commissions",
                Problem::TooMany {
                    count: rules.len(),
                    max: MAX_COMMISSION_RULES,
                },
            ));
        }
        for (i, rule) in rules.iter().enumerate() {
            rule.check_currency(self.currency)
                .map_err(|e| e.at(format!("commissions[{i}]")))?;
        }
        self.commissions = rules;
        Ok(self)
    }

    /// The id.
    pub fn id(&self) -> BusinessId {
        self.id
    }
    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The IANA zone its hours are written in.
    pub fn zone(&self) -> Tz {
        self.zone
    }
    /// The currency of its prices.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// The language of its messages.
    pub fn locale(&self) -> Lang {
        self.locale
    }
    /// The cancellation policy of services without their own.
    pub fn policy(&self) -> &CancellationPolicy {
        &self.policy
    }
    /// How new bookings become confirmed.
    pub fn confirmation(&self) -> ConfirmationMode {
        self.confirmation
    }
    /// When messages go out.
    pub fn notify(&self) -> &NotifySettings {
        &self.notify
    }

    /// The public address, if it has one.
    pub fn slug(&self) -> Option<&Slug> {
        self.slug.as_ref()
    }

    /// The commission rules.
    pub fn commissions(&self) -> &[CommissionRule] {
        &self.commissions
    }
}

/// Whether a record is in use or retired. Retired records stay, so history
/// keeps its meaning, but take no new bookings (soft delete, R12, R24).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Activity {
    /// In use.
    #[default]
    Active,
    /// Retired.
    Retired,
}

/// A service a business sells: a haircut, a manicure, a pool cleaning (R12).
///
/// # Example
/// ```
/// use agendo_core::business::Service;
/// use agendo_core::ids::{BusinessId, ServiceId};
/// use agendo_core::money::{Currency, Money};
///
/// let cut = Service::new(ServiceId::random(), BusinessId::random(), "Corte", 30, Money::parse("45", Currency::BRL)?)?;
/// assert_eq!(cut.duration_minutes(), 30);
/// let err = Service::new(ServiceId::random(), BusinessId::random(), "Corte", 0, Money::parse("45", Currency::BRL)?).unwrap_err();
/// assert_eq!(err.field(), Some("duration_minutes"));
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    id: ServiceId,
    business: BusinessId,
    name: Box<str>,
    description: Box<str>,
    duration_minutes: u32,
    price: Money,
    buffers: Buffers,
    activity: Activity,
    policy: Option<CancellationPolicy>,
    resource: Option<ResourceId>,
    resource_kind: Option<Box<str>>,
}

impl Service {
    /// An active service with no description, buffers, own policy or
    /// resource.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `name` (empty, too long), `duration_minutes`
    /// (below 1 or past [`MAX_DURATION_MINUTES`]) or `price` (negative).
    pub fn new(
        id: ServiceId,
        business: BusinessId,
        name: &str,
        duration_minutes: u32,
        price: Money,
    ) -> Result<Service, Error> {
        if duration_minutes == 0 {
            return Err(Error::invalid(
                "duration_minutes",
                Problem::BelowMinimum { value: 0, min: 1 },
            ));
        }
        if duration_minutes > MAX_DURATION_MINUTES {
            return Err(Error::invalid(
                "duration_minutes",
                Problem::AboveMaximum {
                    value: i64::from(duration_minutes),
                    max: i64::from(MAX_DURATION_MINUTES),
                },
            ));
        }
        if price.is_negative() {
            return Err(Error::invalid(
                "price",
                Problem::Negative {
                    value: price.amount().trunc().try_into().unwrap_or(i64::MIN),
                },
            ));
        }
        Ok(Service {
            id,
            business,
            name: self::name("name", name)?,
            description: "".into(),
            duration_minutes,
            price,
            buffers: Buffers::NONE,
            activity: Activity::Active,
            policy: None,
            resource: None,
            resource_kind: None,
        })
    }

    /// The same service with a description.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `description` past [`MAX_TEXT_CHARS`].
    pub fn with_description(mut self, text: &str) -> Result<Service, Error> {
        self.description = bounded("description", text, MAX_TEXT_CHARS)?;
        Ok(self)
    }

    /// The same service keeping `buffers` free around each appointment.
    pub fn with_buffers(mut self, buffers: Buffers) -> Service {
        self.buffers = buffers;
        self
    }

    /// The same service with its own cancellation policy, or the business's
    /// when `None`.
    ///
    /// # Errors
    /// [`Error::CurrencyMismatch`] when a fixed amount of the policy is not
    /// in the currency of the price.
    pub fn with_policy(mut self, policy: Option<CancellationPolicy>) -> Result<Service, Error> {
        if let Some(policy) = &policy {
            policy.check_currency(self.price.currency())?;
        }
        self.policy = policy;
        Ok(self)
    }

    /// The same service needing `resource` (a room, a chair) for each
    /// appointment, or none.
    pub fn with_resource(mut self, resource: Option<ResourceId>) -> Service {
        self.resource = resource;
        if resource.is_some() {
            self.resource_kind = None;
        }
        self
    }

    /// The same service needing any one room (or chair, machine) of
    /// `kind` for each appointment, or none: a booking takes the first of
    /// them, by name, free at its time. A service needs a given resource
    /// or a kind of resource, not both; setting one clears the other.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `resource_kind` when it is empty or too long.
    pub fn with_resource_kind(mut self, kind: Option<&str>) -> Result<Service, Error> {
        self.resource_kind = kind.map(|k| self::name("resource_kind", k)).transpose()?;
        if self.resource_kind.is_some() {
            self.resource = None;
        }
        Ok(self)
    }

    /// The same service, in use or retired.
    pub fn with_activity(mut self, activity: Activity) -> Service {
        self.activity = activity;
        self
    }

    /// The id.
    pub fn id(&self) -> ServiceId {
        self.id
    }
    /// The business it belongs to.
    pub fn business(&self) -> BusinessId {
        self.business
    }
    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The description, maybe empty.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// How long an appointment takes.
    pub fn duration_minutes(&self) -> u32 {
        self.duration_minutes
    }
    /// The price before any discount.
    pub fn price(&self) -> Money {
        self.price
    }
    /// The time kept free around each appointment.
    pub fn buffers(&self) -> Buffers {
        self.buffers
    }
    /// Whether it takes new bookings.
    pub fn activity(&self) -> Activity {
        self.activity
    }
    /// Its own cancellation policy, if it has one.
    pub fn policy(&self) -> Option<&CancellationPolicy> {
        self.policy.as_ref()
    }
    /// The cancellation policy its bookings end by: its own, else that of
    /// `business` (its business).
    pub fn policy_within<'a>(&'a self, business: &'a Business) -> &'a CancellationPolicy {
        self.policy().unwrap_or(business.policy())
    }
    /// The resource each appointment needs, if any.
    pub fn resource(&self) -> Option<ResourceId> {
        self.resource
    }

    /// The kind of resource it needs, any one of which will do.
    pub fn resource_kind(&self) -> Option<&str> {
        self.resource_kind.as_deref()
    }
}

/// A professional: the barber, the manicurist, the pool cleaner (R13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Professional {
    id: ProfessionalId,
    business: BusinessId,
    name: Box<str>,
    services: BTreeSet<ServiceId>,
    hours: WorkingHours,
    capacity: u32,
    activity: Activity,
}

impl Professional {
    /// An active professional who performs no service yet, works no hours
    /// and takes one client at a time.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `name` when it is empty or too long.
    pub fn new(
        id: ProfessionalId,
        business: BusinessId,
        name: &str,
    ) -> Result<Professional, Error> {
        Ok(Professional {
            id,
            business,
            name: self::name("name", name)?,
            services: BTreeSet::new(),
            hours: WorkingHours::default(),
            capacity: 1,
            activity: Activity::Active,
        })
    }

    /// The same professional performing `services`.
    pub fn with_services(mut self, services: impl IntoIterator<Item = ServiceId>) -> Professional {
        self.services = services.into_iter().collect();
        self
    }

    /// The same professional working `hours` (R15, R16).
    pub fn with_hours(mut self, hours: WorkingHours) -> Professional {
        self.hours = hours;
        self
    }

    /// The same professional taking up to `capacity` clients at once.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `capacity` below 1 or past [`MAX_CAPACITY`](crate::availability::MAX_CAPACITY).
    pub fn with_capacity(mut self, capacity: u32) -> Result<Professional, Error> {
        self.capacity = check_capacity(capacity)?;
        Ok(self)
    }

    /// The same professional, in use or retired.
    pub fn with_activity(mut self, activity: Activity) -> Professional {
        self.activity = activity;
        self
    }

    /// The id.
    pub fn id(&self) -> ProfessionalId {
        self.id
    }
    /// The business it belongs to.
    pub fn business(&self) -> BusinessId {
        self.business
    }
    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The services they perform.
    pub fn services(&self) -> &BTreeSet<ServiceId> {
        &self.services
    }
    /// Whether they perform `service`.
    pub fn performs(&self, service: ServiceId) -> bool {
        self.services.contains(&service)
    }
    /// Their working hours.
    pub fn hours(&self) -> &WorkingHours {
        &self.hours
    }
    /// How many clients they take at once.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }
    /// Whether they take new bookings.
    pub fn activity(&self) -> Activity {
        self.activity
    }
}

/// A room, chair or machine that a service needs. A booking of such a
/// service takes the professional and the resource together, atomically: the
/// engine's `all` mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resource {
    id: ResourceId,
    business: BusinessId,
    name: Box<str>,
    kind: Box<str>,
    capacity: u32,
    hours: WorkingHours,
    activity: Activity,
}

impl Resource {
    /// An active resource for one booking at a time, open around the clock:
    /// a room is free whenever it is not booked or blocked.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `name` when it is empty or too long.
    pub fn new(id: ResourceId, business: BusinessId, name: &str) -> Result<Resource, Error> {
        Ok(Resource {
            id,
            business,
            name: self::name("name", name)?,
            kind: Box::from(""),
            capacity: 1,
            hours: always_open(),
            activity: Activity::Active,
        })
    }

    /// The same resource taking up to `capacity` bookings at once (a room
    /// with three chairs).
    ///
    /// # Errors
    /// [`Error::Invalid`] for `capacity` below 1 or past [`MAX_CAPACITY`](crate::availability::MAX_CAPACITY).
    pub fn with_capacity(mut self, capacity: u32) -> Result<Resource, Error> {
        self.capacity = check_capacity(capacity)?;
        Ok(self)
    }

    /// The same resource of `kind` ("sala de laser", "cadeira"): a service
    /// that needs a kind takes any free resource of it. Empty for none.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `kind` when it is too long or has control
    /// characters.
    pub fn with_kind(mut self, kind: &str) -> Result<Resource, Error> {
        self.kind = if kind.trim().is_empty() {
            Box::from("")
        } else {
            self::name("kind", kind)?
        };
        Ok(self)
    }

    /// The same resource open only during `hours`.
    pub fn with_hours(mut self, hours: WorkingHours) -> Resource {
        self.hours = hours;
        self
    }

    /// The same resource, in use or retired.
    pub fn with_activity(mut self, activity: Activity) -> Resource {
        self.activity = activity;
        self
    }

    /// The id.
    pub fn id(&self) -> ResourceId {
        self.id
    }
    /// The business it belongs to.
    pub fn business(&self) -> BusinessId {
        self.business
    }
    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// How many bookings it takes at once.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }
    /// Its kind; empty when it has none.
    pub fn kind(&self) -> &str {
        &self.kind
    }
    /// Whether it is of `kind`, compared as a person would (case and
    /// accents aside).
    pub fn is_of_kind(&self, kind: &str) -> bool {
        !self.kind.is_empty() && fold(&self.kind) == fold(kind.trim())
    }
    /// When it can be used.
    pub fn hours(&self) -> &WorkingHours {
        &self.hours
    }
    /// Whether it takes new bookings.
    pub fn activity(&self) -> Activity {
        self.activity
    }
}

fn always_open() -> WorkingHours {
    let week = Window::parse("00:00", "24:00").and_then(|all_day| {
        let days: Vec<Weekday> = WeeklyHours::closed().days().map(|(day, _)| day).collect();
        days.into_iter()
            .try_fold(WeeklyHours::closed(), |week, day| {
                week.with_day(day, [all_day])
            })
    });
    WorkingHours::new(week.unwrap_or_default())
}

/// A client of a business (R24).
///
/// # Example
/// ```
/// use agendo_core::business::Client;
/// use agendo_core::contact::Phone;
/// use agendo_core::ids::{BusinessId, ClientId};
///
/// let maria = Client::new(ClientId::random(), BusinessId::random(), "Maria Souza")?
///     .with_phone(Some(Phone::parse("(11) 98888-7777")?))
///     .with_attribute("pool_type", "fiberglass")?;
/// assert_eq!(maria.attributes()["pool_type"], "fiberglass");
/// # Ok::<(), agendo_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    id: ClientId,
    business: BusinessId,
    name: Box<str>,
    email: Option<Email>,
    phone: Option<Phone>,
    tax_id: Option<TaxId>,
    notes: Box<str>,
    attributes: BTreeMap<String, String>,
    activity: Activity,
}

impl Client {
    /// An active client with a name and nothing else.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `name` when it is empty or too long.
    pub fn new(id: ClientId, business: BusinessId, name: &str) -> Result<Client, Error> {
        Ok(Client {
            id,
            business,
            name: self::name("name", name)?,
            email: None,
            phone: None,
            tax_id: None,
            notes: "".into(),
            attributes: BTreeMap::new(),
            activity: Activity::Active,
        })
    }

    /// The same client with another name.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `name` when it is empty or too long.
    pub fn with_name(mut self, name: &str) -> Result<Client, Error> {
        self.name = self::name("name", name)?;
        Ok(self)
    }

    /// The same client with this e-mail address, or none.
    pub fn with_email(mut self, email: Option<Email>) -> Client {
        self.email = email;
        self
    }

    /// The same client with this phone, or none.
    pub fn with_phone(mut self, phone: Option<Phone>) -> Client {
        self.phone = phone;
        self
    }

    /// The same client with this CPF or CNPJ, or none.
    pub fn with_tax_id(mut self, tax_id: Option<TaxId>) -> Client {
        self.tax_id = tax_id;
        self
    }

    /// The same client with these notes.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `notes` past [`MAX_TEXT_CHARS`].
    pub fn with_notes(mut self, notes: &str) -> Result<Client, Error> {
        self.notes = bounded("notes", notes, MAX_TEXT_CHARS)?;
        Ok(self)
    }

    /// The same client with the custom attribute `name` set to `value`
    /// (pool type, skin type), replacing any earlier value.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `attributes.NAME` when the name is empty or
    /// too long, the value too long, or there would be more than
    /// [`MAX_ATTRIBUTES`].
    pub fn with_attribute(mut self, name: &str, value: &str) -> Result<Client, Error> {
        let field = format!("attributes.{}", crate::error::clip(name));
        let key = self::name(&field, name)?;
        if key.chars().count() > MAX_ATTRIBUTE_NAME_CHARS {
            return Err(Error::invalid(
                field,
                Problem::TooLong {
                    len: key.chars().count(),
                    max: MAX_ATTRIBUTE_NAME_CHARS,
                },
            ));
        }
        let value = bounded(&field, value, MAX_ATTRIBUTE_VALUE_CHARS)?;
        if !self.attributes.contains_key(&*key) && self.attributes.len() >= MAX_ATTRIBUTES {
            return Err(Error::invalid(
                "attributes",
                Problem::TooMany {
                    count: self.attributes.len() + 1,
                    max: MAX_ATTRIBUTES,
                },
            ));
        }
        self.attributes.insert(key.into(), value.into());
        Ok(self)
    }

    /// The same client without the attribute `name`.
    pub fn without_attribute(mut self, name: &str) -> Client {
        self.attributes.remove(name.trim());
        self
    }

    /// The same client, active or retired (soft delete).
    pub fn with_activity(mut self, activity: Activity) -> Client {
        self.activity = activity;
        self
    }

    /// The id.
    pub fn id(&self) -> ClientId {
        self.id
    }
    /// The business it belongs to.
    pub fn business(&self) -> BusinessId {
        self.business
    }
    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The e-mail address, if known.
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }
    /// The phone, if known.
    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }
    /// The CPF or CNPJ, if known.
    pub fn tax_id(&self) -> Option<&TaxId> {
        self.tax_id.as_ref()
    }
    /// Free notes, maybe empty.
    pub fn notes(&self) -> &str {
        &self.notes
    }
    /// The custom attributes, by name.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }
    /// Whether the client is active.
    pub fn activity(&self) -> Activity {
        self.activity
    }

    /// Whether a search for `query` finds the client (R24): text in the
    /// name (case and accents ignored) or the e-mail, or three or more of
    /// its digits in the phone. An empty query finds everyone.
    ///
    /// # Example
    /// ```
    /// use agendo_core::business::Client;
    /// use agendo_core::contact::Phone;
    /// use agendo_core::ids::{BusinessId, ClientId};
    /// let maria = Client::new(ClientId::random(), BusinessId::random(), "Maria Conceição")?
    ///     .with_phone(Some(Phone::parse("(11) 98888-7777")?));
    /// assert!(maria.matches("conceicao"));
    /// assert!(maria.matches("98888"));
    /// assert!(!maria.matches("joão"));
    /// # Ok::<(), agendo_core::Error>(())
    /// ```
    pub fn matches(&self, query: &str) -> bool {
        let query = fold(query.trim());
        if query.is_empty() {
            return true;
        }
        let digits: String = query.chars().filter(char::is_ascii_digit).collect();
        fold(self.name()).contains(&query)
            || self
                .email()
                .is_some_and(|e| e.as_str().to_lowercase().contains(&query))
            || (digits.len() >= 3 && self.phone().is_some_and(|p| p.as_str().contains(&digits)))
    }

    /// Whether the client is the person with `email` (case ignored) or,
    /// failing that, `phone`: how a client booking without signing in is
    /// recognized.
    fn is_contact(&self, email: Option<&Email>, phone: Option<&Phone>) -> bool {
        self.email().zip(email).is_some_and(|(mine, given)| {
            mine.as_str().to_lowercase() == given.as_str().to_lowercase()
        }) || phone.is_some_and(|p| self.phone() == Some(p))
    }
}

/// The active client of `clients` who is the person with `email`, else the
/// one with `phone` (R24: a returning client keeps one history).
pub(crate) fn find_contact<'a>(
    clients: &'a [Client],
    email: Option<&Email>,
    phone: Option<&Phone>,
) -> Option<&'a Client> {
    let active = || clients.iter().filter(|c| c.activity() == Activity::Active);
    active()
        .find(|c| c.is_contact(email, None))
        .or_else(|| active().find(|c| c.is_contact(email, phone)))
}

/// What can be booked and blocked: a professional or a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bookable {
    /// A professional.
    Professional(ProfessionalId),
    /// A resource.
    Resource(ResourceId),
}

impl std::fmt::Display for Bookable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bookable::Professional(id) => write!(f, "professional {id}"),
            Bookable::Resource(id) => write!(f, "resource {id}"),
        }
    }
}

/// A time a professional or a resource cannot be booked: a break, a
/// vacation, an absence, maintenance (R16).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    id: BlockId,
    business: BusinessId,
    on: Bookable,
    span: Span,
    reason: Box<str>,
}

impl Block {
    /// A block of `on` during `span`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `reason` past [`MAX_NAME_CHARS`], for `start`
    /// or `end` outside the years the engine answers for.
    pub fn new(
        id: BlockId,
        business: BusinessId,
        on: Bookable,
        span: Span,
        reason: &str,
    ) -> Result<Block, Error> {
        crate::time::check_instant(span.start(), "start")?;
        crate::time::check_instant(span.end(), "end")?;
        Ok(Block {
            id,
            business,
            on,
            span,
            reason: bounded("reason", reason.trim(), MAX_NAME_CHARS)?,
        })
    }

    /// The id.
    pub fn id(&self) -> BlockId {
        self.id
    }
    /// The business it belongs to.
    pub fn business(&self) -> BusinessId {
        self.business
    }
    /// Who or what is blocked.
    pub fn on(&self) -> Bookable {
        self.on
    }
    /// When.
    pub fn span(&self) -> Span {
        self.span
    }
    /// Why, maybe empty.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_open_around_the_clock_by_default() {
        let room = Resource::new(ResourceId::random(), BusinessId::random(), "Sala 1").unwrap();
        for day in 1..=7 {
            let date = chrono::NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
            assert_eq!(room.hours().windows_on(date).len(), 1, "{date}");
        }
    }

    #[test]
    fn attribute_names_are_reported_with_their_path() {
        let client = Client::new(ClientId::random(), BusinessId::random(), "Ana").unwrap();
        let err = client.with_attribute(" ", "x").unwrap_err();
        assert_eq!(err.field(), Some("attributes. "));
        let long = "x".repeat(MAX_ATTRIBUTE_VALUE_CHARS + 1);
        let client = Client::new(ClientId::random(), BusinessId::random(), "Ana").unwrap();
        let err = client.with_attribute("skin", &long).unwrap_err();
        assert_eq!(err.field(), Some("attributes.skin"));
    }

    #[test]
    fn names_and_notes_refuse_control_characters_but_notes_keep_line_breaks() {
        let business = BusinessId::random();
        let err = Client::new(ClientId::random(), business, "Ana\0").unwrap_err();
        assert_eq!(err.field(), Some("name"));
        assert_eq!(
            err.to_string(),
            "name: has a control character (U+0000) at character 4"
        );
        let err = Professional::new(ProfessionalId::random(), business, "Ana\nBia").unwrap_err();
        assert_eq!(err.field(), Some("name"));
        // Trimmed first: a name typed with a trailing newline is fine.
        assert!(Professional::new(ProfessionalId::random(), business, "Ana\n").is_ok());
        assert!(bounded("notes", "1. lavar\n2.\tsecar", MAX_TEXT_CHARS).is_ok());
        let err = bounded("notes", "ok\u{7}", MAX_TEXT_CHARS).unwrap_err();
        assert_eq!(err.field(), Some("notes"));
        let err = Client::new(ClientId::random(), business, "Ana")
            .unwrap()
            .with_attribute("pele", "oleosa\u{0}")
            .unwrap_err();
        assert_eq!(err.field(), Some("attributes.pele"));
    }

    #[test]
    fn professional_capacity_is_at_least_one() {
        let ana = Professional::new(ProfessionalId::random(), BusinessId::random(), "Ana").unwrap();
        assert_eq!(ana.with_capacity(0).unwrap_err().field(), Some("capacity"));
    }

    #[test]
    fn negative_prices_are_refused() {
        let price = Money::parse("-1", Currency::BRL).unwrap();
        let err = Service::new(
            ServiceId::random(),
            BusinessId::random(),
            "Corte",
            30,
            price,
        )
        .unwrap_err();
        assert_eq!(err.field(), Some("price"));
    }
}
