//! Pages of a school's staff: the students who linked the school and their progress toward
//! its requirements, with a CSV download, and looking up a certificate by its code.

use crate::state::AppState;
use axum::Router;

pub(super) fn router() -> Router<AppState> {
    Router::new()
}

/// The templates of these pages, `(name, source)`.
pub(super) const TEMPLATES: &[(&str, &str)] = &[];
