//! Notification preferences, the administrators' view of undeliverable mail, and the records
//! organizers must verify.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, PageQuery, path_id};
use crate::openapi::{Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use hourbook_domain::error::Validator;
use hourbook_store::StoreError;
use hourbook_store::outbox::{FailedMessage, MessageKind, NotificationPreference};
use hourbook_store::page::Page;
use hourbook_store::records::PendingRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/me/notifications",
            get(preferences).put(set_preferences),
        )
        .route("/api/v1/admin/outbox/failed", get(failed_messages))
        .route("/api/v1/admin/outbox/{id}/retry", post(retry_message))
        .route(
            "/api/v1/organizations/{org_id}/pending-records",
            get(pending_records),
        )
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    preferences,
    set_preferences,
    failed_messages,
    retry_message,
    pending_records
))]
pub(super) struct Docs;

/// Every kind of message and whether the caller receives it.
#[derive(Serialize, ToSchema)]
struct Preferences {
    items: Vec<NotificationPreference>,
}

#[utoipa::path(
    get,
    path = "/api/v1/me/notifications",
    tag = "notifications",
    summary = "Which kinds of e-mail the caller receives",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every kind, on or off", body = Preferences),
        (status = 401, response = Unauthorized)
    )
)]
async fn preferences(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Preferences>> {
    let items = state
        .store
        .notification_preferences(caller.actor.account_id)
        .await?;
    Ok(Json(Preferences { items }))
}

/// Kinds to turn on (`true`) or off (`false`); kinds not named keep their setting.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PreferencesInput {
    /// E.g. `{"reminder_24h": false, "hours_verified": true}`.
    #[schema(value_type = BTreeMap<String, bool>)]
    kinds: BTreeMap<String, bool>,
}

#[utoipa::path(
    put,
    path = "/api/v1/me/notifications",
    tag = "notifications",
    summary = "Turn kinds of e-mail on or off (safety messages stay on)",
    security(("bearer" = [])),
    request_body = PreferencesInput,
    responses(
        (status = 200, description = "The new settings", body = Preferences),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable)
    )
)]
async fn set_preferences(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> ApiResult<Json<Preferences>> {
    let mut v = Validator::new();
    let mut changes = Vec::with_capacity(input.kinds.len());
    for (name, enabled) in input.kinds {
        match name.parse::<MessageKind>() {
            Ok(kind) => changes.push((kind, enabled)),
            Err(_) => v.error(format!("kinds.{name}"), "is not a kind of message"),
        }
    }
    v.finish()?;
    let items = state
        .store
        .set_notification_preferences(caller.actor.account_id, &changes, state.clock.now())
        .await?;
    Ok(Json(Preferences { items }))
}

fn platform_admin(caller: &Caller) -> Result<(), StoreError> {
    if caller.actor.platform_admin {
        Ok(())
    } else {
        Err(StoreError::Forbidden(
            "only platform administrators see the outbox",
        ))
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/outbox/failed",
    tag = "notifications",
    summary = "Messages given up on (bad addresses, repeated failures), newest first",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "Failed messages with the last error", body = Page<FailedMessage>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable)
    )
)]
async fn failed_messages(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<FailedMessage>>> {
    platform_admin(&caller)?;
    let page = q.page()?;
    Ok(Json(state.store.failed_messages(page).await?))
}

/// The message is queued again.
#[derive(Serialize, ToSchema)]
struct Requeued {
    id: uuid::Uuid,
    status: &'static str,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/outbox/{id}/retry",
    tag = "notifications",
    summary = "Queue a failed message again",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Message id")),
    responses(
        (status = 200, description = "Queued", body = Requeued),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound)
    )
)]
async fn retry_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Requeued>> {
    platform_admin(&caller)?;
    let id = path_id(&id, "failed message")?;
    state.store.retry_message(id, state.clock.now()).await?;
    state.wakeup.wake();
    Ok(Json(Requeued {
        id,
        status: "pending",
    }))
}

/// Records to verify, oldest first.
#[derive(Serialize, ToSchema)]
struct PendingRecords {
    items: Vec<PendingRecord>,
}

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{org_id}/pending-records",
    tag = "hours",
    summary = "Attended shifts not yet verified, oldest first, with their deadline",
    security(("bearer" = [])),
    params(("org_id" = uuid::Uuid, Path, description = "Organization id")),
    responses(
        (status = 200, description = "Records with `due_by` and `overdue`", body = PendingRecords),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound)
    )
)]
async fn pending_records(
    State(state): State<AppState>,
    caller: Caller,
    Path(org_id): Path<String>,
) -> ApiResult<Json<PendingRecords>> {
    let org_id = path_id(&org_id, "organization")?;
    let items = state
        .store
        .pending_records(
            &caller.actor,
            org_id,
            state.record_deadline()?,
            state.clock.now(),
        )
        .await?;
    Ok(Json(PendingRecords { items }))
}
