//! The volunteer's own record beyond "my hours": certificates (issue, list, each with its
//! printable page), hours served elsewhere claimed for verification, and disputes of an
//! entry. Each page calls the store functions its JSON endpoint calls.

mod claims;
mod disputes;
mod mine;

use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/me/certificates", get(mine::page).post(mine::issue))
        .route("/me/hours/claims", get(claims::page).post(claims::submit))
        .route("/me/hours/claims/{id}/withdraw", post(claims::withdraw))
        .route("/me/hours/entries/{id}", get(disputes::page))
        .route("/me/hours/entries/{id}/dispute", post(disputes::dispute))
}

/// The templates of these pages, `(name, source)`.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "certificates.html",
        include_str!("../../../templates/certificates.html"),
    ),
    (
        "certificates_claims.html",
        include_str!("../../../templates/certificates_claims.html"),
    ),
    (
        "certificates_entry.html",
        include_str!("../../../templates/certificates_entry.html"),
    ),
];
