//! Hours to verify for an organization: attended shifts not yet verified, oldest first, with
//! their deadline and the overdue ones marked (the store call behind
//! `GET /api/v1/organizations/{id}/pending-records`). Ticked rows are verified at once, each
//! through the same call as `POST /api/v1/signups/{id}/verify`, and the page says which
//! succeeded and which did not; a row can instead be credited other minutes with a reason.

use super::{Member, MemberForm, Page, answer, local, show};
use crate::error::{ApiError, ApiResult};
use crate::extract::path_id;
use crate::pages::forms::FormErrors;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::access::Actor;
use hourbook_domain::service_time::hours_display;
use hourbook_store::ledger::VerifyInput;
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The most records one "verify selected" may name (a busy summer day of a dozen sites).
const MAX_BULK: usize = 500;

#[derive(Deserialize, Default)]
pub(super) struct RecordsQuery {
    /// Only overdue records.
    #[serde(default)]
    overdue: Option<String>,
    /// A row just adjusted.
    #[serde(default)]
    adjusted: Option<String>,
}

#[derive(Serialize)]
struct RecordLine {
    signup_id: String,
    name: String,
    number: String,
    event_title: String,
    shift_title: String,
    ended: String,
    checked_in: Option<String>,
    checked_out: Option<String>,
    automatic: bool,
    due_by: String,
    overdue: bool,
}

/// What a bulk verification did, row by row.
#[derive(Serialize, Default)]
struct Report {
    verified: Vec<(String, String)>,
    failed: Vec<(String, String)>,
}

/// The adjust form that was sent, to show again with its errors.
#[derive(Serialize, Default)]
struct Adjusting {
    signup_id: String,
    minutes: String,
    note: String,
}

/// Everything a records page shows besides the records.
#[derive(Default)]
struct Extras {
    report: Option<Report>,
    adjusting: Option<Adjusting>,
    adjusted: bool,
    errors: FormErrors,
}

async fn records_page(
    state: &AppState,
    actor: &Actor,
    org_id: Uuid,
    overdue_only: bool,
    status: StatusCode,
    extras: Extras,
) -> ApiResult<Page> {
    let now = state.clock.now();
    let records = state
        .store
        .pending_records(actor, org_id, state.record_deadline()?, now)
        .await?;
    let org = state.store.organization(org_id).await?;
    let tz = state.rules.timezone;
    let overdue = records.iter().filter(|r| r.overdue).count();
    let total = records.len();
    let lines: Vec<RecordLine> = records
        .into_iter()
        .filter(|r| !overdue_only || r.overdue)
        .map(|r| RecordLine {
            signup_id: r.signup_id.to_string(),
            name: r.volunteer.name,
            number: r.volunteer.volunteer_number,
            event_title: r.event_title,
            shift_title: r.shift_title,
            ended: local(r.ended_at, tz),
            checked_in: r.checked_in_at.map(|t| local(t, tz)),
            checked_out: r.checked_out_at.map(|t| local(t, tz)),
            automatic: r.checked_out_automatically,
            due_by: r.due_by.to_string(),
            overdue: r.overdue,
        })
        .collect();
    let errors: BTreeMap<String, Vec<String>> = extras.errors.fields;
    Ok(Page {
        status,
        template: "org_records.html",
        context: context! {
            org_id => org.id.to_string(), org_name => org.name, records => lines,
            total => total, overdue => overdue, overdue_only => overdue_only,
            report => extras.report, adjusting => extras.adjusting, adjusted => extras.adjusted,
            errors => errors, general => extras.errors.general,
        },
    })
}

/// `GET /org/{org_id}/records` (`?overdue=1` for the overdue ones only).
pub(super) async fn page(
    State(state): State<AppState>,
    Path(org_id): Path<String>,
    Query(query): Query<RecordsQuery>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let org_id = path_id(&org_id, "organization")?;
        let extras = Extras {
            adjusted: query.adjusted.is_some(),
            ..Extras::default()
        };
        let overdue_only = query.overdue.is_some_and(|v| !v.is_empty());
        records_page(&state, &actor, org_id, overdue_only, StatusCode::OK, extras).await
    }
    .await;
    show(visitor, page)
}

