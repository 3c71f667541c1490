//! Messages (R28–R33): what went out to clients and what waits, the dead
//! letters with their reason (sent again by hand), the staff inbox with
//! read marks, and the business's templates with a preview.

use agendo_core::ids::{BookingId, MessageId, ProfessionalId, ReceivableId};
use agendo_core::message::{
    ChannelKind, Form, Message, MessageFilter, MessageStatus, Template, Topic,
};
use agendo_core::notify::Subject;
use agendo_core::{Lang, RecordKind};
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{at, context, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Json, Query};
use crate::state::AppState;
use crate::worker::HostLinks;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(resend))
        .routes(routes!(inbox))
        .routes(routes!(mark_read))
        .routes(routes!(templates))
        .routes(routes!(put_template, delete_template))
        .routes(routes!(preview))
}

/// A message, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    /// Its id: the e-mail's `Message-ID`, the provider's idempotency key.
    pub id: String,
    /// `email`, `whatsapp`, `sms`, `inbox` or `dev` (recorded, not sent).
    pub channel: String,
    /// `client/{id}` or `professional/{id}`.
    pub recipient: String,
    /// Where it goes: an e-mail, a phone in E.164, a professional's id.
    pub address: String,
    /// The person's name.
    pub name: String,
    /// What it is about: `booking_made`, `reminder_day_before`…
    pub topic: String,
    /// `booking/{id}` or `receivable/{id}`.
    pub subject: String,
    /// `pt-BR` or `en`.
    pub lang: String,
    /// The e-mail's subject or the inbox line (empty for a text).
    pub title: String,
    /// The text.
    pub body: String,
    /// `pending`, `sent` or `dead`.
    pub status: String,
    /// How many times it was tried.
    pub attempts: u32,
    /// When its notice became due.
    pub due_at: DateTime<Utc>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it is tried (again), while pending.
    pub next_at: Option<DateTime<Utc>>,
    /// Why the last try failed, or why it is dead.
    pub last_error: Option<String>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// What the provider answered.
    pub reference: Option<String>,
    /// When it was read (the inbox).
    pub read_at: Option<DateTime<Utc>>,
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> MessageOut {
        MessageOut {
            id: m.id.to_string(),
            channel: m.channel.as_str().to_owned(),
            recipient: m.recipient.to_string(),
            address: m.address,
            name: m.name,
            topic: m.topic.as_str().to_owned(),
            subject: m.subject.key(),
            lang: m.lang.tag().to_owned(),
            title: m.title,
            body: m.body,
            status: m.status.as_str().to_owned(),
            attempts: m.attempts,
            due_at: m.due_at,
            created_at: m.created_at,
            next_at: (m.status == MessageStatus::Pending).then_some(m.next_at),
            last_error: m.last_error,
            sent_at: m.sent_at,
            reference: m.reference,
            read_at: m.read_at,
        }
    }
}

/// Which messages to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MessageSearch {
    /// Only `pending`, `sent` or `dead` ones.
    #[param(example = "dead")]
    pub status: Option<String>,
    /// Only on this channel: `email`, `whatsapp`, `sms`, `inbox`, `dev`.
    #[param(example = "email")]
    pub channel: Option<String>,
    /// Only about this booking.
    pub booking_id: Option<String>,
    /// Only about this receivable.
    pub receivable_id: Option<String>,
    /// The next page's cursor, from `Agendo-Next-Cursor`.
    pub cursor: Option<String>,
    /// Messages per page, 1 to 200 (50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// The business's messages, newest first, a page at a time: what went
/// out, what waits, and dead letters with the reason (owner, front desk).
#[utoipa::path(get, path = "/v1/messages", tag = "messages",
    params(MessageSearch),
    responses(
        (status = 200, description = "A page of messages", body = [MessageOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 422, description = "A filter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(search): Query<MessageSearch>,
) -> Result<Paged<MessageOut>, Error> {
    let request = super::page("messages", search.cursor.as_deref(), search.limit)?;
    let booking = search
        .booking_id
        .as_deref()
        .map(|b| BookingId::parse(b).map_err(|e| at(e, "booking_id")))
        .transpose()?;
    let receivable = search
        .receivable_id
        .as_deref()
        .map(|r| ReceivableId::parse(r).map_err(|e| at(e, "receivable_id")))
        .transpose()?;
    let filter = MessageFilter {
        status: search
            .status
            .as_deref()
            .map(MessageStatus::parse)
            .transpose()?,
        channel: search
            .channel
            .as_deref()
            .map(ChannelKind::parse)
            .transpose()?,
        professional: None,
        subject: booking
            .map(Subject::Booking)
            .or(receivable.map(Subject::Receivable)),
    };
    let page = state
        .agenda
        .messages_page(&context(&state, &caller), &filter, &request)
        .await?;
    Ok(Paged(page.map(MessageOut::from), uri))
}

fn message_id(id: &str) -> Result<MessageId, Error> {
    path_id(id, RecordKind::Message)
}

/// Sends a dead message again, from zero attempts (owner, front desk).
#[utoipa::path(post, path = "/v1/messages/{id}/resend", tag = "messages",
    params(("id" = String, Path, description = "The message's id")),
    responses(
        (status = 200, description = "Queued again", body = MessageOut),
        (status = 404, description = "No such message", body = Problem),
        (status = 409, description = "The message is not dead", body = Problem),
    ),
    security(("bearer" = [])))]
