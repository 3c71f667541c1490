//! Pages people use, served by the host itself from the same use cases as
//! the API: the public booking page of each business (`/b/{slug}`), the
//! client's manage page (`/manage/{token}`), the staff area (`/staff`)
//! and the account links (`/reset-password`, `/verify-email`).
//!
//! - HTML is rendered on the server from askama templates
//!   (`http/templates/`), checked when the host compiles: a field a
//!   template names and the page lacks is a build error.
//! - Every page works without JavaScript. The one script
//!   (`http/assets/app.js`, compiled into the binary) adds dragging in the
//!   agenda and reads the secret of an account link from the address's
//!   fragment.
//! - Security as in the API, and more: the staff cookie is `HttpOnly`,
//!   `Secure` and `SameSite=Strict`; every form carries a CSRF token bound
//!   to the sign-in session (or, for a visitor, to the browser's own
//!   cookie; for a manage link, to the link); every page is sent with a
//!   Content-Security-Policy whose scripts and inline styles need the
//!   page's nonce, so nothing injected runs. Another business's records
//!   answer 404, as in the API, and the public routes count against the
//!   same per-address limit.
//! - Words are in [`text`], English and Brazilian Portuguese; a page
//!   speaks the language the visitor chose with the footer's switch, else
//!   the one their browser asks for, else the business's.

pub mod text;

mod account;
mod public;
mod setup;
mod staff;

use std::net::IpAddr;
use std::sync::OnceLock;

use agendo_core::Lang;
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngExt as _;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::context::ClientAddr;
use crate::error::Error;
use crate::state::AppState;
use text::Text;

/// The pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/assets/app.css", get(css))
        .route("/assets/app.js", get(js))
        .route("/language", get(language))
        .merge(public::router())
        .merge(staff::router())
        .merge(setup::router())
        .merge(account::router())
}

/// The cookie that tells one browser from another, for the CSRF token of
/// a visitor's forms.
const BROWSER: &str = "agendo_browser";
/// The cookie of a staff member's sign-in.
const STAFF: &str = "agendo_staff";
/// The cookie of the language chosen with the switch.
const LANGUAGE: &str = "agendo_lang";

/// The stylesheet, compiled in.
const CSS: &str = include_str!("../../assets/app.css");
/// The script, compiled in.
const JS: &str = include_str!("../../assets/app.js");

/// A short hash of the assets, put in their addresses so a browser can
/// keep them for a year and still fetch a new build's at once.
fn asset_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let digest = Sha256::new().chain_update(CSS).chain_update(JS).finalize();
        hex::encode(&digest[..6])
    })
}

async fn css() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

async fn js() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

/// The front door: where staff sign in, and how a business opens.
async fn home(State(state): State<AppState>, visit: Visit) -> Response {
    let lang = visit.lang(None);
    let shell = visit.shell(&state, lang, text::Text::of(lang).staff_area, None);
    visit.render(StatusCode::OK, &shell, Home { shell: &shell })
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    shell: &'a Shell,
}

/// What a page request brings: the browser's cookies, the language it
/// asks for and where it comes from.
pub struct Visit {
    browser: String,
    new_browser: bool,
    chosen: Option<Lang>,
    asked: Option<Lang>,
    staff: Option<String>,
    address: IpAddr,
    path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Visit {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Visit, Self::Rejection> {
        let cookie = |name| crate::auth::cookie(&parts.headers, name);
        let known = cookie(BROWSER).filter(|b| b.len() == 43);
        let new_browser = known.is_none();
        let browser = known.unwrap_or_else(|| {
            let bytes: [u8; 32] = rand::rng().random();
            URL_SAFE_NO_PAD.encode(bytes)
        });
        let chosen = cookie(LANGUAGE).and_then(|l| Lang::parse(&l).ok());
        let asked = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(crate::context::asked_lang);
        let address = parts
            .extensions
            .get::<ClientAddr>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |a| a.0);
        let path = parts.uri.path_and_query().map_or_else(
            || "/".to_owned(),
            |p| p.as_str().chars().take(512).collect(),
        );
        Ok(Visit {
            browser,
            new_browser,
            chosen,
            asked,
            staff: cookie(STAFF),
            address,
            path,
        })
    }
}

