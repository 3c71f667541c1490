//! Messages that go out: e-mail, WhatsApp, SMS, a professional's inbox
//! (R28–R33).
//!
//! [`crate::notify::due_notices`] says which notices are due;
//! [`crate::agenda::Agenda::gather`] turns each into [`Message`]s (one per
//! channel that reaches the person, the text from the business's
//! [`Template`] or the default) and queues them in the store under an id
//! derived from the notice ([`MessageId::of`]), so a notice found twice,
//! by two workers or after a restart, is queued once.
//! [`crate::agenda::Agenda::deliver`] claims queued messages, hands each to
//! the host's [`Channels`] and records what happened: sent, to be retried
//! (exponential backoff with jitter, [`retry_at`]), or dead after
//! [`MAX_ATTEMPTS`] or a refusal that will not change (a number WhatsApp
//! does not know), with the reason kept.
//!
//! Two channels need no outside service and live here: a professional's
//! inbox ([`ChannelKind::Inbox`], delivered when queued) and the
//! development channel ([`ChannelKind::Dev`]), which records the message
//! instead of sending it: the default until the business or the host sets
//! up a real channel, so nothing is sent by accident and every message can
//! still be read.
//!
//! A message claimed by a worker that dies before recording the outcome is
//! claimed again once its lease lapses: it may then go out twice, with the
//! same id both times, so a receiver that keeps ids drops the copy.

mod template;

pub use template::{
    Form, Template, Topic, BOOKING_VARIABLES, MAX_BODY, MAX_TITLE, PAYMENT_VARIABLES,
};

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::contact::{Email, Phone};
use crate::error::{Error, Problem};
use crate::ids::{BusinessId, ClientId, MessageId, ProfessionalId};
use crate::lang::Lang;
use crate::notify::{Recipient, Subject};

/// How many times a message is tried before it is dead.
pub const MAX_ATTEMPTS: u32 = 8;
/// The wait before the first retry; each next one doubles it.
pub const FIRST_RETRY: TimeDelta = TimeDelta::seconds(30);
/// The longest wait between tries.
pub const LONGEST_RETRY: TimeDelta = TimeDelta::hours(1);
/// The longest reason kept for a failure, in characters.
pub const MAX_REASON: usize = 500;

/// The way a message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChannelKind {
    /// E-mail, over SMTP.
    Email,
    /// WhatsApp, a template message through the WhatsApp Business API.
    Whatsapp,
    /// SMS.
    Sms,
    /// A professional's inbox in the app.
    Inbox,
    /// Recorded, not sent: the development channel.
    Dev,
}

impl ChannelKind {
    /// Every channel.
    pub const ALL: [ChannelKind; 5] = [
        ChannelKind::Email,
        ChannelKind::Whatsapp,
        ChannelKind::Sms,
        ChannelKind::Inbox,
        ChannelKind::Dev,
    ];

    /// The channel as written in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Email => "email",
            ChannelKind::Whatsapp => "whatsapp",
            ChannelKind::Sms => "sms",
            ChannelKind::Inbox => "inbox",
            ChannelKind::Dev => "dev",
        }
    }

    /// Reads a channel.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `channel`.
    pub fn parse(text: &str) -> Result<ChannelKind, Error> {
        ChannelKind::ALL
            .into_iter()
            .find(|c| c.as_str() == text.trim())
            .ok_or_else(|| {
                Error::invalid(
                    "channel",
                    Problem::UnknownValue {
                        value: crate::error::clip(text),
                        expected: "email, whatsapp, sms, inbox, dev",
                    },
                )
            })
    }

    /// The template form its messages are written in.
    pub fn form(self, to_email: bool) -> Form {
        match self {
            ChannelKind::Email => Form::Email,
            ChannelKind::Inbox => Form::Inbox,
            ChannelKind::Whatsapp | ChannelKind::Sms => Form::Text,
            ChannelKind::Dev if to_email => Form::Email,
            ChannelKind::Dev => Form::Text,
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Waiting to go, or to be tried again.
    Pending,
    /// Sent (or recorded, or in the inbox).
    Sent,
    /// Given up: the reason is kept.
    Dead,
}

impl MessageStatus {
    /// The status as written in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sent => "sent",
            MessageStatus::Dead => "dead",
        }
    }

    /// Reads a status.
    ///
    /// # Errors
    /// [`Error::Invalid`] for `status`.
    pub fn parse(text: &str) -> Result<MessageStatus, Error> {
        match text.trim() {
            "pending" => Ok(MessageStatus::Pending),
            "sent" => Ok(MessageStatus::Sent),
            "dead" => Ok(MessageStatus::Dead),
            other => Err(Error::invalid(
                "status",
                Problem::UnknownValue {
                    value: crate::error::clip(other),
                    expected: "pending, sent, dead",
                },
            )),
        }
    }
}