async fn resend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<MessageOut>, Error> {
    let id = message_id(&id)?;
    let message = state.agenda.resend(&context(&state, &caller), id).await?;
    Ok(axum::Json(message.into()))
}

/// Which inbox lines to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxSearch {
    /// One professional's (the owner and front desk read everyone's; a
    /// professional always reads their own).
    pub professional_id: Option<String>,
    /// Only those not read yet.
    pub unread: Option<bool>,
    /// The next page's cursor, from `Agendo-Next-Cursor`.
    pub cursor: Option<String>,
    /// Lines per page, 1 to 200 (50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// The staff inbox, newest first: bookings made, moved and cancelled for
/// each professional.
#[utoipa::path(get, path = "/v1/inbox", tag = "messages",
    params(InboxSearch),
    responses(
        (status = 200, description = "A page of the inbox", body = [MessageOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 422, description = "A filter is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(search): Query<InboxSearch>,
) -> Result<Paged<MessageOut>, Error> {
    let request = super::page("inbox", search.cursor.as_deref(), search.limit)?;
    let professional = search
        .professional_id
        .as_deref()
        .map(|p| ProfessionalId::parse(p).map_err(|e| at(e, "professional_id")))
        .transpose()?;
    let page = state
        .agenda
        .inbox(
            &context(&state, &caller),
            professional,
            search.unread.unwrap_or(false),
            &request,
        )
        .await?;
    Ok(Paged(page.map(MessageOut::from), uri))
}

/// Marks an inbox line read (kept as first read when marked again).
#[utoipa::path(post, path = "/v1/inbox/{id}/read", tag = "messages",
    params(("id" = String, Path, description = "The message's id")),
    responses(
        (status = 200, description = "Read", body = MessageOut),
        (status = 404, description = "Not in the caller's inbox", body = Problem),
    ),
    security(("bearer" = [])))]
async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<MessageOut>, Error> {
    let id = message_id(&id)?;
    let message = state
        .agenda
        .mark_read(&context(&state, &caller), id)
        .await?;
    Ok(axum::Json(message.into()))
}

/// A template in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateOut {
    /// `booking_made`, `booking_confirmed`, `booking_changed`,
    /// `booking_cancelled`, `reminder_day_before`,
    /// `reminder_shortly_before`, `payment_due`, `payment_overdue`.
    pub topic: String,
    /// `email` (subject and body), `text` (SMS, WhatsApp), `inbox`.
    pub form: String,
    /// `pt-BR` or `en`.
    pub lang: String,
    /// The title (empty for a text).
    pub title: String,
    /// The body, with `{{variables}}`.
    pub body: String,
    /// The variables it may use.
    pub variables: Vec<String>,
    /// Whether it is the business's own (else the default).
    pub custom: bool,
}

impl TemplateOut {
    fn of(template: &Template, custom: bool) -> TemplateOut {
        TemplateOut {
            topic: template.topic().as_str().to_owned(),
            form: template.form().as_str().to_owned(),
            lang: template.lang().tag().to_owned(),
            title: template.title().to_owned(),
            body: template.body().to_owned(),
            variables: template
                .topic()
                .variables()
                .iter()
                .map(|v| (*v).to_owned())
                .collect(),
            custom,
        }
    }
}

/// Every template in force: the business's own and the defaults, for each
/// topic, form and language.
#[utoipa::path(get, path = "/v1/templates", tag = "messages",
    responses((status = 200, description = "The templates", body = [TemplateOut])),
    security(("bearer" = [])))]
async fn templates(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<TemplateOut>>, Error> {
    let all = state.agenda.templates(&context(&state, &caller)).await?;
    Ok(axum::Json(
        all.iter()
            .map(|(t, custom)| TemplateOut::of(t, *custom))
            .collect(),
    ))
}

/// A template's text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// The title: an e-mail's subject, an inbox line; left out for a text.
    #[serde(default)]
    #[schema(example = "Lembrete: {{service}} amanhã, {{when}}")]
    pub title: String,
    /// The body. Variables: `{{client}}`, `{{service}}`,
    /// `{{professional}}`, `{{when}}`, `{{date}}`, `{{time}}`,
    /// `{{price}}`, `{{business}}`, `{{link}}` for bookings;
    /// `{{client}}`, `{{amount}}`, `{{due}}`, `{{description}}`,
    /// `{{business}}` for payments.
    #[schema(example = "Olá, {{client}}! Até amanhã, {{when}}.")]
    pub body: String,
}

