//! The OpenAPI 3.1 document (R47), generated from the handlers'
//! annotations as the router is built, so every route is in it; and the
//! browsable docs at `/docs`, Swagger UI served from assets embedded in the
//! binary (no CDN, works offline).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{FieldError, Problem};

/// The document's fixed parts; the paths come from the routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Agendo",
        description = "The booking engine for small service businesses, over HTTP. \
            Sign in at /v1/auth/login (or register a business) and send the access token as \
            `Authorization: Bearer {token}`. Errors are RFC 9457 problem documents with a \
            stable `code`, in the language of `Accept-Language` (pt-BR or en). Instants are \
            RFC 3339 with an offset; dates are local to the business's IANA zone; money is \
            decimal text with its currency.",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "auth", description = "Register, sign in, refresh, sign out"),
        (name = "accounts", description = "Who signs in to the business"),
        (name = "business", description = "The business's settings and policy"),
        (name = "services", description = "What the business sells"),
        (name = "staff", description = "Professionals, their hours and blocks"),
        (name = "availability", description = "Free slots"),
        (name = "clients", description = "Clients and their history"),
        (name = "bookings", description = "Bookings and their life"),
        (name = "payments", description = "Payments recorded by hand"),
        (name = "events", description = "What happened, in order, for integrations to follow"),
        (name = "messages", description = "Messages sent to clients, the staff inbox, templates"),
        (name = "webhooks", description = "Events posted to the business's own endpoints, signed"),
        (name = "public", description = "Booking without signing in"),
        (name = "system", description = "Health, readiness, metrics"),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&Bearer)
)]
pub struct ApiDoc;

/// Adds the bearer scheme the secured routes name.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Says in the document what every operation can answer besides what its
/// handler documents, so a client (or schemathesis) finds every status and
/// content type the server sends:
/// - every error is `application/problem+json` with the `Problem` schema;
/// - every operation may answer 413 (a declared body over the limit is
///   refused before it is read), 500 (a handler that panicked) and 503
///   (the database is unreachable, or the host busy);
/// - with a request body: 400 (malformed JSON), 408 (the body did not
///   arrive in time), 415 (not JSON) and 422 (a field is invalid);
/// - with path or query parameters: 400 (not valid text or not of its type)
///   and 422 (a value is invalid);
/// - signed in: 401 (no valid token, or its session ended) and 403 (the
///   role does not allow it); outside `system`: 404 (a record named in the
///   request is not the business's);
/// - the public routes and sign-in: 429 (too many requests).
///
/// The HTTP tests check the result, and schemathesis checks the server
/// against it.
pub fn document_errors(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::RefOr;

    for (path, item) in api.paths.paths.iter_mut() {
        let public = path.starts_with("/v1/public") || path.starts_with("/v1/manage");
        let throttled = public || path == "/v1/auth/login" || path == "/v1/auth/register";
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            let system = operation
                .tags
                .as_ref()
                .is_some_and(|tags| tags.iter().any(|t| t == "system"));
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let body = operation.request_body.is_some();
            let params = operation.parameters.iter().flatten().any(|p| match p {
                RefOr::T(p) => matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query),
                RefOr::Ref(_) => true,
            });
            let headers = operation.parameters.iter().flatten().any(|p| match p {
                RefOr::T(p) => matches!(p.parameter_in, ParameterIn::Header),
                RefOr::Ref(_) => false,
            });
            let mut statuses: Vec<(&str, &str)> = vec![
                ("413", "The declared body is larger than the host accepts"),
                ("500", "Something went wrong on the server's side"),
                (
                    "503",
                    "The database is unreachable, or the host is busy; try again",
                ),
            ];
            if body {
                statuses.extend([
                    ("400", "The body is not well-formed JSON"),
                    ("408", "The body did not arrive in time"),
                    ("415", "The body is not JSON"),
                    ("422", "A field is invalid"),
                ]);
            }
            if params {
                statuses.extend([
                    (
                        "400",
                        "A path or query parameter is not valid text or not of its type",
                    ),
                    ("422", "A parameter is invalid"),
                ]);
            }
            if headers {
                statuses.push(("422", "A header is invalid"));
            }
            if secured {
                statuses.extend([
                    ("401", "No valid access token, or its session ended"),
                    ("403", "The account's role does not allow this"),
                ]);
            }
            if !system {
                statuses.push(("404", "A record the request names is not the business's"));
            }
            if throttled {
                statuses.push(("429", "Too many requests; see Retry-After"));
            }
            let responses = &mut operation.responses.responses;
            for (status, description) in statuses {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::T(problem_response(description)));
            }
            for (status, response) in responses.iter_mut() {
                if status.starts_with('2') {
                    continue;
                }
                if let RefOr::T(response) = response {
                    let description = std::mem::take(&mut response.description);
                    *response = problem_response(&description);
                }
            }
        }
    }
}

/// An error answer: a problem document.
fn problem_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}
