//! The staff area: signing in and out, opening a business, the agenda by
//! day and week, a booking's page with its actions, booking from an empty
//! slot, blocking time, and the clients.
//!
//! Choices where the issue is silent:
//! - The day view is a grid of 15-minute rows from the earliest opening to
//!   the latest closing among the professionals shown (08:00–18:00 on a
//!   day nobody works), widened to any booking outside them. Free time is
//!   a link that books it; time outside the hours is grey.
//! - The week view is one professional's seven days as the same grid; for
//!   everyone it lists each day's bookings.
//! - Dragging a booking onto a free time of its own column moves it there
//!   (the engine checks it as any reschedule); the keyboard way is the
//!   booking's page, whose form lists the free times.
//! - A sign-in lasts as long as the API's sessions (`AGENDO_SESSION_DAYS`),
//!   and ends with sign-out, a password reset or the account's retirement.

use std::collections::HashMap;

use agendo_core::account::Role;
use agendo_core::agenda::{
    BlockFields, BookRequest, ClientFilter, ContactBookRequest, Context, SlotsRequest,
};
use agendo_core::booking::{ActionKind, Booking, BookingStatus};
use agendo_core::business::{Activity, Bookable, Business, Client, Professional, Service};
use agendo_core::ids::{BookingId, ClientId, ProfessionalId, ServiceId};
use agendo_core::store::{Access, BookingFilter, IdempotencyKey};
use agendo_core::time::{shown, Disambiguation, LocalTime, Span};
use agendo_core::{Error as CoreError, Lang};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

use super::text::{self, Text};
use super::{signed_in, staff_cookie, Form, Nav, PageError, Refusal, Shell, Visit};
use crate::auth::Caller;
use crate::routes::auth::{authenticate, open_business, start_session, LoginBody, RegisterBody};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/staff",
            get(|| async { axum::response::Redirect::to("/staff/agenda") }),
        )
        .route("/staff/sign-in", get(sign_in_page).post(sign_in))
        .route("/staff/sign-out", post(sign_out))
        .route("/register", get(register_page).post(register))
        .route("/staff/agenda", get(agenda))
        .route("/staff/bookings/new", get(new_booking).post(create_booking))
        .route("/staff/bookings/{id}", get(booking_page))
        .route("/staff/bookings/{id}/{action}", post(act))
        .route("/staff/blocks/new", get(new_block).post(create_block))
        .route("/staff/clients", get(clients))
        .route("/staff/clients/{id}", get(client_page))
}

type Params = Query<HashMap<String, String>>;

/// Minutes per row of the agenda's grid.
const ROW: u32 = 15;

/// What every staff page starts from: who is signed in, their context and
/// business, and the page's frame with the menu.
pub struct Desk {
    /// Who.
    pub caller: Caller,
    /// Their context at the host's now.
    pub ctx: Context,
    /// Their business.
    pub business: Business,
    /// The language.
    pub lang: Lang,
    /// The words.
    pub t: &'static Text,
    /// The session, to which the forms' CSRF tokens are bound.
    pub bound: String,
}

impl Desk {
    /// The signed-in staff member's desk.
    ///
    /// # Errors
    /// [`PageError::SignIn`] when nobody is signed in.
    pub async fn open(state: &AppState, visit: &Visit) -> Result<Desk, PageError> {
        let caller = signed_in(state, visit).await?;
        let ctx = crate::routes::context(state, &caller);
        let mut work = state
            .agenda
            .store()
            .begin(caller.business, Access::Read)
            .await?;
        let business = work.business().await?.ok_or(PageError::SignIn)?;
        drop(work);
        let lang = visit.lang(Some(caller.lang));
        Ok(Desk {
            bound: caller.session.to_string(),
            caller,
            ctx,
            business,
            lang,
            t: Text::of(lang),
        })
    }

    /// The frame of a page titled `title`, with the menu.
    pub fn shell(&self, state: &AppState, visit: &Visit, title: &str) -> Shell {
        let mut shell = visit.shell(state, self.lang, title, Some(&self.bound));
        shell.nav = Some(Nav {
            who: self.business.name().to_owned(),
            setup: self.caller.role == Role::Owner,
            public: self.business.slug().map(|s| format!("/b/{}", s.as_str())),
        });
        shell
    }

    /// Checks a form's CSRF token.
    ///
    /// # Errors
    /// [`PageError::Expired`].
    pub fn check(&self, state: &AppState, visit: &Visit, form: &Form) -> Result<(), PageError> {
        visit.check(state, form, Some(&self.bound))
    }

    /// A local date and time in the business's zone as an instant; a time
    /// that does not exist or happens twice that day is refused, naming
    /// `field`.
    ///
    /// # Errors
    /// [`CoreError::Invalid`] and the local-time errors, for `field`.
    pub fn instant(&self, date: &str, time: &str, field: &str) -> Result<DateTime<Utc>, CoreError> {
        let date = agendo_core::time::read_date(date, field)?;
        let time = agendo_core::time::WallTime::parse(time).map_err(|e| e.at(field))?;
        let local = time
            .on(date)
            .ok_or_else(|| CoreError::invalid(field, agendo_core::Problem::Empty))?;
        LocalTime::of(self.business.zone(), local)
            .instant(Disambiguation::Reject)
            .map_err(|e| e.at(field))
    }

    fn day_span(&self, first: NaiveDate, days: u64) -> Result<Span, PageError> {
        let at = |date: NaiveDate| {
            LocalTime::of(self.business.zone(), date.and_time(NaiveTime::MIN))
                .instant(Disambiguation::Compatible)
        };
        Ok(Span::new(at(first)?, at(first + Days::new(days))?)?)
    }
}

fn or_page(state: &AppState, visit: &Visit, result: Result<Response, PageError>) -> Response {
    result.unwrap_or_else(|error| visit.error(state, visit.lang(None), error))
}

// ----- Signing in and out, opening a business -----

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    shell: &'a Shell,
    next: String,
    email: String,
    business: String,
    error: Option<String>,
}

