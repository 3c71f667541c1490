//! The professionals of a business (R13), the services each performs,
//! their working hours (R15) and blocks (R16), and their logins (R5).

use agendo_core::account::Role;
use agendo_core::agenda::{BlockFields, LoginFields, ProfessionalFields};
use agendo_core::availability::HoursQuery;
use agendo_core::business::{Activity, Block, Bookable, Professional};
use agendo_core::contact::Email;
use agendo_core::ids::{BlockId, ProfessionalId, ServiceId};
use agendo_core::time::Span;
use agendo_core::RecordKind;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::AccountOut;
use super::{at, context, instant, keyed, read};
use super::{PageParams, Paged};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;
use agendo_core::page::{name_key, time_key, Page};
use axum::extract::OriginalUri;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, change, retire))
        .routes(routes!(get_hours, set_hours))
        .routes(routes!(list_blocks, add_block))
        .routes(routes!(remove_block))
}

/// Working windows per weekday, each `["HH:MM", "HH:MM"]` in the
/// business's zone; a day left out is closed.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeeklyBody {
    /// Monday.
    #[serde(default)]
    #[schema(example = json!([["09:00", "12:00"], ["13:00", "18:00"]]))]
    pub mon: Vec<(String, String)>,
    /// Tuesday.
    #[serde(default)]
    pub tue: Vec<(String, String)>,
    /// Wednesday.
    #[serde(default)]
    pub wed: Vec<(String, String)>,
    /// Thursday.
    #[serde(default)]
    pub thu: Vec<(String, String)>,
    /// Friday.
    #[serde(default)]
    pub fri: Vec<(String, String)>,
    /// Saturday.
    #[serde(default)]
    pub sat: Vec<(String, String)>,
    /// Sunday.
    #[serde(default)]
    pub sun: Vec<(String, String)>,
}

/// The windows of one date, replacing its weekday's (none: closed).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    /// The local date, `YYYY-MM-DD`.
    #[schema(example = "2026-12-24")]
    pub date: String,
    /// Its windows.
    #[serde(default)]
    pub windows: Vec<(String, String)>,
}

/// A professional's working hours: the schema of the engine's
/// [`HoursQuery`], which the routes read and write.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    /// The weekly windows.
    #[serde(default)]
    pub weekly: WeeklyBody,
    /// Dated overrides (a holiday, a late opening).
    #[serde(default)]
    pub overrides: Vec<OverrideBody>,
}

/// A login for a new professional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// The e-mail to sign in with.
    pub email: String,
    /// The first password (10 to 128 characters).
    pub password: String,
    /// `professional` (the default), `receptionist` or `owner`.
    #[serde(default)]
    pub role: Option<String>,
}

/// A new professional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffBody {
    /// The name.
    #[schema(example = "Bia")]
    pub name: String,
    /// The services they perform.
    #[serde(default)]
    pub services: Vec<String>,
    /// How many clients at once (1 unless a class or a shared chair).
    #[serde(default)]
    pub capacity: Option<u32>,
    /// Working hours; closed every day when left out.
    #[serde(default)]
    #[schema(value_type = Option<HoursBody>)]
    pub hours: Option<HoursQuery>,
    /// A login for them, if they should sign in.
    #[serde(default)]
    pub login: Option<LoginBody>,
}

/// A change to a professional: only the fields sent change.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    /// The name.
    pub name: Option<String>,
    /// The services they perform (the whole list).
    pub services: Option<Vec<String>>,
    /// How many clients at once.
    pub capacity: Option<u32>,
    /// Whether they take new bookings.
    pub active: Option<bool>,
}

/// A professional, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffOut {
    /// Their id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The services they perform.
    pub services: Vec<String>,
    /// How many clients at once.
    pub capacity: u32,
    /// Whether they take new bookings.
    pub active: bool,
    /// Their working hours.
    #[schema(value_type = HoursBody)]
    pub hours: HoursQuery,
    /// Their login, when one was made with them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login: Option<AccountOut>,
}

impl From<&Professional> for StaffOut {
    fn from(p: &Professional) -> StaffOut {
        StaffOut {
            id: p.id().to_string(),
            name: p.name().to_owned(),
            services: p.services().iter().map(ToString::to_string).collect(),
            capacity: p.capacity(),
            active: p.activity() == Activity::Active,
            hours: HoursQuery::from(p.hours()),
            login: None,
        }
    }
}

/// A block of time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BlockBody {
    /// When it starts, RFC 3339 with an offset.
    #[schema(example = "2026-03-02T12:00:00-03:00")]
    pub start: String,
    /// When it ends (not included).
    #[schema(example = "2026-03-02T13:00:00-03:00")]
    pub end: String,
    /// Why: lunch, vacation, dentist.
    #[serde(default)]
    pub reason: String,
}

/// A block, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct BlockOut {
    /// Its id.
    pub id: String,
    /// The professional.
    pub staff_id: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends (not included).
    pub end: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

impl From<&Block> for BlockOut {
    fn from(b: &Block) -> BlockOut {
        BlockOut {
            id: b.id().to_string(),
            staff_id: b.on().to_string(),
            start: b.span().start(),
            end: b.span().end(),
            reason: b.reason().to_owned(),
        }
    }
}

