//! The host's channels: the engine's [`Channels`] port over the providers
//! this host is set up for. E-mail goes through the SMTP server of
//! `AGENDO_SMTP_URL` with `lettre` (TLS, STARTTLS or neither, as the URL
//! says); each e-mail carries the message's id as its `Message-ID`, so a
//! copy sent again after a crash is recognisably the same message.
//!
//! WhatsApp and SMS go through the business's own provider account, set
//! up with `PUT /v1/channels/…` (`ChannelSetup`, its credentials sealed by
//! [`Sealer`]):
//! - WhatsApp: a template message through the WhatsApp Business Cloud API
//!   (`POST {AGENDO_WHATSAPP_API_URL}/{phone_number_id}/messages`, bearer
//!   token). The template is `{template_prefix}{topic}` (`agendo_` and
//!   `booking_made`, say), approved beforehand in the business's WhatsApp
//!   Manager in its language (`pt_BR`, `en`), with the topic's variables
//!   as its body parameters, in the order `GET /v1/templates` lists them.
//!   The message's id goes as `biz_opaque_callback_data`.
//! - SMS: Twilio's Messages API (`POST
//!   {AGENDO_TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json`,
//!   basic auth), the text of the business's template.
//!
//! What a provider answers becomes a [`Delivery`]: a permanent refusal
//! (an SMTP 5xx, a number WhatsApp or Twilio does not take, a template
//! WhatsApp does not know, credentials refused) is not retried; a
//! transient one (an SMTP 4xx, a rate limit, a provider's 5xx), a
//! connection that fails or a provider that does not answer within
//! `AGENDO_SEND_TIMEOUT_SECONDS` is retried by the engine's backoff, no
//! sooner than a `Retry-After` asks.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use agendo_core::agenda::{link_mail, Issued, TokenPurpose};
use agendo_core::ids::BusinessId;
use agendo_core::message::{ChannelKind, ChannelSetup, Channels, Delivery, Message, Reach, Retry};
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::TimeDelta;
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{json, Value};

use crate::config::Config;
use crate::error::Error;
use crate::outbound::{Answer, Outbound};
use crate::sealing::Sealer;
use agendo_core::webhook::{Endpoint, HookAnswer, HookDelivery, Hooks};
use hyper::header::{HeaderName, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};

