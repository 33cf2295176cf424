//! Corrections and disputes of ledger entries.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, path_id};
use crate::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hourbook_store::disputes::{Dispute, EntryHistory};
use hourbook_store::ledger::LedgerEntry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ledger/{entry_id}", get(history))
        .route("/api/v1/ledger/{entry_id}/corrections", post(correct))
        .route("/api/v1/ledger/{entry_id}/disputes", post(dispute))
        .route("/api/v1/organizations/{org_id}/disputes", get(disputes))
        .route("/api/v1/disputes/{id}/reject", post(reject))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(history, correct, dispute, disputes, reject))]
pub(super) struct Docs;

#[utoipa::path(
    get,
    path = "/api/v1/ledger/{entry_id}",
    tag = "hours",
    summary = "An entry with its corrections and disputes (its volunteer, the recording organization)",
    security(("bearer" = [])),
    params(("entry_id" = Uuid, Path, description = "Ledger entry id")),
    responses(
        (status = 200, description = "The history", body = EntryHistory),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound)
    )
)]
async fn history(
    State(state): State<AppState>,
    caller: Caller,
    Path(entry_id): Path<String>,
) -> ApiResult<Json<EntryHistory>> {
    let id = path_id(&entry_id, "ledger entry")?;
    Ok(Json(state.store.entry_history(&caller.actor, id).await?))
}

/// A correction: the difference in minutes and why.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CorrectionInput {
    /// Minutes to add (negative to take away).
    minutes_delta: i64,
    /// Why; the volunteer sees it.
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/ledger/{entry_id}/corrections",
    tag = "hours",
    summary = "Correct an entry with a new entry of the difference (the recording organization)",
    description = "Answers the entry's open dispute, if any. Certificates that counted the \
        entry show as superseded from then on.",
    security(("bearer" = [])),
    params(("entry_id" = Uuid, Path, description = "Ledger entry id")),
    request_body = CorrectionInput,
    responses(
        (status = 201, description = "The correction entry", body = LedgerEntry),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    Path(entry_id): Path<String>,
    ApiJson(input): ApiJson<CorrectionInput>,
) -> ApiResult<(StatusCode, Json<LedgerEntry>)> {
    let id = path_id(&entry_id, "ledger entry")?;
    let entry = state
        .store
        .correct_entry(
            &caller.actor,
            id,
            input.minutes_delta,
            &input.reason,
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Why the volunteer disputes an entry (or why the organization rejects a dispute).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReasonInput {
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/ledger/{entry_id}/disputes",
    tag = "hours",
    summary = "Dispute one of the caller's entries",
    security(("bearer" = [])),
    params(("entry_id" = Uuid, Path, description = "Ledger entry id")),
    request_body = ReasonInput,
    responses(
        (status = 201, description = "The dispute", body = Dispute),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn dispute(
    State(state): State<AppState>,
    caller: Caller,
    Path(entry_id): Path<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<(StatusCode, Json<Dispute>)> {
    let id = path_id(&entry_id, "ledger entry")?;
    let dispute = state
        .store
        .dispute_entry(&caller.actor, id, &input.reason, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(dispute)))
}

/// `?status=open|all`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DisputeQuery {
    /// `open` (default) or `all`.
    #[param(inline)]
    status: Option<DisputeFilter>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum DisputeFilter {
    Open,
    All,
}

/// An organization's disputes.
#[derive(Serialize, ToSchema)]
struct Disputes {
    items: Vec<Dispute>,
}

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{org_id}/disputes",
    tag = "hours",
    summary = "Disputes of the organization's entries, oldest first (its verifiers)",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path, description = "Organization id"), DisputeQuery),
    responses(
        (status = 200, description = "Disputes", body = Disputes),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn disputes(
    State(state): State<AppState>,
    caller: Caller,
    Path(org_id): Path<String>,
    ApiQuery(q): ApiQuery<DisputeQuery>,
) -> ApiResult<Json<Disputes>> {
    let org = path_id(&org_id, "organization")?;
    let all = matches!(q.status, Some(DisputeFilter::All));
    Ok(Json(Disputes {
        items: state
            .store
            .organization_disputes(&caller.actor, org, all)
            .await?,
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/disputes/{id}/reject",
    tag = "hours",
    summary = "Reject a dispute, saying why (the recording organization)",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Dispute id")),
    request_body = ReasonInput,
    responses(
        (status = 200, description = "The answered dispute", body = Dispute),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn reject(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReasonInput>,
) -> ApiResult<Json<Dispute>> {
    let id = path_id(&id, "dispute")?;
    Ok(Json(
        state
            .store
            .reject_dispute(&caller.actor, id, &input.reason, state.clock.now())
            .await?,
    ))
}