/// Where to go after signing in: a staff page of this host, or the agenda.
fn next_of(next: &str) -> String {
    if next.starts_with("/staff/") && !next.contains("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        "/staff/agenda".to_owned()
    }
}

async fn sign_in_page(
    State(state): State<AppState>,
    visit: Visit,
    Query(params): Params,
) -> Response {
    let lang = visit.lang(None);
    let t = Text::of(lang);
    let shell = visit.shell(&state, lang, t.sign_in, None);
    let page = SignInPage {
        shell: &shell,
        next: next_of(params.get("next").map_or("", String::as_str)),
        email: String::new(),
        business: String::new(),
        error: None,
    };
    visit.render(StatusCode::OK, &shell, page)
}

async fn sign_in(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let result = async {
        visit.check(&state, &form, None)?;
        let body = LoginBody {
            email: form.get("email").to_owned(),
            password: form.get("password").to_owned(),
            business_slug: form.opt("business").map(str::to_owned),
        };
        let lang = visit.lang(None);
        let (account, business_lang) = match authenticate(&state, visit.address, &body).await {
            Ok(found) => found,
            Err(error) => {
                let refusal = Refusal::of(error, lang)?;
                let t = Text::of(lang);
                let shell = visit.shell(&state, lang, t.sign_in, None);
                let page = SignInPage {
                    shell: &shell,
                    next: next_of(form.get("next")),
                    email: body.email,
                    business: body.business_slug.unwrap_or_default(),
                    error: Some(refusal.message),
                };
                return Ok(visit.render(refusal.status, &shell, page));
            }
        };
        let mut response = visit.redirect(&next_of(form.get("next")));
        start(&state, &account, business_lang, &mut response).await?;
        Ok(response)
    }
    .await;
    or_page(&state, &visit, result)
}

/// Starts a session for `account` and sets its cookie on `response`.
async fn start(
    state: &AppState,
    account: &agendo_core::account::Account,
    lang: Lang,
    response: &mut Response,
) -> Result<(), PageError> {
    let (session, _, lifetime) = start_session(state, account).await?;
    let now = state.now();
    let caller = Caller::of(account, lang, session);
    let token = state.tokens.token_until(&caller, now, now + lifetime)?;
    if let Some(cookie) = staff_cookie(&token, lifetime.num_seconds()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(())
}

async fn sign_out(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let result = async {
        let desk = Desk::open(&state, &visit).await?;
        desk.check(&state, &visit, &form)?;
        state
            .agenda
            .end_session(&desk.ctx, desk.caller.session)
            .await?;
        let mut response = visit.redirect("/staff/sign-in");
        if let Some(cookie) = staff_cookie("", 0) {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        Ok(response)
    }
    .await;
    or_page(&state, &visit, result)
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    shell: &'a Shell,
    key: String,
    values: HashMap<&'static str, String>,
    zones: &'static [&'static str],
    bad: String,
    error: Option<String>,
}

impl RegisterPage<'_> {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }
}

/// The zones offered first when opening a business; any IANA name is
/// taken.
const ZONES: &[&str] = &[
    "America/Sao_Paulo",
    "America/Manaus",
    "America/Fortaleza",
    "America/Recife",
    "America/Cuiaba",
    "America/Belem",
    "America/Rio_Branco",
    "America/Noronha",
    "Europe/Lisbon",
    "Europe/London",
    "America/New_York",
    "UTC",
];

const REGISTER_FIELDS: [&str; 8] = [
    "business_name",
    "timezone",
    "currency",
    "locale",
    "slug",
    "name",
    "email",
    "password",
];

async fn register_page(State(state): State<AppState>, visit: Visit) -> Response {
    let lang = visit.lang(None);
    let t = Text::of(lang);
    let shell = visit.shell(&state, lang, t.register, None);
    let mut values = HashMap::new();
    values.insert("timezone", "America/Sao_Paulo".to_owned());
    values.insert("currency", "BRL".to_owned());
    values.insert("locale", lang.tag().to_owned());
    let page = RegisterPage {
        shell: &shell,
        key: uuid::Uuid::new_v4().to_string(),
        values,
        zones: ZONES,
        bad: String::new(),
        error: None,
    };
    visit.render(StatusCode::OK, &shell, page)
}

async fn register(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let result = async {
        visit.check(&state, &form, None)?;
        let lang = visit.lang(None);
        let body = RegisterBody {
            business_name: form.get("business_name").to_owned(),
            timezone: form.get("timezone").to_owned(),
            currency: form.get("currency").to_owned(),
            locale: form.get("locale").to_owned(),
            slug: form.opt("slug").map(str::to_owned),
            name: form.get("name").to_owned(),
            email: form.get("email").to_owned(),
            password: form.get("password").to_owned(),
        };
        let key = IdempotencyKey::parse(form.get("key")).ok();
        match open_business(&state, visit.address, key, body).await {
            Ok((_, owner, business_lang)) => {
                let mut response = visit.redirect("/staff/setup");
                start(&state, &owner, business_lang, &mut response).await?;
                Ok(response)
            }
            Err(error) => {
                let refusal = Refusal::of(error, lang)?;
                let t = Text::of(lang);
                let shell = visit.shell(&state, lang, t.register, None);
                let values = REGISTER_FIELDS
                    .iter()
                    .filter(|f| **f != "password")
                    .map(|f| (*f, form.get(f).to_owned()))
                    .collect();
                let page = RegisterPage {
                    shell: &shell,
                    key: form.get("key").to_owned(),
                    values,
                    zones: ZONES,
                    bad: refusal.field.unwrap_or_default(),
                    error: Some(refusal.message),
                };
                Ok(visit.render(refusal.status, &shell, page))
            }
        }
    }
    .await;
    or_page(&state, &visit, result)
}

// ----- The agenda -----

