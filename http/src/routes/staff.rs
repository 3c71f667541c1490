//! The professionals of a business (R13), the services each performs,
//! their working hours (R15) and blocks (R16), and their logins (R5).

use agendo_core::account::{check_password, Account, Role};
use agendo_core::availability::HoursQuery;
use agendo_core::business::{Activity, Block, Bookable, Professional};
use agendo_core::contact::Email;
use agendo_core::ids::{AccountId, BlockId, ProfessionalId, ServiceId};
use agendo_core::time::Span;
use agendo_core::{Error as CoreError, RecordKind};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::AccountOut;
use super::services::replayed;
use super::{at, context, instant, read, reused, same_login};
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Idempotency, Json, Query};
use crate::state::AppState;

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
}

/// Who may change staff: the owner.
const EDITORS: &[Role] = &[Role::Owner];

/// A professional may change their own hours and blocks; the owner and
/// the receptionist anyone's.
fn may_manage(caller: &Caller, professional: ProfessionalId) -> Result<(), Error> {
    match caller.role {
        Role::Owner | Role::Receptionist => Ok(()),
        Role::Professional if caller.professional == Some(professional) => Ok(()),
        Role::Professional => Err(Error::Forbidden {
            role: caller.role.as_str(),
        }),
    }
}

async fn load(state: &AppState, caller: &Caller, id: &str) -> Result<Professional, Error> {
    let id: ProfessionalId = path_id(id, RecordKind::Professional)?;
    let mut work = read(state, caller).await?;
    super::found(work.professional(id).await?, RecordKind::Professional, id)
}

fn service_ids(ids: &[String]) -> Result<Vec<ServiceId>, Error> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| ServiceId::parse(id).map_err(|e| at(e, &format!("services[{i}]")).into()))
        .collect()
}

/// The professionals, by name.
#[utoipa::path(get, path = "/v1/staff", tag = "staff",
    responses((status = 200, description = "Every professional, retired ones included", body = [StaffOut])),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<StaffOut>>, Error> {
    let mut work = read(&state, &caller).await?;
    Ok(axum::Json(
        work.professionals()
            .await?
            .iter()
            .map(StaffOut::from)
            .collect(),
    ))
}

/// Adds a professional (owner), with a login when `login` is sent.
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
    caller.require(EDITORS)?;
    let id = ProfessionalId::from_uuid(super::new_id(&state, &caller, "staff", "", key.as_ref()));
    let mut professional = Professional::new(id, caller.business, &body.name)?
        .with_services(service_ids(&body.services)?);
    if let Some(capacity) = body.capacity {
        professional = professional.with_capacity(capacity)?;
    }
    if let Some(hours) = &body.hours {
        professional = professional.with_hours(hours.to_hours().map_err(|e| e.under("hours"))?);
    }
    let login = match &body.login {
        Some(login) => {
            let email = Email::parse(&login.email).map_err(|e| at(e, "login.email"))?;
            check_password(&login.password, &email).map_err(|e| at(e, "login.password"))?;
            let role = match login.role.as_deref() {
                None => Role::Professional,
                Some(text) => Role::parse(text).map_err(|e| at(e, "login.role"))?,
            };
            Some((email, role, login.password.clone()))
        }
        None => None,
    };
    // Under a key the login's id is made from it too, so a retry finds the
    // login the first request made and compares it: the key covers the
    // whole request, login included.
    let account_id = AccountId::from_uuid(super::new_id(
        &state,
        &caller,
        "staff-login",
        "",
        key.as_ref(),
    ));
    let ctx = context(&state, &caller);
    let existing = match &key {
        Some(key) => {
            let mut work = read(&state, &caller).await?;
            let existing = work.professional(id).await?;
            let account = work.account(account_id).await?;
            drop(work);
            existing.map(|existing| (key, existing, account))
        }
        None => None,
    };
    match existing {
        None => state.agenda.save_professional(&ctx, &professional).await?,
        Some((key, existing, _)) if existing != professional => return Err(reused(key)),
        Some((key, existing, account)) => match (&login, account) {
            (None, None) => {
                return Ok((StatusCode::CREATED, axum::Json(StaffOut::from(&existing))))
            }
            (Some((email, role, password)), Some(account)) => {
                let name = existing.name();
                if !same_login(&state, &account, name, email, *role, Some(id), password).await? {
                    return Err(reused(key));
                }
                let mut out = StaffOut::from(&existing);
                out.login = Some((&account).into());
                return Ok((StatusCode::CREATED, axum::Json(out)));
            }
            // The first request made the professional but not its login
            // (the e-mail was taken, say): this one goes on.
            (Some(_), None) => {}
            (None, Some(_)) => return Err(reused(key)),
        },
    }
    let mut out = StaffOut::from(&professional);
    if let Some((email, role, password)) = login {
        let hash = state.passwords.hash(&password).await?;
        let account = Account::new(
            account_id,
            caller.business,
            email,
            professional.name(),
            role,
            Some(id),
            hash,
        )?;
        state.agenda.save_account(&ctx, &account).await?;
        out.login = Some((&account).into());
    }
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

