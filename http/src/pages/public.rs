//! The public booking page (`/b/{slug}`) and the client's manage page
//! (`/manage/{token}`).
//!
//! The booking page is one address whose query holds the choices made so
//! far (`service`, `pro`, `date`, `start`), so every step is a plain link,
//! works without a script, and can be shared or reloaded. Choices where
//! the issue is silent:
//! - Days offered: the next 14 local days, in the business's zone; the
//!   first day with a free time is shown when none is chosen.
//! - "Any professional" books the one the engine picks
//!   ([`agendo_core::agenda::Agenda::free_professional`]).
//! - A booking form carries an idempotency key made when it was shown, so
//!   sending it twice (a double tap) books once.
//! - The client gives a name and an e-mail or a phone, or both: the
//!   manage link and reminders go to whichever the business can reach.

use std::collections::HashMap;

use agendo_core::agenda::{Actor, ContactBookRequest, Context, SlotsRequest};
use agendo_core::booking::{ActionKind, Booking, BookingStatus};
use agendo_core::business::{Activity, Business, Professional, Service};
use agendo_core::ids::{ProfessionalId, ServiceId};
use agendo_core::store::{Access, IdempotencyKey};
use agendo_core::time::shown;
use agendo_core::{Error as CoreError, Lang};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Days, NaiveDate, Timelike, Utc};

use super::text::{self, Text};
use super::{limit, theme, Form, PageError, Refusal, Shell, Visit};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/b/{slug}", get(page))
        .route("/b/{slug}/book", post(book))
        .route("/manage/{token}", get(manage))
        .route("/manage/{token}/cancel", post(cancel))
        .route("/manage/{token}/move", get(move_page).post(move_to))
}

/// How many days the page offers.
const DAYS: u64 = 14;

type Params = Query<HashMap<String, String>>;

/// A service as the page lists it.
pub struct ServiceView {
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// How long, as people write it.
    pub duration: String,
    /// Its price, as people write it.
    pub price: String,
    /// The link that chooses it.
    pub href: String,
}

/// One of a set of choices shown as links.
pub struct Choice {
    /// The link.
    pub href: String,
    /// What it says.
    pub label: String,
    /// Whether it is the one chosen.
    pub current: bool,
}

/// A day of the strip.
pub struct DayView {
    /// The link that chooses it.
    pub href: String,
    /// `seg`, `Mon`.
    pub weekday: String,
    /// `07/12`, `7 Dec`.
    pub date: String,
    /// How many free times it has.
    pub free: usize,
    /// Whether it is the one shown.
    pub current: bool,
}

/// A free time.
pub struct TimeView {
    /// The link that chooses it.
    pub href: String,
    /// `09:30`.
    pub label: String,
    /// Its instant, RFC 3339.
    pub start: String,
    /// Whether it is the one chosen.
    pub current: bool,
}

/// The booking form.
pub struct BookForm {
    /// The service's id.
    pub service: String,
    /// The professional's id, or `any`.
    pub pro: String,
    /// The start, RFC 3339.
    pub start: String,
    /// The start as people read it.
    pub when: String,
    /// Who does it.
    pub pro_name: String,
    /// What the client typed.
    pub name: String,
    /// What the client typed.
    pub email: String,
    /// What the client typed.
    pub phone: String,
    /// The form's idempotency key.
    pub key: String,
    /// The field at fault, if the form came back.
    pub bad: String,
    /// What is wrong with it.
    pub error: String,
}

#[derive(Template)]
#[template(path = "public.html")]
struct PublicPage<'a> {
    shell: &'a Shell,
    slug: String,
    name: String,
    description: String,
    address: String,
    logo: Option<String>,
    services: Vec<ServiceView>,
    chosen: Option<ServiceView>,
    pros: Vec<Choice>,
    days: Vec<DayView>,
    times: Vec<TimeView>,
    day_label: String,
    none_soon: bool,
    form: Option<BookForm>,
    notice: Option<String>,
}

