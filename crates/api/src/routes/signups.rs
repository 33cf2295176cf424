//! Signups, check-in and check-out, no-shows and verification.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{parse_json, path_id};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use hourbook_store::ledger::{LedgerEntry, VerifyInput};
use hourbook_store::signups::{PresenceInput, Signup};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/shifts/{id}/signups", post(sign_up).get(roster))
        .route("/api/v1/signups/{id}", delete(cancel))
        .route("/api/v1/signups/{id}/check-in", post(check_in))
        .route("/api/v1/signups/{id}/check-out", post(check_out))
        .route("/api/v1/signups/{id}/no-show", post(no_show))
        .route("/api/v1/signups/{id}/verify", post(verify))
}

/// Bodies of these actions are optional: an empty body means "all defaults".
fn optional_body<T: DeserializeOwned + Default>(body: &Bytes) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        parse_json(body)
    }
}

async fn sign_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Signup>)> {
    let shift_id = path_id(&id, "shift")?;
    let signup = state
        .store
        .sign_up(&caller.actor, shift_id, &state.rules, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(signup)))
}

async fn roster(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let items = state
        .store
        .roster(&caller.actor, path_id(&id, "shift")?)
        .await?;
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Signup>> {
    Ok(Json(
        state
            .store
            .cancel_signup(&caller.actor, path_id(&id, "signup")?, state.clock.now())
            .await?,
    ))
}

async fn check_in(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Signup>> {
    let input: PresenceInput = optional_body(&body)?;
    let signup = state
        .store
        .check_in(
            &caller.actor,
            path_id(&id, "signup")?,
            input,
            &state.rules,
            state.clock.now(),
        )
        .await?;
    Ok(Json(signup))
}

async fn check_out(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<Json<Signup>> {
    let input: PresenceInput = optional_body(&body)?;
    let signup = state
        .store
        .check_out(
            &caller.actor,
            path_id(&id, "signup")?,
            input,
            &state.rules,
            state.clock.now(),
        )
        .await?;
    Ok(Json(signup))
}

async fn no_show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Signup>> {
    Ok(Json(
        state
            .store
            .mark_no_show(&caller.actor, path_id(&id, "signup")?, state.clock.now())
            .await?,
    ))
}

async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<LedgerEntry>)> {
    let input: VerifyInput = optional_body(&body)?;
    let entry = state
        .store
        .verify_signup(
            &caller.actor,
            path_id(&id, "signup")?,
            input,
            state.rules.grace,
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}