/// A column of the agenda's grid: a professional, or a day.
struct Column {
    label: String,
    /// Its cells of free time, each a link that books it.
    free: Vec<Cell>,
    /// Rows inside working hours, for the grey of closed time.
    open: Vec<(u32, u32)>,
}

/// A free cell.
struct Cell {
    id: String,
    href: String,
    label: String,
    start: String,
    pro: String,
}

/// A booking or block placed on the grid.
struct Placed {
    id: String,
    href: String,
    time: String,
    title: String,
    detail: String,
    class: &'static str,
    status: &'static str,
    movable: bool,
    pro: String,
}

/// A day of the week list.
struct ListDay {
    label: String,
    bookings: Vec<Placed>,
}

#[derive(Template)]
#[template(path = "agenda.html")]
struct AgendaPage<'a> {
    shell: &'a Shell,
    /// Where each cell, booking and block sits on the grid, as CSS (in a
    /// `<style>` with the page's nonce: no `style=` attributes).
    css: String,
    title: String,
    week: bool,
    date: String,
    pro: String,
    pros: Vec<(String, String, bool)>,
    everyone: bool,
    prev: String,
    next: String,
    today: String,
    day_link: String,
    week_link: String,
    hours: Vec<(u32, String)>,
    columns: Vec<Column>,
    placed: Vec<Placed>,
    list: Vec<ListDay>,
    notice: Option<String>,
}

fn agenda_link(view: &str, date: NaiveDate, pro: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("view", view)
        .append_pair("date", &date.to_string())
        .extend_pairs((!pro.is_empty()).then_some(("pro", pro)))
        .finish();
    format!("/staff/agenda?{query}")
}

fn local_minutes(at: DateTime<Utc>, zone: chrono_tz::Tz, day: NaiveDate) -> i64 {
    let local = at.with_timezone(&zone).naive_local();
    (local - day.and_time(NaiveTime::MIN)).num_minutes()
}

