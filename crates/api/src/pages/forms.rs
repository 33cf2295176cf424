//! Submitted forms: read only after the CSRF check, and their errors shown next to the
//! fields they concern. The rules are the API's own: handlers call the same domain and store
//! functions, and the field names of their errors are mapped onto the form.

use super::i18n::Lang;
use super::visitor::Visitor;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hourbook_domain::DomainError;
use hourbook_store::StoreError;
use serde::Serialize;
use std::collections::BTreeMap;

/// A POST form whose CSRF token checked out, with its visitor.
pub struct Submitted {
    /// Who sent it.
    pub visitor: Visitor,
    /// The fields, in the order sent.
    pub fields: Fields,
}

impl FromRequest<AppState> for Submitted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts, body);
        let fields = match Form::<Vec<(String, String)>>::from_request(req, state).await {
            Ok(Form(pairs)) => Fields(pairs),
            Err(_) => return Err(visitor.expired(StatusCode::BAD_REQUEST)),
        };
        if !visitor.csrf_ok(fields.get("csrf")) {
            return Err(visitor.expired(StatusCode::FORBIDDEN));
        }
        Ok(Submitted { visitor, fields })
    }
}

/// A form's fields.
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// The first value of `name` exactly as sent (passwords are not trimmed).
    pub fn raw(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// `Some(value)` unless absent or blank.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name).to_string()).filter(|v| !v.is_empty())
    }

    /// Whether a checkbox was ticked.
    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// Every value of `name` (checkbox groups).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect()
    }
}

/// What went wrong with a form: messages by field, and messages about the whole form.
#[derive(Debug, Default, Serialize)]
pub struct FormErrors {
    /// Field name to its messages.
    pub fields: BTreeMap<String, Vec<String>>,
    /// About the whole form (a conflict, a reason the shift is not open to the visitor).
    pub general: Vec<String>,
}

impl FormErrors {
    /// Adds a message to a field.
    pub fn field(&mut self, field: &str, message: impl Into<String>) {
        self.fields
            .entry(field.to_string())
            .or_default()
            .push(message.into());
    }

    /// Whether nothing went wrong.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// The page's status and errors for a rule the store or domain refused, with the API's
    /// field names mapped onto the form by `field_of`. Failures that are not the visitor's
    /// (the database is down...) stay errors.
    pub fn add_refusal(
        &mut self,
        err: ApiError,
        lang: Lang,
        field_of: impl Fn(&str) -> String,
    ) -> Result<StatusCode, ApiError> {
        match err {
            ApiError::Store(StoreError::Domain(DomainError::Invalid(errors))) => {
                for e in errors {
                    if e.field.is_empty() {
                        self.general.push(e.message);
                    } else {
                        self.field(&field_of(&e.field), e.message);
                    }
                }
                Ok(StatusCode::UNPROCESSABLE_ENTITY)
            }
            ApiError::Store(StoreError::Domain(DomainError::Ineligible(reasons))) => {
                self.general.extend(
                    reasons
                        .iter()
                        .map(|r| lang.word("ineligible", r.code, &r.params, &r.detail)),
                );
                Ok(StatusCode::UNPROCESSABLE_ENTITY)
            }
            ApiError::Store(StoreError::Domain(DomainError::Conflict(detail))) => {
                self.general.push(detail);
                Ok(StatusCode::CONFLICT)
            }
            ApiError::Store(StoreError::NotFound(what)) => {
                self.general.push(format!("no such {what}"));
                Ok(StatusCode::NOT_FOUND)
            }
            ApiError::Store(StoreError::Forbidden(why)) => {
                self.general.push(why.to_string());
                Ok(StatusCode::FORBIDDEN)
            }
            ApiError::TooManyRequests => {
                self.general.push(lang.text("login.too_many"));
                Ok(StatusCode::TOO_MANY_REQUESTS)
            }
            other => Err(other),
        }
    }
}
