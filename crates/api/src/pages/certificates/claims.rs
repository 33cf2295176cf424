//! `/me/hours/claims`: hours served outside Hourbook, claimed with evidence for the named
//! organization (or a host outside Hourbook, by e-mail) to verify; the volunteer's claims
//! and where they stand; withdrawing a pending one. The same store functions as
//! `POST|GET /api/v1/me/hours/claims` and `DELETE /api/v1/me/hours/claims/{id}`.

use super::super::forms::{Fields, FormErrors, Submitted};
use super::super::hours::hours;
use super::super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use hourbook_domain::claim::{ClaimInput, HostInput};
use hourbook_store::claims::ClaimStatus;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Categories offered as suggestions (any a-z slug is accepted, as in the API).
const CATEGORIES: [&str; 6] = [
    "community_service",
    "childcare",
    "elder_care",
    "environment",
    "civilized_city",
    "drowning_prevention",
];

/// Every field of the claim form, as typed.
const FIELDS: [&str; 12] = [
    "by",
    "organization_id",
    "host_name",
    "contact_name",
    "contact_email",
    "title",
    "category",
    "day",
    "start",
    "end",
    "evidence_url",
    "description",
];

#[derive(Serialize)]
struct Line {
    id: String,
    title: String,
    decider: String,
    day: String,
    from: String,
    to: String,
    hours: String,
    category: String,
    status: &'static str,
    note: Option<String>,
    pending: bool,
}

/// The page: the form (with what was typed and its errors) and the claims.
async fn show(
    state: &AppState,
    visitor: Visitor,
    status: StatusCode,
    typed: Value,
    errors: FormErrors,
    sent: bool,
) -> ApiResult<Response> {
    let lang = visitor.lang;
    let me = match visitor.require_sign_in() {
        Ok(s) => s.account.id,
        Err(login) => return Ok(*login),
    };
    let tz = state.rules.timezone;
    let local = |t: DateTime<Utc>| t.with_timezone(&tz);
    let lines: Vec<Line> = state
        .store
        .my_claims(me)
        .await?
        .into_iter()
        .map(|c| Line {
            id: c.id.to_string(),
            title: c.title,
            decider: match (c.host, c.organization) {
                (Some(h), _) => h.name,
                (None, Some(o)) => o.name,
                (None, None) => String::new(),
            },
            day: local(c.started_at).format("%Y-%m-%d").to_string(),
            from: local(c.started_at).format("%H:%M").to_string(),
            to: local(c.ended_at).format("%H:%M").to_string(),
            hours: hours(c.minutes),
            category: lang.category(&c.category),
            status: <&str>::from(c.status),
            note: c.decision_note,
            pending: c.status == ClaimStatus::Pending,
        })
        .collect();
    let organizations: Vec<(String, String)> = state
        .store
        .organizations()
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let today = state.clock.now().with_timezone(&tz).date_naive();
    visitor.render(
        status,
        "certificates_claims.html",
        context! {
            lines => lines,
            organizations => organizations,
            categories => CATEGORIES,
            today => today.to_string(),
            v => typed,
            sent => sent,
            errors => errors.fields,
            general => errors.general,
        },
    )
}

/// What was typed, to fill the form again.
fn typed(fields: &Fields) -> Value {
    Value::from_iter(FIELDS.iter().map(|f| (*f, fields.get(f).to_string())))
}

fn blank() -> Value {
    Value::from_iter(
        FIELDS
            .iter()
            .map(|f| (*f, if *f == "by" { "organization" } else { "" })),
    )
}

/// `?sent=1` after a claim was submitted.
#[derive(Deserialize)]
pub(super) struct Notice {
    sent: Option<String>,
}

/// `GET /me/hours/claims`.
pub(super) async fn page(
    State(state): State<AppState>,
    Query(notice): Query<Notice>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let sent = notice.sent.is_some();
    show(
        &state,
        visitor,
        StatusCode::OK,
        blank(),
        FormErrors::default(),
        sent,
    )
    .await
}

