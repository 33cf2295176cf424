//! "My certificates": the volunteer's certificates with where each stands today, and the form
//! that issues a new one, with the store functions behind `GET` and `POST
//! /api/v1/me/certificates`. Each links to its printable `/verify/{code}` page.

use super::super::forms::{FormErrors, Submitted};
use super::super::hours::hours;
use super::super::i18n::Lang;
use super::super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use hourbook_store::certificates::CertificateStatus;
use minijinja::context;
use serde::Serialize;

#[derive(Serialize)]
struct Line {
    number: String,
    code: String,
    from: String,
    to: String,
    hours: String,
    issued: String,
    status: &'static str,
}

fn status_name(status: CertificateStatus) -> &'static str {
    match status {
        CertificateStatus::Valid => "valid",
        CertificateStatus::Superseded => "superseded",
        CertificateStatus::LedgerAltered => "ledger_altered",
        CertificateStatus::SignatureInvalid => "signature_invalid",
    }
}

/// The list and the form, with what was typed and what was wrong with it.
async fn show(
    state: &AppState,
    visitor: Visitor,
    status: StatusCode,
    typed: (&str, &str),
    errors: FormErrors,
) -> ApiResult<Response> {
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let tz = state.rules.timezone;
    let mut lines = Vec::new();
    for c in state.store.my_certificates(&actor).await? {
        // Where it stands today, by the same check a reader of `/verify/{code}` gets: a
        // later correction supersedes a certificate, and the volunteer should know.
        let check = state
            .store
            .check_certificate(&c.code, &state.certificate_keys, tz)
            .await?;
        lines.push(Line {
            number: c.number,
            code: c.code,
            from: c.period.from.to_string(),
            to: c.period.to.to_string(),
            hours: hours(c.total_minutes),
            issued: c
                .issued_at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            status: status_name(check.status),
        });
    }
    let today = state.clock.now().with_timezone(&tz).date_naive();
    visitor.render(
        status,
        "certificates.html",
        context! {
            lines => lines,
            v => context! { from => typed.0, to => typed.1 },
            today => today.to_string(),
            errors => errors.fields,
            general => errors.general,
        },
    )
}

/// `GET /me/certificates`.
pub(super) async fn page(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Response> {
    show(
        &state,
        visitor,
        StatusCode::OK,
        ("", ""),
        FormErrors::default(),
    )
    .await
}

/// An optional date field: blank is `None`; anything but `YYYY-MM-DD` is an error.
fn optional_date(raw: &str, name: &str, errors: &mut FormErrors, lang: Lang) -> Option<NaiveDate> {
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.field(name, lang.text("form.not_a_date"));
    }
    parsed
}

/// `POST /me/certificates`: issues one and opens its printable page.
pub(super) async fn issue(State(state): State<AppState>, form: Submitted) -> ApiResult<Response> {
    let Submitted { visitor, fields } = form;
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let lang = visitor.lang;
    let (from_raw, to_raw) = (fields.get("from"), fields.get("to"));
    let mut errors = FormErrors::default();
    let from = optional_date(from_raw, "from", &mut errors, lang);
    let to = optional_date(to_raw, "to", &mut errors, lang);
    if !errors.is_empty() {
        let typed = (from_raw, to_raw);
        return show(
            &state,
            visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed,
            errors,
        )
        .await;
    }
    let issued = state
        .store
        .issue_certificate(
            &actor,
            from,
            to,
            &state.certificates,
            state.rules.timezone,
            state.clock.now(),
        )
        .await;
    match issued {
        Ok(c) => Ok(visitor.redirect(&format!("/verify/{}", c.code))),
        Err(e) => {
            let status = errors.add_refusal(e.into(), lang, str::to_string)?;
            show(&state, visitor, status, (from_raw, to_raw), errors).await
        }
    }
}
