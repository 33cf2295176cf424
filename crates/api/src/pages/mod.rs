//! Server-rendered pages, readable on a 360-px phone: the landing page, a shift's public page
//! (where e-mails link to) and the one-click unsubscribe page. The full front end grows here,
//! page by page.

mod claim_host;
mod home;
mod shift;
mod unsubscribe;
mod verify;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Router;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use minijinja::Environment;
use std::sync::OnceLock;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/shifts/{id}", get(shift::page))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe::confirm).post(unsubscribe::unsubscribe),
        )
        .route("/verify/{code}", get(verify::page))
        .route(
            "/claims/host/{token}",
            get(claim_host::show).post(claim_host::answer),
        )
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Templates are compiled into the binary: nothing to find on disk at run time.
        for (name, source) in [
            ("layout.html", include_str!("../../templates/layout.html")),
            (
                "claim_host.html",
                include_str!("../../templates/claim_host.html"),
            ),
            ("home.html", include_str!("../../templates/home.html")),
            ("shift.html", include_str!("../../templates/shift.html")),
            (
                "unsubscribe.html",
                include_str!("../../templates/unsubscribe.html"),
            ),
            ("verify.html", include_str!("../../templates/verify.html")),
        ] {
            env.add_template(name, source)
                .expect("the bundled template parses");
        }
        env
    })
}

/// Renders a bundled template.
fn render(name: &str, context: minijinja::Value) -> ApiResult<Html<String>> {
    templates()
        .get_template(name)
        .and_then(|t| t.render(context))
        .map(Html)
        .map_err(|e| ApiError::Internal(e.into()))
}

/// zh-CN unless `?lang=en` or the browser prefers English over Chinese.
fn english(query: Option<&str>, headers: &HeaderMap) -> bool {
    if let Some(lang) = query {
        return lang.to_ascii_lowercase().starts_with("en");
    }
    let accept = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let first = |tag: &str| accept.find(tag);
    match (first("en"), first("zh")) {
        (Some(en), Some(zh)) => en < zh,
        (Some(_), None) => true,
        _ => false,
    }
}
