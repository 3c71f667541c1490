//! Outgoing webhooks (R46): a business's endpoints get its events as they
//! happen, each delivery signed, retried with backoff and logged.
//!
//! An [`Endpoint`] is a URL, the event types it wants (all when none) and
//! a signing secret the host keeps sealed. Every event of the outbox an
//! endpoint wants becomes one [`HookDelivery`], queued when messages are
//! gathered, with an id derived from the endpoint and the event's number
//! ([`DeliveryId::of`]), so it is queued once and a receiver recognises a
//! delivery sent again. The host posts it ([`Hooks`]) and the engine
//! records the answer: a 2xx is delivered; a 410 Gone disables the endpoint
//! (the receiver asked to stop); anything else, or no answer, is tried
//! again with the messages' backoff ([`crate::message::retry_at`]) until
//! it is dead after [`crate::message::MAX_ATTEMPTS`]. A delivery, dead or
//! not, can be sent again by hand (a replay).
//!
//! Addresses on loopback, private, link-local or otherwise internal
//! networks are refused ([`read_url`], [`is_internal`]), so a business
//! cannot make the server call into the network it runs in; a host may
//! allow them for tests.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::agenda::EVENT_KINDS;
use crate::error::{Error, Problem};
use crate::ids::{BusinessId, DeliveryId, EndpointId};
use crate::message::{MessageStatus, Outcome};

/// The longest endpoint URL, in characters.
pub const MAX_URL: usize = 2_048;

/// A business's webhook endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Its id.
    pub id: EndpointId,
    /// The business.
    pub business: BusinessId,
    /// Where deliveries are posted.
    pub url: String,
    /// The event types it wants, sorted; all when empty.
    pub events: Vec<String>,
    /// The signing secret, sealed by the host.
    pub sealed_secret: Vec<u8>,
    /// Whether deliveries go to it.
    pub active: bool,
    /// Why it was disabled, if it was.
    pub disabled_reason: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl Endpoint {
    /// Whether it wants events of type `kind`.
    pub fn wants(&self, kind: &str) -> bool {
        self.active && (self.events.is_empty() || self.events.iter().any(|e| e == kind))
    }
}

/// Reads an endpoint's URL: `https://` or `http://`, a host, no user or
/// password, at most [`MAX_URL`] characters, and (unless `allow_internal`)
/// not a loopback, private or link-local address nor `localhost`.
///
/// # Errors
/// [`Error::Invalid`] for `url`.
///
/// ```
/// use agendo_core::webhook::read_url;
/// assert!(read_url("https://crm.example.com/agendo", false).is_ok());
/// assert!(read_url("http://10.0.0.5/hook", false).is_err());
/// assert!(read_url("http://[::1]:8080/hook", false).is_err());
/// assert!(read_url("http://127.0.0.1:9000/hook", true).is_ok());
/// assert!(read_url("ftp://example.com", false).is_err());
/// ```
pub fn read_url(text: &str, allow_internal: bool) -> Result<String, Error> {
    let text = text.trim();
    let bad = |expected: &'static str| {
        Error::invalid(
            "url",
            Problem::UnknownValue {
                value: crate::error::clip(text),
                expected,
            },
        )
    };
    if text.chars().count() > MAX_URL {
        return Err(Error::invalid(
            "url",
            Problem::TooLong {
                len: text.chars().count(),
                max: MAX_URL,
            },
        ));
    }
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .ok_or_else(|| bad("an https:// or http:// address"))?;
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("an address without spaces"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad("an address without a user or password"));
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    if host.is_empty() {
        return Err(bad("an address with a host"));
    }
    if !allow_internal {
        let lower = host.to_ascii_lowercase();
        let named_local = lower == "localhost" || lower.ends_with(".localhost");
        let internal_ip = host.parse::<IpAddr>().is_ok_and(is_internal);
        if named_local || internal_ip {
            return Err(bad(
                "a public address (not loopback, private or link-local)",
            ));
        }
    }
    Ok(text.to_owned())
}

/// Whether `ip` is on a network a webhook must not reach from the server:
/// loopback, private, link-local, shared (CGNAT), unspecified, multicast,
/// broadcast, documentation, or unique-local / link-local IPv6 (and IPv4
/// inside IPv6).
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return internal_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || v6 == Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0)
        }
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
}

/// Reads the event types an endpoint wants: each one of the outbox's
/// ([`EVENT_KINDS`]), sorted and without repeats; none means all.
///
/// # Errors
/// [`Error::Invalid`] for `events[i]` naming an unknown type.
pub fn read_events(events: &[String]) -> Result<Vec<String>, Error> {
    let mut out = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let event = event.trim();
        if !EVENT_KINDS.contains(&event) {
            return Err(Error::invalid(
                format!("events[{i}]"),
                Problem::UnknownValue {
                    value: crate::error::clip(event),
                    expected: "an event type of GET /v1/events, such as booking_created",
                },
            ));
        }
        out.push(event.to_owned());
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// One event for one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookDelivery {
    /// Its id, derived from the endpoint and the event's number.
    pub id: DeliveryId,
    /// The business.
    pub business: BusinessId,
    /// The endpoint.
    pub endpoint: EndpointId,
    /// The event's number in the outbox.
    pub event_number: u64,
    /// The event's type.
    pub event_type: String,
    /// The JSON body posted.
    pub payload: String,
    /// Pending, sent (delivered) or dead.
    pub status: MessageStatus,
    /// How many times it was posted.
    pub attempts: u32,
    /// When it may be posted (again).
    pub next_at: DateTime<Utc>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// The HTTP status the receiver last answered, if it answered.
    pub last_status: Option<u16>,
    /// How long the last try took, in milliseconds.
    pub latency_ms: Option<u32>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was delivered.
    pub sent_at: Option<DateTime<Utc>>,
}

