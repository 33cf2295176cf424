//! The machine-readable API description served at `GET /api/openapi.json` (OpenAPI 3.1).
//!
//! Each route module lists its own handlers next to its router (`routes::docs`); this module
//! adds what they share: the bearer scheme, the problem responses and the `Idempotency-Key`
//! header that the idempotency middleware honours on every unsafe method.

use crate::error::Problem;
use axum::Json;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApiVersion, Required};
use utoipa::{Modify, OpenApi, ToResponse};

/// The security scheme name used by every `security(("bearer" = []))` in the route modules.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hourbook",
        version = env!("CARGO_PKG_VERSION"),
        description = "Volunteer shifts, signups and a verified, hash-chained hours ledger. \
            Errors are `application/problem+json`; lists are `{items, next_cursor}` pages."
    ),
    paths(serve),
    components(
        schemas(Problem),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            Unprocessable,
            TooManyRequests,
            Unavailable
        )
    ),
    modifiers(&BearerScheme),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "accounts", description = "Registration, sign-in and the caller's own account"),
        (name = "organizations", description = "Organizations and their members"),
        (name = "events", description = "Events, shifts and insurance"),
        (name = "signups", description = "Signups, rosters, check-in and check-out"),
        (name = "hours", description = "The verified hours ledger"),
        (name = "meta", description = "This description")
    )
)]
struct ApiDoc;

/// The whole document: the shared parts above plus every route module's paths.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(crate::routes::docs());
    IdempotencyKey.modify(&mut doc);
    // utoipa 5 writes 3.1.0 already; pinned so an upgrade cannot change it unnoticed.
    doc.openapi = OpenApiVersion::Version31;
    doc
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    responses((status = 200, description = "The OpenAPI 3.1 description of every endpoint", body = Object))
)]
pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The `token` from `POST /api/v1/auth/login`, as `Authorization: Bearer <token>`",
                    ))
                    .build(),
            ),
        );
    }
}

/// Documents the header on every POST, PUT, PATCH and DELETE, as the middleware applies it to
/// all of them (see `idempotency.rs`).
struct IdempotencyKey;

impl IdempotencyKey {
    fn parameter() -> Parameter {
        ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "A repeat with the same key (per caller, method and path) replays the first answer \
                 and does nothing more. Reusing a key for a different body: 422; while the first \
                 request is still being answered: 409.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255)),
            ))
            .build()
    }
}

impl Modify for IdempotencyKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let unsafe_operations = [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in unsafe_operations.into_iter().flatten() {
                operation
                    .parameters
                    .get_or_insert_with(Vec::new)
                    .push(Self::parameter());
            }
        }
    }
}

/// Malformed JSON, a body that is not JSON, or a bad query string.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(pub Problem);

/// No bearer token, or an unknown or expired one.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unauthorized(pub Problem);

/// The caller's roles do not allow this.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(pub Problem);

/// No such resource (an id that is not a UUID names nothing either), or someone else's private
/// resource.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(pub Problem);

/// The request contradicts the current state, e.g. an overlapping shift or a repeated signup.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(pub Problem);

/// Invalid input (`errors` names each field) or, for a signup, ineligibility (`reasons`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unprocessable(pub Problem);

/// Too many failed attempts; try again later.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct TooManyRequests(pub Problem);

/// A dependency (the database or Redis) does not answer.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unavailable(pub Problem);