/// The providers this host sends through.
pub struct HostChannels {
    email: Option<Mailer>,
    timeout: Duration,
    outbound: Outbound,
    sealer: Arc<Sealer>,
    whatsapp_api: String,
    twilio_api: String,
    allow_internal: bool,
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
    pub fn from_config(config: &Config, secret: &str) -> Result<HostChannels, Error> {
        let email = match &config.smtp {
            None => None,
            Some(url) => {
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| Error::Config {
                        var: "AGENDO_SMTP_URL",
                        problem: format!("cannot be used: {e}"),
                    })?
                    .timeout(Some(config.send_timeout));
                if let Some(ca) = &config.smtp_ca {
                    builder = builder.tls(tls_trusting(url.expose(), ca)?);
                }
                let transport = builder.build();
                let from = config.mail_from.parse().map_err(|e| Error::Config {
                    var: "AGENDO_MAIL_FROM",
                    problem: format!("is not an address: {e}"),
                })?;
                Some(Mailer { transport, from })
            }
        };
        let sealer = Sealer::new(config.channel_keys.as_ref().map(|k| k.expose()), secret)?;
        Ok(HostChannels {
            email,
            timeout: config.send_timeout,
            outbound: Outbound::new(config.send_timeout)?,
            sealer: Arc::new(sealer),
            whatsapp_api: config.whatsapp_api.clone(),
            twilio_api: config.twilio_api.clone(),
            allow_internal: config.webhooks_allow_internal,
        })
    }

    /// The credentials of a business's channel, sealed.
    ///
    /// # Errors
    /// [`Error::Internal`] when sealing fails.
    pub fn seal(
        &self,
        business: BusinessId,
        kind: ChannelKind,
        credentials: &BTreeMap<String, String>,
    ) -> Result<Vec<u8>, Error> {
        let clear = serde_json::to_vec(credentials).map_err(|e| Error::Internal {
            detail: format!("writing credentials: {e}"),
        })?;
        self.sealer.seal(business, kind.as_str(), &clear)
    }

    /// The credentials of a setup, opened; whether the newest key sealed
    /// them.
    pub fn open(
        &self,
        business: BusinessId,
        setup: &ChannelSetup,
    ) -> Option<(BTreeMap<String, String>, bool)> {
        let (clear, newest) = self
            .sealer
            .open(business, setup.kind.as_str(), &setup.sealed)?;
        Some((serde_json::from_slice(&clear).ok()?, newest))
    }

    /// The real channels that go out for every business.
    pub fn reach(&self) -> Reach {
        Reach {
            email: self.email.is_some(),
            whatsapp: false,
            sms: false,
        }
    }

    /// Sends the e-mail carrying an account link (a password reset, an
    /// e-mail verification) to `issued`, trying a few times over a few
    /// minutes; without SMTP, records it in the log (the development
    /// channel), link included. Runs apart from the request that asked,
    /// which answers alike whether anything was sent.
    pub fn send_link(self: &Arc<Self>, issued: Issued, purpose: TokenPurpose, link: String) {
        let channels = Arc::clone(self);
        tokio::spawn(async move {
            let (subject, body) =
                link_mail(purpose, issued.lang, &issued.name, &issued.business, &link);
            let Some(mailer) = &channels.email else {
                tracing::info!(to = %issued.email, purpose = purpose.as_str(), %link, "account link recorded, not sent (AGENDO_SMTP_URL is not set)");
                return;
            };
            let Ok(address) = issued.email.as_str().parse::<lettre::Address>() else {
                return;
            };
            for attempt in 1..=4u32 {
                let email = lettre::Message::builder()
                    .from(mailer.from.clone())
                    .to(Mailbox::new(Some(issued.name.clone()), address.clone()))
                    .subject(subject.clone())
                    .header(ContentType::TEXT_PLAIN)
                    .body(body.clone());
                let Ok(email) = email else { return };
                match tokio::time::timeout(channels.timeout, mailer.transport.send(email)).await {
                    Ok(Ok(_)) => return,
                    Ok(Err(e)) if e.is_permanent() => {
                        tracing::warn!(error = %e, "an account link was refused by the SMTP server");
                        return;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(attempt, error = %e, "sending an account link failed; trying again");
                        tokio::time::sleep(std::time::Duration::from_secs(u64::from(attempt) * 30))
                            .await;
                    }
                    Err(_) => {
                        tracing::warn!(attempt, "sending an account link timed out; trying again");
                        tokio::time::sleep(std::time::Duration::from_secs(u64::from(attempt) * 30))
                            .await;
                    }
                }
            }
        });
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
    async fn send(&self, message: &Message, setup: Option<&ChannelSetup>) -> Delivery {
        let kind = message.channel;
        if kind == ChannelKind::Email {
            return self.email(message).await;
        }
        let Some(setup) = setup else {
            return not_set_up(kind);
        };
        let Some((credentials, _)) = self.open(message.business, setup) else {
            return Delivery::Failed {
                reason: format!(
                    "the {kind} credentials cannot be opened with the keys this server has \
                     (AGENDO_CHANNEL_KEYS): set the channel up again"
                ),
                retry: Retry::Never,
            };
        };
        let secret = |name: &str| {
            credentials
                .get(name)
                .map(String::as_str)
                .unwrap_or_default()
        };
        let setting = |name: &str| {
            setup
                .settings
                .get(name)
                .map(String::as_str)
                .unwrap_or_default()
        };
        match kind {
            ChannelKind::Whatsapp => {
                let url = format!(
                    "{}/{}/messages",
                    self.whatsapp_api,
                    setting("phone_number_id")
                );
                let body = whatsapp_body(message, setting("template_prefix")).to_string();
                let bearer = format!("Bearer {}", secret("access_token"));
                let headers = [
                    (AUTHORIZATION, bearer),
                    (CONTENT_TYPE, "application/json".to_owned()),
                ];
                match self.outbound.post(&url, &headers, body.into_bytes()).await {
                    Ok(answer) => whatsapp_answer(answer),
                    Err(reason) => later(format!("WhatsApp {reason}")),
                }
            }
            ChannelKind::Sms => {
                let sid = setting("account_sid");
                let url = format!(
                    "{}/2010-04-01/Accounts/{sid}/Messages.json",
                    self.twilio_api
                );
                let basic = format!(
                    "Basic {}",
                    STANDARD.encode(format!("{sid}:{}", secret("auth_token")))
                );
                let form = form_urlencoded::Serializer::new(String::new())
                    .append_pair("To", &message.address)
                    .append_pair("From", setting("from"))
                    .append_pair("Body", &message.body)
                    .finish();
                let headers = [
                    (AUTHORIZATION, basic),
                    (CONTENT_TYPE, "application/x-www-form-urlencoded".to_owned()),
                ];
                match self.outbound.post(&url, &headers, form.into_bytes()).await {
                    Ok(answer) => twilio_answer(answer),
                    Err(reason) => later(format!("Twilio {reason}")),
                }
            }
            other => not_set_up(other),
        }
    }
}

/// The purpose webhook secrets are sealed for.
const WEBHOOK: &str = "webhook";

