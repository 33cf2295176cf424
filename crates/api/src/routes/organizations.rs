//! Organizations and their members.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, PageQuery, path_id};
use crate::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hourbook_store::organizations::{MemberInput, Membership, Organization, OrganizationInput};
use hourbook_store::page::Page;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/organizations", post(create).get(list))
        .route("/api/v1/organizations/{org_id}", get(show))
        .route("/api/v1/organizations/{org_id}/members", post(add_member))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, show, add_member))]
pub(super) struct Docs;

#[utoipa::path(
    post,
    path = "/api/v1/organizations",
    operation_id = "create_organization",
    tag = "organizations",
    summary = "Create an organization (platform administrators)",
    security(("bearer" = [])),
    request_body = OrganizationInput,
    responses(
        (status = 201, description = "The new organization", body = Organization),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable)
    )
)]
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
#[utoipa::path(
    get,
    path = "/api/v1/organizations",
    operation_id = "list_organizations",
    tag = "organizations",
    summary = "Every organization, by name",
    params(PageQuery),
    responses(
        (status = 200, description = "Organizations by name", body = Page<Organization>),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable)
    )
)]
async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<Organization>>> {
    let page = q.page()?;
    let items = state.store.organizations().await?;
    Ok(Json(page.slice(items)))
}

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{org_id}",
    operation_id = "show_organization",
    tag = "organizations",
    summary = "An organization",
    params(("org_id" = Uuid, Path, description = "Organization id")),
    responses(
        (status = 200, description = "The organization", body = Organization),
        (status = 404, response = NotFound)
    )
)]
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

#[utoipa::path(
    post,
    path = "/api/v1/organizations/{org_id}/members",
    tag = "organizations",
    summary = "Grant a registered account a role in the organization (its admins)",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path, description = "Organization id")),
    request_body = MemberInput,
    responses(
        (status = 201, description = "The new membership", body = Membership),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
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
