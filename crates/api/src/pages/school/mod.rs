//! Pages of a school's staff: the students who linked the school and their progress toward
//! its requirements, with a CSV download, and looking up a certificate by its code.

mod lookup;
mod refused;
mod students;

pub(super) use lookup::unknown_code;
pub(super) use refused::refused;

use crate::state::AppState;
use axum::Router;
use axum::routing::get;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/org/{org_id}/students", get(students::page))
        .route("/org/{org_id}/students.csv", get(students::csv))
        .route("/verify", get(lookup::page))
}

/// The templates of these pages, `(name, source)`.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "school_students.html",
        include_str!("../../../templates/school_students.html"),
    ),
    (
        "school_lookup.html",
        include_str!("../../../templates/school_lookup.html"),
    ),
];