fn key(topic: &str, form: &str, lang: &str) -> Result<(Topic, Form, Lang), Error> {
    Ok((
        Topic::parse(topic)?,
        Form::parse(form)?,
        Lang::parse(lang).map_err(|e| at(e, "lang"))?,
    ))
}

/// Replaces the default template of a topic, form and language with the
/// business's own (owner). A variable the topic lacks is refused, named.
#[utoipa::path(put, path = "/v1/templates/{topic}/{form}/{lang}", tag = "messages",
    request_body = TemplateBody,
    params(
        ("topic" = String, Path, description = "What the message is about"),
        ("form" = String, Path, description = "`email`, `text` or `inbox`"),
        ("lang" = String, Path, description = "`pt-BR` or `en`"),
    ),
    responses(
        (status = 200, description = "Kept", body = TemplateOut),
        (status = 422, description = "A field is invalid, or a variable unknown", body = Problem),
    ),
    security(("bearer" = [])))]
async fn put_template(
    State(state): State<AppState>,
    caller: Caller,
    Path((topic, form, lang)): Path<(String, String, String)>,
    Json(body): Json<TemplateBody>,
) -> Result<axum::Json<TemplateOut>, Error> {
    let (topic, form, lang) = key(&topic, &form, &lang)?;
    let template = Template::new(topic, form, lang, &body.title, &body.body)?;
    state
        .agenda
        .set_template(&context(&state, &caller), &template)
        .await?;
    Ok(axum::Json(TemplateOut::of(&template, true)))
}

/// Goes back to the default template (owner).
#[utoipa::path(delete, path = "/v1/templates/{topic}/{form}/{lang}", tag = "messages",
    params(
        ("topic" = String, Path, description = "What the message is about"),
        ("form" = String, Path, description = "`email`, `text` or `inbox`"),
        ("lang" = String, Path, description = "`pt-BR` or `en`"),
    ),
    responses(
        (status = 204, description = "The default applies again"),
        (status = 422, description = "A name is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn delete_template(
    State(state): State<AppState>,
    caller: Caller,
    Path((topic, form, lang)): Path<(String, String, String)>,
) -> Result<StatusCode, Error> {
    let (topic, form, lang) = key(&topic, &form, &lang)?;
    state
        .agenda
        .remove_template(&context(&state, &caller), topic, form, lang)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A template to preview: the one in force, or a text not yet saved.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewBody {
    /// What the message is about.
    #[schema(example = "reminder_day_before")]
    pub topic: String,
    /// `email`, `text` or `inbox`.
    #[schema(example = "email")]
    pub form: String,
    /// `pt-BR` or `en`.
    #[schema(example = "pt-BR")]
    pub lang: String,
    /// A title not yet saved (else the template in force).
    #[serde(default)]
    pub title: Option<String>,
    /// A body not yet saved (else the template in force).
    #[serde(default)]
    pub body: Option<String>,
    /// The booking to fill it for: required for booking topics, not read
    /// for payment topics.
    #[serde(default)]
    pub booking_id: Option<String>,
    /// The receivable to fill it for: required for payment topics, not
    /// read for booking topics.
    #[serde(default)]
    pub receivable_id: Option<String>,
}

/// A template filled in.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewOut {
    /// The title as it would go.
    pub title: String,
    /// The body as it would go.
    pub body: String,
    /// Each variable and its value.
    pub values: BTreeMap<String, String>,
}

/// A template filled for one booking or receivable, as the client would
/// get it.
#[utoipa::path(post, path = "/v1/templates/preview", tag = "messages",
    request_body = PreviewBody,
    responses(
        (status = 200, description = "The message", body = PreviewOut),
        (status = 404, description = "No such booking or receivable", body = Problem),
        (status = 422, description = "A field is invalid, or a variable unknown", body = Problem),
    ),
    security(("bearer" = [])))]
async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<PreviewBody>,
) -> Result<axum::Json<PreviewOut>, Error> {
    let (topic, form, lang) = key(&body.topic, &body.form, &body.lang)?;
    let ctx = context(&state, &caller);
    let subject = topic.subject(body.booking_id.as_deref(), body.receivable_id.as_deref())?;
    let template = match (&body.title, &body.body) {
        (None, None) => state.agenda.template(&ctx, topic, form, lang).await?.0,
        (title, text) => {
            let (current, _) = state.agenda.template(&ctx, topic, form, lang).await?;
            Template::new(
                topic,
                form,
                lang,
                title.as_deref().unwrap_or(current.title()),
                text.as_deref().unwrap_or(current.body()),
            )?
        }
    };
    let links = HostLinks::new(&state.tokens, &state.config.public_url);
    let preview = state
        .agenda
        .preview(&ctx, &template, subject, &links)
        .await?;
    Ok(axum::Json(PreviewOut {
        title: preview.title,
        body: preview.body,
        values: preview.values,
    }))
}
