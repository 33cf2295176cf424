//! Liveness and readiness.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process is up.
async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// The database (and Redis, when configured) answer.
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
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
    Ok(Json(json!({"status": "ok"})))
}