/// What a visit to the business's page needs from the store.
struct Shop {
    business: Business,
    services: Vec<Service>,
    staff: Vec<Professional>,
    logo: bool,
}

async fn shop(state: &AppState, slug: &str) -> Result<Shop, PageError> {
    let business = crate::routes::public::business(state, slug).await?;
    let mut work = state
        .agenda
        .store()
        .begin(business.id(), Access::Read)
        .await?;
    let services = work
        .services()
        .await?
        .into_iter()
        .filter(|s| s.activity() == Activity::Active)
        .collect();
    let staff = work
        .professionals()
        .await?
        .into_iter()
        .filter(|p| p.activity() == Activity::Active && !p.services().is_empty())
        .collect();
    drop(work);
    let ctx = Context::new(business.id(), state.now(), Actor::Public);
    let logo = state
        .agenda
        .picture(&ctx, agendo_core::picture::Subject::Logo)
        .await
        .is_ok();
    Ok(Shop {
        business,
        services,
        staff,
        logo,
    })
}

/// The choices made so far, read leniently: a value that is not valid is
/// as if not chosen.
struct Picked {
    service: Option<ServiceId>,
    pro: Option<ProfessionalId>,
    date: Option<NaiveDate>,
    start: Option<DateTime<Utc>>,
}

impl Picked {
    fn of(params: &HashMap<String, String>) -> Picked {
        let get = |name: &str| params.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        Picked {
            service: get("service").and_then(|s| ServiceId::parse(s).ok()),
            pro: get("pro").and_then(|p| ProfessionalId::parse(p).ok()),
            date: get("date").and_then(|d| d.parse().ok()),
            start: get("start")
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok().map(|d| d.to_utc())),
        }
    }
}

/// Whether a refused booking was refused for its time: taken meanwhile,
/// blocked, or no longer in the professional's hours. The visitor is told
/// only that, and shown other times.
pub fn unavailable(error: &CoreError) -> bool {
    matches!(
        error,
        CoreError::SlotTaken { .. }
            | CoreError::Blocked { .. }
            | CoreError::OutsideWorkingHours { .. }
    )
}

/// The link of the page with these choices.
fn href(slug: &str, pairs: &[(&str, &str)]) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(_, v)| !v.is_empty()))
        .finish();
    if query.is_empty() {
        format!("/b/{slug}")
    } else {
        format!("/b/{slug}?{query}")
    }
}

fn service_view(service: &Service, slug: &str, lang: Lang) -> ServiceView {
    ServiceView {
        href: href(slug, &[("service", &service.id().to_string())]),
        name: service.name().to_owned(),
        description: service.description().to_owned(),
        duration: text::minutes(service.duration_minutes()),
        price: service.price().shown(lang),
    }
}

