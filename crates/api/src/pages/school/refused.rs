//! The HTML answer when a page's subject does not exist or is not the visitor's to see: a
//! page in their language with a way back, never the API's problem+json.

use super::super::error_pages::error_page;
use super::super::visitor::Visitor;
use crate::error::ApiResult;
use axum::http::StatusCode;
use axum::response::Response;

/// Renders the refusal: `reason` is a key of the `[school_refused]` catalogue table.
pub(in crate::pages) fn refused(
    visitor: Visitor,
    status: StatusCode,
    reason: &str,
) -> ApiResult<Response> {
    let message = visitor.lang.text(&format!("school_refused.{reason}"));
    error_page(visitor, status, Some(message), Vec::new())
}
