//! The v1 HTTP API, one module per resource.

mod accounts;
mod certificates;
mod claims;
mod events;
mod health;
mod ledger;
mod matching;
mod notifications;
mod organizations;
mod policies;
mod privacy;
pub(crate) mod requirements;
mod signups;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

/// Every API route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(ledger::router())
        .merge(accounts::router())
        .merge(certificates::router())
        .merge(claims::router())
        .merge(organizations::router())
        .merge(policies::router())
        .merge(privacy::router())
        .merge(requirements::router())
        .merge(events::router())
        .merge(signups::router())
        .merge(matching::router())
        .merge(notifications::router())
        .route("/api/openapi.json", get(crate::openapi::serve))
}

/// The paths of every module above, for `crate::openapi`. Each module's `Docs` sits next to its
/// router; a route added there without its handler in `Docs` fails the `openapi` tests.
pub(crate) fn docs() -> utoipa::openapi::OpenApi {
    let mut doc = health::Docs::openapi();
    doc.merge(ledger::Docs::openapi());
    doc.merge(accounts::Docs::openapi());
    doc.merge(certificates::Docs::openapi());
    doc.merge(claims::Docs::openapi());
    doc.merge(organizations::Docs::openapi());
    doc.merge(policies::Docs::openapi());
    doc.merge(privacy::Docs::openapi());
    doc.merge(requirements::Docs::openapi());
    doc.merge(events::Docs::openapi());
    doc.merge(signups::Docs::openapi());
    doc.merge(matching::Docs::openapi());
    doc.merge(notifications::Docs::openapi());
    doc
}