fn clock_of(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

async fn agenda(State(state): State<AppState>, visit: Visit, Query(params): Params) -> Response {
    let result = agenda_view(&state, &visit, &params, None).await;
    or_page(&state, &visit, result)
}

async fn agenda_view(
    state: &AppState,
    visit: &Visit,
    params: &HashMap<String, String>,
    notice: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let desk = Desk::open(state, visit).await?;
    let t = desk.t;
    let lang = desk.lang;
    let zone = desk.business.zone();
    let today = state.now().with_timezone(&zone).date_naive();
    // A date the engine answers for, with a week either side (for the
    // week's grid and the links to the weeks before and after); any other
    // is as if not given.
    let date: NaiveDate = params
        .get("date")
        .and_then(|d| agendo_core::time::read_date(d, "date").ok())
        .filter(|d| {
            d.checked_sub_days(Days::new(14))
                .is_some_and(|first| desk.day_span(first, 29).is_ok())
        })
        .unwrap_or(today);
    let week = params.get("view").is_some_and(|v| v == "week");
    let mut work = state
        .agenda
        .store()
        .begin(desk.caller.business, Access::Read)
        .await?;
    let mut staff: Vec<Professional> = work
        .professionals()
        .await?
        .into_iter()
        .filter(|p| p.activity() == Activity::Active)
        .collect();
    let services: HashMap<ServiceId, Service> = work
        .services()
        .await?
        .into_iter()
        .map(|s| (s.id(), s))
        .collect();
    if let Some(own) = desk
        .caller
        .professional
        .filter(|_| desk.caller.role == Role::Professional)
    {
        staff.retain(|p| p.id() == own);
    }
    let asked: Option<ProfessionalId> = params
        .get("pro")
        .and_then(|p| ProfessionalId::parse(p).ok())
        .filter(|id| staff.iter().any(|p| p.id() == *id));
    let chosen: Vec<&Professional> = match asked {
        Some(id) => staff.iter().filter(|p| p.id() == id).collect(),
        None if staff.len() == 1 => staff.iter().collect(),
        None => staff.iter().collect(),
    };
    let pro_text = asked.map(|p| p.to_string()).unwrap_or_default();
    let first = if week {
        date - Days::new(u64::from(date.weekday().num_days_from_monday()))
    } else {
        date
    };
    let days = if week { 7 } else { 1 };
    let span = desk.day_span(first, days)?;
    let filter = BookingFilter {
        during: Some(span),
        professional: asked,
        ..BookingFilter::default()
    };
    let bookings: Vec<Booking> = state
        .agenda
        .bookings(&desk.ctx, &filter)
        .await?
        .into_iter()
        .filter(|b| !matches!(b.status(), BookingStatus::Cancelled))
        .collect();
    let mut blocks = Vec::new();
    for p in &chosen {
        for block in work
            .blocks_meeting(Bookable::Professional(p.id()), span)
            .await?
        {
            blocks.push((p.id(), block));
        }
    }
    // Only the clients of the bookings shown, not the whole list.
    let mut clients: HashMap<ClientId, Client> = HashMap::new();
    for b in &bookings {
        if !clients.contains_key(&b.client()) {
            if let Some(client) = work.client(b.client()).await? {
                clients.insert(client.id(), client);
            }
        }
    }
    drop(work);
    let name_of = |b: &Booking| {
        clients
            .get(&b.client())
            .map_or_else(String::new, |c| c.name().to_owned())
    };
    let service_of = |b: &Booking| {
        services
            .get(&b.service())
            .map_or_else(String::new, |s| s.name().to_owned())
    };
    let pro_name = |id: ProfessionalId| {
        staff
            .iter()
            .find(|p| p.id() == id)
            .map_or_else(String::new, |p| p.name().to_owned())
    };
    let title = if week {
        format!(
            "{} – {}",
            agendo_core::time::shown_date(first, lang),
            agendo_core::time::shown_date(first + Days::new(6), lang)
        )
    } else {
        agendo_core::time::shown_date(date, lang)
    };
    let step = if week { 7 } else { 1 };
    let view = if week { "week" } else { "day" };
    let shell = desk.shell(state, visit, &format!("{} · {}", t.agenda, title));
    let mut page = AgendaPage {
        shell: &shell,
        css: String::new(),
        title: title.clone(),
        week,
        date: date.to_string(),
        pro: pro_text.clone(),
        pros: staff
            .iter()
            .map(|p| {
                (
                    p.id().to_string(),
                    p.name().to_owned(),
                    asked == Some(p.id()),
                )
            })
            .collect(),
        everyone: asked.is_none(),
        prev: agenda_link(view, date - Days::new(step), &pro_text),
        next: agenda_link(view, date + Days::new(step), &pro_text),
        today: agenda_link(view, today, &pro_text),
        day_link: agenda_link("day", date, &pro_text),
        week_link: agenda_link("week", date, &pro_text),
        hours: Vec::new(),
        columns: Vec::new(),
        placed: Vec::new(),
        list: Vec::new(),
        notice: notice.as_ref().map(|n| n.1.clone()),
    };
    let mut css = String::new();
    if week && chosen.len() != 1 {
        // Everyone's week: a list per day.
        for i in 0..7 {
            let day = first + Days::new(i);
            let mut listed = Vec::new();
            for b in bookings
                .iter()
                .filter(|b| b.appointment().start().with_timezone(&zone).date_naive() == day)
            {
                listed.push(placed(
                    b,
                    zone,
                    lang,
                    &name_of(b),
                    &service_of(b),
                    &pro_name(b.professional()),
                ));
            }
            page.list.push(ListDay {
                label: agendo_core::time::shown_date(day, lang),
                bookings: listed,
            });
        }
    } else {
        // The grid: columns are professionals (a day) or days (a week).
        let columns: Vec<(NaiveDate, &Professional)> = if week {
            (0..7).map(|i| (first + Days::new(i), chosen[0])).collect()
        } else {
            chosen.iter().map(|p| (date, *p)).collect()
        };
        let mut top = u32::MAX;
        let mut bottom = 0u32;
        for (day, p) in &columns {
            for w in p.hours().windows_on(*day) {
                top = top.min(u32::from(w.start().minutes_since_midnight()));
                bottom = bottom.max(u32::from(w.end().minutes_since_midnight()));
            }
        }
        for b in &bookings {
            let day = b.appointment().start().with_timezone(&zone).date_naive();
            let from = local_minutes(b.appointment().start(), zone, day).clamp(0, 1440);
            let to = local_minutes(b.appointment().end(), zone, day).clamp(0, 1440);
            top = top.min(u32::try_from(from).unwrap_or(0));
            bottom = bottom.max(u32::try_from(to).unwrap_or(1440));
        }
        if top >= bottom {
            (top, bottom) = (8 * 60, 18 * 60);
        }
        top = top / 60 * 60;
        bottom = bottom.div_ceil(60) * 60;
        let row_of = |minutes: u32| (minutes.saturating_sub(top)) / ROW + 2;
        for m in (top..bottom).step_by(60) {
            page.hours.push((row_of(m), clock_of(m)));
            css.push_str(&format!(
                ".h{}{{grid-row:{}/span {}}}",
                row_of(m),
                row_of(m),
                60 / ROW
            ));
        }
        for (i, (day, p)) in columns.iter().enumerate() {
            let col = i + 2;
            let label = if week {
                let (weekday, short) = agendo_core::time::shown_day(*day, lang);
                format!("{weekday} {short}")
            } else {
                p.name().to_owned()
            };
            let windows: Vec<(u32, u32)> = p
                .hours()
                .windows_on(*day)
                .iter()
                .map(|w| {
                    (
                        u32::from(w.start().minutes_since_midnight()),
                        u32::from(w.end().minutes_since_midnight()),
                    )
                })
                .collect();
            let busy: Vec<(i64, i64)> = bookings
                .iter()
                .filter(|b| b.professional() == p.id())
                .map(|b| b.held())
                .chain(
                    blocks
                        .iter()
                        .filter(|(id, _)| *id == p.id())
                        .map(|(_, bl)| bl.span()),
                )
                .map(|s| {
                    (
                        local_minutes(s.start(), zone, *day),
                        local_minutes(s.end(), zone, *day),
                    )
                })
                .collect();
            let mut free = Vec::new();
            for (from, to) in &windows {
                let mut m = *from;
                while m + ROW <= *to {
                    let (a, b) = (i64::from(m), i64::from(m + ROW));
                    let taken = busy.iter().any(|(s, e)| *s < b && a < *e);
                    let start = day
                        .and_time(NaiveTime::MIN)
                        .checked_add_signed(chrono::TimeDelta::minutes(i64::from(m)))
                        .and_then(|local| {
                            LocalTime::of(zone, local)
                                .instant(Disambiguation::Compatible)
                                .ok()
                        });
                    if let (false, Some(start)) = (taken, start) {
                        if start > state.now() {
                            let id = format!("f{col}-{m}");
                            css.push_str(&format!(
                                "#{id}{{grid-row:{};grid-column:{col}}}",
                                row_of(m)
                            ));
                            let start_text =
                                start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                            let query = form_urlencoded::Serializer::new(String::new())
                                .append_pair("pro", &p.id().to_string())
                                .append_pair("start", &start_text)
                                .finish();
                            free.push(Cell {
                                id,
                                href: format!("/staff/bookings/new?{query}"),
                                label: format!("{} {} {}", t.book_here, clock_of(m), p.name()),
                                start: start_text,
                                pro: p.id().to_string(),
                            });
                        }
                    }
                    m += ROW;
                }
            }
            let mut open = Vec::new();
            for (n, (from, to)) in windows.iter().enumerate() {
                let id = format!("o{col}-{n}");
                css.push_str(&format!(
                    "#{id}{{grid-row:{}/{};grid-column:{col}}}",
                    row_of(*from),
                    row_of(*to)
                ));
                open.push((
                    u32::try_from(col).unwrap_or(0),
                    u32::try_from(n).unwrap_or(0),
                ));
            }
            css.push_str(&format!(".c{col}{{grid-column:{col}}}"));
            page.columns.push(Column { label, free, open });
            for b in bookings.iter().filter(|b| {
                b.professional() == p.id()
                    && b.appointment().start().with_timezone(&zone).date_naive() == *day
            }) {
                let from = u32::try_from(
                    local_minutes(b.appointment().start(), zone, *day).clamp(0, 1440),
                )
                .unwrap_or(0);
                let to =
                    u32::try_from(local_minutes(b.appointment().end(), zone, *day).clamp(0, 1440))
                        .unwrap_or(0);
                let mut one = placed(b, zone, lang, &name_of(b), &service_of(b), p.name());
                css.push_str(&format!(
                    "#{}{{grid-row:{}/{};grid-column:{col}}}",
                    one.id,
                    row_of(from),
                    row_of(to.max(from + ROW)).max(row_of(from) + 1)
                ));
                one.pro = p.id().to_string();
                page.placed.push(one);
            }
            for (n, (_, block)) in blocks.iter().filter(|(id, _)| *id == p.id()).enumerate() {
                let from = local_minutes(block.span().start(), zone, *day)
                    .clamp(i64::from(top), i64::from(bottom));
                let to = local_minutes(block.span().end(), zone, *day)
                    .clamp(i64::from(top), i64::from(bottom));
                if to <= from {
                    continue;
                }
                let id = format!("k{col}-{n}");
                css.push_str(&format!(
                    "#{id}{{grid-row:{}/{};grid-column:{col}}}",
                    row_of(u32::try_from(from).unwrap_or(0)),
                    row_of(u32::try_from(to).unwrap_or(0))
                ));
                page.placed.push(Placed {
                    id,
                    href: String::new(),
                    time: format!(
                        "{}–{}",
                        clock_of(u32::try_from(from).unwrap_or(0)),
                        clock_of(u32::try_from(to).unwrap_or(0))
                    ),
                    title: t.blocked.to_owned(),
                    detail: block.reason().to_owned(),
                    class: "block",
                    status: "",
                    movable: false,
                    pro: p.id().to_string(),
                });
            }
        }
        let rows = (bottom - top) / ROW + 1;
        css.push_str(&format!(
            ".grid{{grid-template-columns:3.5rem repeat({},minmax(9rem,1fr));grid-template-rows:2.5rem repeat({},1.6rem)}}",
            columns.len(),
            rows - 1
        ));
    }
    page.css = css;
    let status = notice.map_or(StatusCode::OK, |n| n.0);
    Ok(visit.render(status, &shell, page))
}

fn placed(
    b: &Booking,
    zone: chrono_tz::Tz,
    lang: Lang,
    client: &str,
    service: &str,
    pro: &str,
) -> Placed {
    let start = b.appointment().start().with_timezone(&zone);
    let end = b.appointment().end().with_timezone(&zone);
    Placed {
        id: format!("b-{}", b.id()),
        href: format!("/staff/bookings/{}", b.id()),
        time: format!(
            "{:02}:{:02}–{:02}:{:02}",
            start.hour(),
            start.minute(),
            end.hour(),
            end.minute()
        ),
        title: client.to_owned(),
        detail: if pro.is_empty() {
            service.to_owned()
        } else {
            format!("{service} · {pro}")
        },
        class: b.status().as_str(),
        status: text::status(b.status(), lang),
        movable: b.status().is_active(),
        pro: b.professional().to_string(),
    }
}

// ----- A booking -----

#[derive(Template)]
#[template(path = "booking.html")]
struct BookingPage<'a> {
    shell: &'a Shell,
    id: String,
    client: String,
    client_href: String,
    service: String,
    pro: String,
    when: String,
    price: String,
    status: &'static str,
    class: &'static str,
    history: Vec<String>,
    can_confirm: bool,
    can_complete: bool,
    can_cancel: bool,
    settled: Vec<(String, String)>,
    quote: Option<String>,
    days: Vec<(String, String, bool)>,
    day: String,
    times: Vec<(String, String)>,
    agenda: String,
    notice: Option<String>,
}