/// The local date of `at` in `zone`.
fn local_date(at: DateTime<Utc>, zone: chrono_tz::Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// `09:30`, local.
fn clock(at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    let local = at.with_timezone(&zone);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

/// The next [`DAYS`] local days with their free starts, and the day a
/// page shows: the one asked for when it is among them, else the first
/// with a free time, else today.
struct Fortnight {
    days: Vec<(NaiveDate, Vec<DateTime<Utc>>)>,
    shown: NaiveDate,
}

impl Fortnight {
    /// The free starts of `service` (with `pro`, or anyone) from today.
    async fn search(
        state: &AppState,
        business: &Business,
        service: ServiceId,
        pro: Option<ProfessionalId>,
        asked: Option<NaiveDate>,
    ) -> Result<Fortnight, PageError> {
        let zone = business.zone();
        let today = local_date(state.now(), zone);
        let ctx = Context::new(business.id(), state.now(), Actor::Public);
        let request = SlotsRequest {
            service,
            professional: pro,
            from: today,
            to: today + Days::new(DAYS - 1),
            step_minutes: None,
        };
        let answer = state.agenda.slots(&ctx, &request).await?;
        let mut days: Vec<(NaiveDate, Vec<DateTime<Utc>>)> = (0..DAYS)
            .map(|i| (today + Days::new(i), Vec::new()))
            .collect();
        for slot in answer.iter() {
            let day = local_date(slot.start(), zone);
            if let Some((_, starts)) = days.iter_mut().find(|(d, _)| *d == day) {
                starts.push(slot.start());
            }
        }
        let shown = asked
            .filter(|d| days.iter().any(|(day, _)| day == d))
            .or_else(|| days.iter().find(|(_, s)| !s.is_empty()).map(|(d, _)| *d))
            .unwrap_or(today);
        Ok(Fortnight { days, shown })
    }

    /// The free starts of the day shown.
    fn starts(&self) -> &[DateTime<Utc>] {
        self.days
            .iter()
            .find(|(d, _)| *d == self.shown)
            .map_or(&[], |(_, starts)| starts.as_slice())
    }

    /// Whether `start` is free.
    fn has(&self, start: DateTime<Utc>) -> bool {
        self.days.iter().any(|(_, starts)| starts.contains(&start))
    }

    /// The day strip, each day linking to `link(day)`.
    fn strip(&self, lang: Lang, link: impl Fn(NaiveDate) -> String) -> Vec<DayView> {
        self.days
            .iter()
            .map(|(day, starts)| {
                let (weekday, date) = agendo_core::time::shown_day(*day, lang);
                DayView {
                    href: link(*day),
                    weekday: weekday.to_owned(),
                    date,
                    free: starts.len(),
                    current: *day == self.shown,
                }
            })
            .collect()
    }
}

async fn page(
    State(state): State<AppState>,
    visit: Visit,
    Path(slug): Path<String>,
    Query(params): Params,
) -> Response {
    match show(&state, &visit, &slug, &Picked::of(&params), None, None).await {
        Ok(response) => response,
        Err(error) => visit.error(&state, visit.lang(None), error),
    }
}

/// The page for the choices in `picked`; `form` refills a form that came
/// back, `notice` says why.
async fn show(
    state: &AppState,
    visit: &Visit,
    slug: &str,
    picked: &Picked,
    form: Option<BookForm>,
    notice: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    limit(state, visit.address)?;
    let shop = shop(state, slug).await?;
    let business = &shop.business;
    let lang = visit.lang(Some(business.locale()));
    let t = Text::of(lang);
    let zone = business.zone();
    let mut shell = visit.shell(state, lang, business.name(), None);
    shell.theme = theme(business.profile().colour());
    let services: Vec<ServiceView> = shop
        .services
        .iter()
        .filter(|s| shop.staff.iter().any(|p| p.services().contains(&s.id())))
        .map(|s| service_view(s, slug, lang))
        .collect();
    let mut page = PublicPage {
        shell: &shell,
        slug: slug.to_owned(),
        name: business.name().to_owned(),
        description: business.profile().description().to_owned(),
        address: business.profile().address().to_owned(),
        logo: shop.logo.then(|| format!("/v1/public/{slug}/logo")),
        services,
        chosen: None,
        pros: Vec::new(),
        days: Vec::new(),
        times: Vec::new(),
        day_label: String::new(),
        none_soon: false,
        form,
        notice: None,
    };
    let status = notice.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    page.notice = notice.map(|(_, n)| n);
    let chosen = picked
        .service
        .and_then(|id| shop.services.iter().find(|s| s.id() == id));
    let Some(service) = chosen else {
        return Ok(visit.render(status, &shell, page));
    };
    let service_id = service.id().to_string();
    page.chosen = Some(service_view(service, slug, lang));
    let performers: Vec<&Professional> = shop
        .staff
        .iter()
        .filter(|p| p.services().contains(&service.id()))
        .collect();
    let pro = picked
        .pro
        .filter(|id| performers.iter().any(|p| p.id() == *id));
    let pro_text = pro.map(|p| p.to_string()).unwrap_or_default();
    page.pros.push(Choice {
        href: href(slug, &[("service", &service_id)]),
        label: t.anyone.to_owned(),
        current: pro.is_none(),
    });
    for p in &performers {
        let id = p.id().to_string();
        page.pros.push(Choice {
            href: href(slug, &[("service", &service_id), ("pro", &id)]),
            label: p.name().to_owned(),
            current: pro == Some(p.id()),
        });
    }
    let fortnight = Fortnight::search(state, business, service.id(), pro, picked.date).await?;
    page.none_soon = fortnight.days.iter().all(|(_, starts)| starts.is_empty());
    let shown_day = fortnight.shown;
    page.days = fortnight.strip(lang, |day| {
        href(
            slug,
            &[
                ("service", &service_id),
                ("pro", &pro_text),
                ("date", &day.to_string()),
            ],
        )
    });
    page.day_label = agendo_core::time::shown_date(shown_day, lang);
    let day_text = shown_day.to_string();
    for start in fortnight.starts() {
        let text = start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        page.times.push(TimeView {
            href: href(
                slug,
                &[
                    ("service", &service_id),
                    ("pro", &pro_text),
                    ("date", &day_text),
                    ("start", &text),
                ],
            ),
            label: clock(*start, zone),
            start: text,
            current: picked.start == Some(*start),
        });
    }
    if page.form.is_none() {
        if let Some(start) = picked.start {
            if fortnight.has(start) {
                let pro_name = pro
                    .and_then(|id| performers.iter().find(|p| p.id() == id))
                    .map_or_else(|| t.anyone.to_owned(), |p| p.name().to_owned());
                page.form = Some(BookForm {
                    service: service_id.clone(),
                    pro: if pro_text.is_empty() {
                        "any".to_owned()
                    } else {
                        pro_text.clone()
                    },
                    start: start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    when: shown(start, zone, lang),
                    pro_name,
                    name: String::new(),
                    email: String::new(),
                    phone: String::new(),
                    key: uuid::Uuid::new_v4().to_string(),
                    bad: String::new(),
                    error: String::new(),
                });
            } else if page.notice.is_none() {
                page.notice = Some(t.time_taken.to_owned());
            }
        }
    }
    Ok(visit.render(status, &shell, page))
}

async fn book(
    State(state): State<AppState>,
    visit: Visit,
    Path(slug): Path<String>,
    form: Form,
) -> Response {
    match booked(&state, &visit, &slug, &form).await {
        Ok(response) => response,
        Err(error) => visit.error(&state, visit.lang(None), error),
    }
}

async fn booked(
    state: &AppState,
    visit: &Visit,
    slug: &str,
    form: &Form,
) -> Result<Response, PageError> {
    visit.check(state, form, None)?;
    limit(state, visit.address)?;
    let business = crate::routes::public::business(state, slug).await?;
    let lang = visit.lang(Some(business.locale()));
    let t = Text::of(lang);
    let zone = business.zone();
    let picked = Picked {
        service: ServiceId::parse(form.get("service")).ok(),
        pro: ProfessionalId::parse(form.get("pro")).ok(),
        date: None,
        start: DateTime::parse_from_rfc3339(form.get("start"))
            .ok()
            .map(|d| d.to_utc()),
    };
    let (Some(service), Some(start)) = (picked.service, picked.start) else {
        return Err(PageError::NotFound);
    };
    let picked = Picked {
        date: Some(local_date(start, zone)),
        ..picked
    };
    let again = |bad: &str, error: String| BookForm {
        service: service.to_string(),
        pro: form.get("pro").to_owned(),
        start: form.get("start").to_owned(),
        when: shown(start, zone, lang),
        pro_name: String::new(),
        name: form.get("name").to_owned(),
        email: form.get("email").to_owned(),
        phone: form.get("phone").to_owned(),
        key: form.get("key").to_owned(),
        bad: bad.to_owned(),
        error,
    };
    let taken = || (StatusCode::CONFLICT, t.time_taken.to_owned());
    let ctx = Context::new(business.id(), state.now(), Actor::Public);
    let chosen = match picked.pro {
        Some(pro) => Some(pro),
        None => state.agenda.free_professional(&ctx, service, start).await?,
    };
    let Some(professional) = chosen else {
        let picked = Picked {
            start: None,
            ..picked
        };
        return show(state, visit, slug, &picked, None, Some(taken())).await;
    };
    let fields = (|| -> Result<ContactBookRequest, CoreError> {
        let (email, phone) = form.contact()?;
        Ok(ContactBookRequest {
            service,
            professional,
            start,
            name: form.get("name").to_owned(),
            email,
            phone,
        })
    })();
    let request = match fields {
        Ok(request) => request,
        Err(error) => {
            let refusal = Refusal::of(error, lang)?;
            let bad = refusal.field.unwrap_or_default();
            let back = again(&bad, refusal.message);
            let note = (refusal.status, t.fix_fields.to_owned());
            return show(state, visit, slug, &picked, Some(back), Some(note)).await;
        }
    };
    let ctx = match IdempotencyKey::parse(form.get("key")) {
        Ok(key) => ctx.with_key(key),
        Err(_) => ctx,
    };
    match state.agenda.book_as_contact(&ctx, &request).await {
        Ok(booking) => {
            state.metrics.booking_created();
            let token = state.tokens.manage_token_of(&booking)?;
            Ok(visit.redirect(&format!("/manage/{token}?new=1")))
        }
        Err(error) if unavailable(&error) => {
            crate::routes::bookings::count_refusal(state, &error);
            let picked = Picked {
                start: None,
                ..picked
            };
            show(state, visit, slug, &picked, None, Some(taken())).await
        }
        Err(error) => {
            let refusal = Refusal::of(error, lang)?;
            let bad = refusal.field.unwrap_or_default();
            let note = (refusal.status, refusal.message.clone());
            let back = again(&bad, refusal.message);
            show(state, visit, slug, &picked, Some(back), Some(note)).await
        }
    }
}

#[derive(Template)]
#[template(path = "manage.html")]
struct ManagePage<'a> {
    shell: &'a Shell,
    business: String,
    title: String,
    notice: Option<String>,
    link: String,
    token: String,
    service: String,
    pro: String,
    when: String,
    price: String,
    status: &'static str,
    deposit: Option<String>,
    changeable: bool,
    /// The cancellation's cost, when the client asked to see it.
    quote: Option<Quote>,
    settled: Option<String>,
}

/// What cancelling costs, shown before the client confirms.
struct Quote {
    fee: Option<String>,
    refund: Option<String>,
    reason: String,
}

/// A manage link's booking, with what the page shows of it.
struct Managed {
    token: String,
    ctx: Context,
    booking: Booking,
    business: Business,
    service: Service,
    pro: Professional,
}

async fn managed(state: &AppState, visit: &Visit, token: &str) -> Result<Managed, PageError> {
    limit(state, visit.address)?;
    let manage = state
        .tokens
        .manage(token, state.now())
        .ok_or(PageError::NotFound)?;
    let ctx = Context::new(
        manage.business,
        state.now(),
        Actor::ManageLink(manage.booking),
    );
    let booking = state.agenda.booking(&ctx, manage.booking).await?;
    let mut work = state
        .agenda
        .store()
        .begin(manage.business, Access::Read)
        .await?;
    let business = work.business().await?.ok_or(PageError::NotFound)?;
    let service = work
        .service(booking.service())
        .await?
        .ok_or(PageError::NotFound)?;
    let pro = work
        .professional(booking.professional())
        .await?
        .ok_or(PageError::NotFound)?;
    Ok(Managed {
        token: token.to_owned(),
        ctx,
        booking,
        business,
        service,
        pro,
    })
}

/// A manage page's form: its CSRF token checked against the link, the
/// booking the link names, and the language to answer in.
async fn managed_form(
    state: &AppState,
    visit: &Visit,
    token: &str,
    form: &Form,
) -> Result<(Managed, Lang, &'static Text), PageError> {
    visit.check(state, form, Some(token))?;
    let m = managed(state, visit, token).await?;
    let lang = visit.lang(Some(m.business.locale()));
    Ok((m, lang, Text::of(lang)))
}

impl Managed {
    fn page<'a>(&self, state: &AppState, shell: &'a Shell, title: &str) -> ManagePage<'a> {
        let lang = shell.lang;
        let b = &self.booking;
        ManagePage {
            shell,
            business: self.business.name().to_owned(),
            title: title.to_owned(),
            notice: None,
            link: format!("{}/manage/{}", state.config.public_url, self.token),
            token: self.token.clone(),
            service: self.service.name().to_owned(),
            pro: self.pro.name().to_owned(),
            when: shown(b.appointment().start(), self.business.zone(), lang),
            price: b.price().shown(lang),
            status: text::status(b.status(), lang),
            deposit: (b.status() == BookingStatus::Pending && !b.deposit().is_zero())
                .then(|| text::deposit(&b.deposit().shown(lang), lang)),
            // A client changes a booking only before it starts.
            changeable: b.allows(ActionKind::Reschedule, self.ctx.now)
                && b.appointment().start() > self.ctx.now,
            quote: None,
            settled: b
                .settlement()
                .map(|s| text::fee_kept(&s.policy_fee().shown(lang), lang)),
        }
    }

    fn shell(&self, state: &AppState, visit: &Visit, title: &str) -> Shell {
        let lang = visit.lang(Some(self.business.locale()));
        let mut shell = visit.shell(state, lang, title, Some(&self.token));
        shell.theme = theme(self.business.profile().colour());
        shell
    }
}

