//! The v1 HTTP API, one module per resource.

mod accounts;
mod events;
mod health;
mod organizations;
mod signups;

use crate::state::AppState;
use axum::Router;

/// Every API route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(accounts::router())
        .merge(organizations::router())
        .merge(events::router())
        .merge(signups::router())
}