/// Which real channels a business can use: the host's (an SMTP server
/// for every business) and the business's own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reach {
    /// E-mail goes out.
    pub email: bool,
    /// WhatsApp goes out.
    pub whatsapp: bool,
    /// SMS goes out.
    pub sms: bool,
}

impl Reach {
    /// The channels a client with this e-mail and phone gets a message
    /// on, and the address on each: e-mail when it goes out and the client
    /// has one; WhatsApp when it goes out and the client has a phone, else
    /// SMS. When no real channel reaches the client, the development
    /// channel records one message to the e-mail (else the phone) so the
    /// business can still read what would have gone. None without either.
    pub fn routes(
        self,
        email: Option<&Email>,
        phone: Option<&Phone>,
    ) -> Vec<(ChannelKind, String)> {
        let mut routes = Vec::new();
        if let (true, Some(email)) = (self.email, email) {
            routes.push((ChannelKind::Email, email.as_str().to_owned()));
        }
        if let Some(phone) = phone {
            if self.whatsapp {
                routes.push((ChannelKind::Whatsapp, phone.as_str().to_owned()));
            } else if self.sms {
                routes.push((ChannelKind::Sms, phone.as_str().to_owned()));
            }
        }
        if routes.is_empty() {
            if let Some(address) = email
                .map(|e| e.as_str().to_owned())
                .or_else(|| phone.map(|p| p.as_str().to_owned()))
            {
                routes.push((ChannelKind::Dev, address));
            }
        }
        routes
    }
}

impl Reach {
    /// This reach and the channels the business set up itself.
    pub fn with(self, setups: &[ChannelSetup]) -> Reach {
        let has = |kind| setups.iter().any(|s| s.kind == kind);
        Reach {
            email: self.email || has(ChannelKind::Email),
            whatsapp: self.whatsapp || has(ChannelKind::Whatsapp),
            sms: self.sms || has(ChannelKind::Sms),
        }
    }
}

/// The channels a business may set up itself, with its own provider
/// account.
pub const OWN_CHANNELS: [ChannelKind; 2] = [ChannelKind::Whatsapp, ChannelKind::Sms];

/// A channel a business set up with its own provider account: the
/// settings anyone on the staff may read (an account id, a sender) and the
/// credentials, sealed by the host (the engine never sees them in clear).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelSetup {
    /// The channel: one of [`OWN_CHANNELS`].
    pub kind: ChannelKind,
    /// The provider's settings that are not secret.
    pub settings: BTreeMap<String, String>,
    /// The credentials, sealed by the host.
    pub sealed: Vec<u8>,
    /// When it was set.
    pub updated_at: DateTime<Utc>,
}

/// A message to one person on one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its id, derived from `key` ([`MessageId::of`]): the `Message-ID`
    /// of an e-mail, the idempotency key given to a provider.
    pub id: MessageId,
    /// The business it is from.
    pub business: BusinessId,
    /// The notice's dedupe key and the channel: what makes it this
    /// message and no other.
    pub key: String,
    /// The channel.
    pub channel: ChannelKind,
    /// Who it is for.
    pub recipient: Recipient,
    /// Where it goes: an e-mail, a phone in E.164, a professional's id.
    pub address: String,
    /// The person's name.
    pub name: String,
    /// What it is about.
    pub topic: Topic,
    /// The booking or receivable it is about.
    pub subject: Subject,
    /// The language it is written in.
    pub lang: Lang,
    /// The title (an e-mail's subject, the inbox line; empty for a text).
    pub title: String,
    /// The body.
    pub body: String,
    /// The template's variables as filled: what a WhatsApp template
    /// message sends as its parameters.
    pub values: BTreeMap<String, String>,
    /// When its notice became due.
    pub due_at: DateTime<Utc>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// Where it stands.
    pub status: MessageStatus,
    /// How many times it was handed to a channel.
    pub attempts: u32,
    /// When it may be tried (again).
    pub next_at: DateTime<Utc>,
    /// Why the last try failed.
    pub last_error: Option<String>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// The provider's id of the sent message, if it gave one.
    pub reference: Option<String>,
    /// When a professional marked it read (the inbox).
    pub read_at: Option<DateTime<Utc>>,
}

impl Message {
    /// The professional it is for, if it is for one.
    pub fn professional(&self) -> Option<ProfessionalId> {
        match self.recipient {
            Recipient::Professional(id) => Some(id),
            Recipient::Client(_) => None,
        }
    }

    /// The client it is for, if it is for one.
    pub fn client(&self) -> Option<ClientId> {
        match self.recipient {
            Recipient::Client(id) => Some(id),
            Recipient::Professional(_) => None,
        }
    }
}

