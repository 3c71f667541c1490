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
