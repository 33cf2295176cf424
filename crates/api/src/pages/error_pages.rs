//! The one way a failure becomes a page: an unknown id in a link, a refusal, a failure of
//! ours. Page handlers share the API's error type, which answers `application/problem+json`,
//! and axum's extractors answer bad query strings in plain text; the layer below turns any
//! such answer outside `/api/` into a page in the visitor's language with the same status,
//! so a phone never shows raw JSON. Paths that match no route at all get the same page.
//! Handlers that know more (the store's reason, what was not found) call [`error_page`].

use super::i18n::Lang;
use super::statics;
use super::visitor::{Visitor, local_path, page_lang};
use crate::error::ApiResult;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Value, context};

/// The catalogue's words for a failed answer's status: `errors.{key}_title` and
/// `errors.{key}`.
fn wording(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => "forbidden",
        StatusCode::TOO_MANY_REQUESTS => "too_many",
        StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY => "refused",
        s if s.is_client_error() => "bad_request",
        _ => "failed",
    }
}

/// The page's own words: the status's title, `message` or the status's general sentence
/// (none for a refused rule, whose reasons say it all), and the reasons given.
fn page_words(
    lang: Lang,
    status: StatusCode,
    message: Option<String>,
    reasons: Vec<String>,
) -> Value {
    let key = wording(status);
    let message =
        message.or_else(|| (key != "refused").then(|| lang.text(&format!("errors.{key}"))));
    context! {
        title => lang.text(&format!("errors.{key}_title")),
        message => message,
        reasons => reasons,
    }
}

/// A failure as a page for a known visitor (with their menu).
pub(super) fn error_page(
    visitor: Visitor,
    status: StatusCode,
    message: Option<String>,
    reasons: Vec<String>,
) -> ApiResult<Response> {
    let words = page_words(visitor.lang, status, message, reasons);
    visitor.render(status, "error.html", words)
}

/// Applied to the whole router: answers under `/api/` and of the health checks (read by
/// machines) stay as they are.
pub async fn as_html(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/api/") || path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let lang = page_lang(&parts);
    let here = local_path(parts.uri.path());
    let response = next.run(Request::from_parts(parts, body)).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_html {
        return response;
    }
    let page = super::render(
        "error.html",
        minijinja::value::merge_maps([
            page_words(lang, status, None, Vec::new()),
            context! {
                lang => lang.tag(), t => lang.words(), csrf => "", me => (), here => here,
                css => statics::url("app.css"), js => statics::url("app.js"),
                htmx => statics::url("htmx.min.js"),
            },
        ]),
    );
    let mut html = match page {
        Ok(html) => (status, html).into_response(),
        Err(_) => {
            let text = lang.text(&format!("errors.{}", wording(status)));
            (status, Html(text)).into_response()
        }
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
