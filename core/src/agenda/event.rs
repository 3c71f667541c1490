//! Events: what each command did, kept in the business's outbox in the
//! command's own unit of work, numbered 1, 2, 3… per business, so an
//! integration (a CRM, a WhatsApp sender, an accountant's sheet) can follow
//! everything that happens without polling every record.
//!
//! A command that fails or is rolled back leaves no event; an event is
//! seen by readers only once its command committed, and in number order:
//! a store makes writers of one business's outbox take turns, so a reader
//! that saw event `n` never later finds one numbered below `n`.
//!
//! An event names its records by id and carries what a follower most often
//! needs (the booking's start, the amount); the records themselves are read
//! through the use cases. Its JSON form (`{"type": "booking_created", …}`)
//! is the wire form of `GET /v1/events` and of the bindings.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{
    AccountId, BlockId, BookingId, ClientId, PaymentId, ProfessionalId, ReceivableId, ResourceId,
    SeriesId, ServiceId,
};

/// Every event type, as [`Event::kind`] writes it.
pub const EVENT_KINDS: &[&str] = &[
    "business_changed",
    "service_created",
    "service_changed",
    "professional_created",
    "professional_changed",
    "hours_changed",
    "resource_saved",
    "client_created",
    "client_changed",
    "account_created",
    "block_added",
    "block_removed",
    "booking_created",
    "booking_confirmed",
    "booking_rescheduled",
    "booking_cancelled",
    "booking_completed",
    "booking_no_show",
    "payment_recorded",
    "payment_approved",
    "payment_refused",
    "payment_refunded",
    "commissions_changed",
    "picture_changed",
    "receivable_created",
    "receivable_paid",
];

/// Something that happened to a business's agenda.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// The business's settings changed.
    BusinessChanged,
    /// A service was added.
    ServiceCreated {
        /// The service.
        service: ServiceId,
    },
    /// A service was changed or retired.
    ServiceChanged {
        /// The service.
        service: ServiceId,
    },
    /// A professional was added.
    ProfessionalCreated {
        /// The professional.
        professional: ProfessionalId,
    },
    /// A professional was changed or retired.
    ProfessionalChanged {
        /// The professional.
        professional: ProfessionalId,
    },
    /// A professional's working hours were replaced.
    HoursChanged {
        /// The professional.
        professional: ProfessionalId,
    },
    /// A resource (a room, a machine) was added or changed.
    ResourceSaved {
        /// The resource.
        resource: ResourceId,
    },
    /// A client was added.
    ClientCreated {
        /// The client.
        client: ClientId,
    },
    /// A client was changed or retired.
    ClientChanged {
        /// The client.
        client: ClientId,
    },
    /// A login was added.
    AccountCreated {
        /// The account.
        account: AccountId,
    },
    /// Time was blocked.
    BlockAdded {
        /// The block.
        block: BlockId,
        /// When it starts.
        start: DateTime<Utc>,
        /// When it ends (not included).
        end: DateTime<Utc>,
    },
    /// A block was removed.
    BlockRemoved {
        /// The block.
        block: BlockId,
    },
    /// A booking was made (pending, or confirmed at once).
    BookingCreated {
        /// The booking.
        booking: BookingId,
        /// Its professional.
        professional: ProfessionalId,
        /// Its client.
        client: ClientId,
        /// Its service.
        service: ServiceId,
        /// When the appointment starts.
        start: DateTime<Utc>,
        /// Its series, if it is an occurrence of one.
        series: Option<SeriesId>,
    },
    /// A booking was confirmed, by hand or by a payment.
    BookingConfirmed {
        /// The booking.
        booking: BookingId,
    },
    /// A booking was moved.
    BookingRescheduled {
        /// The booking.
        booking: BookingId,
        /// Its start before.
        from: DateTime<Utc>,
        /// Its start now.
        to: DateTime<Utc>,
    },
    /// A booking was cancelled.
    BookingCancelled {
        /// The booking.
        booking: BookingId,
        /// Who cancelled: `client` or `business`.
        by: String,
        /// The fee kept, as decimal text in the business's currency.
        fee: String,
        /// The refund owed, as decimal text.
        refund: String,
    },
    /// A booking was performed.
    BookingCompleted {
        /// The booking.
        booking: BookingId,
    },
    /// The client did not come.
    BookingNoShow {
        /// The booking.
        booking: BookingId,
        /// The fee kept, as decimal text.
        fee: String,
        /// The refund owed, as decimal text.
        refund: String,
    },
    /// A payment was recorded (pending or approved).
    PaymentRecorded {
        /// The payment.
        payment: PaymentId,
        /// Its booking, if any.
        booking: Option<BookingId>,
        /// How much, as decimal text in the business's currency.
        amount: String,
    },
    /// A payment came in.
    PaymentApproved {
        /// The payment.
        payment: PaymentId,
    },
    /// A pending payment was refused.
    PaymentRefused {
        /// The payment.
        payment: PaymentId,
    },
    /// Part or all of a payment was refunded.
    PaymentRefunded {
        /// The payment.
        payment: PaymentId,
        /// How much this refund gives back, as decimal text.
        amount: String,
    },
    /// The business's commission rules were replaced.
    CommissionsChanged,
    /// A picture was set or removed.
    PictureChanged {
        /// Whose: `logo`, `professional:{id}`.
        subject: String,
    },
    /// A receivable was made.
    ReceivableCreated {
        /// The receivable.
        receivable: ReceivableId,
        /// Who owes.
        client: ClientId,
        /// How much, as decimal text in the business's currency.
        amount: String,
        /// The last day to pay, in the business's zone.
        due: NaiveDate,
    },
    /// A receivable was marked paid.
    ReceivablePaid {
        /// The receivable.
        receivable: ReceivableId,
    },
}