/// The range blocks are listed over.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BlockRange {
    /// From this instant (RFC 3339); the beginning of time if left out.
    #[param(example = "2026-03-02T00:00:00-03:00")]
    pub from: Option<String>,
    /// To this instant; the end of time if left out.
    #[param(example = "2026-03-09T00:00:00-03:00")]
    pub to: Option<String>,
    /// The next page's cursor, from `Agendo-Next-Cursor`.
    pub cursor: Option<String>,
    /// Blocks per page, 1 to 200 (50 if left out).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<Professional, Error> {
    let id: ProfessionalId = path_id(id, RecordKind::Professional)?;
    let mut work = read(state, caller).await?;
    super::found(work.professional(id).await?, RecordKind::Professional, id)
}

fn professional_id(id: &str) -> Result<ProfessionalId, Error> {
    path_id(id, RecordKind::Professional)
}

fn service_ids(ids: &[String]) -> Result<Vec<ServiceId>, Error> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| ServiceId::parse(id).map_err(|e| at(e, &format!("services[{i}]")).into()))
        .collect()
}

/// The professionals, by name, retired ones included, a page at a time.
#[utoipa::path(get, path = "/v1/staff", tag = "staff",
    params(PageParams),
    responses((status = 200, description = "A page of professionals; the next page's cursor in `Agendo-Next-Cursor`", body = [StaffOut],
        headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one")))),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    OriginalUri(uri): OriginalUri,
    Query(page): Query<PageParams>,
) -> Result<Paged<StaffOut>, Error> {
    let request = page.of("staff")?;
    let mut work = read(&state, &caller).await?;
    let staff = work.professionals().await?;
    let page = Page::of(staff, |p| name_key(p.name(), p.id()), &request);
    Ok(Paged(page.map(|p| StaffOut::from(&p)), uri))
}

/// Adds a professional (owner), with a login when `login` is sent: both
/// or neither. With an `Idempotency-Key` a retry answers the same
/// professional, if it sends the same request, login password included.
#[utoipa::path(post, path = "/v1/staff", tag = "staff",
    request_body = StaffBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Added", body = StaffOut),
        (status = 409, description = "The login's e-mail is taken", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Json(body): Json<StaffBody>,
) -> Result<(StatusCode, axum::Json<StaffOut>), Error> {
    let fields = ProfessionalFields {
        name: Some(body.name.clone()),
        services: Some(service_ids(&body.services)?),
        capacity: body.capacity,
        hours: body.hours.clone(),
        active: None,
    };
    let ctx = keyed(&state, &caller, key);
    let Some(login) = &body.login else {
        let professional = state.agenda.create_professional(&ctx, &fields).await?;
        return Ok((StatusCode::CREATED, axum::Json((&professional).into())));
    };
    let email = Email::parse(&login.email).map_err(|e| at(e, "login.email"))?;
    let role = match login.role.as_deref() {
        None => Role::Professional,
        Some(text) => Role::parse(text).map_err(|e| at(e, "login.role"))?,
    };
    let (professional, account) = state
        .agenda
        .create_professional_with_login(
            &ctx,
            &fields,
            &LoginFields { email, role },
            &login.password,
            &state.hasher(),
        )
        .await?;
    let mut out = StaffOut::from(&professional);
    out.login = Some((&account).into());
    Ok((StatusCode::CREATED, axum::Json(out)))
}

/// One professional.
#[utoipa::path(get, path = "/v1/staff/{id}", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    responses(
        (status = 200, description = "The professional", body = StaffOut),
        (status = 404, description = "No such professional in this business", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<StaffOut>, Error> {
    Ok(axum::Json((&load(&state, &caller, &id).await?).into()))
}

/// Changes a professional (owner); only the fields sent change, in one
/// step with reading them, so two changes of different fields both land.
#[utoipa::path(patch, path = "/v1/staff/{id}", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    request_body = StaffPatch,
    responses(
        (status = 200, description = "The changed professional", body = StaffOut),
        (status = 404, description = "No such professional", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(patch): Json<StaffPatch>,
) -> Result<axum::Json<StaffOut>, Error> {
    let fields = ProfessionalFields {
        name: patch.name,
        services: patch.services.as_deref().map(service_ids).transpose()?,
        capacity: patch.capacity,
        hours: None,
        active: patch.active,
    };
    let professional = state
        .agenda
        .change_professional(&context(&state, &caller), professional_id(&id)?, &fields)
        .await?;
    Ok(axum::Json((&professional).into()))
}

/// Retires a professional (owner): they take no new bookings; their
/// bookings and history stay.
#[utoipa::path(delete, path = "/v1/staff/{id}", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    responses(
        (status = 200, description = "The retired professional", body = StaffOut),
        (status = 404, description = "No such professional", body = Problem),
    ),
    security(("bearer" = [])))]