/// Changes a professional (owner); only the fields sent change.
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
    caller.require(EDITORS)?;
    let mut professional = load(&state, &caller, &id).await?;
    if let Some(name) = &patch.name {
        professional = Professional::new(professional.id(), caller.business, name)?
            .with_services(professional.services().iter().copied())
            .with_hours(professional.hours().clone())
            .with_capacity(professional.capacity())?
            .with_activity(professional.activity());
    }
    if let Some(services) = &patch.services {
        professional = professional.with_services(service_ids(services)?);
    }
    if let Some(capacity) = patch.capacity {
        professional = professional.with_capacity(capacity)?;
    }
    if let Some(active) = patch.active {
        professional = professional.with_activity(if active {
            Activity::Active
        } else {
            Activity::Retired
        });
    }
    state
        .agenda
        .save_professional(&context(&state, &caller), &professional)
        .await?;
    Ok(axum::Json((&professional).into()))
}

/// Retires a professional (owner): no new bookings; their bookings and
/// history stay.
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
    caller.require(EDITORS)?;
    let professional = load(&state, &caller, &id)
        .await?
        .with_activity(Activity::Retired);
    state
        .agenda
        .save_professional(&context(&state, &caller), &professional)
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

/// Replaces a professional's working hours (R15, R16): weekly windows in
/// the business's zone and dated overrides. Bookings already made stay.
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
    let professional = load(&state, &caller, &id).await?;
    may_manage(&caller, professional.id())?;
    let professional = professional.with_hours(body.to_hours()?);
    state
        .agenda
        .save_professional(&context(&state, &caller), &professional)
        .await?;
    Ok(axum::Json(HoursQuery::from(professional.hours())))
}

/// A professional's blocks that meet a range, by start.
#[utoipa::path(get, path = "/v1/staff/{id}/blocks", tag = "staff",
    params(("id" = String, Path, description = "The professional's id"), BlockRange),
    responses(
        (status = 200, description = "The blocks", body = [BlockOut]),
        (status = 404, description = "No such professional", body = Problem),
    ),
    security(("bearer" = [])))]
async fn list_blocks(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(range): Query<BlockRange>,
) -> Result<axum::Json<Vec<BlockOut>>, Error> {
    let professional = load(&state, &caller, &id).await?;
    let span = range_span(range.from.as_deref(), range.to.as_deref())?;
    let mut work = read(&state, &caller).await?;
    let blocks = work
        .blocks_meeting(Bookable::Professional(professional.id()), span)
        .await?;
    Ok(axum::Json(blocks.iter().map(BlockOut::from).collect()))
}

/// The span from `from` to `to`, either end open when left out.
pub fn range_span(from: Option<&str>, to: Option<&str>) -> Result<Span, Error> {
    let start = from
        .map(|t| instant(t, "from"))
        .transpose()?
        .unwrap_or_else(super::far_past);
    let end = to
        .map(|t| instant(t, "to"))
        .transpose()?
        .unwrap_or_else(super::far_future);
    Ok(Span::new(start, end).map_err(|e| at(e, "to"))?)
}

/// Blocks time in a professional's calendar (R16): lunch, a vacation, an
/// absence. Bookings already made in it stay; new ones are refused.
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
    let professional = load(&state, &caller, &id).await?;
    may_manage(&caller, professional.id())?;
    let start = instant(&body.start, "start")?;
    let end = instant(&body.end, "end")?;
    let span = Span::new(start, end).map_err(|e| at(e, "end"))?;
    // A key names one block of this professional: the id is made from both.
    let block_id = BlockId::from_uuid(super::new_id(
        &state,
        &caller,
        "block",
        &professional.id().to_string(),
        key.as_ref(),
    ));
    let on = Bookable::Professional(professional.id());
    let block = Block::new(block_id, caller.business, on, span, &body.reason)?;
    if key.is_some() {
        let mut work = read(&state, &caller).await?;
        let all = Span::new(super::far_past(), super::far_future())?;
        let existing = work
            .blocks_meeting(on, all)
            .await?
            .into_iter()
            .find(|b| b.id() == block_id);
        if let Some(existing) = existing {
            return replayed(existing, &block, key);
        }
    }
    state
        .agenda
        .add_block(&context(&state, &caller), &block)
        .await?;
    Ok((StatusCode::CREATED, axum::Json((&block).into())))
}

/// Removes a block.
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
    let professional = load(&state, &caller, &id).await?;
    may_manage(&caller, professional.id())?;
    let block_id: BlockId = path_id(&block_id, RecordKind::Block)?;
    let mut work = read(&state, &caller).await?;
    let all = Span::new(super::far_past(), super::far_future())?;
    let blocks = work
        .blocks_meeting(Bookable::Professional(professional.id()), all)
        .await?;
    drop(work);
    if !blocks.iter().any(|b| b.id() == block_id) {
        return Err(CoreError::NotFound {
            record: RecordKind::Block,
            id: block_id.to_string(),
        }
        .into());
    }
    state
        .agenda
        .remove_block(&context(&state, &caller), block_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
