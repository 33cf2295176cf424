//! Errors that the rules produce. The API maps each kind to an HTTP problem in one place.

use serde::Serialize;
use std::collections::BTreeMap;

/// One invalid input field, named the way the client sent it (`home.lat`, `capacity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Path of the offending field in the request body.
    pub field: String,
    /// What is wrong with it, for a person.
    pub message: String,
}

impl FieldError {
    /// A field error for `field` with `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The values a coded message is made of, by name, so that a client can word it in its own
/// language (the English `detail` beside them is one such wording).
pub type MessageParams = BTreeMap<&'static str, String>;

/// Why a volunteer may not take a shift. `code` is stable for clients; `detail` is for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Ineligibility {
    /// Machine-readable reason, e.g. `too_young`, `missing_skill`.
    #[schema(value_type = String, example = "too_young")]
    pub code: &'static str,
    /// Human-readable explanation, in English.
    pub detail: String,
    /// What `detail` says, as values: `km`, `radius`; `min`, `max`, `age`; `adult_age`;
    /// `skills` (a skill code) and `date`.
    #[schema(value_type = BTreeMap<String, String>, example = json!({"min": "16", "age": "15"}))]
    pub params: MessageParams,
}

/// A rule of the domain was broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// Input did not parse into a valid value.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The volunteer does not meet the shift's hard requirements.
    #[error("not eligible: {0:?}")]
    Ineligible(Vec<Ineligibility>),
    /// The request contradicts the current state (overlap, double signup, wrong state).
    #[error("{0}")]
    Conflict(String),
}

impl DomainError {
    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

/// Collects field errors while a whole request is validated, so the client hears of all at once.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error for `field`.
    pub fn error(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Runs a parse, keeping its value or recording its errors.
    pub fn check<T>(&mut self, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(DomainError::Invalid(errors)) => {
                self.errors.extend(errors);
                None
            }
            Err(other) => {
                self.errors.push(FieldError::new("", other.to_string()));
                None
            }
        }
    }

    /// Ok when nothing was recorded.
    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.errors))
        }
    }

    /// Ok(value) when nothing was recorded and the value was built.
    pub fn finish_with<T>(self, value: Option<T>) -> Result<T, DomainError> {
        if !self.errors.is_empty() {
            return Err(DomainError::Invalid(self.errors));
        }
        // A parse that fails records why; a missing value without an error is a bug upstream.
        value.ok_or_else(|| DomainError::invalid("", "invalid input"))
    }
}
