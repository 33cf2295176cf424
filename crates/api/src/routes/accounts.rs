//! Registration, login, the caller's own account, profile, signups and hours.

use crate::auth::{Caller, Session, bearer_token, log_in};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, PageQuery, query_time};
use crate::openapi::{BadRequest, Conflict, TooManyRequests, Unauthorized, Unprocessable};
use crate::registration::{check_account_fields, create_account};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset, Utc};
use hourbook_domain::error::Validator;
use hourbook_domain::identity::parse_name;
use hourbook_domain::profile::ProfileInput;
use hourbook_domain::requirement::star_level;
use hourbook_domain::{Locale, MemberRole};
use hourbook_store::accounts::token_hash;
use hourbook_store::ledger::HoursSummary;
use hourbook_store::page::Page;
use hourbook_store::profiles::{MissingIdNumber, Profile};
use hourbook_store::signups::MySignup;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/register", post(register))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/me", get(me).patch(patch_me))
        .route("/api/v1/me/profile", put(put_profile))
        .route("/api/v1/me/signups", get(my_signups))
        .route("/api/v1/me/signups.ics", get(my_signups_ics))
        .route("/api/v1/me/hours", get(my_hours))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    register,
    login,
    logout,
    me,
    patch_me,
    put_profile,
    my_signups,
    my_signups_ics,
    my_hours
))]
pub(super) struct Docs;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RegisterInput {
    #[schema(example = "li.wei@example.com")]
    email: String,
    /// At least 10 characters.
    #[schema(min_length = 10)]
    password: String,
    #[schema(example = "李伟")]
    name: String,
}

/// The account just registered.
#[derive(Serialize, ToSchema)]
struct Registered {
    id: Uuid,
    email: String,
    name: String,
    volunteer_number: String,
}

/// A role the caller holds: in one organization, or platform-wide (`organization_id` null).
#[derive(Serialize, ToSchema)]
struct RoleGrant {
    organization_id: Option<Uuid>,
    role: GrantedRole,
}

/// A member role, or `platform_admin`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum GrantedRole {
    Admin,
    Organizer,
    Verifier,
    PlatformAdmin,
}

impl From<MemberRole> for GrantedRole {
    fn from(role: MemberRole) -> Self {
        match role {
            MemberRole::Admin => GrantedRole::Admin,
            MemberRole::Organizer => GrantedRole::Organizer,
            MemberRole::Verifier => GrantedRole::Verifier,
        }
    }
}

/// A new session.
#[derive(Serialize, ToSchema)]
struct LoggedIn {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    expires_at: DateTime<Utc>,
    account: SignedInAccount,
}

/// The account a session belongs to.
#[derive(Serialize, ToSchema)]
struct SignedInAccount {
    id: Uuid,
    email: String,
    name: String,
    volunteer_number: String,
    roles: Vec<RoleGrant>,
}

