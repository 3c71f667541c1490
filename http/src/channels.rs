//! The host's channels: the engine's [`Channels`] port over the providers
//! this host is set up for. E-mail goes through the SMTP server of
//! `AGENDO_SMTP_URL` with `lettre` (TLS, STARTTLS or neither, as the URL
//! says); each e-mail carries the message's id as its `Message-ID`, so a
//! copy sent again after a crash is recognisably the same message.
//!
//! What a provider answers becomes a [`Delivery`]: a permanent SMTP
//! refusal (5xx: no such mailbox) is not retried; a transient one (4xx),
//! a connection that fails or a server that does not answer within
//! `AGENDO_SEND_TIMEOUT_SECONDS` is retried by the engine's backoff.

use std::time::Duration;

use agendo_core::message::{ChannelKind, ChannelSetup, Channels, Delivery, Message, Reach, Retry};
use async_trait::async_trait;
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::Config;
use crate::error::Error;

/// The providers this host sends through.
pub struct HostChannels {
    email: Option<Mailer>,
    timeout: Duration,
}

struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl HostChannels {
    /// The channels `config` sets up.
    ///
    /// # Errors
    /// [`Error::Config`] for an SMTP URL or sender lettre cannot use.
    pub fn from_config(config: &Config) -> Result<HostChannels, Error> {
        let email = match &config.smtp {
            None => None,
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| Error::Config {
                        var: "AGENDO_SMTP_URL",
                        problem: format!("cannot be used: {e}"),
                    })?
                    .timeout(Some(config.send_timeout))
                    .build();
                let from = config.mail_from.parse().map_err(|e| Error::Config {
                    var: "AGENDO_MAIL_FROM",
                    problem: format!("is not an address: {e}"),
                })?;
                Some(Mailer { transport, from })
            }
        };
        Ok(HostChannels {
            email,
            timeout: config.send_timeout,
        })
    }

    /// The real channels that go out for every business.
    pub fn reach(&self) -> Reach {
        Reach {
            email: self.email.is_some(),
            whatsapp: false,
            sms: false,
        }
    }

    async fn email(&self, message: &Message) -> Delivery {
        let Some(mailer) = &self.email else {
            return not_set_up(ChannelKind::Email);
        };
        let to = match message.address.parse() {
            Ok(address) => Mailbox::new(Some(message.name.clone()), address),
            Err(e) => {
                return Delivery::Failed {
                    reason: format!("the address {:?} cannot be mailed: {e}", message.address),
                    retry: Retry::Never,
                }
            }
        };
        let email = lettre::Message::builder()
            .from(mailer.from.clone())
            .to(to)
            .subject(message.title.clone())
            .message_id(Some(format!("<{}@agendo>", message.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(message.body.clone());
        let email = match email {
            Ok(email) => email,
            Err(e) => {
                return Delivery::Failed {
                    reason: format!("the e-mail cannot be written: {e}"),
                    retry: Retry::Never,
                }
            }
        };
        match tokio::time::timeout(self.timeout, mailer.transport.send(email)).await {
            Err(_) => Delivery::Failed {
                reason: format!(
                    "the SMTP server did not answer within {} s",
                    self.timeout.as_secs()
                ),
                retry: Retry::Later { after: None },
            },
            Ok(Ok(response)) => Delivery::Sent {
                reference: Some(
                    format!(
                        "{} {}",
                        response.code(),
                        response.message().collect::<Vec<_>>().join(" ")
                    )
                    .trim()
                    .to_owned(),
                ),
            },
            Ok(Err(e)) => Delivery::Failed {
                reason: format!("SMTP: {e}"),
                retry: if e.is_permanent() {
                    Retry::Never
                } else {
                    Retry::Later { after: None }
                },
            },
        }
    }
}

fn not_set_up(channel: ChannelKind) -> Delivery {
    Delivery::Failed {
        reason: format!("the {channel} channel is not set up on this server"),
        retry: Retry::Never,
    }
}

#[async_trait]
impl Channels for HostChannels {
    async fn send(&self, message: &Message, _setup: Option<&ChannelSetup>) -> Delivery {
        match message.channel {
            ChannelKind::Email => self.email(message).await,
            other => not_set_up(other),
        }
    }
}
