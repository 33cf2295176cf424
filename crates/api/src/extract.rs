//! Request extractors whose failures are problem+json like every other error: malformed JSON
//! is 400, a well-formed body with missing or mistyped fields is 422 naming the field.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use hourbook_domain::DomainError;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// A JSON body.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let mime = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::BadRequest(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("could not read the body: {e}")))?;
        parse_json(&body).map(ApiJson)
    }
}

/// Parses a JSON body, telling syntax errors (400) from shape errors (422 with the field path).
/// The syntax is checked first and on its own: a truncated body must be a 400 even when the
/// part that did arrive already has a wrong field in it.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let field = if path == "." { String::new() } else { path };
        ApiError::from(DomainError::invalid(
            field,
            clean_serde_message(&err.into_inner().to_string()),
        ))
    })
}

/// serde's messages end with " at line 1 column 42", which means nothing to a client.
fn clean_serde_message(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// A query string.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::BadRequest(format!("bad query string: {}", e.body_text())))
    }
}

/// An id in the path. Something that is not a UUID cannot name anything: 404.
pub fn path_id(raw: &str, what: &'static str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::Store(hourbook_store::StoreError::NotFound(what)))
}

/// A time given in a query string, in UTC, if it lies within the years Hourbook knows.
pub fn query_time(
    t: Option<chrono::DateTime<chrono::FixedOffset>>,
    field: &str,
    v: &mut hourbook_domain::error::Validator,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let t = t?.with_timezone(&chrono::Utc);
    v.check(hourbook_domain::text::plausible_instant(t, field))
}

/// `?limit=` (default 20, at most 100) and `?cursor=` of a list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The validated page request.
    pub fn page(&self) -> Result<hourbook_store::page::PageRequest, ApiError> {
        Ok(hourbook_store::page::PageRequest::parse(
            self.limit,
            self.cursor.as_deref(),
        )?)
    }
}

/// Bodies of these actions are optional: an empty body means "all defaults".
pub fn optional_body<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json(body)
    }
}