async fn manage(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
    Query(params): Params,
) -> Response {
    let result = async {
        let m = managed(&state, &visit, &token).await?;
        let lang = visit.lang(Some(m.business.locale()));
        let t = Text::of(lang);
        let title = if params.contains_key("new") {
            t.booked_title
        } else if params.contains_key("moved") {
            t.moved_title
        } else {
            t.your_booking
        };
        let shell = m.shell(&state, &visit, title);
        let mut page = m.page(&state, &shell, title);
        if params.contains_key("new") {
            page.notice = Some(t.booked_note.to_owned());
        }
        Ok::<_, PageError>(visit.render(StatusCode::OK, &shell, page))
    }
    .await;
    result.unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}

async fn cancel(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
    form: Form,
) -> Response {
    let result = async {
        let (m, lang, t) = managed_form(&state, &visit, &token, &form).await?;
        let reason = form.get("reason").chars().take(500).collect::<String>();
        if form.get("confirm") != "yes" {
            let shell = m.shell(&state, &visit, t.cancel_booking);
            let mut page = m.page(&state, &shell, t.cancel_booking);
            match state
                .agenda
                .cancellation_quote(&m.ctx, m.booking.id())
                .await
            {
                Ok(settlement) => {
                    let fee = settlement.policy_fee();
                    let refund = settlement.refund();
                    page.quote = Some(Quote {
                        fee: (!fee.is_zero()).then(|| text::cancel_fee(&fee.shown(lang), lang)),
                        refund: (!refund.is_zero())
                            .then(|| text::refund_of(&refund.shown(lang), lang)),
                        reason,
                    });
                }
                Err(error) => page.notice = Some(Refusal::of(error, lang)?.message),
            }
            return Ok(visit.render(StatusCode::OK, &shell, page));
        }
        let notice = match state.agenda.cancel(&m.ctx, m.booking.id(), &reason).await {
            Ok(_) => None,
            Err(error) => Some(Refusal::of(error, lang)?),
        };
        let m = managed(&state, &visit, &token).await?;
        let title = if notice.is_none() {
            t.cancelled_title
        } else {
            t.your_booking
        };
        let shell = m.shell(&state, &visit, title);
        let mut page = m.page(&state, &shell, title);
        let status = notice.as_ref().map_or(StatusCode::OK, |n| n.status);
        page.notice = notice.map(|n| n.message);
        Ok::<_, PageError>(visit.render(status, &shell, page))
    }
    .await;
    result.unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}

