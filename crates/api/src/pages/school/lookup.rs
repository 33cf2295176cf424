//! `GET /verify?code=`: the box a school's staff (or anyone) types a certificate's code into.
//! The code is read as the API reads it (`normalize_code`: spaces, dashes and case do not
//! matter), and a known one opens its printable page, `/verify/{code}`.

use super::super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::certificate::normalize_code;
use hourbook_store::StoreError;
use minijinja::context;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(super) struct Asked {
    #[serde(default)]
    code: String,
}

fn show(visitor: Visitor, status: StatusCode, code: &str, problem: &str) -> ApiResult<Response> {
    visitor.render(
        status,
        "school_lookup.html",
        context! { code => code, problem => problem },
    )
}

/// `GET /verify` (the form) and `GET /verify?code=` (the lookup).
pub(super) async fn page(
    State(state): State<AppState>,
    asked: Result<Query<Asked>, QueryRejection>,
    visitor: Visitor,
) -> ApiResult<Response> {
    // A query string that does not parse is treated as no code at all: the empty form.
    let asked = asked.map(|Query(a)| a).unwrap_or_default();
    let typed = asked.code.trim();
    if typed.is_empty() {
        return show(visitor, StatusCode::OK, "", "");
    }
    let Some(code) = normalize_code(typed) else {
        return show(
            visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            "malformed",
        );
    };
    // Only a certificate that exists is worth a redirect: otherwise the answer stays on this
    // form, with what was typed, to be corrected.
    match state
        .store
        .check_certificate(&code, &state.certificate_keys, state.rules.timezone)
        .await
    {
        Ok(_) => Ok(visitor.redirect(&format!("/verify/{code}"))),
        Err(StoreError::NotFound(_)) => unknown_code(visitor, typed),
        Err(e) => Err(e.into()),
    }
}

/// The lookup form saying no certificate has `code` (also `/verify/{code}`'s answer).
pub(in crate::pages) fn unknown_code(visitor: Visitor, code: &str) -> ApiResult<Response> {
    show(visitor, StatusCode::NOT_FOUND, code, "unknown")
}