async fn booking_page(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    let date = params.get("date").and_then(|d| d.parse().ok());
    let result = show_booking(&state, &visit, &id, date, None).await;
    or_page(&state, &visit, result)
}

async fn show_booking(
    state: &AppState,
    visit: &Visit,
    id: &str,
    date: Option<NaiveDate>,
    notice: Option<(StatusCode, String, Option<String>)>,
) -> Result<Response, PageError> {
    let desk = Desk::open(state, visit).await?;
    let (t, lang) = (desk.t, desk.lang);
    let zone = desk.business.zone();
    let id = BookingId::parse(id).map_err(|_| PageError::NotFound)?;
    let history = state.agenda.booking_history(&desk.ctx, id).await?;
    let b = &history.booking;
    let mut work = state
        .agenda
        .store()
        .begin(desk.caller.business, Access::Read)
        .await?;
    let client = work.client(b.client()).await?;
    let service = work.service(b.service()).await?;
    let pro = work.professional(b.professional()).await?;
    drop(work);
    let now = state.now();
    let open = b.allows(ActionKind::Reschedule, now);
    let mut days = Vec::new();
    let mut times = Vec::new();
    let local_start = b.appointment().start().with_timezone(&zone).date_naive();
    let today = now.with_timezone(&zone).date_naive();
    let shown_day = date.unwrap_or(local_start.max(today));
    if open {
        for i in 0..14 {
            let day = today + Days::new(i);
            let (weekday, short) = agendo_core::time::shown_day(day, lang);
            days.push((
                format!("/staff/bookings/{}?date={day}#move", b.id()),
                format!("{weekday} {short}"),
                day == shown_day,
            ));
        }
        let request = SlotsRequest {
            service: b.service(),
            professional: Some(b.professional()),
            from: shown_day,
            to: shown_day,
            step_minutes: Some(ROW),
        };
        if let Ok(answer) = state.agenda.slots(&desk.ctx, &request).await {
            for slot in answer.iter() {
                let local = slot.start().with_timezone(&zone);
                times.push((
                    slot.start()
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    format!("{:02}:{:02}", local.hour(), local.minute()),
                ));
            }
        }
    }
    let settled = b
        .settlement()
        .map(|s| {
            vec![
                (t.fee_kept.to_owned(), s.policy_fee().shown(lang)),
                (t.refund.to_owned(), s.refund().shown(lang)),
                (t.owed.to_owned(), s.uncovered().shown(lang)),
            ]
        })
        .unwrap_or_default();
    let (status_code, notice, quote) = match notice {
        Some((s, n, q)) => (s, Some(n), q),
        None => (StatusCode::OK, None, None),
    };
    let shell = desk.shell(state, visit, t.booking);
    let page = BookingPage {
        shell: &shell,
        id: b.id().to_string(),
        client: client
            .as_ref()
            .map_or_else(String::new, |c| c.name().to_owned()),
        client_href: format!("/staff/clients/{}", b.client()),
        service: service
            .as_ref()
            .map_or_else(String::new, |s| s.name().to_owned()),
        pro: pro
            .as_ref()
            .map_or_else(String::new, |p| p.name().to_owned()),
        when: shown(b.appointment().start(), zone, lang),
        price: b.price().shown(lang),
        status: text::status(b.status(), lang),
        class: b.status().as_str(),
        history: history
            .lines
            .iter()
            .map(|l| l.message(lang, zone))
            .collect(),
        can_confirm: b.allows(ActionKind::Confirm, now),
        can_complete: b.allows(ActionKind::Complete, now),
        can_cancel: b.allows(ActionKind::Cancel, now),
        settled,
        quote,
        days,
        day: agendo_core::time::shown_date(shown_day, lang),
        times,
        agenda: agenda_link("day", local_start, ""),
        notice,
    };
    Ok(visit.render(status_code, &shell, page))
}

