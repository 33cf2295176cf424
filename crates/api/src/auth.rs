//! Who is calling: bearer tokens resolved to an account and its roles.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use hourbook_domain::access::Actor;
use hourbook_store::accounts::{Account, token_hash};
use rand::RngCore;

/// The signed-in caller. Extracting it answers 401 when the token is missing, unknown or expired.
pub struct Caller {
    /// The account.
    pub account: Account,
    /// Its roles.
    pub actor: Actor,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let resolved = state
            .store
            .resolve_session(&token_hash(token), state.clock.now())
            .await?;
        let (account, actor) = resolved.ok_or(ApiError::Unauthorized)?;
        Ok(Caller { account, actor })
    }
}

/// The token of an `Authorization: Bearer ...` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// A new random token: 256 bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
