//! Registration, login, the caller's own account, profile, signups and hours.

use crate::auth::{Caller, new_token};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset, Utc};
use hourbook_domain::error::Validator;
use hourbook_domain::identity::{Email, check_new_password, parse_name};
use hourbook_domain::profile::ProfileInput;
use hourbook_store::accounts::token_hash;
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/register", post(register))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me))
        .route("/api/v1/me/profile", put(put_profile))
        .route("/api/v1/me/signups", get(my_signups))
        .route("/api/v1/me/signups.ics", get(my_signups_ics))
        .route("/api/v1/me/hours", get(my_hours))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterInput {
    email: String,
    password: String,
    name: String,
}

async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<impl IntoResponse> {
    let mut v = Validator::new();
    let email = v.check(Email::parse(&input.email));
    v.check(check_new_password(&input.password));
    let name = v.check(parse_name(&input.name, "name"));
    let (email, name) = v.finish_with(email.zip(name))?;
    let hash = state.hash_password(input.password).await?;
    let account = state
        .store
        .register(&email, &name, &hash, state.clock.now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": account.id, "email": account.email, "name": account.name, "volunteer_number": account.volunteer_number}),
        ),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginInput {
    email: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult<Json<Value>> {
    // A malformed address simply cannot match: the same 401 as any other wrong pair.
    let email = Email::parse(&input.email).ok();
    let key = email.as_ref().map_or_else(
        || input.email.trim().to_lowercase(),
        |e| e.as_str().to_string(),
    );
    if state.login_failures.failures(&key).await? >= state.settings.auth.login_max_failures {
        return Err(ApiError::TooManyRequests);
    }
    let found = match &email {
        Some(email) => state.store.find_login(email).await?,
        None => None,
    };
    let (account, phc) = match found {
        Some((account, phc)) => (Some(account), phc),
        None => (None, state.dummy_hash.to_string()),
    };
    let password_ok = state.verify_password(input.password, phc).await?;
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
    Ok(Json(json!({
        "token": token,
        "expires_at": expires_at,
        "account": {
            "id": account.id, "email": account.email, "name": account.name,
            "volunteer_number": account.volunteer_number, "roles": roles_json(&actor, account.is_platform_admin),
        }
    })))
}

async fn logout(
    State(state): State<AppState>,
    _caller: Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<StatusCode> {
    if let Some(token) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .map(|(_, t)| t.trim())
    {
        state.store.delete_session(&token_hash(token)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

fn roles_json(actor: &hourbook_domain::access::Actor, platform_admin: bool) -> Value {
    let mut roles: Vec<Value> = actor
        .memberships
        .iter()
        .map(|(org, role)| json!({"organization_id": org, "role": role}))
        .collect();
    if platform_admin {
        roles.push(json!({"organization_id": null, "role": "platform_admin"}));
    }
    Value::Array(roles)
}

async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let profile = state.store.profile(caller.account.id).await?;
    Ok(Json(json!({
        "id": caller.account.id,
        "email": caller.account.email,
        "name": caller.account.name,
        "volunteer_number": caller.account.volunteer_number,
        "is_platform_admin": caller.account.is_platform_admin,
        "roles": roles_json(&caller.actor, caller.account.is_platform_admin),
        "profile": profile,
    })))
}

async fn put_profile(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<Value>> {
    let now = state.clock.now();
    let today = now.with_timezone(&state.rules.timezone).date_naive();
    let profile = input.validate(today, &state.rules.ages)?;
    let key = state.settings.privacy.id_hash_key.as_bytes();
    let saved = state
        .store
        .save_profile(caller.account.id, profile, key, now)
        .await?;
    Ok(Json(
        serde_json::to_value(saved).map_err(anyhow::Error::from)?,
    ))
}

async fn my_signups(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Value>> {
    let items = state.store.my_signups(&caller.actor).await?;
    Ok(Json(json!({"items": items, "next_cursor": null})))
}

async fn my_signups_ics(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    let items = state.store.my_signups(&caller.actor).await?;
    let calendar = crate::calendar::confirmed_shifts(&items, state.clock.now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hourbook-shifts.ics\"",
            ),
        ],
        calendar,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HoursQuery {
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
}

async fn my_hours(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<HoursQuery>,
) -> ApiResult<Json<Value>> {
    let utc = |t: Option<DateTime<FixedOffset>>| t.map(|t| t.with_timezone(&Utc));
    let summary = state
        .store
        .hours(caller.account.id, utc(q.from), utc(q.to))
        .await?;
    Ok(Json(
        serde_json::to_value(summary).map_err(anyhow::Error::from)?,
    ))
}