/// `POST /org/{org_id}/records/verify`: every ticked `signup` verified on its own, so one
/// refusal does not stop the others.
pub(super) async fn verify(
    State(state): State<AppState>,
    Path(org_id): Path<String>,
    form: MemberForm,
) -> ApiResult<Response> {
    let MemberForm {
        visitor,
        actor,
        fields,
    } = form;
    let lang = visitor.lang;
    let page = async {
        let org_id = path_id(&org_id, "organization")?;
        let now = state.clock.now();
        // Names for the report, from the list the organizer was looking at (and the store's
        // refusal for whoever may not see it).
        let names: HashMap<String, String> = state
            .store
            .pending_records(&actor, org_id, state.record_deadline()?, now)
            .await?
            .into_iter()
            .map(|r| (r.signup_id.to_string(), r.volunteer.name))
            .collect();
        let chosen = fields.all("signup");
        let mut extras = Extras::default();
        // More rows than a page ever lists is not a form of ours: nothing is verified.
        if chosen.is_empty() || chosen.len() > MAX_BULK {
            extras
                .errors
                .general
                .push(lang.text("org_records.none_chosen"));
            let overdue_only = fields.checked("overdue");
            return records_page(
                &state,
                &actor,
                org_id,
                overdue_only,
                StatusCode::UNPROCESSABLE_ENTITY,
                extras,
            )
            .await;
        }
        let mut report = Report::default();
        let mut status = StatusCode::OK;
        for raw in chosen {
            // A record verified meanwhile has left the list: its name came with the form.
            let who = names
                .get(raw)
                .cloned()
                .or_else(|| fields.optional(&format!("name_{raw}")))
                .unwrap_or_else(|| raw.to_string());
            let result = match Uuid::parse_str(raw) {
                Ok(id) => state
                    .store
                    .verify_signup(&actor, id, VerifyInput::default(), &state.rules, now)
                    .await
                    .map_err(ApiError::from),
                Err(_) => Err(hourbook_store::StoreError::NotFound("signup").into()),
            };
            match result {
                Ok(entry) => report.verified.push((who, hours_display(entry.minutes))),
                Err(e) => {
                    let mut why = FormErrors::default();
                    let refused = why.add_refusal(e, lang, str::to_string)?;
                    if report.verified.is_empty() {
                        status = refused;
                    }
                    let message = why
                        .general
                        .into_iter()
                        .chain(why.fields.into_values().flatten())
                        .collect::<Vec<_>>()
                        .join(" ");
                    report.failed.push((who, message));
                }
            }
        }
        // Something was written: the page reports success with the failures listed.
        if !report.verified.is_empty() {
            status = StatusCode::OK;
        }
        extras.report = Some(report);
        let overdue_only = fields.checked("overdue");
        records_page(&state, &actor, org_id, overdue_only, status, extras).await
    }
    .await;
    show(visitor, page)
}

/// `POST /org/{org_id}/records/{signup_id}/adjust`: other minutes than the recorded time,
/// with the reason the API requires.
pub(super) async fn adjust(
    State(state): State<AppState>,
    Path((org_id, signup_id)): Path<(String, String)>,
    form: MemberForm,
) -> ApiResult<Response> {
    let MemberForm {
        visitor,
        actor,
        fields,
    } = form;
    let lang = visitor.lang;
    let outcome: ApiResult<Result<String, Page>> = async {
        let org_id = path_id(&org_id, "organization")?;
        let signup = path_id(&signup_id, "signup")?;
        let sent = Adjusting {
            signup_id: signup.to_string(),
            minutes: fields.get("minutes").to_string(),
            note: fields.get("note").to_string(),
        };
        let field_of = |f: &str| format!("{f}_{signup}");
        let mut extras = Extras::default();
        let minutes = match sent.minutes.parse::<i64>() {
            Ok(m) => Some(m),
            Err(_) if sent.minutes.is_empty() => {
                extras
                    .errors
                    .field(&field_of("minutes"), lang.text("form.required"));
                None
            }
            Err(_) => {
                extras
                    .errors
                    .field(&field_of("minutes"), lang.text("form.not_a_number"));
                None
            }
        };
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        if let Some(minutes) = minutes {
            let input = VerifyInput {
                minutes: Some(minutes),
                note: Some(sent.note.clone()).filter(|n| !n.is_empty()),
            };
            match state
                .store
                .verify_signup(&actor, signup, input, &state.rules, state.clock.now())
                .await
            {
                Ok(_) => return Ok(Ok(format!("/org/{org_id}/records?adjusted=1"))),
                Err(e) => status = extras.errors.add_refusal(e.into(), lang, field_of)?,
            }
        }
        extras.adjusting = Some(sent);
        let overdue_only = fields.checked("overdue");
        records_page(&state, &actor, org_id, overdue_only, status, extras)
            .await
            .map(Err)
    }
    .await;
    answer(visitor, outcome)
}
