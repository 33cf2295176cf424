//! Off-platform claims: a volunteer submits hours served elsewhere; the named organization's
//! verifiers approve (possibly adjusted) or reject them. Hosts outside Hourbook answer on the
//! page behind their e-mailed link (`crate::pages::claim_host`).

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, path_id};
use crate::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use hourbook_domain::claim::ClaimInput;
use hourbook_store::claims::Claim;
use hourbook_store::ledger::{LedgerEntry, VerifyInput};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/hours/claims", post(submit_claim).get(my_claims))
        .route("/api/v1/me/hours/claims/{id}", delete(withdraw_claim))
        .route(
            "/api/v1/organizations/{org_id}/claims",
            get(organization_claims),
        )
        .route("/api/v1/hours/claims/{id}/verify", post(verify_claim))
        .route("/api/v1/hours/claims/{id}/reject", post(reject_claim))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    submit_claim,
    my_claims,
    withdraw_claim,
    organization_claims,
    verify_claim,
    reject_claim
))]
pub(super) struct Docs;

/// A list of claims.
#[derive(Serialize, ToSchema)]
struct Claims {
    items: Vec<Claim>,
}

#[utoipa::path(
    post,
    path = "/api/v1/me/hours/claims",
    tag = "hours",
    summary = "Claim hours served outside Hourbook, with evidence",
    description = "Name the organization on Hourbook (`organization_id`; its verifiers decide) \
        or a host outside it (`host`; its contact gets an e-mail with a one-time link to confirm, \
        correct or decline, valid 30 days). At most 5 claims may wait for hosts at once, \
        and at most 5 may go to hosts in a day. The hours count only once verified.",
    security(("bearer" = [])),
    request_body = ClaimInput,
    responses(
        (status = 201, description = "The pending claim", body = Claim),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn submit_claim(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ClaimInput>,
) -> ApiResult<(StatusCode, Json<Claim>)> {
    let claim = state
        .store
        .submit_claim(caller.account.id, input, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(claim)))
}

#[utoipa::path(
    get,
    path = "/api/v1/me/hours/claims",
    tag = "hours",
    summary = "The caller's claims, newest first",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Claims", body = Claims),
        (status = 401, response = Unauthorized)
    )
)]
async fn my_claims(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Claims>> {
    Ok(Json(Claims {
        items: state.store.my_claims(caller.account.id).await?,
    }))
}

#[utoipa::path(
    delete,
    path = "/api/v1/me/hours/claims/{id}",
    tag = "hours",
    summary = "Withdraw one of the caller's pending claims (its host link stops working)",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    responses(
        (status = 200, description = "The withdrawn claim", body = Claim),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
async fn withdraw_claim(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Claim>> {
    let id = path_id(&id, "claim")?;
    Ok(Json(
        state
            .store
            .withdraw_claim(caller.account.id, id, state.clock.now())
            .await?,
    ))
}

/// `?status=pending|all`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ClaimQuery {
    /// `pending` (default) or `all`.
    #[param(inline)]
    status: Option<ClaimFilter>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum ClaimFilter {
    Pending,
    All,
}

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{org_id}/claims",
    tag = "hours",
    summary = "Claims naming the organization, oldest first (its verifiers)",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path, description = "Organization id"), ClaimQuery),
    responses(
        (status = 200, description = "Claims", body = Claims),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn organization_claims(
    State(state): State<AppState>,
    caller: Caller,
    Path(org_id): Path<String>,
    ApiQuery(q): ApiQuery<ClaimQuery>,
) -> ApiResult<Json<Claims>> {
    let org = path_id(&org_id, "organization")?;
    let all = matches!(q.status, Some(ClaimFilter::All));
    Ok(Json(Claims {
        items: state
            .store
            .organization_claims(&caller.actor, org, all)
            .await?,
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/hours/claims/{id}/verify",
    tag = "hours",
    summary = "Approve a claim into the ledger, as claimed or adjusted with a note (the named organization's verifiers)",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    request_body = VerifyInput,
    responses(
        (status = 201, description = "The ledger entry (kind and source `claim`)", body = LedgerEntry),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn verify_claim(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<VerifyInput>,
) -> ApiResult<(StatusCode, Json<LedgerEntry>)> {
    let id = path_id(&id, "claim")?;
    let entry = state
        .store
        .verify_claim(&caller.actor, id, input, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Why a claim is rejected.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RejectInput {
    /// The volunteer reads it.
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/hours/claims/{id}/reject",
    tag = "hours",
    summary = "Reject a claim, saying why (the named organization's verifiers)",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Claim id")),
    request_body = RejectInput,
    responses(
        (status = 200, description = "The rejected claim", body = Claim),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn reject_claim(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RejectInput>,
) -> ApiResult<Json<Claim>> {
    let id = path_id(&id, "claim")?;
    Ok(Json(
        state
            .store
            .reject_claim(&caller.actor, id, &input.reason, state.clock.now())
            .await?,
    ))
}