async fn act(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, action)): Path<(String, String)>,
    form: Form,
) -> Response {
    let result = async {
        let desk = Desk::open(&state, &visit).await?;
        desk.check(&state, &visit, &form)?;
        let booking = BookingId::parse(&id).map_err(|_| PageError::NotFound)?;
        let lang = desk.lang;
        let done = match action.as_str() {
            "confirm" => state.agenda.confirm(&desk.ctx, booking).await.map(|_| ()),
            "complete" => state.agenda.complete(&desk.ctx, booking).await.map(|_| ()),
            "no-show" => state.agenda.no_show(&desk.ctx, booking).await.map(|_| ()),
            "cancel" if form.get("confirm") != "yes" => {
                let quote = match state.agenda.cancellation_quote(&desk.ctx, booking).await {
                    Ok(s) if s.policy_fee().is_zero() => desk.t.cancel_free.to_owned(),
                    Ok(s) => text::cancel_fee(&s.policy_fee().shown(lang), lang),
                    Err(error) => Refusal::of(error, lang)?.message,
                };
                let note = (
                    StatusCode::OK,
                    desk.t.cancel_booking.to_owned(),
                    Some(quote),
                );
                return show_booking(&state, &visit, &id, None, Some(note)).await;
            }
            "cancel" => state
                .agenda
                .cancel(&desk.ctx, booking, form.get("reason"))
                .await
                .map(|_| ()),
            "move" => {
                let start = match form.opt("start") {
                    Some(start) => agendo_core::time::read_instant(start, "start"),
                    None => desk.instant(form.get("date"), form.get("time"), "time"),
                };
                match start {
                    Ok(start) => {
                        let moved = state.agenda.reschedule(&desk.ctx, booking, start).await;
                        if let Err(error) = &moved {
                            crate::routes::bookings::count_refusal(&state, error);
                        }
                        if moved.is_ok() && form.get("back") == "agenda" {
                            let day = start.with_timezone(&desk.business.zone()).date_naive();
                            let pro = form.get("pro");
                            return Ok(visit.redirect(&agenda_link("day", day, pro)));
                        }
                        moved.map(|_| ())
                    }
                    Err(error) => Err(error),
                }
            }
            _ => return Err(PageError::NotFound),
        };
        match done {
            Ok(()) => Ok(visit.redirect(&format!("/staff/bookings/{booking}"))),
            Err(error) => {
                // The refusal names who is not free and when, in the
                // business's zone: the desk learns whether the time is
                // taken, blocked or outside the hours.
                let Refusal {
                    status, message, ..
                } = Refusal::of(error, lang)?;
                if form.get("back") == "agenda" {
                    let mut params = HashMap::new();
                    params.insert("pro".to_owned(), form.get("pro").to_owned());
                    if let Some(date) = form.opt("date") {
                        params.insert("date".to_owned(), date.to_owned());
                    }
                    return agenda_view(&state, &visit, &params, Some((status, message))).await;
                }
                show_booking(&state, &visit, &id, None, Some((status, message, None))).await
            }
        }
    }
    .await;
    or_page(&state, &visit, result)
}

// ----- Booking from an empty slot -----

#[derive(Template)]
#[template(path = "booking_new.html")]
struct NewBookingPage<'a> {
    shell: &'a Shell,
    key: String,
    services: Vec<(String, String, bool)>,
    pros: Vec<(String, String, bool)>,
    clients: Vec<(String, String, bool)>,
    date: String,
    time: String,
    name: String,
    email: String,
    phone: String,
    bad: String,
    error: Option<String>,
}

async fn new_booking(
    State(state): State<AppState>,
    visit: Visit,
    Query(params): Params,
) -> Response {
    let result = async {
        let desk = Desk::open(&state, &visit).await?;
        let get = |n: &str| params.get(n).map_or("", String::as_str);
        let start = DateTime::parse_from_rfc3339(get("start"))
            .ok()
            .map(|d| d.to_utc());
        let local = start.map(|s| s.with_timezone(&desk.business.zone()).naive_local());
        booking_form(
            &state,
            &visit,
            &desk,
            get("pro"),
            "",
            get("client"),
            local,
            None,
        )
        .await
    }
    .await;
    or_page(&state, &visit, result)
}

