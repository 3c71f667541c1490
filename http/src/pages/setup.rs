//! Setting a business up through the pages: its settings and policy, its
//! notifications, services, professionals with their hours, and rooms or
//! equipment. Each form is turned into the same JSON shape the API takes
//! and read by the engine's own readers ([`BusinessPatch`],
//! [`HoursQuery`]), so a value is checked once, in core, whichever way it
//! comes in.
//!
//! Choices where the issue is silent: the policy form has one notice tier
//! (free with at least N hours' notice, the late fee below it), the common
//! case; richer policies are set through the API. Hours are one window
//! per weekday here; split days and dated overrides through the API.

use std::collections::HashMap;

use agendo_core::account::Role;
use agendo_core::agenda::{
    AccountFields, BusinessPatch, ProfessionalFields, ResourceFields, ServiceFields,
};
use agendo_core::availability::HoursQuery;
use agendo_core::business::{Activity, ConfirmationMode};
use agendo_core::contact::Email;
use agendo_core::ids::{ProfessionalId, ServiceId};
use agendo_core::store::{Access, IdempotencyKey};
use agendo_core::Error as CoreError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};

use super::staff::Desk;
use super::text::{self, Text};
use super::{Form, PageError, Refusal, Shell, Visit};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff/setup", get(overview))
        .route("/staff/setup/business", post(save_business))
        .route("/staff/setup/services", post(add_service))
        .route("/staff/setup/staff", post(add_professional))
        .route("/staff/setup/staff/{id}/hours", post(save_hours))
        .route("/staff/setup/resources", post(add_resource))
        .route("/staff/setup/accounts", post(add_account))
}

const WEEK: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The weekday names, in the reader's language.
fn weekdays(lang: agendo_core::Lang) -> [&'static str; 7] {
    lang.pick(
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
            "Sunday",
        ],
        [
            "Segunda", "Terça", "Quarta", "Quinta", "Sexta", "Sábado", "Domingo",
        ],
    )
}

/// A professional as the set-up page lists them, with their hours.
struct ProView {
    id: String,
    name: String,
    services: String,
    /// (day key, day name, from, to).
    hours: Vec<(&'static str, &'static str, String, String)>,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage<'a> {
    shell: &'a Shell,
    key: String,
    slug: String,
    /// The form that came back, its field at fault and why.
    failed: String,
    bad: String,
    error: Option<String>,
    saved: bool,
    values: HashMap<String, String>,
    manual: bool,
    services: Vec<(String, String)>,
    pros: Vec<ProView>,
    resources: Vec<String>,
    accounts: Vec<String>,
    week: Vec<(&'static str, &'static str)>,
}

impl SetupPage<'_> {
    fn value(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }
}

async fn overview(
    State(state): State<AppState>,
    visit: Visit,
    axum::extract::Query(params): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let result = show(&state, &visit, None, params.contains_key("saved")).await;
    result.unwrap_or_else(|error| visit.error(&state, visit.lang(None), error))
}