/// The caller's account, roles and profile.
#[derive(Serialize, ToSchema)]
struct Me {
    id: Uuid,
    email: String,
    name: String,
    volunteer_number: String,
    is_platform_admin: bool,
    /// The language of pages and e-mails.
    #[schema(value_type = String, example = "zh-CN")]
    locale: String,
    roles: Vec<RoleGrant>,
    /// Null until the volunteer saves one.
    profile: Option<Profile>,
    /// Star level (0-5) from all verified hours: 100, 300, 600, 1000, 1500 hours.
    stars: usize,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "accounts",
    summary = "Create a volunteer account",
    request_body = RegisterInput,
    responses(
        (status = 201, description = "Registered", body = Registered),
        (status = 400, response = BadRequest),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<impl IntoResponse> {
    let mut v = Validator::new();
    let fields = check_account_fields(&mut v, &input.email, &input.password, &input.name);
    let fields = v.finish_with(fields)?;
    let account = create_account(&state, fields).await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            id: account.id,
            email: account.email,
            name: account.name,
            volunteer_number: account.volunteer_number,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginInput {
    email: String,
    password: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "accounts",
    summary = "Sign in for a bearer token",
    request_body = LoginInput,
    responses(
        (status = 200, description = "Signed in", body = LoggedIn),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests)
    )
)]
async fn login(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult<Json<LoggedIn>> {
    let Session {
        account,
        actor,
        token,
        expires_at,
    } = log_in(&state, &input.email, input.password).await?;
    let roles = role_grants(&actor, account.is_platform_admin);
    Ok(Json(LoggedIn {
        token,
        expires_at,
        account: SignedInAccount {
            id: account.id,
            email: account.email,
            name: account.name,
            volunteer_number: account.volunteer_number,
            roles,
        },
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "accounts",
    summary = "End the caller's session",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, response = Unauthorized)
    )
)]
async fn logout(
    State(state): State<AppState>,
    _caller: Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<StatusCode> {
    // The `Caller` extractor has already checked that this token is a live session.
    if let Some(token) = bearer_token(&headers) {
        state.store.delete_session(&token_hash(token)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

fn role_grants(actor: &hourbook_domain::access::Actor, platform_admin: bool) -> Vec<RoleGrant> {
    let mut roles: Vec<RoleGrant> = actor
        .memberships
        .iter()
        .map(|(org, role)| RoleGrant {
            organization_id: Some(*org),
            role: (*role).into(),
        })
        .collect();
    if platform_admin {
        roles.push(RoleGrant {
            organization_id: None,
            role: GrantedRole::PlatformAdmin,
        });
    }
    roles
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "accounts",
    summary = "The caller's account, roles and profile",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, response = Unauthorized)
    )
)]
async fn me(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Me>> {
    Ok(Json(describe(&state, caller.account, &caller.actor).await?))
}

async fn describe(
    state: &AppState,
    account: hourbook_store::accounts::Account,
    actor: &hourbook_domain::access::Actor,
) -> ApiResult<Me> {
    let profile = state.store.profile(account.id).await?;
    let served = state
        .store
        .hours(account.id, None, None)
        .await?
        .total_minutes;
    let roles = role_grants(actor, account.is_platform_admin);
    Ok(Me {
        id: account.id,
        email: account.email,
        name: account.name,
        volunteer_number: account.volunteer_number,
        is_platform_admin: account.is_platform_admin,
        locale: account.locale,
        roles,
        profile,
        stars: star_level(served),
    })
}

/// What to change; fields left out keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AccountChanges {
    #[schema(example = "李伟")]
    name: Option<String>,
    /// `zh-CN` or `en`: the language of pages and e-mails.
    locale: Option<Locale>,
}

#[utoipa::path(
    patch,
    path = "/api/v1/me",
    tag = "accounts",
    summary = "Change the caller's name or language",
    security(("bearer" = [])),
    request_body = AccountChanges,
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable)
    )
)]
async fn patch_me(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(changes): ApiJson<AccountChanges>,
) -> ApiResult<Json<Me>> {
    let name = changes
        .name
        .as_deref()
        .map(|n| parse_name(n, "name"))
        .transpose()?;
    let account = state
        .store
        .update_account(caller.account.id, name, changes.locale)
        .await?;
    Ok(Json(describe(&state, account, &caller.actor).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/me/profile",
    tag = "accounts",
    summary = "Save the caller's volunteer profile",
    description = "Volunteers under 14 need a guardian's consent before the profile is stored \
        at all; `id_number` is only ever returned masked.",
    security(("bearer" = [])),
    request_body = ProfileInput,
    responses(
        (status = 200, description = "The saved profile", body = Profile),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable)
    )
)]
async fn put_profile(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<Profile>> {
    let now = state.clock.now();
    let today = now.with_timezone(&state.rules.timezone).date_naive();
    let profile = input.validate(today, &state.rules.ages)?;
    let key = state.settings.privacy.id_hash_key.as_bytes();
    let saved = state
        .store
        .save_profile(
            caller.account.id,
            profile,
            MissingIdNumber::Clears,
            key,
            &state.rules,
            now,
        )
        .await?;
    Ok(Json(saved))
}

#[utoipa::path(
    get,
    path = "/api/v1/me/signups",
    tag = "signups",
    summary = "The caller's signups with their shifts and events",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "The caller's signups, soonest shift first", body = Page<MySignup>),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 401, response = Unauthorized)
    )
)]
async fn my_signups(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<MySignup>>> {
    let page = q.page()?;
    let items = state.store.my_signups(&caller.actor).await?;
    Ok(Json(page.slice(items)))
}

#[utoipa::path(
    get,
    path = "/api/v1/me/signups.ics",
    tag = "signups",
    summary = "The caller's confirmed shifts as an iCalendar file",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "iCalendar (RFC 5545)", body = String, content_type = "text/calendar"),
        (status = 401, response = Unauthorized)
    )
)]
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

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct HoursQuery {
    /// Only service that started at or after this time (RFC 3339).
    from: Option<DateTime<FixedOffset>>,
    /// Only service that started before this time (RFC 3339).
    to: Option<DateTime<FixedOffset>>,
}

#[utoipa::path(
    get,
    path = "/api/v1/me/hours",
    tag = "hours",
    summary = "The caller's verified hours: total, per category and every ledger entry",
    security(("bearer" = [])),
    params(HoursQuery),
    responses(
        (status = 200, description = "The caller's hours", body = HoursSummary),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable)
    )
)]
async fn my_hours(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<HoursQuery>,
) -> ApiResult<Json<HoursSummary>> {
    let mut v = Validator::new();
    let from = query_time(q.from, "from", &mut v);
    let to = query_time(q.to, "to", &mut v);
    v.finish()?;
    let summary = state.store.hours(caller.account.id, from, to).await?;
    Ok(Json(summary))
}