async fn retire(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<StaffOut>, Error> {
    let retired = ProfessionalFields::retired();
    let professional = state
        .agenda
        .change_professional(&context(&state, &caller), professional_id(&id)?, &retired)
        .await?;
    Ok(axum::Json((&professional).into()))
}

/// A professional's working hours.
#[utoipa::path(get, path = "/v1/staff/{id}/hours", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    responses(
        (status = 200, description = "The hours", body = HoursBody),
        (status = 404, description = "No such professional", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_hours(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<HoursQuery>, Error> {
    Ok(axum::Json(HoursQuery::from(
        load(&state, &caller, &id).await?.hours(),
    )))
}

/// Replaces a professional's working hours (owner, receptionist, or the
/// professional themself).
#[utoipa::path(put, path = "/v1/staff/{id}/hours", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    request_body = HoursBody,
    responses(
        (status = 200, description = "The new hours", body = HoursBody),
        (status = 404, description = "No such professional", body = Problem),
        (status = 422, description = "A window or date is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn set_hours(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<HoursQuery>,
) -> Result<axum::Json<HoursQuery>, Error> {
    let professional = state
        .agenda
        .set_hours(&context(&state, &caller), professional_id(&id)?, &body)
        .await?;
    Ok(axum::Json(HoursQuery::from(professional.hours())))
}

/// A professional's blocks that meet the range.
#[utoipa::path(get, path = "/v1/staff/{id}/blocks", tag = "staff",
    params(("id" = String, Path, description = "The professional's id"), BlockRange),
    responses(
        (status = 200, description = "A page of the blocks, by start; the next page's cursor in `Agendo-Next-Cursor`", body = [BlockOut],
            headers(("Agendo-Next-Cursor" = String, description = "The next page's cursor, when there is one"))),
        (status = 404, description = "No such professional", body = Problem),
    ),
    security(("bearer" = [])))]
async fn list_blocks(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    OriginalUri(uri): OriginalUri,
    Query(range): Query<BlockRange>,
) -> Result<Paged<BlockOut>, Error> {
    let request = super::page("blocks", range.cursor.as_deref(), range.limit)?;
    let professional = load(&state, &caller, &id).await?;
    let span = range_span(range.from.as_deref(), range.to.as_deref())?;
    let mut work = read(&state, &caller).await?;
    let blocks = work
        .blocks_meeting(Bookable::Professional(professional.id()), span)
        .await?;
    let page = Page::of(blocks, |b| time_key(b.span().start(), b.id()), &request);
    Ok(Paged(page.map(|b| BlockOut::from(&b)), uri))
}

/// The span between two optional instants: from the first year the engine
/// answers for to the last when left out.
pub fn range_span(from: Option<&str>, to: Option<&str>) -> Result<Span, Error> {
    Ok(period(from, to)?.unwrap_or_else(agendo_core::time::supported_span))
}

/// The period between two optional instants (RFC 3339), `None` when both
/// are left out: a list's period filter, by the engine's one rule
/// ([`agendo_core::time::span_between`]).
pub fn period(from: Option<&str>, to: Option<&str>) -> Result<Option<Span>, Error> {
    let from = from.map(|t| instant(t, "from")).transpose()?;
    let to = to.map(|t| instant(t, "to")).transpose()?;
    Ok(agendo_core::time::span_between(from, to)?)
}

/// Blocks a professional's time (owner, receptionist, or the professional
/// themself). With an `Idempotency-Key` a retry answers the same block.
#[utoipa::path(post, path = "/v1/staff/{id}/blocks", tag = "staff",
    params(
        ("id" = String, Path, description = "The professional's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe"),
    ),
    request_body = BlockBody,
    responses(
        (status = 201, description = "Blocked", body = BlockOut),
        (status = 404, description = "No such professional", body = Problem),
        (status = 422, description = "A field is invalid", body = Problem),
    ),
    security(("bearer" = [])))]
async fn add_block(
    State(state): State<AppState>,
    caller: Caller,
    Idempotency(key): Idempotency,
    Path(id): Path<String>,
    Json(body): Json<BlockBody>,
) -> Result<(StatusCode, axum::Json<BlockOut>), Error> {
    let fields = BlockFields {
        on: Bookable::Professional(professional_id(&id)?),
        start: instant(&body.start, "start")?,
        end: instant(&body.end, "end")?,
        reason: body.reason,
    };
    let block = state
        .agenda
        .add_block(&keyed(&state, &caller, key), &fields)
        .await?;
    Ok((StatusCode::CREATED, axum::Json((&block).into())))
}

/// Removes a block of a professional's time.
#[utoipa::path(delete, path = "/v1/staff/{id}/blocks/{block_id}", tag = "staff",
    params(
        ("id" = String, Path, description = "The professional's id"),
        ("block_id" = String, Path, description = "The block's id"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such block of this professional", body = Problem),
    ),
    security(("bearer" = [])))]
async fn remove_block(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, block_id)): Path<(String, String)>,
) -> Result<StatusCode, Error> {
    let on = Bookable::Professional(professional_id(&id)?);
    let block: BlockId = path_id(&block_id, RecordKind::Block)?;
    state
        .agenda
        .remove_block(&context(&state, &caller), on, block)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