/// What every page's frame shows: its language and words, title, the
/// nonce its script and style carry, the CSRF token of its forms, and the
/// staff area's menu when someone is signed in.
pub struct Shell {
    /// The language.
    pub lang: Lang,
    /// Its tag, for `<html lang>`.
    pub tag: &'static str,
    /// The words.
    pub t: &'static Text,
    /// The page's title.
    pub title: String,
    /// The CSP nonce of this response.
    pub nonce: String,
    /// The CSRF token of this page's forms.
    pub csrf: String,
    /// The assets' version.
    pub version: &'static str,
    /// A business's colours, as CSS.
    pub theme: Option<String>,
    /// The staff menu.
    pub nav: Option<Nav>,
    /// This page's address, to come back to after switching language.
    pub here: String,
}

/// The staff area's menu.
pub struct Nav {
    /// Who is signed in.
    pub who: String,
    /// Whether they may set the business up.
    pub setup: bool,
    /// The public page's address, if the business has one.
    pub public: Option<String>,
}

impl Visit {
    /// The language to speak: the visitor's choice, else their browser's,
    /// else `fallback` (the business's), else English.
    pub fn lang(&self, fallback: Option<Lang>) -> Lang {
        self.chosen.or(self.asked).or(fallback).unwrap_or_default()
    }

    /// The frame of a page; its forms' CSRF token bound to `bound` (a
    /// session or a manage link), or to this browser when `None`.
    pub fn shell(&self, state: &AppState, lang: Lang, title: &str, bound: Option<&str>) -> Shell {
        let nonce: [u8; 18] = rand::rng().random();
        Shell {
            lang,
            tag: lang.tag(),
            t: Text::of(lang),
            title: title.to_owned(),
            nonce: URL_SAFE_NO_PAD.encode(nonce),
            csrf: csrf(state, bound.unwrap_or(&self.browser)),
            version: asset_version(),
            theme: None,
            nav: None,
            here: self.path.clone(),
        }
    }

    /// Checks a form's CSRF token against what it must be bound to.
    ///
    /// # Errors
    /// [`PageError::Expired`] when it is missing or wrong.
    pub fn check(
        &self,
        state: &AppState,
        form: &Form,
        bound: Option<&str>,
    ) -> Result<(), PageError> {
        let expected = csrf(state, bound.unwrap_or(&self.browser));
        let given = form.get("csrf");
        // Compared in time that does not depend on where they differ.
        let same = given.len() == expected.len()
            && given
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0;
        if same {
            Ok(())
        } else {
            Err(PageError::Expired)
        }
    }

    /// The page: HTML with its security policy, and this browser's cookie
    /// when it had none.
    pub fn render(&self, status: StatusCode, shell: &Shell, page: impl Template) -> Response {
        match page.render() {
            Ok(html) => self.respond(status, shell, html),
            Err(e) => {
                tracing::error!(error = %e, "a page did not render");
                let t = shell.t;
                self.respond(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    shell,
                    format!(
                        "<!doctype html><title>{}</title><p>{}</p>",
                        t.broken_title, t.broken
                    ),
                )
            }
        }
    }

    fn respond(&self, status: StatusCode, shell: &Shell, html: String) -> Response {
        let mut response = (status, html).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let policy = format!(
            "default-src 'none'; script-src 'nonce-{n}'; style-src 'self' 'nonce-{n}'; \
             img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
             frame-ancestors 'none'",
            n = shell.nonce
        );
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        if self.new_browser {
            self.set_browser(headers);
        }
        response
    }