/// A message a worker took to send, with the lease that lets it record
/// the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    /// The message, its attempts counting this one.
    pub message: Message,
    /// The lease: only the worker holding it records the outcome.
    pub lease: Uuid,
}

/// What a channel did with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted by the provider (the SMTP server, the API).
    Sent {
        /// The provider's id for it, if it gave one.
        reference: Option<String>,
    },
    /// Not sent.
    Failed {
        /// Why, as the provider said it (never a credential).
        reason: String,
        /// Whether trying again may help.
        retry: Retry,
    },
}

/// Whether a failed message is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Later: the provider was down, slow, or asked to wait (at least
    /// `after`, when it said how long).
    Later {
        /// How long the provider asked to wait, if it did.
        after: Option<TimeDelta>,
    },
    /// Never: the provider refused the message itself (an invalid number,
    /// a template it does not know).
    Never,
}

/// How a claimed message ends its try, for the store to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Sent at `at`.
    Sent {
        /// When.
        at: DateTime<Utc>,
        /// The provider's id for it.
        reference: Option<String>,
    },
    /// To be tried again at `at`.
    Retry {
        /// When.
        at: DateTime<Utc>,
        /// Why this try failed.
        error: String,
    },
    /// Dead: not tried again.
    Dead {
        /// Why.
        error: String,
    },
}

impl Outcome {
    /// What the outcome changes in a webhook delivery: every store
    /// records the same.
    pub fn apply_to_hook(&self, delivery: &mut crate::webhook::HookDelivery) {
        match self {
            Outcome::Sent { at, .. } => {
                delivery.status = MessageStatus::Sent;
                delivery.sent_at = Some(*at);
                delivery.last_error = None;
            }
            Outcome::Retry { at, error } => {
                delivery.next_at = *at;
                delivery.last_error = Some(error.clone());
            }
            Outcome::Dead { error } => {
                delivery.status = MessageStatus::Dead;
                delivery.last_error = Some(error.clone());
            }
        }
    }

    /// What the outcome changes in `message`: every store records the
    /// same.
    pub fn apply(&self, message: &mut Message) {
        match self {
            Outcome::Sent { at, reference } => {
                message.status = MessageStatus::Sent;
                message.sent_at = Some(*at);
                message.reference.clone_from(reference);
            }
            Outcome::Retry { at, error } => {
                message.next_at = *at;
                message.last_error = Some(error.clone());
            }
            Outcome::Dead { error } => {
                message.status = MessageStatus::Dead;
                message.last_error = Some(error.clone());
            }
        }
    }

    /// The outcome of `delivery` for a message tried `attempts` times, at
    /// `now`; `jitter` (0 to 1000) spreads retries of messages that failed
    /// together.
    pub fn of(delivery: Delivery, attempts: u32, now: DateTime<Utc>, jitter: u16) -> Outcome {
        match delivery {
            Delivery::Sent { reference } => Outcome::Sent { at: now, reference },
            Delivery::Failed { reason, retry } => {
                let error = clip_reason(&reason);
                match retry {
                    Retry::Never => Outcome::Dead { error },
                    Retry::Later { .. } if attempts >= MAX_ATTEMPTS => Outcome::Dead {
                        error: clip_reason(&format!(
                            "{MAX_ATTEMPTS} attempts failed; last: {error}"
                        )),
                    },
                    Retry::Later { after } => {
                        let at = retry_at(attempts, now, jitter);
                        let asked = after.map(|wait| now + wait.min(LONGEST_RETRY));
                        Outcome::Retry {
                            at: asked.map_or(at, |asked| asked.max(at)),
                            error,
                        }
                    }
                }
            }
        }
    }
}

/// When a message that failed its `attempts`-th try is tried again: the
/// wait doubles from [`FIRST_RETRY`] up to [`LONGEST_RETRY`], and `jitter`
/// (0 to 1000, thousandths) picks a point in its upper half, so messages
/// that failed together (a provider's outage) do not come back together.
///
/// ```
/// use agendo_core::message::{retry_at, FIRST_RETRY, LONGEST_RETRY};
/// let now = "2026-12-07T12:00:00Z".parse().unwrap();
/// assert_eq!(retry_at(1, now, 1000), now + FIRST_RETRY);
/// assert_eq!(retry_at(1, now, 0), now + FIRST_RETRY / 2);
/// assert_eq!(retry_at(3, now, 1000), now + FIRST_RETRY * 4);
/// assert_eq!(retry_at(30, now, 1000), now + LONGEST_RETRY);
/// ```
pub fn retry_at(attempts: u32, now: DateTime<Utc>, jitter: u16) -> DateTime<Utc> {
    let doublings = attempts.saturating_sub(1).min(16);
    let wait = (FIRST_RETRY * (1 << doublings)).min(LONGEST_RETRY);
    let half = wait / 2;
    let spread = half * i32::from(jitter.min(1000)) / 1000;
    now + half + spread
}