impl HostChannels {
    /// A new signing secret for a webhook endpoint (`whsec_` and 32
    /// random bytes), and it sealed.
    ///
    /// # Errors
    /// [`Error::Internal`] when sealing fails.
    pub fn endpoint_secret(&self, business: BusinessId) -> Result<(String, Vec<u8>), Error> {
        let secret = format!("whsec_{}", crate::auth::new_secret());
        let sealed = self.sealer.seal(business, WEBHOOK, secret.as_bytes())?;
        Ok((secret, sealed))
    }

    /// Whether webhooks may go to internal addresses on this host.
    pub fn allow_internal(&self) -> bool {
        self.allow_internal
    }

    /// Refuses a URL whose host resolves to an internal address (a name
    /// pointed at the server's own network), unless allowed.
    async fn check_resolved(&self, url: &str) -> Result<(), String> {
        if self.allow_internal {
            return Ok(());
        }
        let uri: hyper::Uri = url.parse().map_err(|e| format!("not an address: {e}"))?;
        let host = uri.host().unwrap_or_default().trim_matches(['[', ']']);
        let port = uri
            .port_u16()
            .unwrap_or(if uri.scheme_str() == Some("https") {
                443
            } else {
                80
            });
        let addresses = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("{host} does not resolve: {e}"))?;
        for address in addresses {
            if agendo_core::webhook::is_internal(address.ip()) {
                return Err(format!(
                    "{host} resolves to an internal address ({}), which webhooks may not reach",
                    address.ip()
                ));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Hooks for HostChannels {
    async fn post(&self, endpoint: &Endpoint, delivery: &HookDelivery) -> HookAnswer {
        let started = std::time::Instant::now();
        let unreachable = |reason: String| HookAnswer::Unreachable {
            reason,
            millis: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
        };
        let Some((secret, _)) =
            self.sealer
                .open(endpoint.business, WEBHOOK, &endpoint.sealed_secret)
        else {
            return unreachable(
                "the endpoint's secret cannot be opened with the keys this server has".into(),
            );
        };
        if let Err(reason) = self.check_resolved(&endpoint.url).await {
            return unreachable(reason);
        }
        let stamp = chrono::Utc::now().timestamp();
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret);
        let signed = ring::hmac::sign(&key, format!("{stamp}.{}", delivery.payload).as_bytes());
        let headers = [
            (CONTENT_TYPE, "application/json".to_owned()),
            (USER_AGENT, "Agendo-Webhooks/1".to_owned()),
            (
                HeaderName::from_static("agendo-signature"),
                format!("t={stamp},v1={}", hex::encode(signed.as_ref())),
            ),
            (
                HeaderName::from_static("agendo-delivery"),
                delivery.id.to_string(),
            ),
            (
                HeaderName::from_static("agendo-event"),
                delivery.event_type.clone(),
            ),
        ];
        match self
            .outbound
            .post(
                &endpoint.url,
                &headers,
                delivery.payload.clone().into_bytes(),
            )
            .await
        {
            Ok(answer) => HookAnswer::Status {
                status: answer.status,
                millis: answer.millis,
            },
            Err(reason) => unreachable(format!("the receiver {reason}")),
        }
    }
}

/// What `agendo reseal` did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resealed {
    /// Setups sealed again under the newest key.
    pub resealed: usize,
    /// Setups already under the newest key.
    pub current: usize,
    /// Setups no key opens: their business must set them up again.
    pub unopened: usize,
}

/// Seals every business's channel credentials and webhook secrets again
/// under the newest key
/// of `AGENDO_CHANNEL_KEYS`, so an older key can then be dropped.
///
/// # Errors
/// [`Error::Core`] when the store fails.
pub async fn reseal(state: &crate::state::AppState) -> Result<Resealed, Error> {
    let mut done = Resealed::default();
    for business in state.agenda.store().businesses_with_secrets().await? {
        let ctx = agendo_core::agenda::Context::staff(business, state.now());
        for setup in state.agenda.channel_setups(&ctx).await? {
            match state.channels.open(business, &setup) {
                Some((_, true)) => done.current += 1,
                Some((credentials, false)) => {
                    let resealed = ChannelSetup {
                        sealed: state.channels.seal(business, setup.kind, &credentials)?,
                        ..setup
                    };
                    state.agenda.set_channel(&ctx, &resealed).await?;
                    done.resealed += 1;
                }
                None => {
                    tracing::warn!(%business, channel = %setup.kind, "no key opens these credentials");
                    done.unopened += 1;
                }
            }
        }
        for endpoint in state.agenda.endpoints(&ctx).await? {
            match state
                .channels
                .sealer
                .open(business, WEBHOOK, &endpoint.sealed_secret)
            {
                Some((_, true)) => done.current += 1,
                Some((secret, false)) => {
                    let sealed = state.channels.sealer.seal(business, WEBHOOK, &secret)?;
                    state
                        .agenda
                        .reseal_endpoint(&ctx, endpoint.id, sealed)
                        .await?;
                    done.resealed += 1;
                }
                None => {
                    tracing::warn!(%business, endpoint = %endpoint.id, "no key opens this secret");
                    done.unopened += 1;
                }
            }
        }
    }
    Ok(done)
}

/// WhatsApp's language code of a message's language.
fn whatsapp_language(message: &Message) -> &'static str {
    match message.lang {
        agendo_core::Lang::PtBr => "pt_BR",
        agendo_core::Lang::En => "en",
    }
}

