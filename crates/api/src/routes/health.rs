//! Liveness and readiness.

use crate::error::{ApiError, ApiResult};
use crate::openapi::Unavailable;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, readyz))]
pub(super) struct Docs;

/// `{"status": "ok"}`.
#[derive(Serialize, ToSchema)]
struct Health {
    #[schema(value_type = String, example = "ok")]
    status: &'static str,
}

const OK: Health = Health { status: "ok" };

/// The process is up.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, description = "The process is up", body = Health))
)]
async fn healthz() -> Json<Health> {
    Json(OK)
}

/// The database (and Redis, when configured) answer.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "health",
    responses(
        (status = 200, description = "The database (and Redis, when configured) answer", body = Health),
        (status = 503, response = Unavailable)
    )
)]
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state
        .store
        .ping()
        .await
        .map_err(|e| ApiError::Unavailable(format!("database: {e}")))?;
    if let Some(redis) = &state.redis {
        let _: String = redis::cmd("PING")
            .query_async(&mut redis.clone())
            .await
            .map_err(|e| ApiError::Unavailable(format!("redis: {e}")))?;
    }
    Ok(Json(OK))
}
