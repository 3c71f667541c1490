//! Ids of the records a business keeps.
//!
//! Every id is a random (version 4) UUID wrapped in a type of its own, so a
//! booking id cannot be passed where a client id is wanted, and an id cannot
//! be guessed from another: a client who knows the id of their own booking
//! learns nothing about anyone else's. The business a record belongs to is a
//! field of the record (R7), never part of its id, so ids stay short and
//! stores filter by both.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::error::{Error, Problem};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A new id, random and unguessable.
            pub fn random() -> $name {
                $name(Uuid::new_v4())
            }

            /// The id that `uuid` names, as a store reads it back.
            pub fn from_uuid(uuid: Uuid) -> $name {
                $name(uuid)
            }

            /// Reads an id written as a UUID (`67e55044-10b1-426f-9247-bb680e5fe0c8`).
            ///
            /// # Errors
            /// [`Error::Invalid`] with [`Problem::BadId`].
            ///
            /// # Example
            /// ```
            #[doc = concat!("use agendo_core::ids::", stringify!($name), ";")]
            #[doc = concat!("let id = ", stringify!($name), "::random();")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::parse(&id.to_string())?, id);")]
            #[doc = concat!("assert!(", stringify!($name), "::parse(\"42\").is_err());")]
            /// # Ok::<(), agendo_core::Error>(())
            /// ```
            pub fn parse(text: &str) -> Result<$name, Error> {
                Uuid::try_parse(text).map($name).map_err(|_| {
                    Error::invalid(
                        $field,
                        Problem::BadId {
                            value: crate::error::clip(text),
                        },
                    )
                })
            }

            /// The UUID, for a store to write.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(&self.0.hyphenated())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Uuid::try_parse(&text)
                    .map($name)
                    .map_err(|_| serde::de::Error::custom(format!("{text:?} is not an id")))
            }
        }

        impl FromStr for $name {
            type Err = Error;

            fn from_str(text: &str) -> Result<$name, Error> {
                $name::parse(text)
            }
        }
    };
}

id!(
    /// A business: the barber shop, the nail studio.
    BusinessId,
    "business_id"
);
id!(
    /// A professional who performs services.
    ProfessionalId,
    "professional_id"
);
id!(
    /// A service a business sells.
    ServiceId,
    "service_id"
);
id!(
    /// A client of a business.
    ClientId,
    "client_id"
);
id!(
    /// A room, chair or machine booked together with a professional.
    ResourceId,
    "resource_id"
);
id!(
    /// A block in a professional's or resource's calendar.
    BlockId,
    "block_id"
);
id!(
    /// A booking.
    BookingId,
    "booking_id"
);
id!(
    /// The bookings made together from one recurrence rule.
    SeriesId,
    "series_id"
);
id!(
    /// A payment.
    PaymentId,
    "payment_id"
);
id!(
    /// An amount a client owes.
    ReceivableId,
    "receivable_id"
);
id!(
    /// A person who signs in to a business.
    AccountId,
    "account_id"
);
id!(
    /// One sign-in of an account, shared by the refresh tokens it issues.
    SessionId,
    "session_id"
);
id!(
    /// A message to a client or a professional. Unlike the others it is
    /// not random: [`MessageId::of`] derives it from what the message is,
    /// so every worker that finds the same notice due makes the same id.
    MessageId,
    "message_id"
);

id!(
    /// A business's webhook endpoint.
    EndpointId,
    "endpoint_id"
);
id!(
    /// One event posted to one webhook endpoint. Derived from both
    /// ([`DeliveryId::of`](crate::ids::DeliveryId::of)), not random.
    DeliveryId,
    "delivery_id"
);

impl MessageId {
    /// The id of the message `key` names in `business` (a version 5 UUID):
    /// the same key always gives the same id, and the receiver sees it as
    /// the message's `Message-ID` or idempotency key.
    pub fn of(business: BusinessId, key: &str) -> MessageId {
        MessageId(Uuid::new_v5(&business.as_uuid(), key.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_text() {
        let id = BookingId::random();
        assert_eq!(id.to_string().parse::<BookingId>().unwrap(), id);
        assert_eq!(BookingId::from_uuid(id.as_uuid()), id);
    }

    #[test]
    fn random_ids_differ() {
        assert_ne!(ClientId::random(), ClientId::random());
    }

    #[test]
    fn a_bad_id_names_its_field() {
        let err = ServiceId::parse("not-a-uuid").unwrap_err();
        assert_eq!(err.field(), Some("service_id"));
        assert!(err.to_string().contains("not-a-uuid"), "{err}");
    }
}