/// A local day and time of day as an instant; `None` (with an error on `field`) when either
/// is missing or unreadable, or the time does not exist that day.
fn instant(
    day: Option<NaiveDate>,
    time: &str,
    field: &str,
    tz: Tz,
    errors: &mut FormErrors,
    lang: super::super::i18n::Lang,
) -> Option<DateTime<Utc>> {
    let Ok(time) = NaiveTime::parse_from_str(time, "%H:%M") else {
        errors.field(field, lang.text("certs_claims.not_a_time"));
        return None;
    };
    let day = day?;
    let at = tz.from_local_datetime(&day.and_time(time)).earliest();
    if at.is_none() {
        errors.field(field, lang.text("certs_claims.not_a_time"));
    }
    at.map(|t| t.with_timezone(&Utc))
}

/// Where the API's field names land on the form.
fn form_field(api: &str) -> String {
    match api {
        "host.name" => "host_name",
        "host.contact_name" => "contact_name",
        "host.contact_email" => "contact_email",
        "started_at" => "start",
        "ended_at" => "end",
        other => other,
    }
    .to_string()
}

/// Reads the form into the API's input; what cannot be read is a field error.
fn read(
    fields: &Fields,
    tz: Tz,
    errors: &mut FormErrors,
    lang: super::super::i18n::Lang,
) -> Option<ClaimInput> {
    let mut organization_id = None;
    let mut host = None;
    if fields.get("by") == "host" {
        host = Some(HostInput {
            name: fields.get("host_name").to_string(),
            contact_name: fields.get("contact_name").to_string(),
            contact_email: fields.get("contact_email").to_string(),
        });
    } else {
        match Uuid::parse_str(fields.get("organization_id")) {
            Ok(id) => organization_id = Some(id),
            Err(_) => errors.field(
                "organization_id",
                lang.text("certs_claims.choose_organization"),
            ),
        }
    }
    let day = match NaiveDate::parse_from_str(fields.get("day"), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.field("day", lang.text("form.not_a_date"));
            None
        }
    };
    let started_at = instant(day, fields.get("start"), "start", tz, errors, lang);
    let ended_at = instant(day, fields.get("end"), "end", tz, errors, lang);
    let (Some(started_at), Some(ended_at)) = (started_at, ended_at) else {
        return None;
    };
    if !errors.is_empty() {
        return None;
    }
    Some(ClaimInput {
        organization_id,
        host,
        title: fields.get("title").to_string(),
        started_at,
        ended_at,
        category: fields.get("category").to_string(),
        evidence_url: fields.optional("evidence_url"),
        description: fields.optional("description"),
    })
}

/// `POST /me/hours/claims`.
pub(super) async fn submit(State(state): State<AppState>, form: Submitted) -> ApiResult<Response> {
    let Submitted { visitor, fields } = form;
    let me = match visitor.require_sign_in() {
        Ok(s) => s.account.id,
        Err(login) => return Ok(*login),
    };
    let lang = visitor.lang;
    let mut errors = FormErrors::default();
    let Some(input) = read(&fields, state.rules.timezone, &mut errors, lang) else {
        return show(
            &state,
            visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            typed(&fields),
            errors,
            false,
        )
        .await;
    };
    match state.store.submit_claim(me, input, state.clock.now()).await {
        Ok(_) => Ok(visitor.redirect("/me/hours/claims?sent=1")),
        Err(e) => {
            let status = errors.add_refusal(e.into(), lang, form_field)?;
            show(&state, visitor, status, typed(&fields), errors, false).await
        }
    }
}

/// `POST /me/hours/claims/{id}/withdraw`.
pub(super) async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Submitted,
) -> ApiResult<Response> {
    let visitor = form.visitor;
    let me = match visitor.require_sign_in() {
        Ok(s) => s.account.id,
        Err(login) => return Ok(*login),
    };
    let mut errors = FormErrors::default();
    let outcome = match Uuid::parse_str(&id) {
        Ok(claim) => state
            .store
            .withdraw_claim(me, claim, state.clock.now())
            .await
            .map(|_| ())
            .map_err(Into::into),
        Err(_) => Err(hourbook_store::StoreError::NotFound("claim").into()),
    };
    match outcome {
        Ok(()) => Ok(visitor.redirect("/me/hours/claims")),
        Err(e) => {
            let status = errors.add_refusal(e, visitor.lang, form_field)?;
            show(&state, visitor, status, blank(), errors, false).await
        }
    }
}
