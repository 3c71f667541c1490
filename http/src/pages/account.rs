//! The pages of account links: asking for a password reset, choosing the
//! new password, and verifying an e-mail. The links carry their secret in
//! the address's fragment (`#token=`), which browsers never send to a
//! server or put in a `Referer`; the page's script copies it into the
//! form.

use agendo_core::contact::Email;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::text::Text;
use super::{Form, PageError, Refusal, Shell, Visit};
use crate::routes::recovery::{key_of, send_reset};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/forgot", get(forgot_page).post(forgot))
        .route("/reset-password", get(reset_page).post(reset))
        .route("/verify-email", get(verify_page).post(verify))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage<'a> {
    shell: &'a Shell,
    /// `forgot`, `reset` or `verify`.
    form: &'static str,
    done: Option<&'static str>,
    error: Option<String>,
}

fn page(
    state: &AppState,
    visit: &Visit,
    form: &'static str,
    status: StatusCode,
    done: Option<&'static str>,
    error: Option<String>,
) -> Response {
    let lang = visit.lang(None);
    let t = Text::of(lang);
    let title = match form {
        "forgot" => t.forgot_title,
        "reset" => t.reset_title,
        _ => t.verify_title,
    };
    let shell = visit.shell(state, lang, title, None);
    visit.render(
        status,
        &shell,
        AccountPage {
            shell: &shell,
            form,
            done,
            error,
        },
    )
}

async fn forgot_page(State(state): State<AppState>, visit: Visit) -> Response {
    page(&state, &visit, "forgot", StatusCode::OK, None, None)
}

async fn forgot(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let result = async {
        visit.check(&state, &form, None)?;
        let lang = visit.lang(None);
        let email = match Email::parse(form.get("email")) {
            Ok(email) => email,
            Err(error) => {
                let refusal = Refusal::of(error.at("email"), lang)?;
                let error = Some(refusal.message);
                return Ok(page(&state, &visit, "forgot", refusal.status, None, error));
            }
        };
        send_reset(&state, &email, visit.address).await?;
        let done = Some(Text::of(lang).forgot_sent);
        Ok::<_, PageError>(page(&state, &visit, "forgot", StatusCode::OK, done, None))
    }
    .await;
    result.unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}

async fn reset_page(State(state): State<AppState>, visit: Visit) -> Response {
    page(&state, &visit, "reset", StatusCode::OK, None, None)
}

async fn reset(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let hasher = state.hasher();
    let done = Text::of(visit.lang(None)).reset_done;
    redeem(&state, &visit, &form, "reset", done, async |key: &str| {
        let password = form.get("password");
        state
            .agenda
            .reset_password(key, password, state.now(), &hasher)
            .await
            .map(drop)
    })
    .await
}

async fn verify_page(State(state): State<AppState>, visit: Visit) -> Response {
    page(&state, &visit, "verify", StatusCode::OK, None, None)
}

async fn verify(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let done = Text::of(visit.lang(None)).verify_done;
    redeem(&state, &visit, &form, "verify", done, async |key: &str| {
        state.agenda.verify_email(key, state.now()).await.map(drop)
    })
    .await
}

/// Runs the form of an account link: one without the link's secret (the
/// script copies it from the fragment) is refused; otherwise `use_link`
/// redeems the secret's key, and the page says `done` or why not.
async fn redeem<F>(
    state: &AppState,
    visit: &Visit,
    form: &Form,
    which: &'static str,
    done: &'static str,
    use_link: F,
) -> Response
where
    F: AsyncFnOnce(&str) -> Result<(), agendo_core::Error>,
{
    let result = async {
        visit.check(state, form, None)?;
        let lang = visit.lang(None);
        if form.get("token").is_empty() {
            let error = Some(Text::of(lang).link_missing.to_owned());
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(page(state, visit, which, status, None, error));
        }
        match use_link(&key_of(form.get("token"))).await {
            Ok(()) => Ok(page(state, visit, which, StatusCode::OK, Some(done), None)),
            Err(error) => {
                let refusal = Refusal::of(error, lang)?;
                let error = Some(refusal.message);
                Ok::<_, PageError>(page(state, visit, which, refusal.status, None, error))
            }
        }
    }
    .await;
    result.unwrap_or_else(|error| visit.error(state, visit.lang(None), error))
}
