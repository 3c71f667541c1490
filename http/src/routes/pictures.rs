//! Pictures (R9, R13): the business's logo and professionals' photos.
//! Uploaded as the request's body (PNG, JPEG or WebP, told by content, at
//! most 5 MB and 40 megapixels), re-encoded by the engine and served back
//! from what it wrote, never the upload itself.

use agendo_core::ids::ProfessionalId;
use agendo_core::picture::{Picture, Subject};
use agendo_core::RecordKind;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::context;
use crate::auth::Caller;
use crate::error::{Error, Problem};
use crate::extract::{path_id, Upload};
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_logo, put_logo, delete_logo))
        .routes(routes!(get_photo, put_photo, delete_photo))
}

/// A picture kept, as described.
#[derive(Debug, Serialize, ToSchema)]
pub struct PictureOut {
    /// `image/png` or `image/jpeg`.
    pub media_type: String,
    /// Width in pixels (at most 1024).
    pub width: u32,
    /// Height in pixels (at most 1024).
    pub height: u32,
    /// Its version: changes when the picture does.
    pub version: String,
}

impl From<&Picture> for PictureOut {
    fn from(p: &Picture) -> PictureOut {
        PictureOut {
            media_type: p.encoding().media_type().to_owned(),
            width: p.width(),
            height: p.height(),
            version: format!("{:016x}", p.digest()),
        }
    }
}

/// A picture as a response: its bytes, its media type, and an `ETag` of
/// its version.
pub fn served(picture: &Picture) -> Response {
    let mut response = picture.bytes().to_vec().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(picture.encoding().media_type()),
    );
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{:016x}\"", picture.digest())) {
        headers.insert(header::ETAG, tag);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=60"),
    );
    response
}

/// How long an upload waits for a turn at being read before the host
/// answers busy.
const TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads and re-encodes an upload off the async threads, a few at a time
/// ([`crate::state::PICTURE_LANES`]): decoding a large picture takes a
/// while and memory up to the engine's limit.
async fn read(state: &AppState, Upload(bytes): Upload) -> Result<Picture, Error> {
    let _turn = tokio::time::timeout(TURN_WAIT, state.pictures.acquire())
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(Error::Busy { retry_after: 5 })?;
    tokio::task::spawn_blocking(move || Picture::read(&bytes))
        .await
        .map_err(|e| Error::Internal {
            detail: format!("reading a picture stopped: {e}"),
        })?
        .map_err(Error::from)
}

async fn keep(
    state: &AppState,
    caller: &Caller,
    subject: Subject,
    upload: Upload,
) -> Result<axum::Json<PictureOut>, Error> {
    let ctx = context(state, caller);
    state.agenda.may_set_picture(&ctx, subject).await?;
    let picture = read(state, upload).await?;
    state
        .agenda
        .set_picture(&ctx, subject, Some(picture.clone()))
        .await?;
    Ok(axum::Json((&picture).into()))
}

async fn remove(state: &AppState, caller: &Caller, subject: Subject) -> Result<StatusCode, Error> {
    state
        .agenda
        .set_picture(&context(state, caller), subject, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn show(state: &AppState, caller: &Caller, subject: Subject) -> Result<Response, Error> {
    let picture = state
        .agenda
        .picture(&context(state, caller), subject)
        .await?;
    Ok(served(&picture))
}

fn photo_of(id: &str) -> Result<Subject, Error> {
    let id: ProfessionalId = path_id(id, RecordKind::Professional)?;
    Ok(Subject::Professional(id))
}

/// The business's logo.
#[utoipa::path(get, path = "/v1/business/logo", tag = "business",
    responses(
        (status = 200, description = "The logo", content_type = "image/png"),
        (status = 404, description = "There is none", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_logo(State(state): State<AppState>, caller: Caller) -> Result<Response, Error> {
    show(&state, &caller, Subject::Logo).await
}

/// Sets the business's logo (owner): the body is the picture, PNG, JPEG
/// or WebP, at most 5 MB and 8192 pixels a side. It is re-encoded, at
/// most 1024 pixels a side.
#[utoipa::path(put, path = "/v1/business/logo", tag = "business",
    request_body(content = Vec<u8>, content_type = "image/png", description = "The picture"),
    responses(
        (status = 200, description = "Kept", body = PictureOut),
        (status = 413, description = "Larger than 5 MB", body = Problem),
        (status = 422, description = "Not a PNG, JPEG or WebP, or too many pixels", body = Problem),
    ),
    security(("bearer" = [])))]
async fn put_logo(
    State(state): State<AppState>,
    caller: Caller,
    upload: Upload,
) -> Result<axum::Json<PictureOut>, Error> {
    keep(&state, &caller, Subject::Logo, upload).await
}

/// Removes the business's logo (owner).
#[utoipa::path(delete, path = "/v1/business/logo", tag = "business",
    responses((status = 204, description = "Removed")),
    security(("bearer" = [])))]
async fn delete_logo(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, Error> {
    remove(&state, &caller, Subject::Logo).await
}

/// A professional's photo.
#[utoipa::path(get, path = "/v1/staff/{id}/photo", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    responses(
        (status = 200, description = "The photo", content_type = "image/png"),
        (status = 404, description = "There is none", body = Problem),
    ),
    security(("bearer" = [])))]
async fn get_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    show(&state, &caller, photo_of(&id)?).await
}

/// Sets a professional's photo (owner), as the logo is set.
#[utoipa::path(put, path = "/v1/staff/{id}/photo", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The picture"),
    responses(
        (status = 200, description = "Kept", body = PictureOut),
        (status = 404, description = "No such professional", body = Problem),
        (status = 413, description = "Larger than 5 MB", body = Problem),
        (status = 422, description = "Not a PNG, JPEG or WebP, or too many pixels", body = Problem),
    ),
    security(("bearer" = [])))]
async fn put_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    upload: Upload,
) -> Result<axum::Json<PictureOut>, Error> {
    let subject = photo_of(&id)?;
    keep(&state, &caller, subject, upload).await
}

/// Removes a professional's photo (owner).
#[utoipa::path(delete, path = "/v1/staff/{id}/photo", tag = "staff",
    params(("id" = String, Path, description = "The professional's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such professional", body = Problem),
    ),
    security(("bearer" = [])))]
async fn delete_photo(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    remove(&state, &caller, photo_of(&id)?).await
}
