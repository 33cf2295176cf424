//! `/me/hours/entries/{id}`: one ledger entry with its corrections and disputes, and the form
//! that reports an error in it (`POST /api/v1/ledger/{entry_id}/disputes`, the same store
//! function). The recording organization answers with a correction or a reasoned rejection.

use super::super::forms::{FormErrors, Submitted};
use super::super::hours::hours;
use super::super::school::refused;
use super::super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_store::StoreError;
use hourbook_store::disputes::DisputeStatus;
use minijinja::context;
use serde::Serialize;
use uuid::Uuid;

#[derive(Serialize)]
struct CorrectionLine {
    day: String,
    hours: String,
    note: String,
}

#[derive(Serialize)]
struct DisputeLine {
    raised: String,
    reason: String,
    status: &'static str,
    answer: Option<String>,
}

/// The entry's page; an entry that is not the visitor's to see is a 404 page.
async fn show(
    state: &AppState,
    visitor: Visitor,
    id: &str,
    status: StatusCode,
    reason: &str,
    errors: FormErrors,
) -> ApiResult<Response> {
    let lang = visitor.lang;
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let Ok(entry_id) = Uuid::parse_str(id) else {
        return refused(visitor, StatusCode::NOT_FOUND, "no_entry");
    };
    let history = match state.store.entry_history(&actor, entry_id).await {
        Ok(h) => h,
        Err(StoreError::NotFound(_)) => {
            return refused(visitor, StatusCode::NOT_FOUND, "no_entry");
        }
        Err(e) => return Err(e.into()),
    };
    let tz = state.rules.timezone;
    let day =
        |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let time = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&tz).format("%H:%M").to_string();
    let e = &history.entry;
    let own = e.volunteer_id == actor.account_id;
    let open = history
        .disputes
        .iter()
        .any(|d| d.status == DisputeStatus::Open);
    let corrections: Vec<CorrectionLine> = history
        .corrections
        .iter()
        .map(|c| CorrectionLine {
            day: day(c.verified_at),
            hours: hours(c.minutes),
            note: c.note.clone().unwrap_or_default(),
        })
        .collect();
    let disputes: Vec<DisputeLine> = history
        .disputes
        .iter()
        .map(|d| DisputeLine {
            raised: day(d.created_at),
            reason: d.reason.clone(),
            status: <&str>::from(d.status),
            answer: d.answer.clone(),
        })
        .collect();
    visitor.render(
        status,
        "certificates_entry.html",
        context! {
            id => id,
            day => day(e.started_at),
            from => time(e.started_at),
            to => time(e.ended_at),
            hours => hours(e.minutes),
            corrected => hours(history.corrected_minutes),
            category => lang.category(&e.category),
            organization => e.organization.name.clone(),
            note => e.note.clone(),
            corrections => corrections,
            disputes => disputes,
            may_dispute => own && !open,
            reason => reason,
            errors => errors.fields,
            general => errors.general,
        },
    )
}

/// `GET /me/hours/entries/{id}`.
pub(super) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
) -> ApiResult<Response> {
    show(
        &state,
        visitor,
        &id,
        StatusCode::OK,
        "",
        FormErrors::default(),
    )
    .await
}

/// `POST /me/hours/entries/{id}/dispute`.
pub(super) async fn dispute(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Submitted,
) -> ApiResult<Response> {
    let Submitted { visitor, fields } = form;
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let Ok(entry_id) = Uuid::parse_str(&id) else {
        return refused(visitor, StatusCode::NOT_FOUND, "no_entry");
    };
    let reason = fields.get("reason");
    match state
        .store
        .dispute_entry(&actor, entry_id, reason, state.clock.now())
        .await
    {
        Ok(_) => Ok(visitor.redirect(&format!("/me/hours/entries/{id}"))),
        Err(StoreError::NotFound(_)) => refused(visitor, StatusCode::NOT_FOUND, "no_entry"),
        Err(e) => {
            let mut errors = FormErrors::default();
            let status = errors.add_refusal(e.into(), visitor.lang, str::to_string)?;
            show(&state, visitor, &id, status, reason, errors).await
        }
    }
}