impl Event {
    /// Its type, as in its JSON form: `booking_created`, `payment_refunded`…
    pub fn kind(&self) -> &'static str {
        match self {
            Event::BusinessChanged => "business_changed",
            Event::ServiceCreated { .. } => "service_created",
            Event::ServiceChanged { .. } => "service_changed",
            Event::ProfessionalCreated { .. } => "professional_created",
            Event::ProfessionalChanged { .. } => "professional_changed",
            Event::HoursChanged { .. } => "hours_changed",
            Event::ResourceSaved { .. } => "resource_saved",
            Event::ClientCreated { .. } => "client_created",
            Event::ClientChanged { .. } => "client_changed",
            Event::AccountCreated { .. } => "account_created",
            Event::BlockAdded { .. } => "block_added",
            Event::BlockRemoved { .. } => "block_removed",
            Event::BookingCreated { .. } => "booking_created",
            Event::BookingConfirmed { .. } => "booking_confirmed",
            Event::BookingRescheduled { .. } => "booking_rescheduled",
            Event::BookingCancelled { .. } => "booking_cancelled",
            Event::BookingCompleted { .. } => "booking_completed",
            Event::BookingNoShow { .. } => "booking_no_show",
            Event::PaymentRecorded { .. } => "payment_recorded",
            Event::PaymentApproved { .. } => "payment_approved",
            Event::PaymentRefused { .. } => "payment_refused",
            Event::PaymentRefunded { .. } => "payment_refunded",
            Event::CommissionsChanged => "commissions_changed",
            Event::PictureChanged { .. } => "picture_changed",
            Event::ReceivableCreated { .. } => "receivable_created",
            Event::ReceivablePaid { .. } => "receivable_paid",
        }
    }

    /// The JSON text a store keeps.
    pub fn to_json(&self) -> String {
        // An event is ids, instants and text: it always serializes.
        serde_json::to_string(self).unwrap_or_else(|_| format!("{{\"type\":\"{}\"}}", self.kind()))
    }

    /// Reads an event kept as JSON text.
    ///
    /// # Errors
    /// [`crate::Error::Storage`] when the text is not an event.
    pub fn from_json(text: &str) -> Result<Event, crate::Error> {
        serde_json::from_str(text).map_err(|e| crate::Error::Storage {
            detail: format!("an event does not read back: {e}"),
        })
    }
}

/// An event as kept: its number in the business's outbox and when its
/// command ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventRecord {
    /// 1, 2, 3… per business, without a gap, in the order events became
    /// visible: a reader that saw `n` never later finds one below it.
    pub number: u64,
    /// The command's `now`.
    pub at: DateTime<Utc>,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// The events a command records as it runs, written by the runner in the
/// command's unit of work, and the bookings it ended as it wrote them, so
/// the use case answers with them instead of reading them again.
#[derive(Debug, Default)]
pub(super) struct Journal {
    pub(super) events: Vec<Event>,
    pub(super) ended: Vec<super::Ended>,
}

impl Journal {
    pub(super) fn record(&mut self, event: Event) {
        self.events.push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_is_the_type_of_the_json_form() {
        let events = [
            Event::BusinessChanged,
            Event::BookingNoShow {
                booking: BookingId::random(),
                fee: "10.00".to_owned(),
                refund: "0.00".to_owned(),
            },
            Event::PaymentRefunded {
                payment: PaymentId::random(),
                amount: "5.00".to_owned(),
            },
            Event::AccountCreated {
                account: AccountId::random(),
            },
        ];
        for event in events {
            let json: serde_json::Value = serde_json::from_str(&event.to_json()).unwrap();
            assert_eq!(json["type"], event.kind());
            assert_eq!(Event::from_json(&event.to_json()).unwrap(), event);
        }
    }
}