/// The set-up page; `failed` refills the form that came back.
async fn show(
    state: &AppState,
    visit: &Visit,
    failed: Option<(&str, &Form, Refusal)>,
    saved: bool,
) -> Result<Response, PageError> {
    let desk = Desk::open(state, visit).await?;
    let lang = desk.lang;
    let t = Text::of(lang);
    let business = &desk.business;
    let mut work = state
        .agenda
        .store()
        .begin(desk.caller.business, Access::Read)
        .await?;
    let services: Vec<_> = work
        .services()
        .await?
        .into_iter()
        .filter(|s| s.activity() == Activity::Active)
        .collect();
    let pros = work.professionals().await?;
    let resources = work.resources().await?;
    let accounts = work.accounts().await?;
    drop(work);
    let policy = business.policy();
    let mut values: HashMap<String, String> = HashMap::new();
    let mut put = |k: &str, v: String| {
        values.insert(k.to_owned(), v);
    };
    put("name", business.name().to_owned());
    put("description", business.profile().description().to_owned());
    put("address", business.profile().address().to_owned());
    put(
        "colour",
        business
            .profile()
            .colour()
            .map_or_else(|| "#0B5CAD".to_owned(), |c| c.to_string()),
    );
    put(
        "late_hours",
        policy
            .tiers()
            .iter()
            .map(|t| t.min_notice_hours())
            .max()
            .unwrap_or(0)
            .to_string(),
    );
    put("late_fee", policy.late_fee().value().to_string());
    put("no_show_fee", policy.no_show_fee().value().to_string());
    put(
        "deposit",
        match policy.deposit() {
            Some(agendo_core::money::Share::Percent(p)) => p.value().to_string(),
            _ => "0".to_owned(),
        },
    );
    let notify = business.notify();
    put(
        "day_before_at",
        notify
            .day_before_at()
            .map(|w| w.to_string())
            .unwrap_or_default(),
    );
    put(
        "minutes_before",
        notify
            .minutes_before()
            .map(|m| m.to_string())
            .unwrap_or_default(),
    );
    put("duration", "30".to_owned());
    for day in WEEK {
        put(
            &format!("{day}_from"),
            if day == "sun" {
                String::new()
            } else {
                "09:00".to_owned()
            },
        );
        put(
            &format!("{day}_to"),
            if day == "sun" {
                String::new()
            } else {
                "18:00".to_owned()
            },
        );
    }
    let (failed_form, bad, error) = match failed {
        Some((which, form, refusal)) => {
            for (name, value) in &form.0 {
                if name != "csrf" {
                    values.insert(name.clone(), value.clone());
                }
            }
            (
                which.to_owned(),
                refusal.field.unwrap_or_default(),
                Some((refusal.status, refusal.message)),
            )
        }
        None => (String::new(), String::new(), None),
    };
    let names = weekdays(lang);
    let shell = desk.shell(state, visit, t.setup);
    let page = SetupPage {
        shell: &shell,
        key: uuid::Uuid::new_v4().to_string(),
        slug: business
            .slug()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        failed: failed_form,
        bad,
        error: error.as_ref().map(|e| e.1.clone()),
        saved,
        values,
        manual: business.confirmation() == ConfirmationMode::Manual,
        services: services
            .iter()
            .map(|s| {
                (
                    s.id().to_string(),
                    format!(
                        "{} · {} · {}",
                        s.name(),
                        text::minutes(s.duration_minutes()),
                        s.price().shown(lang)
                    ),
                )
            })
            .collect(),
        pros: pros
            .iter()
            .filter(|p| p.activity() == Activity::Active)
            .map(|p| ProView {
                id: p.id().to_string(),
                name: p.name().to_owned(),
                services: services
                    .iter()
                    .filter(|s| p.services().contains(&s.id()))
                    .map(|s| s.name().to_owned())
                    .collect::<Vec<_>>()
                    .join(", "),
                hours: WEEK
                    .iter()
                    .zip(names)
                    .zip(chrono::Weekday::Mon.num_days_from_monday()..7)
                    .map(|((key, name), i)| {
                        let weekday = chrono::Weekday::try_from(u8::try_from(i).unwrap_or(0))
                            .unwrap_or(chrono::Weekday::Mon);
                        let window = p.hours().weekly().day(weekday).first();
                        (
                            *key,
                            name,
                            window.map(|w| w.start().to_string()).unwrap_or_default(),
                            window.map(|w| w.end().to_string()).unwrap_or_default(),
                        )
                    })
                    .collect(),
            })
            .collect(),
        resources: resources
            .iter()
            .filter(|r| r.activity() == Activity::Active)
            .map(|r| format!("{} · {} · {}", r.name(), r.kind(), r.capacity()))
            .collect(),
        accounts: accounts
            .iter()
            .filter(|a| a.activity() == Activity::Active)
            .map(|a| {
                format!(
                    "{} · {} · {}",
                    a.name(),
                    a.email().as_str(),
                    text::role(a.role(), lang)
                )
            })
            .collect(),
        week: WEEK.iter().copied().zip(names).collect(),
    };
    let status = error.map_or(StatusCode::OK, |e| e.0);
    Ok(visit.render(status, &shell, page))
}

/// Runs a set-up form: back to the page on success, or the page with the
/// form refilled and the field at fault marked.
async fn run<F>(state: &AppState, visit: &Visit, form: &Form, which: &str, act: F) -> Response
where
    F: AsyncFnOnce(&Desk) -> Result<(), CoreError>,
{
    let result = async {
        let desk = Desk::open(state, visit).await?;
        desk.check(state, visit, form)?;
        match act(&desk).await {
            Ok(()) => Ok(visit.redirect(&format!("/staff/setup?saved={which}#{which}"))),
            Err(error) => {
                let refusal = Refusal::of(error, desk.lang)?;
                show(state, visit, Some((which, form, refusal)), false).await
            }
        }
    }
    .await;
    result.unwrap_or_else(|error| visit.error(state, visit.lang(None), error))
}

fn keyed(desk: &Desk, form: &Form) -> agendo_core::agenda::Context {
    match IdempotencyKey::parse(form.get("key")) {
        Ok(key) => desk.ctx.clone().with_key(key),
        Err(_) => desk.ctx.clone(),
    }
}

/// A whole number typed in a form, naming the field when it is not one.
fn number(form: &Form, field: &str) -> Result<u32, CoreError> {
    let text = form.get(field);
    text.parse().map_err(|_| {
        CoreError::invalid(
            field,
            agendo_core::Problem::NotWholeNumber {
                value: text.chars().take(32).collect(),
            },
        )
    })
}

