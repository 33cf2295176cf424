//! The pages' CSS and JavaScript, compiled into the binary and served under a URL that
//! carries a hash of their content, so browsers may keep them for a year: a new build with
//! changed files has new URLs.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// (file name, content, content type)
const ASSETS: [(&str, &[u8], &str); 3] = [
    (
        "app.css",
        include_bytes!("../../static/app.css"),
        "text/css; charset=utf-8",
    ),
    (
        "app.js",
        include_bytes!("../../static/app.js"),
        "text/javascript; charset=utf-8",
    ),
    (
        "htmx.min.js",
        include_bytes!("../../static/htmx.min.js"),
        "text/javascript; charset=utf-8",
    ),
];

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hash = Sha256::new();
    for (name, body, _) in ASSETS {
        hash.update(name.as_bytes());
        hash.update(body);
    }
    hex::encode(&hash.finalize()[..6])
});

/// The URL of a bundled file.
pub fn url(name: &str) -> String {
    format!("/static/{}/{name}", *VERSION)
}

/// `GET /static/{version}/{file}`.
pub async fn serve(Path((version, file)): Path<(String, String)>) -> Response {
    let Some((_, body, content_type)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // An old page may still ask for an older version: it gets today's file, uncached.
    let cache = if version == *VERSION {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    (
        [
            (header::CONTENT_TYPE, *content_type),
            (header::CACHE_CONTROL, cache),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        *body,
    )
        .into_response()
}
