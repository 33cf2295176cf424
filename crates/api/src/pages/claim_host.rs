//! The page behind the link e-mailed to a host outside Hourbook: its contact sees the claim
//! and confirms it (possibly with other minutes and a note) or declines it, without an
//! account. The link is signed for one claim and stops working once the claim is decided,
//! withdrawn or 30 days old. Like the unsubscribe page, the GET only shows; only the form's
//! POST acts (mail scanners fetch links), and the form carries the anonymous CSRF token.

use super::forms::{FormErrors, Submitted};
use super::visitor::Visitor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::DomainError;
use hourbook_store::StoreError;
use hourbook_store::claims::{ClaimStatus, HostAnswer, HostRequest};
use minijinja::context;

/// The request a genuine token names, or `None` (an unknown or forged link).
async fn request(app: &AppState, token: &str) -> ApiResult<Option<HostRequest>> {
    let Some(claim) = app.links.check_claim_host(token) else {
        return Ok(None);
    };
    match app.store.host_request(claim, app.clock.now()).await {
        Ok(found) => Ok(Some(found)),
        Err(StoreError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What the page shows: `ask` (the forms), `verified`, `rejected`, `closed`, `expired` or
/// `invalid`.
fn page(
    app: &AppState,
    visitor: Visitor,
    status: StatusCode,
    state: &str,
    request: Option<&HostRequest>,
    errors: FormErrors,
    values: (String, String, String),
) -> ApiResult<Response> {
    let tz = app.rules.timezone;
    let claim = request.map(|r| {
        let c = &r.claim;
        context! {
            volunteer => c.volunteer_name,
            title => c.title,
            host => c.host.as_ref().map(|h| h.name.clone()),
            when => format!(
                "{} – {}",
                c.started_at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
                c.ended_at.with_timezone(&tz).format("%H:%M"),
            ),
            minutes => c.minutes,
            description => c.description,
            evidence_url => c.evidence_url,
        }
    });
    let (minutes, note, reason) = values;
    visitor.render(
        status,
        "claim_host.html",
        context! {
            state => state,
            claim => claim,
            errors => errors.fields,
            general => errors.general,
            minutes => minutes,
            note => note,
            reason => reason,
        },
    )
}

fn closed_state(request: &HostRequest) -> &'static str {
    match request.claim.status {
        ClaimStatus::Pending => "expired",
        _ => "closed",
    }
}

fn claimed(request: &HostRequest) -> (String, String, String) {
    (
        request.claim.minutes.to_string(),
        String::new(),
        String::new(),
    )
}

pub(super) async fn show(
    State(app): State<AppState>,
    Path(token): Path<String>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let Some(found) = request(&app, &token).await? else {
        let none = (String::new(), String::new(), String::new());
        return page(
            &app,
            visitor,
            StatusCode::NOT_FOUND,
            "invalid",
            None,
            FormErrors::default(),
            none,
        );
    };
    let state = if found.open {
        "ask"
    } else {
        closed_state(&found)
    };
    page(
        &app,
        visitor,
        StatusCode::OK,
        state,
        Some(&found),
        FormErrors::default(),
        claimed(&found),
    )
}

pub(super) async fn answer(
    State(app): State<AppState>,
    Path(token): Path<String>,
    Submitted { visitor, fields }: Submitted,
) -> ApiResult<Response> {
    let Some(found) = request(&app, &token).await? else {
        let none = (String::new(), String::new(), String::new());
        return page(
            &app,
            visitor,
            StatusCode::NOT_FOUND,
            "invalid",
            None,
            FormErrors::default(),
            none,
        );
    };
    if !found.open {
        let state = closed_state(&found);
        return page(
            &app,
            visitor,
            StatusCode::CONFLICT,
            state,
            Some(&found),
            FormErrors::default(),
            claimed(&found),
        );
    }
    let values = (
        fields.get("minutes").to_string(),
        fields.get("note").to_string(),
        fields.get("reason").to_string(),
    );
    let mut errors = FormErrors::default();
    let answer = match fields.get("answer") {
        "confirm" => {
            let minutes = match fields.optional("minutes").map(|m| m.parse::<i64>()) {
                Some(Ok(m)) => Some(m),
                Some(Err(_)) => {
                    errors.field("minutes", visitor.lang.text("claim_host.whole_minutes"));
                    None
                }
                None => None,
            };
            HostAnswer::Confirm {
                minutes,
                note: fields.optional("note"),
            }
        }
        "reject" => HostAnswer::Reject {
            reason: fields.get("reason").to_string(),
        },
        _ => {
            return Err(ApiError::BadRequest(
                "answer must be confirm or reject".into(),
            ));
        }
    };
    if errors.is_empty() {
        match app
            .store
            .host_answer(found.claim.id, answer, app.clock.now())
            .await
        {
            Ok(decided) => {
                let state = match decided.status {
                    ClaimStatus::Verified => "verified",
                    _ => "rejected",
                };
                return page(
                    &app,
                    visitor,
                    StatusCode::OK,
                    state,
                    Some(&found),
                    errors,
                    values,
                );
            }
            // Answered by someone else meanwhile (a second click in another tab).
            Err(StoreError::Domain(DomainError::Conflict(_))) => {
                return page(
                    &app,
                    visitor,
                    StatusCode::CONFLICT,
                    "closed",
                    Some(&found),
                    errors,
                    values,
                );
            }
            Err(e) => {
                let lang = visitor.lang;
                let status = errors.add_refusal(e.into(), lang, str::to_string)?;
                return page(&app, visitor, status, "ask", Some(&found), errors, values);
            }
        }
    }
    page(
        &app,
        visitor,
        StatusCode::UNPROCESSABLE_ENTITY,
        "ask",
        Some(&found),
        errors,
        values,
    )
}
