//! Calendar feeds (R45): a professional's agenda as an iCalendar
//! subscription. `POST /v1/staff/{id}/feed` makes a new secret address
//! (the old one stops working) and answers it once; the server keeps only
//! the SHA-256 of its key. `GET /v1/feeds/{key}.ics` is what a phone or
//! Google Calendar subscribes to: no sign-in, the key is the secret.

use agendo_core::feed::{Feed, FeedEntry};
use agendo_core::ids::ProfessionalId;
use agendo_core::RecordKind;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, EventLike, EventStatus};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::context;
use crate::auth::Caller;
use crate::context::ClientAddr;
use crate::error::{Error, Problem};
use crate::extract::path_id;
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rotate))
        .routes(routes!(feed))
}

/// A professional's new feed address.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedOut {
    /// The address to subscribe to, shown this once.
    pub url: String,
}

/// The key a feed's secret is kept under.
fn key_of(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Makes a new calendar feed address for a professional; the old one
/// stops working (a professional, their own; the owner or front desk,
/// anyone's).
#[utoipa::path(post, path = "/v1/staff/{id}/feed", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    responses(
        (status = 201, description = "The new address", body = FeedOut),
        (status = 404, description = "No such professional", body = Problem),
    ),
    security(("bearer" = [])))]
async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<(StatusCode, axum::Json<FeedOut>), Error> {
    let professional: ProfessionalId = path_id(&id, RecordKind::Professional)?;
    let secret = format!("cal_{}", crate::auth::new_secret());
    state
        .agenda
        .rotate_feed(&context(&state, &caller), professional, &key_of(&secret))
        .await?;
    let url = format!("{}/v1/feeds/{secret}.ics", state.config.public_url);
    Ok((StatusCode::CREATED, axum::Json(FeedOut { url })))
}

/// A professional's agenda as iCalendar (RFC 5545): what a calendar app
/// subscribes to.
#[utoipa::path(get, path = "/v1/feeds/{key}", tag = "public",
    params(("key" = String, Path, description = "The feed's secret key, with .ics")),
    responses(
        (status = 200, description = "The calendar", content_type = "text/calendar"),
        (status = 404, description = "No feed has this key", body = Problem),
        (status = 429, description = "Too many requests from this address", body = Problem),
    ))]
async fn feed(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Path(key): Path<String>,
) -> Result<Response, Error> {
    super::public::limit(&state, address)?;
    let secret = key.strip_suffix(".ics").unwrap_or(&key);
    let missing = || -> Error {
        agendo_core::Error::NotFound {
            record: RecordKind::Feed,
            id: "…".to_owned(),
        }
        .into()
    };
    if secret.is_empty() || secret.len() > 128 {
        return Err(missing());
    }
    let feed = state
        .agenda
        .feed(&key_of(secret), state.now())
        .await?
        .ok_or_else(missing)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        calendar(&feed).to_string(),
    )
        .into_response())
}

/// The feed as a calendar.
fn calendar(feed: &Feed) -> Calendar {
    let mut calendar = Calendar::new();
    calendar
        .name(&feed.name)
        .append_property(icalendar::Property::new("X-WR-TIMEZONE", &feed.zone));
    for entry in &feed.entries {
        calendar.push(event(entry));
    }
    calendar.done()
}

fn event(entry: &FeedEntry) -> icalendar::Event {
    let status = match entry.status {
        agendo_core::feed::EntryStatus::Tentative => EventStatus::Tentative,
        agendo_core::feed::EntryStatus::Confirmed => EventStatus::Confirmed,
        agendo_core::feed::EntryStatus::Cancelled => EventStatus::Cancelled,
    };
    icalendar::Event::new()
        .uid(&entry.uid)
        .summary(&entry.summary)
        .description(&entry.description)
        .starts(entry.start)
        .ends(entry.end)
        .status(status)
        .sequence(entry.sequence)
        .timestamp(entry.changed_at)
        .last_modified(entry.changed_at)
        .done()
}
