//! The pages of account links: asking for a password reset, choosing the
//! new password, and verifying an e-mail. The links carry their secret in
//! the address's fragment (`#token=`), which browsers never send to a
//! server or put in a `Referer`; the page's script copies it into the
//! form.

use agendo_core::agenda::throttle::count_link_request;
use agendo_core::agenda::TokenPurpose;
use agendo_core::contact::Email;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use super::text::Text;
use super::{Form, PageError, Refusal, Shell, Visit};
use crate::routes::recovery::{issue, key_of};
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
                return Ok(page(
                    &state,
                    &visit,
                    "forgot",
                    refusal.status,
                    None,
                    Some(refusal.message),
                ));
            }
        };
        count_link_request(
            &**state.agenda.store(),
            &email,
            &visit.address.to_string(),
            state.now(),
        )
        .await?;
        issue(
            &state,
            &email,
            TokenPurpose::ResetPassword,
            "reset-password",
        )
        .await?;
        let t = Text::of(lang);
        Ok::<_, PageError>(page(
            &state,
            &visit,
            "forgot",
            StatusCode::OK,
            Some(t.forgot_sent),
            None,
        ))
    }
    .await;
    result.unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}

async fn reset_page(State(state): State<AppState>, visit: Visit) -> Response {
    page(&state, &visit, "reset", StatusCode::OK, None, None)
}

async fn reset(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let result = async {
        visit.check(&state, &form, None)?;
        let lang = visit.lang(None);
        let t = Text::of(lang);
        if form.get("token").is_empty() {
            let error = Some(t.link_missing.to_owned());
            return Ok(page(
                &state,
                &visit,
                "reset",
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                error,
            ));
        }
        let hasher = state.hasher();
        match state
            .agenda
            .reset_password(
                &key_of(form.get("token")),
                form.get("password"),
                state.now(),
                &hasher,
            )
            .await
        {
            Ok(_) => Ok(page(
                &state,
                &visit,
                "reset",
                StatusCode::OK,
                Some(t.reset_done),
                None,
            )),
            Err(error) => {
                let refusal = Refusal::of(error, lang)?;
                Ok::<_, PageError>(page(
                    &state,
                    &visit,
                    "reset",
                    refusal.status,
                    None,
                    Some(refusal.message),
                ))
            }
        }
    }
    .await;
    result.unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}

async fn verify_page(State(state): State<AppState>, visit: Visit) -> Response {
    page(&state, &visit, "verify", StatusCode::OK, None, None)
}

async fn verify(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    let result = async {
        visit.check(&state, &form, None)?;
        let lang = visit.lang(None);
        let t = Text::of(lang);
        if form.get("token").is_empty() {
            let error = Some(t.link_missing.to_owned());
            return Ok(page(
                &state,
                &visit,
                "verify",
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                error,
            ));
        }
        match state
            .agenda
            .verify_email(&key_of(form.get("token")), state.now())
            .await
        {
            Ok(_) => Ok(page(
                &state,
                &visit,
                "verify",
                StatusCode::OK,
                Some(t.verify_done),
                None,
            )),
            Err(error) => {
                let refusal = Refusal::of(error, lang)?;
                Ok::<_, PageError>(page(
                    &state,
                    &visit,
                    "verify",
                    refusal.status,
                    None,
                    Some(refusal.message),
                ))
            }
        }
    }
    .await;
    result.unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}
