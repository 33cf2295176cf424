//! The one place where errors become HTTP answers: `application/problem+json` (RFC 9457).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use hourbook_domain::{DomainError, FieldError, Ineligibility};
use hourbook_store::{DatabaseError as DbErr, StoreError};
use serde::Serialize;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request could not be read (malformed JSON, bad query string).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No valid credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// Too many attempts.
    #[error("too many requests")]
    TooManyRequests,
    /// A dependency is down.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// From the store (which carries the domain's errors).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else that is our fault.
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::Store(StoreError::Domain(e))
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// Every error answer's body (`application/problem+json`, RFC 9457). The OpenAPI document
/// describes errors with this same type, so the documented shape cannot drift from the real one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Names the kind of problem, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    #[schema(example = "/problems/not-found")]
    pub kind: String,
    /// Short summary of the kind of problem.
    #[schema(example = "Not found")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 404)]
    pub status: u16,
    /// What went wrong this time, for a person.
    #[schema(example = "no such shift")]
    pub detail: String,
    /// The invalid fields (422 `/problems/validation` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Why the volunteer may not take the shift (422 `/problems/ineligible` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Ineligibility>,
}

/// Builds a problem response.
pub fn problem(status: StatusCode, kind: &str, title: &str, detail: String) -> Response {
    problem_with(status, kind, title, detail, &[], &[])
}

fn problem_with(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: String,
    errors: &[FieldError],
    reasons: &[Ineligibility],
) -> Response {
    let body = Problem {
        kind: format!("/problems/{kind}"),
        title: title.to_string(),
        status: status.as_u16(),
        detail,
        errors: errors.to_vec(),
        reasons: reasons.to_vec(),
    };
    let json = serde_json::to_vec(&body).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use StatusCode as S;
        match self {
            ApiError::BadRequest(detail) => {
                problem(S::BAD_REQUEST, "bad-request", "Bad request", detail)
            }
            ApiError::Unauthorized => problem(
                S::UNAUTHORIZED,
                "unauthorized",
                "Unauthorized",
                "sign in and send the token as `Authorization: Bearer <token>`".into(),
            ),
            ApiError::TooManyRequests => problem(
                S::TOO_MANY_REQUESTS,
                "too-many-requests",
                "Too many requests",
                "too many failed attempts; try again later".into(),
            ),
            ApiError::Unavailable(detail) => problem(
                S::SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                detail,
            ),
            ApiError::Store(StoreError::Domain(DomainError::Invalid(errors))) => {
                let detail = errors
                    .iter()
                    .map(|e| {
                        if e.field.is_empty() {
                            e.message.clone()
                        } else {
                            format!("{}: {}", e.field, e.message)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                problem_with(
                    S::UNPROCESSABLE_ENTITY,
                    "validation",
                    "Invalid input",
                    detail,
                    &errors,
                    &[],
                )
            }
            ApiError::Store(StoreError::Domain(DomainError::Ineligible(reasons))) => {
                let detail = reasons
                    .iter()
                    .map(|r| r.detail.clone())
                    .collect::<Vec<_>>()
                    .join("; ");
                problem_with(
                    S::UNPROCESSABLE_ENTITY,
                    "ineligible",
                    "Not eligible for this shift",
                    detail,
                    &[],
                    &reasons,
                )
            }
            ApiError::Store(StoreError::Domain(DomainError::Conflict(detail))) => {
                problem(S::CONFLICT, "conflict", "Conflict", detail)
            }
            ApiError::Store(StoreError::NotFound(what)) => problem(
                S::NOT_FOUND,
                "not-found",
                "Not found",
                format!("no such {what}"),
            ),
            ApiError::Store(StoreError::Forbidden(why)) => {
                problem(S::FORBIDDEN, "forbidden", "Forbidden", why.into())
            }
            // The database is down or every connection is busy: tell clients to come back,
            // as /readyz does, rather than that something broke.
            ApiError::Store(
                ref e @ StoreError::Database(DbErr::ConnectionAcquire(_) | DbErr::Conn(_)),
            ) => {
                tracing::error!(error = %e, "database unavailable");
                problem(
                    S::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "Service unavailable",
                    "the database cannot be reached just now; try again shortly".into(),
                )
            }
            ApiError::Store(e @ (StoreError::Database(_) | StoreError::Corrupt(_))) => internal(&e),
            ApiError::Internal(e) => internal(&*e),
        }
    }
}

/// Logs the cause and tells the client nothing about it.
fn internal(e: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %e, "request failed");
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "something went wrong on our side; it has been logged".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnAcquireErr, DbErr};

    fn status(e: ApiError) -> StatusCode {
        e.into_response().status()
    }

    #[test]
    fn an_unreachable_database_is_503_and_other_database_errors_are_500() {
        let down = StoreError::Database(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));
        assert_eq!(status(down.into()), StatusCode::SERVICE_UNAVAILABLE);
        let broken = StoreError::Database(DbErr::Custom("syntax error".into()));
        assert_eq!(status(broken.into()), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn domain_errors_map_to_their_statuses() {
        assert_eq!(
            status(DomainError::invalid("f", "bad").into()),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status(DomainError::Conflict("taken".into()).into()),
            StatusCode::CONFLICT
        );
        assert_eq!(
            status(StoreError::NotFound("shift").into()),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(StoreError::Forbidden("no").into()),
            StatusCode::FORBIDDEN
        );
    }
}