async fn save_business(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    run(&state, &visit, &form, "business", async |desk: &Desk| {
        let optional = |name: &str| form.opt(name).map_or(Value::Null, |v| json!(v));
        let patch = json!({
            "name": form.get("name"),
            "description": form.get("description"),
            "address": form.get("address"),
            "colour": optional("colour"),
            "confirmation": if form.get("confirmation") == "manual" { "manual" } else { "immediate" },
            "policy": {
                "tiers": [{"min_notice_hours": number(&form, "late_hours")?, "fee_percent": "0"}],
                "late_fee_percent": form.get("late_fee"),
                "no_show_fee_percent": form.get("no_show_fee"),
                "deposit_percent": form.opt("deposit").filter(|d| *d != "0"),
            },
            "notify": {
                "day_before_at": form.opt("day_before_at"),
                "minutes_before": form.opt("minutes_before").map(|_| number(&form, "minutes_before")).transpose()?,
                "payment_at": desk.business.notify().payment_at().to_string(),
                "overdue_days": desk.business.notify().overdue_days(),
            },
        });
        let fields = BusinessPatch::from_json(&patch.to_string())?.to_fields()?;
        state.agenda.change_business(&desk.ctx, &fields).await?;
        Ok(())
    })
    .await
}

async fn add_service(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    run(&state, &visit, &form, "services", async |desk: &Desk| {
        let fields = ServiceFields {
            name: Some(form.get("name").to_owned()),
            description: Some(form.get("description").to_owned()),
            duration_minutes: Some(number(&form, "duration")?),
            price: Some(
                agendo_core::money::read_amount(&amount_text(form.get("price"), desk.lang))
                    .map_err(|e| e.at("price"))?,
            ),
            ..ServiceFields::default()
        };
        state
            .agenda
            .create_service(&keyed(desk, &form), &fields)
            .await?;
        Ok(())
    })
    .await
}

/// An amount as typed in `lang` (`1.234,50` in pt-BR) in the engine's
/// form (`1234.50`).
fn amount_text(text: &str, lang: agendo_core::Lang) -> String {
    match lang {
        agendo_core::Lang::PtBr if text.contains(',') => text.replace('.', "").replace(',', "."),
        _ => text.replace(',', ""),
    }
}

/// The weekly hours of a form's `{day}_from` and `{day}_to` fields, read
/// by the engine's reader of hours.
fn hours(form: &Form) -> Result<HoursQuery, CoreError> {
    let mut weekly = serde_json::Map::new();
    for day in WEEK {
        let (from, to) = (
            form.get(&format!("{day}_from")),
            form.get(&format!("{day}_to")),
        );
        if !(from.is_empty() && to.is_empty()) {
            weekly.insert(day.to_owned(), json!([[from, to]]));
        }
    }
    let hours = HoursQuery::from_json(&json!({ "weekly": weekly }).to_string())?;
    hours.to_hours()?;
    Ok(hours)
}

async fn add_professional(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    run(&state, &visit, &form, "staff", async |desk: &Desk| {
        let services = form
            .all("services")
            .into_iter()
            .map(|s| ServiceId::parse(s).map_err(|e| e.at("services")))
            .collect::<Result<Vec<_>, _>>()?;
        let fields = ProfessionalFields {
            name: Some(form.get("name").to_owned()),
            services: Some(services),
            capacity: None,
            hours: Some(hours(&form)?),
            active: None,
        };
        state
            .agenda
            .create_professional(&keyed(desk, &form), &fields)
            .await?;
        Ok(())
    })
    .await
}

async fn save_hours(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<String>,
    form: Form,
) -> Response {
    run(&state, &visit, &form, "staff", async |desk: &Desk| {
        let pro = ProfessionalId::parse(&id).map_err(|e| e.at("id"))?;
        state
            .agenda
            .set_hours(&desk.ctx, pro, &hours(&form)?)
            .await?;
        Ok(())
    })
    .await
}

async fn add_resource(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    run(&state, &visit, &form, "resources", async |desk: &Desk| {
        let fields = ResourceFields {
            name: Some(form.get("name").to_owned()),
            kind: Some(form.get("kind").to_owned()),
            capacity: Some(number(&form, "capacity")?),
            hours: None,
            active: None,
        };
        state
            .agenda
            .create_resource(&keyed(desk, &form), &fields)
            .await?;
        Ok(())
    })
    .await
}

async fn add_account(State(state): State<AppState>, visit: Visit, form: Form) -> Response {
    run(&state, &visit, &form, "accounts", async |desk: &Desk| {
        let role = Role::parse(form.get("role")).map_err(|e| e.at("role"))?;
        let professional = form
            .opt("pro")
            .map(|p| ProfessionalId::parse(p).map_err(|e| e.at("pro")))
            .transpose()?;
        let fields = AccountFields {
            name: form.get("name").to_owned(),
            email: Email::parse(form.get("email")).map_err(|e| e.at("email"))?,
            role,
            professional,
        };
        state
            .agenda
            .create_account(
                &keyed(desk, &form),
                &fields,
                form.get("password"),
                &state.hasher(),
            )
            .await?;
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(amount_text("1.234,50", agendo_core::Lang::PtBr), "1234.50");
        assert_eq!(amount_text("80", agendo_core::Lang::PtBr), "80");
        assert_eq!(amount_text("1,234.50", agendo_core::Lang::En), "1234.50");
    }
}