#[derive(Template)]
#[template(path = "manage_move.html")]
struct MovePage<'a> {
    shell: &'a Shell,
    business: String,
    token: String,
    service: String,
    pro: String,
    when: String,
    days: Vec<DayView>,
    day_label: String,
    times: Vec<TimeView>,
    notice: Option<String>,
}

async fn move_page(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
    Query(params): Params,
) -> Response {
    let date = params.get("date").and_then(|d| d.parse().ok());
    move_with(&state, &visit, &token, date, None)
        .await
        .unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}

async fn move_with(
    state: &AppState,
    visit: &Visit,
    token: &str,
    date: Option<NaiveDate>,
    notice: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let m = managed(state, visit, token).await?;
    let lang = visit.lang(Some(m.business.locale()));
    let t = Text::of(lang);
    let zone = m.business.zone();
    let shell = m.shell(state, visit, t.choose_new_time);
    let fortnight =
        Fortnight::search(state, &m.business, m.service.id(), Some(m.pro.id()), date).await?;
    let days = fortnight.strip(lang, |day| format!("/manage/{token}/move?date={day}"));
    let times = fortnight
        .starts()
        .iter()
        .map(|s| TimeView {
            href: String::new(),
            label: clock(*s, zone),
            start: s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            current: false,
        })
        .collect();
    let status = notice.as_ref().map_or(StatusCode::OK, |n| n.0);
    let page = MovePage {
        shell: &shell,
        business: m.business.name().to_owned(),
        token: token.to_owned(),
        service: m.service.name().to_owned(),
        pro: m.pro.name().to_owned(),
        when: shown(m.booking.appointment().start(), zone, lang),
        days,
        day_label: agendo_core::time::shown_date(fortnight.shown, lang),
        times,
        notice: notice.map(|n| n.1),
    };
    Ok(visit.render(status, &shell, page))
}