/// The Cloud API's template message: the topic's variables, in order, as
/// the body's parameters.
fn whatsapp_body(message: &Message, prefix: &str) -> Value {
    let parameters: Vec<Value> = message
        .topic
        .variables()
        .iter()
        .map(|name| {
            json!({"type": "text", "text": message.values.get(*name).cloned().unwrap_or_default()})
        })
        .collect();
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.address.trim_start_matches('+'),
        "type": "template",
        "template": {
            "name": format!("{prefix}{}", message.topic.as_str()),
            "language": {"code": whatsapp_language(message)},
            "components": [{"type": "body", "parameters": parameters}],
        },
        "biz_opaque_callback_data": message.id.to_string(),
    })
}

/// The Cloud API's error codes that pass with time: rate limits, the
/// service busy or down.
const WHATSAPP_TRANSIENT: &[i64] = &[1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004];

fn whatsapp_answer(
    Answer {
        status, wait, body, ..
    }: Answer,
) -> Delivery {
    if (200..300).contains(&status) {
        let id = body["messages"][0]["id"].as_str().map(str::to_owned);
        return Delivery::Sent { reference: id };
    }
    let error = &body["error"];
    let code = error["code"].as_i64();
    let reason = format!(
        "WhatsApp {status}: (#{}) {}{}",
        code.map_or_else(|| "?".to_owned(), |c| c.to_string()),
        error["message"].as_str().unwrap_or("no message"),
        error["error_data"]["details"]
            .as_str()
            .map(|d| format!(": {d}"))
            .unwrap_or_default()
    );
    let transient =
        status == 429 || status >= 500 || code.is_some_and(|c| WHATSAPP_TRANSIENT.contains(&c));
    failed(reason, transient, wait)
}

fn twilio_answer(
    Answer {
        status, wait, body, ..
    }: Answer,
) -> Delivery {
    if (200..300).contains(&status) {
        let sid = body["sid"].as_str().map(str::to_owned);
        return Delivery::Sent { reference: sid };
    }
    let reason = format!(
        "Twilio {status}: {} {}",
        body["code"]
            .as_i64()
            .map_or_else(|| "?".to_owned(), |c| c.to_string()),
        body["message"].as_str().unwrap_or("no message")
    );
    let transient = status == 429 || status >= 500;
    failed(reason, transient, wait)
}

/// The TLS of the SMTP URL `url` (`smtps://`: TLS from the start;
/// `?tls=required`, STARTTLS; `?tls=opportunistic`, STARTTLS when offered),
/// trusting the certificates in the PEM file `ca` besides the public roots.
fn tls_trusting(url: &str, ca: &std::path::Path) -> Result<Tls, Error> {
    let bad = |problem: String| Error::Config {
        var: "AGENDO_SMTP_CA_FILE",
        problem,
    };
    let pem =
        std::fs::read(ca).map_err(|e| bad(format!("{} cannot be read: {e}", ca.display())))?;
    let certificate = Certificate::from_pem(&pem)
        .map_err(|e| bad(format!("{} holds no certificate: {e}", ca.display())))?;
    let authority = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.split(']').next())
        .unwrap_or_else(|| host.split(':').next().unwrap_or_default());
    let parameters = TlsParameters::builder(host.to_owned())
        .add_root_certificate(certificate)
        .build_rustls()
        .map_err(|e| bad(format!("cannot be used: {e}")))?;
    Ok(if url.starts_with("smtps://") {
        Tls::Wrapper(parameters)
    } else if url.contains("tls=opportunistic") {
        Tls::Opportunistic(parameters)
    } else {
        Tls::Required(parameters)
    })
}

/// A failure to reach a provider: tried again later.
fn later(reason: String) -> Delivery {
    Delivery::Failed {
        reason,
        retry: Retry::Later { after: None },
    }
}

fn failed(reason: String, transient: bool, wait: Option<TimeDelta>) -> Delivery {
    Delivery::Failed {
        reason,
        retry: if transient {
            Retry::Later { after: wait }
        } else {
            Retry::Never
        },
    }
}
