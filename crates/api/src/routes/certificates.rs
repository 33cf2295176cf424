//! Certificates: issued by the volunteer, verified by anyone with the code.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::openapi::{BadRequest, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use hourbook_domain::certificate::{key_id, public_key_base64};
use hourbook_store::certificates::{CertificateCheck, IssuedCertificate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/certificates", post(issue).get(mine))
        .route("/api/v1/certificates/public-key", get(public_key))
        .route("/api/v1/certificates/{code}", get(check))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(issue, mine, public_key, check))]
pub(super) struct Docs;

/// The period to certify; from the first verified entry and to today when left out.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct IssueInput {
    #[serde(default)]
    from: Option<NaiveDate>,
    #[serde(default)]
    to: Option<NaiveDate>,
}

/// A certificate just issued, with the page that verifies it.
#[derive(Serialize, ToSchema)]
struct Issued {
    #[serde(flatten)]
    certificate: IssuedCertificate,
    /// The public verification page (its QR code is on it).
    url: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/me/certificates",
    tag = "certificates",
    summary = "Issue a signed certificate of the caller's verified hours",
    security(("bearer" = [])),
    request_body = IssueInput,
    responses(
        (status = 201, description = "Issued", body = Issued),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable)
    )
)]
async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    headers: axum::http::HeaderMap,
    ApiJson(input): ApiJson<IssueInput>,
) -> ApiResult<(StatusCode, Json<Issued>)> {
    let certificate = state
        .store
        .issue_certificate(
            &caller.actor,
            input.from,
            input.to,
            &state.certificates,
            state.rules.timezone,
            state.clock.now(),
        )
        .await?;
    let url = format!("{}/verify/{}", state.base_url(&headers), certificate.code);
    Ok((StatusCode::CREATED, Json(Issued { certificate, url })))
}

/// The caller's certificates.
#[derive(Serialize, ToSchema)]
struct Mine {
    items: Vec<IssuedCertificate>,
}

#[utoipa::path(
    get,
    path = "/api/v1/me/certificates",
    tag = "certificates",
    summary = "The caller's certificates, newest first",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Certificates", body = Mine),
        (status = 401, response = Unauthorized)
    )
)]
async fn mine(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Mine>> {
    Ok(Json(Mine {
        items: state.store.my_certificates(&caller.actor).await?,
    }))
}

/// The key certificates are signed with.
#[derive(Serialize, ToSchema)]
struct PublicKey {
    /// `Ed25519`.
    algorithm: &'static str,
    /// The public key, base64 (32 bytes).
    public_key: String,
    /// Its short id, as in each certificate's `key_id`.
    key_id: String,
    /// Keys rotated out of signing: certificates they signed still check.
    retired: Vec<RetiredKey>,
}

/// A public key no longer signing.
#[derive(Serialize, ToSchema)]
struct RetiredKey {
    /// The public key, base64.
    public_key: String,
    /// Its short id.
    key_id: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/certificates/public-key",
    tag = "certificates",
    summary = "The public keys that check certificates offline (the signing key's, and retired ones)",
    responses((status = 200, description = "The key", body = PublicKey))
)]
async fn public_key(State(state): State<AppState>) -> Json<PublicKey> {
    Json(PublicKey {
        algorithm: "Ed25519",
        public_key: state.certificates.public_base64(),
        key_id: state.certificates.key_id(),
        retired: state
            .certificate_keys
            .retired()
            .iter()
            .map(|k| RetiredKey {
                public_key: public_key_base64(k),
                key_id: key_id(k),
            })
            .collect(),
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/certificates/{code}",
    tag = "certificates",
    summary = "Verify a certificate by its code (public)",
    description = "What the certificate states, whether our key signed it, and whether the \
        ledger still says the same: `superseded` after a later correction, `ledger_altered` \
        when the entries behind it were changed outside the application.",
    params(("code" = String, Path, description = "Verification code, e.g. 7KQ4M-2XD9P")),
    responses(
        (status = 200, description = "The verdict", body = CertificateCheck),
        (status = 404, response = NotFound)
    )
)]
async fn check(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<CertificateCheck>> {
    Ok(Json(
        state
            .store
            .check_certificate(&code, &state.certificate_keys, state.rules.timezone)
            .await?,
    ))
}