/// A delivery a worker took to post, with its lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimedHook {
    /// The delivery, its attempts counting this one.
    pub delivery: HookDelivery,
    /// The lease: only its holder records the outcome.
    pub lease: Uuid,
}

/// What a receiver did with a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookAnswer {
    /// It answered with this HTTP status.
    Status {
        /// The status.
        status: u16,
        /// How long the exchange took, in milliseconds.
        millis: u32,
    },
    /// It could not be reached, or did not answer in time.
    Unreachable {
        /// Why.
        reason: String,
        /// How long the try took, in milliseconds.
        millis: u32,
    },
}

/// What a delivery's try comes to: the outcome to record, and whether the
/// endpoint is to be disabled (it answered 410 Gone).
pub fn hook_outcome(
    answer: &HookAnswer,
    attempts: u32,
    now: DateTime<Utc>,
    jitter: u16,
) -> (Outcome, bool) {
    use crate::message::{Delivery, Retry};
    match answer {
        HookAnswer::Status { status, .. } if (200..300).contains(status) => (
            Outcome::Sent {
                at: now,
                reference: Some(status.to_string()),
            },
            false,
        ),
        HookAnswer::Status { status: 410, .. } => (
            Outcome::Dead {
                error: "410 Gone: the receiver asked to stop; the endpoint is disabled".into(),
            },
            true,
        ),
        HookAnswer::Status { status, .. } => {
            let failed = Delivery::Failed {
                reason: format!("the receiver answered {status}"),
                retry: Retry::Later { after: None },
            };
            (Outcome::of(failed, attempts, now, jitter), false)
        }
        HookAnswer::Unreachable { reason, .. } => {
            let failed = Delivery::Failed {
                reason: reason.clone(),
                retry: Retry::Later { after: None },
            };
            (Outcome::of(failed, attempts, now, jitter), false)
        }
    }
}

/// The host's port for posting deliveries: signing (with the endpoint's
/// secret, which the host unseals), the HTTP request and its time-out.
#[async_trait]
pub trait Hooks: Send + Sync {
    /// Posts `delivery` to `endpoint`. Never panics on what a receiver
    /// answers.
    async fn post(&self, endpoint: &Endpoint, delivery: &HookDelivery) -> HookAnswer;
}

impl DeliveryId {
    /// The id of the delivery of event `number` to `endpoint`.
    pub fn of(endpoint: EndpointId, number: u64) -> DeliveryId {
        DeliveryId::from_uuid(Uuid::new_v5(
            &endpoint.as_uuid(),
            number.to_string().as_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_networks_are_refused_and_public_ones_taken() {
        for url in [
            "http://127.0.0.1/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://localhost:8080/",
            "http://api.localhost/",
            "https://user:pass@example.com/",
            "https://",
            "javascript:alert(1)",
        ] {
            assert!(read_url(url, false).is_err(), "{url}");
        }
        for url in ["https://example.com/hook", "http://203.0.114.1:8080/x?y=1"] {
            assert_eq!(read_url(url, false).unwrap(), url);
        }
    }

    #[test]
    fn event_types_are_known_sorted_and_once() {
        let read = read_events(&[
            "booking_created".into(),
            "booking_cancelled".into(),
            "booking_created".into(),
        ])
        .unwrap();
        assert_eq!(read, ["booking_cancelled", "booking_created"]);
        let err = read_events(&["booking_created".into(), "booking_eaten".into()]).unwrap_err();
        assert_eq!(err.field(), Some("events[1]"));
    }

    #[test]
    fn a_410_disables_and_other_failures_retry() {
        let now = "2026-12-07T12:00:00Z".parse().unwrap();
        let gone = HookAnswer::Status {
            status: 410,
            millis: 3,
        };
        assert!(matches!(
            hook_outcome(&gone, 1, now, 0),
            (Outcome::Dead { .. }, true)
        ));
        let down = HookAnswer::Status {
            status: 500,
            millis: 3,
        };
        assert!(matches!(
            hook_outcome(&down, 1, now, 0),
            (Outcome::Retry { .. }, false)
        ));
        let ok = HookAnswer::Status {
            status: 204,
            millis: 3,
        };
        assert!(matches!(
            hook_outcome(&ok, 1, now, 0),
            (Outcome::Sent { .. }, false)
        ));
    }
}