/// A failure's reason, cut to [`MAX_REASON`] characters on one line.
pub fn clip_reason(reason: &str) -> String {
    let line: String = reason
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.trim();
    if line.chars().count() <= MAX_REASON {
        line.to_owned()
    } else {
        let mut cut: String = line.chars().take(MAX_REASON - 1).collect();
        cut.push('…');
        cut
    }
}

/// The host's channels: the port through which messages leave. An adapter
/// per provider lives outside the engine (SMTP, the WhatsApp Business API,
/// an SMS provider); the host picks one by [`Message::channel`] and the
/// business's settings. [`ChannelKind::Inbox`] and [`ChannelKind::Dev`]
/// never reach it.
#[async_trait]
pub trait Channels: Send + Sync {
    /// Hands `message` to its channel, through the business's own
    /// `setup` of it when it has one. Never panics on what a provider
    /// answers: a failure is a [`Delivery::Failed`] with the reason.
    async fn send(&self, message: &Message, setup: Option<&ChannelSetup>) -> Delivery;
}

/// Which messages to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Only in this status.
    pub status: Option<MessageStatus>,
    /// Only on this channel.
    pub channel: Option<ChannelKind>,
    /// Only for this professional.
    pub professional: Option<ProfessionalId>,
    /// Only about this booking or receivable.
    pub subject: Option<Subject>,
}

impl MessageFilter {
    /// Whether `message` passes. Stores that filter in SQL agree.
    pub fn matches(&self, message: &Message) -> bool {
        self.status.is_none_or(|s| s == message.status)
            && self.channel.is_none_or(|c| c == message.channel)
            && self
                .professional
                .is_none_or(|p| message.professional() == Some(p))
            && self.subject.is_none_or(|s| s == message.subject)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn retries_double_then_die_after_the_last_attempt() {
        let now = at("2026-12-07T12:00:00Z");
        let failed = || Delivery::Failed {
            reason: "450 try later".into(),
            retry: Retry::Later { after: None },
        };
        let mut previous = TimeDelta::zero();
        for attempts in 1..MAX_ATTEMPTS {
            let Outcome::Retry { at, .. } = Outcome::of(failed(), attempts, now, 1000) else {
                panic!("attempt {attempts} should be retried");
            };
            assert!(at - now >= previous, "waits never shrink");
            previous = at - now;
        }
        assert!(matches!(
            Outcome::of(failed(), MAX_ATTEMPTS, now, 500),
            Outcome::Dead { .. }
        ));
    }

    #[test]
    fn a_refusal_is_dead_at_once_and_a_wait_asked_is_honoured() {
        let now = at("2026-12-07T12:00:00Z");
        let refused = Delivery::Failed {
            reason: "131026: number not on WhatsApp".into(),
            retry: Retry::Never,
        };
        assert_eq!(
            Outcome::of(refused, 1, now, 0),
            Outcome::Dead {
                error: "131026: number not on WhatsApp".into()
            }
        );
        let limited = Delivery::Failed {
            reason: "429".into(),
            retry: Retry::Later {
                after: Some(TimeDelta::minutes(10)),
            },
        };
        let Outcome::Retry { at, .. } = Outcome::of(limited, 1, now, 0) else {
            panic!("a rate limit is retried");
        };
        assert_eq!(at, now + TimeDelta::minutes(10));
    }

    #[test]
    fn reasons_are_one_line_and_bounded() {
        let long = "x\n".repeat(1000);
        let kept = clip_reason(&long);
        assert_eq!(kept.chars().count(), MAX_REASON);
        assert!(!kept.contains('\n'));
    }

    #[test]
    fn routes_prefer_whatsapp_to_sms_and_fall_back_to_recording() {
        let email = Email::parse("ana@example.com").unwrap();
        let phone = Phone::parse("+55 11 98765-4321").unwrap();
        let all = Reach {
            email: true,
            whatsapp: true,
            sms: true,
        };
        let kinds = |reach: Reach, e, p| -> Vec<ChannelKind> {
            reach.routes(e, p).into_iter().map(|(k, _)| k).collect()
        };
        assert_eq!(
            kinds(all, Some(&email), Some(&phone)),
            [ChannelKind::Email, ChannelKind::Whatsapp]
        );
        let sms = Reach {
            sms: true,
            ..Reach::default()
        };
        assert_eq!(kinds(sms, Some(&email), Some(&phone)), [ChannelKind::Sms]);
        assert_eq!(
            Reach::default().routes(Some(&email), Some(&phone)),
            [(ChannelKind::Dev, "ana@example.com".to_owned())]
        );
        assert!(Reach::default().routes(None, None).is_empty());
    }
}