    fn set_browser(&self, headers: &mut HeaderMap) {
        let value = format!(
            "{BROWSER}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=31536000",
            self.browser
        );
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.append(header::SET_COOKIE, value);
        }
    }

    /// A redirect after a form (303, so the browser asks with GET).
    pub fn redirect(&self, to: &str) -> Response {
        let mut response = Redirect::to(to).into_response();
        if self.new_browser {
            self.set_browser(response.headers_mut());
        }
        response
    }

    /// An error as a page.
    pub fn error(&self, state: &AppState, lang: Lang, error: PageError) -> Response {
        let t = Text::of(lang);
        let (status, title, body) = match &error {
            PageError::NotFound => (StatusCode::NOT_FOUND, t.not_found_title, t.not_found),
            PageError::TooMany { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, t.too_many_title, t.too_many)
            }
            PageError::Expired => (StatusCode::FORBIDDEN, t.expired_title, t.expired),
            PageError::SignIn => return self.redirect(&sign_in_then(&self.path)),
            PageError::Failed(e) => {
                tracing::error!(error = %e, "a page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, t.broken_title, t.broken)
            }
        };
        let shell = self.shell(state, lang, title, None);
        let mut response = self.render(
            status,
            &shell,
            ErrorPage {
                shell: &shell,
                title,
                body,
            },
        );
        if let PageError::TooMany { retry_after } = error {
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// The sign-in page's address that comes back to `path` afterwards.
fn sign_in_then(path: &str) -> String {
    let next = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", path)
        .finish();
    format!("/staff/sign-in?{next}")
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    shell: &'a Shell,
    title: &'a str,
    body: &'a str,
}

/// Why a page is not shown.
#[derive(Debug)]
pub enum PageError {
    /// Nothing here, or another business's.
    NotFound,
    /// The address's limit was reached.
    TooMany {
        /// Seconds until it may ask again.
        retry_after: u64,
    },
    /// The form's CSRF token is missing or wrong.
    Expired,
    /// The staff area needs a sign-in.
    SignIn,
    /// Something failed that the visitor cannot fix.
    Failed(Error),
}

impl From<Error> for PageError {
    fn from(error: Error) -> PageError {
        match error {
            Error::Core(agendo_core::Error::NotFound { .. }) | Error::RouteNotFound { .. } => {
                PageError::NotFound
            }
            Error::TooManyRequests { retry_after } | Error::Busy { retry_after } => {
                PageError::TooMany { retry_after }
            }
            Error::Core(agendo_core::Error::Forbidden { .. }) => PageError::NotFound,
            other => PageError::Failed(other),
        }
    }
}

impl From<agendo_core::Error> for PageError {
    fn from(error: agendo_core::Error) -> PageError {
        Error::from(error).into()
    }
}

/// A message about a refused form: what went wrong in the reader's
/// language, and the field at fault.
pub struct Refusal {
    /// The HTTP status the page is sent with.
    pub status: StatusCode,
    /// What went wrong.
    pub message: String,
    /// The field at fault, by its form name.
    pub field: Option<String>,
}

impl Refusal {
    /// The refusal of `error`, or the error itself when it is not the
    /// visitor's to fix.
    ///
    /// # Errors
    /// [`PageError`] for errors of the host or the store, not the form.
    pub fn of(error: impl Into<Error>, lang: Lang) -> Result<Refusal, PageError> {
        let error = error.into();
        let status = error.status();
        if status.is_server_error()
            || matches!(
                status,
                StatusCode::NOT_FOUND | StatusCode::TOO_MANY_REQUESTS
            )
        {
            return Err(error.into());
        }
        let problem = error.problem(lang);
        let field = problem.errors.first().map(|e| e.field.clone());
        let message = problem
            .errors
            .first()
            .map_or(problem.detail, |e| e.message.clone());
        Ok(Refusal {
            status,
            message,
            field,
        })
    }
}

/// A submitted form's fields (`application/x-www-form-urlencoded`),
/// read within the host's body limit.
pub struct Form(Vec<(String, String)>);

impl Form {
    /// A field's value, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// A field's value, `None` when absent or empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    /// The `email` and `phone` fields, each optional, read by the
    /// engine's readers.
    ///
    /// # Errors
    /// [`agendo_core::Error::Invalid`] naming `email` or `phone`.
    pub fn contact(
        &self,
    ) -> Result<
        (
            Option<agendo_core::contact::Email>,
            Option<agendo_core::contact::Phone>,
        ),
        agendo_core::Error,
    > {
        let email = self
            .opt("email")
            .map(agendo_core::contact::Email::parse)
            .transpose()
            .map_err(|e| e.at("email"))?;
        let phone = self
            .opt("phone")
            .map(agendo_core::contact::Phone::parse)
            .transpose()
            .map_err(|e| e.at("phone"))?;
        Ok((email, phone))
    }

    /// Every value of a field given more than once (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .collect()
    }
}

impl FromRequest<AppState> for Form {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Form, Response> {
        let limit = state.config.body_limit;
        let bytes = axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|_| Error::PayloadTooLarge { limit }.into_response())?;
        Ok(Form(
            form_urlencoded::parse(&bytes)
                .take(200)
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

/// The CSRF token of forms bound to `key`: a keyed hash only this host's
/// secret makes.
fn csrf(state: &AppState, key: &str) -> String {
    state.tokens.keyed_id(&["csrf", key]).simple().to_string()
}

/// Switches the pages' language and goes back.
async fn language(
    axum::extract::Query(params): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let lang = params
        .get("to")
        .and_then(|l| Lang::parse(l).ok())
        .unwrap_or_default();
    let back = params
        .get("back")
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .map_or("/", String::as_str);
    let mut response = Redirect::to(back).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{LANGUAGE}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=31536000",
        lang.tag()
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// The signed-in staff member of a page request, if the cookie holds a
/// live session.
///
/// # Errors
/// [`PageError::SignIn`] when nobody is signed in.
pub async fn signed_in(state: &AppState, visit: &Visit) -> Result<Caller, PageError> {
    let token = visit.staff.as_deref().ok_or(PageError::SignIn)?;
    let now = state.now();
    let caller = state.tokens.caller(token, now).ok_or(PageError::SignIn)?;
    state
        .sessions
        .check(&state.agenda, caller, now)
        .await?
        .ok_or(PageError::SignIn)
}

/// The staff cookie holding `token` for `max_age` seconds (0 to clear it).
fn staff_cookie(token: &str, max_age: i64) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{STAFF}={token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={max_age}"
    ))
    .ok()
}

/// The text colour readable on `background` (`#RRGGBB`): black or white,
/// whichever contrasts more (WCAG relative luminance).
fn readable_on(background: &str) -> &'static str {
    let channel = |i: usize| {
        let c = f64::from(
            u8::from_str_radix(background.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0),
        ) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) {
        "#000000"
    } else {
        "#FFFFFF"
    }
}

/// A business's colour as the page's accent.
fn theme(colour: Option<agendo_core::business::Colour>) -> Option<String> {
    colour.map(|c| {
        let hex = c.to_string();
        format!(":root{{--accent:{hex};--on-accent:{}}}", readable_on(&hex))
    })
}

/// The address's limit on public pages, the public API's.
fn limit(state: &AppState, address: IpAddr) -> Result<(), PageError> {
    Ok(crate::routes::public::limit(state, address)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_on_a_colour_is_whichever_of_black_and_white_reads_better() {
        assert_eq!(readable_on("#FFFF00"), "#000000");
        assert_eq!(readable_on("#1A237E"), "#FFFFFF");
        assert_eq!(readable_on("#FFFFFF"), "#000000");
    }

    #[test]
    fn a_sign_in_comes_back_to_the_page_asked_for() {
        assert_eq!(
            sign_in_then("/staff/agenda?date=2026-12-07&view=week"),
            "/staff/sign-in?next=%2Fstaff%2Fagenda%3Fdate%3D2026-12-07%26view%3Dweek"
        );
    }
}
