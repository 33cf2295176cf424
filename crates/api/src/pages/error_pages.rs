//! Pages answer in HTML even when something fails: an unknown id in a link, a refusal the
//! handler did not turn into a form error, a failure of ours. Handlers share the API's error
//! type, which answers `application/problem+json`; this layer turns such an answer into a
//! page in the visitor's language with the same status, so a phone never shows raw JSON.
//! Paths that match no route at all get the same page.

use super::statics;
use super::visitor::page_lang;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;

/// The catalogue's words for a failed answer's status: `errors.{key}_title` and
/// `errors.{key}`.
pub(super) fn wording(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => "forbidden",
        StatusCode::TOO_MANY_REQUESTS => "too_many",
        s if s.is_client_error() => "bad_request",
        _ => "failed",
    }
}

/// Applied to the whole router: answers under `/api/` and of the health checks (read by
/// machines) stay problem+json.
pub async fn as_html(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let lang = page_lang(&parts);
    let here = parts.uri.path().to_string();
    let response = next.run(Request::from_parts(parts, body)).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !is_problem {
        return response;
    }
    let status = response.status();
    let key = wording(status);
    let page = super::render(
        "error.html",
        context! {
            lang => lang.tag(), t => lang.words(), csrf => "", me => (), here => here,
            css => statics::url("app.css"), js => statics::url("app.js"),
            htmx => statics::url("htmx.min.js"),
            title => lang.text(&format!("errors.{key}_title")),
            message => lang.text(&format!("errors.{key}")),
        },
    );
    let mut html = match page {
        Ok(html) => (status, html).into_response(),
        Err(_) => (status, Html(lang.text(&format!("errors.{key}")))).into_response(),
    };
    // What the failed answer said about retrying still holds.
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        html.headers_mut()
            .insert(header::RETRY_AFTER, retry.clone());
    }
    html.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    html
}
