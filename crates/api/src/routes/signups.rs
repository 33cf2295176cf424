//! Signups, check-in and check-out, no-shows and verification.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiQuery, PageQuery, optional_body, path_id};
use crate::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use hourbook_store::ledger::{LedgerEntry, VerifyInput};
use hourbook_store::page::Page;
use hourbook_store::signups::{PresenceInput, RosterLine, Signup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/shifts/{id}/signups", post(sign_up).get(roster))
        .route("/api/v1/signups/{id}", delete(cancel))
        .route("/api/v1/signups/{id}/check-in", post(check_in))
        .route("/api/v1/signups/{id}/check-out", post(check_out))
        .route("/api/v1/signups/{id}/no-show", post(no_show))
        .route("/api/v1/signups/{id}/verify", post(verify))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(sign_up, roster, cancel, check_in, check_out, no_show, verify))]
pub(super) struct Docs;

#[utoipa::path(
    post,
    path = "/api/v1/shifts/{id}/signups",
    tag = "signups",
    summary = "Sign the caller up for a shift: confirmed, or waitlisted when it is full",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Shift id")),
    responses(
        (status = 201, description = "The signup", body = Signup),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn sign_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Signup>)> {
    let shift_id = path_id(&id, "shift")?;
    let signup = state
        .store
        .sign_up(&caller.actor, shift_id, &state.rules, state.clock.now())
        .await?;
    state.refresh_shift_index(shift_id).await;
    Ok((StatusCode::CREATED, Json(signup)))
}

#[utoipa::path(
    get,
    path = "/api/v1/shifts/{id}/signups",
    tag = "signups",
    summary = "A shift's roster (organizers and verifiers of its organization)",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Shift id"), PageQuery),
    responses(
        (status = 200, description = "The shift's signups in arrival order", body = Page<RosterLine>),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound)
    )
)]
async fn roster(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<RosterLine>>> {
    let page = q.page()?;
    let items = state
        .store
        .roster(&caller.actor, path_id(&id, "shift")?)
        .await?;
    Ok(Json(page.slice(items)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/signups/{id}",
    operation_id = "cancel_signup",
    tag = "signups",
    summary = "Withdraw the caller's signup; the head of the waitlist moves up",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Signup id")),
    responses(
        (status = 200, description = "The cancelled signup", body = Signup),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Signup>> {
    let signup = state
        .store
        .cancel_signup(
            &caller.actor,
            path_id(&id, "signup")?,
            &state.rules,
            state.clock.now(),
        )
        .await?;
    state.refresh_shift_index(signup.shift_id).await;
    Ok(Json(signup))
}

#[utoipa::path(
    post,
    path = "/api/v1/signups/{id}/check-in",
    tag = "signups",
    summary = "Check in: the volunteer on site (within the shift's geofence) or an organizer",
    description = "A hazardous event needs recorded insurance first (409 otherwise). Only \
        organizers may send `at`.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Signup id")),
    request_body(
        content = Option<PresenceInput>,
        content_type = "application/json",
        description = "Optional: an empty body means now, without a location"
    ),
    responses(
        (status = 200, description = "The signup, with `checked_in_at`", body = Signup),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Signup>> {
    let input: PresenceInput = optional_body(&body)?;
    let signup = state
        .store
        .check_in(
            &caller.actor,
            path_id(&id, "signup")?,
            input,
            &state.rules,
            state.clock.now(),
        )
        .await?;
    Ok(Json(signup))
}

#[utoipa::path(
    post,
    path = "/api/v1/signups/{id}/check-out",
    tag = "signups",
    summary = "Check out: the volunteer on site (within the shift's geofence) or an organizer",
    description = "Only organizers may send `at`.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Signup id")),
    request_body(
        content = Option<PresenceInput>,
        content_type = "application/json",
        description = "Optional: an empty body means now, without a location"
    ),
    responses(
        (status = 200, description = "The signup, with `checked_out_at`", body = Signup),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn check_out(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Signup>> {
    let input: PresenceInput = optional_body(&body)?;
    let signup = state
        .store
        .check_out(
            &caller.actor,
            path_id(&id, "signup")?,
            input,
            &state.rules,
            state.clock.now(),
        )
        .await?;
    Ok(Json(signup))
}

#[utoipa::path(
    post,
    path = "/api/v1/signups/{id}/no-show",
    tag = "signups",
    summary = "Mark a confirmed volunteer who did not come (organizers)",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Signup id")),
    responses(
        (status = 200, description = "The signup, now `no_show`", body = Signup),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
async fn no_show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Signup>> {
    Ok(Json(
        state
            .store
            .mark_no_show(&caller.actor, path_id(&id, "signup")?, state.clock.now())
            .await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/signups/{id}/verify",
    operation_id = "verify_signup",
    tag = "hours",
    summary = "Verify a checked-out signup's hours into the ledger (organizers and verifiers)",
    description = "Without `minutes`, credits the computed service time; with it, `note` is \
        required.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Signup id")),
    request_body(
        content = Option<VerifyInput>,
        content_type = "application/json",
        description = "Optional: an empty body credits the computed service time"
    ),
    responses(
        (status = 201, description = "The new ledger entry", body = LedgerEntry),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<LedgerEntry>)> {
    let input: VerifyInput = optional_body(&body)?;
    let entry = state
        .store
        .verify_signup(
            &caller.actor,
            path_id(&id, "signup")?,
            input,
            &state.rules,
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}
