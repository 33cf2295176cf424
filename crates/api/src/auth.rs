//! Who is calling: bearer tokens resolved to an account and its roles.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use hourbook_domain::access::Actor;
use hourbook_domain::identity::Email;
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
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new session, as a successful login makes it.
pub struct Session {
    /// The account signed in.
    pub account: Account,
    /// Its roles.
    pub actor: Actor,
    /// The bearer token (only its hash is stored).
    pub token: String,
    /// When the token stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Checks an e-mail and password and opens a session. Wrong pairs answer the same 401 whether
/// or not the address exists (and take as long: an unknown address is checked against a
/// dummy hash); repeated failures for one address answer 429 for a while.
pub async fn log_in(state: &AppState, email: &str, password: String) -> Result<Session, ApiError> {
    // A malformed address simply cannot match: the same 401 as any other wrong pair.
    let parsed = Email::parse(email).ok();
    let key = parsed
        .as_ref()
        .map_or_else(|| email.trim().to_lowercase(), |e| e.as_str().to_string());
    if state.login_failures.failures(&key).await? >= state.settings.auth.login_max_failures {
        return Err(ApiError::TooManyRequests);
    }
    let found = match &parsed {
        Some(email) => state.store.find_login(email).await?,
        None => None,
    };
    let (account, phc) = match found {
        Some((account, phc)) => (Some(account), phc),
        None => (None, state.dummy_hash.to_string()),
    };
    let password_ok = state.verify_password(password, phc).await?;
    let Some(account) = account.filter(|_| password_ok) else {
        state.login_failures.record_failure(&key).await?;
        return Err(ApiError::Unauthorized);
    };
    state.login_failures.reset(&key).await?;
    let token = new_token();
    let ttl = chrono::Duration::hours(state.settings.auth.token_ttl_hours);
    let expires_at = state
        .store
        .create_session(account.id, token_hash(&token), state.clock.now(), ttl)
        .await?;
    let actor = state.store.actor(&account).await?;
    Ok(Session {
        account,
        actor,
        token,
        expires_at,
    })
}

/// Checks the signed-in account's password again before something irreversible. Wrong
/// answers count toward the same limit as failed logins.
pub async fn confirm_password(
    state: &AppState,
    account: &Account,
    password: String,
) -> Result<(), ApiError> {
    let key = account.email.clone();
    if state.login_failures.failures(&key).await? >= state.settings.auth.login_max_failures {
        return Err(ApiError::TooManyRequests);
    }
    let email = Email::parse(&account.email)
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("stored e-mail does not parse")))?;
    let phc = match state.store.find_login(&email).await? {
        Some((_, phc)) => phc,
        None => return Err(ApiError::Unauthorized),
    };
    if !state.verify_password(password, phc).await? {
        state.login_failures.record_failure(&key).await?;
        return Err(
            hourbook_domain::DomainError::invalid("password", "is not your password").into(),
        );
    }
    Ok(())
}