#[allow(clippy::too_many_arguments)]
async fn booking_form(
    state: &AppState,
    visit: &Visit,
    desk: &Desk,
    pro: &str,
    service: &str,
    client: &str,
    local: Option<NaiveDateTime>,
    back: Option<(&Form, Refusal)>,
) -> Result<Response, PageError> {
    let mut work = state
        .agenda
        .store()
        .begin(desk.caller.business, Access::Read)
        .await?;
    let pros: Vec<Professional> = work
        .professionals()
        .await?
        .into_iter()
        .filter(|p| p.activity() == Activity::Active)
        .collect();
    let services: Vec<Service> = work
        .services()
        .await?
        .into_iter()
        .filter(|s| s.activity() == Activity::Active)
        .collect();
    drop(work);
    let mut clients = state.agenda.clients(&desk.ctx, "", false).await?;
    clients.sort_by(|a, b| a.name().cmp(b.name()));
    clients.truncate(1000);
    let chosen_pro = ProfessionalId::parse(pro).ok();
    let performed = |s: &Service| {
        chosen_pro
            .and_then(|id| pros.iter().find(|p| p.id() == id))
            .is_none_or(|p| p.services().contains(&s.id()))
    };
    let value = |name: &str| back.as_ref().map_or("", |(f, _)| f.get(name)).to_owned();
    let shell = desk.shell(state, visit, desk.t.new_booking);
    let (status, bad, error) = match &back {
        Some((_, r)) => (
            r.status,
            r.field.clone().unwrap_or_default(),
            Some(r.message.clone()),
        ),
        None => (StatusCode::OK, String::new(), None),
    };
    let page = NewBookingPage {
        shell: &shell,
        key: back.as_ref().map_or_else(
            || uuid::Uuid::new_v4().to_string(),
            |(f, _)| f.get("key").to_owned(),
        ),
        services: services
            .iter()
            .filter(|s| performed(s))
            .map(|s| {
                let id = s.id().to_string();
                let label = format!(
                    "{} ({}, {})",
                    s.name(),
                    text::minutes(s.duration_minutes()),
                    s.price().shown(desk.lang)
                );
                let current = id == service;
                (id, label, current)
            })
            .collect(),
        pros: pros
            .iter()
            .map(|p| {
                (
                    p.id().to_string(),
                    p.name().to_owned(),
                    Some(p.id()) == chosen_pro,
                )
            })
            .collect(),
        clients: clients
            .iter()
            .map(|c| {
                let id = c.id().to_string();
                let label = match (c.phone(), c.email()) {
                    (Some(p), _) => format!("{} · {}", c.name(), p.as_str()),
                    (None, Some(e)) => format!("{} · {}", c.name(), e.as_str()),
                    (None, None) => c.name().to_owned(),
                };
                let current = id == client;
                (id, label, current)
            })
            .collect(),
        date: local.map_or_else(|| value("date"), |l| l.date().to_string()),
        time: local.map_or_else(
            || value("time"),
            |l| format!("{:02}:{:02}", l.hour(), l.minute()),
        ),
        name: value("name"),
        email: value("email"),
        phone: value("phone"),
        bad,
        error,
    };
    Ok(visit.render(status, &shell, page))
}

async fn create_booking(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let result = async {
        let desk = Desk::open(&state, &visit).await?;
        desk.check(&state, &visit, &form)?;
        let mut ctx = desk.ctx.clone();
        if let Ok(key) = IdempotencyKey::parse(form.get("key")) {
            ctx = ctx.with_key(key);
        }
        let made = async {
            let service = ServiceId::parse(form.get("service")).map_err(|e| e.at("service"))?;
            let professional = ProfessionalId::parse(form.get("pro")).map_err(|e| e.at("pro"))?;
            let start = desk.instant(form.get("date"), form.get("time"), "time")?;
            match form.opt("client") {
                Some(client) => {
                    let client = ClientId::parse(client).map_err(|e| e.at("client"))?;
                    let request = BookRequest {
                        service,
                        professional,
                        client,
                        start,
                        discount: None,
                    };
                    state.agenda.book(&ctx, &request).await
                }
                None => {
                    let (email, phone) = form.contact()?;
                    let request = ContactBookRequest {
                        service,
                        professional,
                        start,
                        name: form.get("name").to_owned(),
                        email,
                        phone,
                    };
                    state.agenda.book_as_contact(&ctx, &request).await
                }
            }
        }
        .await;
        match made {
            Ok(booking) => {
                state.metrics.booking_created();
                Ok(visit.redirect(&format!("/staff/bookings/{}", booking.id())))
            }
            Err(error) => {
                crate::routes::bookings::count_refusal(&state, &error);
                // Named as the refusal names it: taken, blocked or outside
                // the hours, with who and when.
                let refusal = Refusal::of(error, desk.lang)?;
                booking_form(
                    &state,
                    &visit,
                    &desk,
                    form.get("pro"),
                    form.get("service"),
                    form.get("client"),
                    None,
                    Some((&form, refusal)),
                )
                .await
            }
        }
    }
    .await;
    or_page(&state, &visit, result)
}

// ----- Blocking time -----

#[derive(Template)]
#[template(path = "block_new.html")]
struct BlockPage<'a> {
    shell: &'a Shell,
    pros: Vec<(String, String, bool)>,
    date: String,
    from: String,
    to: String,
    reason: String,
    bad: String,
    error: Option<String>,
}

async fn new_block(State(state): State<AppState>, visit: Visit, Query(params): Params) -> Response {
    let result = async {
        let desk = Desk::open(&state, &visit).await?;
        let get = |n: &str| params.get(n).cloned().unwrap_or_default();
        block_form(
            &state,
            &visit,
            &desk,
            &get("pro"),
            [get("date"), get("from"), get("to"), String::new()],
            None,
        )
        .await
    }
    .await;
    or_page(&state, &visit, result)
}

