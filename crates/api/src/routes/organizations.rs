//! Organizations and their members.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, path_id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hourbook_store::organizations::{MemberInput, Membership, Organization, OrganizationInput};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/organizations", post(create).get(list))
        .route("/api/v1/organizations/{org_id}", get(show))
        .route("/api/v1/organizations/{org_id}/members", post(add_member))
}

async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let org = state
        .store
        .create_organization(&caller.actor, input, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// Organizations are public: volunteers pick their school from this list.
async fn list(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let items = state.store.organizations().await?;
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

async fn show(
    State(state): State<AppState>,
    Path(org_id): Path<String>,
) -> ApiResult<Json<Organization>> {
    Ok(Json(
        state
            .store
            .organization(path_id(&org_id, "organization")?)
            .await?,
    ))
}

async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(org_id): Path<String>,
    ApiJson(input): ApiJson<MemberInput>,
) -> ApiResult<(StatusCode, Json<Membership>)> {
    let org_id = path_id(&org_id, "organization")?;
    let member = state
        .store
        .add_member(&caller.actor, org_id, input, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(member)))
}
