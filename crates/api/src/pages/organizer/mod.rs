//! Pages of an organization's members who run events: their organizations, events and
//! shifts, rosters, the check-in desk, hours to verify and roster planning.

use crate::state::AppState;
use axum::Router;

pub(super) fn router() -> Router<AppState> {
    Router::new()
}

/// The templates of these pages, `(name, source)`.
pub(super) const TEMPLATES: &[(&str, &str)] = &[];