async fn block_form(
    state: &AppState,
    visit: &Visit,
    desk: &Desk,
    pro: &str,
    [date, from, to, reason]: [String; 4],
    refusal: Option<Refusal>,
) -> Result<Response, PageError> {
    let mut work = state
        .agenda
        .store()
        .begin(desk.caller.business, Access::Read)
        .await?;
    let pros = work.professionals().await?;
    drop(work);
    let shell = desk.shell(state, visit, desk.t.block_time);
    let (status, bad, error) = match refusal {
        Some(r) => (r.status, r.field.unwrap_or_default(), Some(r.message)),
        None => (StatusCode::OK, String::new(), None),
    };
    let page = BlockPage {
        shell: &shell,
        pros: pros
            .iter()
            .filter(|p| p.activity() == Activity::Active)
            .map(|p| {
                (
                    p.id().to_string(),
                    p.name().to_owned(),
                    p.id().to_string() == pro,
                )
            })
            .collect(),
        date,
        from,
        to,
        reason,
        bad,
        error,
    };
    Ok(visit.render(status, &shell, page))
}

async fn create_block(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let result = async {
        let desk = Desk::open(&state, &visit).await?;
        desk.check(&state, &visit, &form)?;
        let made = async {
            let pro = ProfessionalId::parse(form.get("pro")).map_err(|e| e.at("pro"))?;
            let start = desk.instant(form.get("date"), form.get("from"), "from")?;
            let end = desk.instant(form.get("date"), form.get("to"), "to")?;
            let fields = BlockFields {
                on: Bookable::Professional(pro),
                start,
                end,
                reason: form.get("reason").to_owned(),
            };
            state.agenda.add_block(&desk.ctx, &fields).await
        }
        .await;
        match made {
            Ok(block) => {
                let day = block
                    .span()
                    .start()
                    .with_timezone(&desk.business.zone())
                    .date_naive();
                Ok(visit.redirect(&agenda_link("day", day, form.get("pro"))))
            }
            Err(error) => {
                let refusal = Refusal::of(error, desk.lang)?;
                let values = ["date", "from", "to", "reason"].map(|f| form.get(f).to_owned());
                block_form(
                    &state,
                    &visit,
                    &desk,
                    form.get("pro"),
                    values,
                    Some(refusal),
                )
                .await
            }
        }
    }
    .await;
    or_page(&state, &visit, result)
}

// ----- Clients -----

#[derive(Template)]
#[template(path = "clients.html")]
struct ClientsPage<'a> {
    shell: &'a Shell,
    query: String,
    clients: Vec<(String, String, String)>,
}

async fn clients(State(state): State<AppState>, visit: Visit, Query(params): Params) -> Response {
    let result = async {
        let desk = Desk::open(&state, &visit).await?;
        let query: String = params
            .get("q")
            .map_or("", |q| q.trim())
            .chars()
            .take(100)
            .collect();
        let filter = ClientFilter {
            query: query.clone(),
            ..ClientFilter::default()
        };
        let request = agendo_core::page::PageRequest::read("clients", None, Some(200))?;
        let page = state
            .agenda
            .clients_page(&desk.ctx, &filter, &request)
            .await?;
        let shell = desk.shell(&state, &visit, desk.t.clients);
        let view = ClientsPage {
            shell: &shell,
            query,
            clients: page
                .items
                .iter()
                .map(|c| {
                    let contact = [
                        c.phone().map(|p| p.as_str().to_owned()),
                        c.email().map(|e| e.as_str().to_owned()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · ");
                    (
                        format!("/staff/clients/{}", c.id()),
                        c.name().to_owned(),
                        contact,
                    )
                })
                .collect(),
        };
        Ok(visit.render(StatusCode::OK, &shell, view))
    }
    .await;
    or_page(&state, &visit, result)
}

#[derive(Template)]
#[template(path = "client.html")]
struct ClientPage<'a> {
    shell: &'a Shell,
    name: String,
    email: String,
    phone: String,
    notes: String,
    book: String,
    bookings: Vec<(String, String, String, &'static str)>,
}

async fn client_page(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let desk = Desk::open(&state, &visit).await?;
        let id = ClientId::parse(&id).map_err(|_| PageError::NotFound)?;
        let client = state.agenda.client(&desk.ctx, id).await?;
        let filter = BookingFilter {
            client: Some(id),
            ..BookingFilter::default()
        };
        let mut bookings = state.agenda.bookings(&desk.ctx, &filter).await?;
        bookings.sort_by_key(|b| std::cmp::Reverse(b.appointment().start()));
        let mut work = state
            .agenda
            .store()
            .begin(desk.caller.business, Access::Read)
            .await?;
        let services: HashMap<ServiceId, String> = work
            .services()
            .await?
            .into_iter()
            .map(|s| (s.id(), s.name().to_owned()))
            .collect();
        drop(work);
        let zone = desk.business.zone();
        let shell = desk.shell(&state, &visit, client.name());
        let page = ClientPage {
            shell: &shell,
            name: client.name().to_owned(),
            email: client
                .email()
                .map(|e| e.as_str().to_owned())
                .unwrap_or_default(),
            phone: client
                .phone()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            notes: client.notes().to_owned(),
            book: format!("/staff/bookings/new?client={}", client.id()),
            bookings: bookings
                .iter()
                .map(|b| {
                    (
                        format!("/staff/bookings/{}", b.id()),
                        shown(b.appointment().start(), zone, desk.lang),
                        services.get(&b.service()).cloned().unwrap_or_default(),
                        text::status(b.status(), desk.lang),
                    )
                })
                .collect(),
        };
        Ok(visit.render(StatusCode::OK, &shell, page))
    }
    .await;
    or_page(&state, &visit, result)
}
