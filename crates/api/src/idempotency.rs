//! `Idempotency-Key` on unsafe methods: a repeat with the same key returns the first response
//! and does nothing more (API.md, Conventions). A phone on a flaky network can resend a signup
//! without signing up twice.

use crate::auth::bearer_token;
use crate::error::{ApiError, problem};
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hourbook_store::accounts::token_hash;
use hourbook_store::idempotency::Claim;
use sha2::{Digest, Sha256};

/// Largest body remembered (and accepted with a key).
const MAX_BODY: usize = 1024 * 1024;

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        // Length-prefixed, so ("ab","c") and ("a","bc") differ.
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// The middleware.
pub async fn remember(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let unsafe_method = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let Some(key) = request.headers().get("idempotency-key").cloned() else {
        return next.run(request).await;
    };
    // A login answer carries a credential (a bearer token): it is never stored.
    if !unsafe_method || request.uri().path() == "/api/v1/auth/login" {
        return next.run(request).await;
    }
    match replay_or_run(&state, key, request, next).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

async fn replay_or_run(
    state: &AppState,
    key: HeaderValue,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let key = key
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()))
        .ok_or_else(|| {
            ApiError::BadRequest("Idempotency-Key must be 1 to 255 visible characters".into())
        })?
        .to_string();
    // Keys are per account: the same key from two accounts names two different requests,
    // and one account's key holds across its sessions. A replay must not outlive the
    // session that asks for it, so the token is checked first.
    let caller = match bearer_token(request.headers()) {
        Some(token) => {
            let session = state
                .store
                .resolve_session(&token_hash(token), state.clock.now())
                .await?;
            let (account, _) = session.ok_or(ApiError::Unauthorized)?;
            account.id.to_string().into_bytes()
        }
        None => b"anonymous".to_vec(),
    };
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.map_err(|_| {
        ApiError::BadRequest(format!(
            "a body sent with an Idempotency-Key must be under {MAX_BODY} bytes"
        ))
    })?;
    let key_hash = sha256_hex(&[
        &caller,
        parts.method.as_str().as_bytes(),
        parts.uri.path().as_bytes(),
        key.as_bytes(),
    ]);
    let request_hash = sha256_hex(&[&bytes]);
    let now = state.clock.now();
    match state
        .store
        .claim_idempotency_key(&key_hash, &request_hash, now)
        .await?
    {
        Claim::Replay {
            status,
            content_type,
            body,
        } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let mut response = (status, body).into_response();
            if let Ok(ct) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            response
                .headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            Ok(response)
        }
        Claim::InProgress => Ok(problem(
            StatusCode::CONFLICT,
            "idempotency-in-progress",
            "Request in progress",
            "a request with this Idempotency-Key is still being answered; retry shortly".into(),
        )),
        Claim::Mismatch => Ok(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-mismatch",
            "Idempotency-Key reused",
            "this Idempotency-Key was already used for a different request".into(),
        )),
        Claim::Fresh => {
            // Run to the end even if the client hangs up: a disconnect must not leave a
            // committed change without its remembered answer.
            let store = state.store.clone();
            let request = Request::from_parts(parts, Body::from(bytes));
            tokio::spawn(async move { answer_and_remember(store, key_hash, next, request).await })
                .await
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("request task failed: {e}")))?
        }
    }
}

async fn answer_and_remember(
    store: hourbook_store::Store,
    key_hash: String,
    next: Next,
    request: Request,
) -> Result<Response, ApiError> {
    let response = next.run(request).await;
    if response.status().is_server_error() {
        // Our failure rolled its transaction back: let the client retry with the same key.
        store.release_idempotency_key(&key_hash).await?;
        return Ok(response);
    }
    let (parts, body) = response.into_parts();
    let body = to_bytes(body, usize::MAX)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("reading the response: {e}")))?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = String::from_utf8_lossy(&body);
    store
        .remember_response(&key_hash, parts.status.as_u16(), &content_type, &text)
        .await?;
    Ok(Response::from_parts(parts, Body::from(body)))
}