async fn move_to(
    State(state): State<AppState>,
    visit: Visit,
    Path(token): Path<String>,
    form: Form,
) -> Response {
    let result = async {
        let (m, lang, t) = managed_form(&state, &visit, &token, &form).await?;
        let Some(start) = DateTime::parse_from_rfc3339(form.get("start"))
            .ok()
            .map(|d| d.to_utc())
        else {
            let note = (
                StatusCode::UNPROCESSABLE_ENTITY,
                t.choose_new_time.to_owned(),
            );
            return move_with(&state, &visit, &token, None, Some(note)).await;
        };
        let day = local_date(start, m.business.zone());
        match state.agenda.reschedule(&m.ctx, m.booking.id(), start).await {
            Ok(_) => Ok(visit.redirect(&format!("/manage/{token}?moved=1"))),
            Err(error) if unavailable(&error) => {
                crate::routes::bookings::count_refusal(&state, &error);
                let note = (StatusCode::CONFLICT, t.time_taken.to_owned());
                move_with(&state, &visit, &token, Some(day), Some(note)).await
            }
            Err(error) => {
                let refusal = Refusal::of(error, lang)?;
                let note = (refusal.status, refusal.message);
                move_with(&state, &visit, &token, Some(day), Some(note)).await
            }
        }
    }
    .await;
    result.unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}
