//! An organization's recording rules.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, path_id};
use crate::openapi::{BadRequest, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use hourbook_domain::policy::{PolicyInput, RecordPolicy};
use hourbook_store::policies::default_policy;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/api/v1/organizations/{org_id}/record-policy",
        get(show).put(set),
    )
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(show, set))]
pub(super) struct Docs;

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{org_id}/record-policy",
    tag = "hours",
    summary = "How the organization records time: rounding, daily maximum, deadline",
    security(("bearer" = [])),
    params(("org_id" = uuid::Uuid, Path, description = "Organization id")),
    responses(
        (status = 200, description = "The rules", body = RecordPolicy),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound)
    )
)]
async fn show(
    State(state): State<AppState>,
    _caller: Caller,
    Path(org_id): Path<String>,
) -> ApiResult<Json<RecordPolicy>> {
    let org = path_id(&org_id, "organization")?;
    let defaults = default_policy(state.settings.records.deadline_working_days);
    Ok(Json(state.store.record_policy(org, defaults).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/organizations/{org_id}/record-policy",
    tag = "hours",
    summary = "Set the organization's recording rules (its admins); they apply from now on",
    security(("bearer" = [])),
    params(("org_id" = uuid::Uuid, Path, description = "Organization id")),
    request_body = PolicyInput,
    responses(
        (status = 200, description = "The rules", body = RecordPolicy),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn set(
    State(state): State<AppState>,
    caller: Caller,
    Path(org_id): Path<String>,
    ApiJson(input): ApiJson<PolicyInput>,
) -> ApiResult<Json<RecordPolicy>> {
    let org = path_id(&org_id, "organization")?;
    Ok(Json(
        state
            .store
            .set_record_policy(&caller.actor, org, input, state.clock.now())
            .await?,
    ))
}
