//! A volunteer's own data: all of it as JSON, and erasing the account.

use crate::auth::{Caller, confirm_password};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::openapi::{BadRequest, Conflict, TooManyRequests, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use hourbook_store::accounts::Account;
use hourbook_store::certificates::IssuedCertificate;
use hourbook_store::claims::Claim;
use hourbook_store::disputes::Dispute;
use hourbook_store::ledger::HoursSummary;
use hourbook_store::matching::MyInvitation;
use hourbook_store::outbox::NotificationPreference;
use hourbook_store::page::PageRequest;
use hourbook_store::profiles::Profile;
use hourbook_store::signups::MySignup;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/export", get(export))
        .route("/api/v1/me", axum::routing::delete(erase))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(export, erase))]
pub(super) struct Docs;

/// Everything Hourbook holds about the caller.
#[derive(Serialize, ToSchema)]
struct Export {
    exported_at: DateTime<Utc>,
    account: Account,
    profile: Option<Profile>,
    signups: Vec<MySignup>,
    hours: HoursSummary,
    certificates: Vec<IssuedCertificate>,
    invitations: Vec<MyInvitation>,
    disputes: Vec<Dispute>,
    /// Hours claimed from outside Hourbook.
    claims: Vec<Claim>,
    notifications: Vec<NotificationPreference>,
}

#[utoipa::path(
    get,
    path = "/api/v1/me/export",
    tag = "accounts",
    summary = "All of the caller's data, as JSON",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The export", body = Export),
        (status = 401, response = Unauthorized)
    )
)]
async fn export(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Export>> {
    let (store, actor, id) = (&state.store, &caller.actor, caller.account.id);
    let now = state.clock.now();
    let everything = PageRequest {
        limit: u64::from(u32::MAX),
        offset: 0,
    };
    Ok(Json(Export {
        exported_at: now,
        profile: store.profile(id).await?,
        signups: store.my_signups(actor).await?,
        hours: store.hours(id, None, None).await?,
        certificates: store.my_certificates(actor).await?,
        invitations: store.my_invitations(actor, everything, now).await?.items,
        disputes: store.my_disputes(actor).await?,
        claims: store.my_claims(actor.account_id).await?,
        notifications: store.notification_preferences(id).await?,
        account: caller.account,
    }))
}

/// The password, once more: erasing cannot be undone.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct EraseInput {
    password: String,
}

/// The account is erased.
#[derive(Serialize, ToSchema)]
struct Erased {
    erased: bool,
}

#[utoipa::path(
    delete,
    path = "/api/v1/me",
    tag = "accounts",
    summary = "Erase the caller's account",
    description = "Name, e-mail, password, profile, sessions, certificates and e-mails are \
        erased at once. Verified hours stay in the ledger under the volunteer number only, so \
        organizations' records and every hash chain stay whole. Refused (409) while the caller \
        holds or waits for a seat, or belongs to an organization.",
    security(("bearer" = [])),
    request_body = EraseInput,
    responses(
        (status = 200, description = "Erased", body = Erased),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests)
    )
)]
async fn erase(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<EraseInput>,
) -> ApiResult<Json<Erased>> {
    confirm_password(&state, &caller.account, input.password).await?;
    state
        .store
        .erase_account(caller.account.id, state.clock.now())
        .await?;
    Ok(Json(Erased { erased: true }))
}
