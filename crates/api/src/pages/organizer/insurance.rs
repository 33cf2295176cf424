//! A hazardous event's accident insurance (drowning-prevention patrols, for one): nobody is
//! checked in until a policy covers the day, so its organizers record it here, through the
//! same store call as `POST /api/v1/events/{id}/insurance`.

use super::{Member, MemberForm, Page, answer, must_organize, show};
use crate::error::ApiResult;
use crate::extract::path_id;
use crate::pages::forms::{Fields, FormErrors};
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use hourbook_domain::access::Actor;
use hourbook_domain::event::InsuranceInput;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize)]
struct Policy {
    insurer: String,
    policy_number: String,
    covers_from: String,
    covers_to: String,
}

#[derive(Deserialize)]
pub(super) struct Notice {
    saved: Option<String>,
}

/// The page: the policies recorded, and the form with `values` and `errors`.
async fn insurance_page(
    state: &AppState,
    actor: &Actor,
    event_id: Uuid,
    status: StatusCode,
    values: Value,
    errors: FormErrors,
    saved: bool,
) -> ApiResult<Page> {
    let detail = state.store.event(event_id).await?;
    must_organize(
        actor,
        detail.event.organization_id,
        "only the event's organizers record insurance",
    )?;
    let policies: Vec<Policy> = detail
        .insurance
        .iter()
        .map(|p| Policy {
            insurer: p.insurer.clone(),
            policy_number: p.policy_number.clone(),
            covers_from: p.covers_from.to_string(),
            covers_to: p.covers_to.to_string(),
        })
        .collect();
    Ok(Page {
        status,
        template: "org_insurance.html",
        context: context! {
            event_id => detail.event.id.to_string(),
            event_title => detail.event.title,
            organization_id => detail.event.organization_id.to_string(),
            hazardous => detail.event.hazardous,
            policies => policies, v => values, saved => saved,
            errors => errors.fields, general => errors.general,
        },
    })
}

fn typed(fields: &Fields) -> Value {
    context! {
        insurer => fields.get("insurer"), policy_number => fields.get("policy_number"),
        covers_from => fields.get("covers_from"), covers_to => fields.get("covers_to"),
    }
}

/// `GET /org/events/{event_id}/insurance`.
pub(super) async fn page(
    State(state): State<AppState>,
    Path(event_id): Path<String>,
    Query(notice): Query<Notice>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let event_id = path_id(&event_id, "event")?;
        let blank =
            context! { insurer => "", policy_number => "", covers_from => "", covers_to => "" };
        let saved = notice.saved.is_some();
        insurance_page(
            &state,
            &actor,
            event_id,
            StatusCode::OK,
            blank,
            FormErrors::default(),
            saved,
        )
        .await
    }
    .await;
    show(visitor, page)
}

/// `POST /org/events/{event_id}/insurance`.
pub(super) async fn record(
    State(state): State<AppState>,
    Path(event_id): Path<String>,
    form: MemberForm,
) -> ApiResult<Response> {
    let MemberForm {
        visitor,
        actor,
        fields,
    } = form;
    let lang = visitor.lang;
    let outcome: ApiResult<Result<String, Page>> = async {
        let event_id = path_id(&event_id, "event")?;
        let mut errors = FormErrors::default();
        let mut date = |name: &str| {
            let parsed = NaiveDate::parse_from_str(fields.get(name), "%Y-%m-%d").ok();
            if parsed.is_none() {
                errors.field(name, lang.text("form.not_a_date"));
            }
            parsed
        };
        let (from, to) = (date("covers_from"), date("covers_to"));
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        if let (Some(covers_from), Some(covers_to)) = (from, to) {
            let input = InsuranceInput {
                insurer: fields.get("insurer").to_string(),
                policy_number: fields.get("policy_number").to_string(),
                covers_from,
                covers_to,
            };
            match state
                .store
                .record_insurance(&actor, event_id, input, state.clock.now())
                .await
            {
                Ok(_) => return Ok(Ok(format!("/org/events/{event_id}/insurance?saved=1"))),
                Err(e) => status = errors.add_refusal(e.into(), lang, str::to_string)?,
            }
        }
        insurance_page(
            &state,
            &actor,
            event_id,
            status,
            typed(&fields),
            errors,
            false,
        )
        .await
        .map(Err)
    }
    .await;
    answer(visitor, outcome)
}
