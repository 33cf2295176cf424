//! Roster planning for an event: run the planner (the same call as
//! `POST /api/v1/events/{id}/roster-plans`), review its proposal (who would take which seat,
//! with score, distance and the planner's reasons, the seats nobody eligible could take, and
//! whether any plan could fill more), and send the invitations for the seats the organizer
//! keeps ticked (`POST /api/v1/roster-plans/{id}/accept`). Nobody is signed up by a plan:
//! each volunteer accepts or declines their invitation.

use super::{Member, MemberForm, Page, answer, must_organize, show};
use crate::error::ApiResult;
use crate::extract::path_id;
use crate::matching;
use crate::pages::cards::{ReasonLine, when};
use crate::pages::forms::FormErrors;
use crate::pages::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use hourbook_domain::access::Actor;
use hourbook_store::matching::VolunteerPool;
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use uuid::Uuid;

#[derive(Serialize)]
struct EventHead {
    id: String,
    title: String,
    organization_id: String,
}

async fn event_head(state: &AppState, actor: &Actor, event_id: Uuid) -> ApiResult<EventHead> {
    let event = state.store.event(event_id).await?.event;
    must_organize(
        actor,
        event.organization_id,
        "only organizers of the event's organization plan its roster",
    )?;
    Ok(EventHead {
        id: event.id.to_string(),
        title: event.title,
        organization_id: event.organization_id.to_string(),
    })
}

fn form_page(event: EventHead, pool: &str, status: StatusCode, errors: FormErrors) -> Page {
    Page {
        status,
        template: "org_plan.html",
        context: context! {
            event => event, pool => pool, plan => None::<()>,
            errors => errors.fields, general => errors.general,
        },
    }
}

/// `GET /org/events/{event_id}/plan`.
pub(super) async fn form(
    State(state): State<AppState>,
    Path(event_id): Path<String>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let event_id = path_id(&event_id, "event")?;
        let head = event_head(&state, &actor, event_id).await?;
        Ok(form_page(
            head,
            "eligible",
            StatusCode::OK,
            FormErrors::default(),
        ))
    }
    .await;
    show(visitor, page)
}

/// `POST /org/events/{event_id}/plan`: runs the planner, then shows its proposal.
pub(super) async fn run(
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
        let raw = fields.get("pool");
        let mut errors = FormErrors::default();
        let status = match VolunteerPool::from_str(raw) {
            Ok(pool) => match matching::plan_event(&state, &actor, event_id, pool, |_| {}).await {
                Ok(plan) => return Ok(Ok(format!("/org/plans/{}", plan.id))),
                Err(e) => errors.add_refusal(e, lang, str::to_string)?,
            },
            Err(_) => {
                errors.field("pool", lang.text("form.required"));
                StatusCode::UNPROCESSABLE_ENTITY
            }
        };
        let head = event_head(&state, &actor, event_id).await?;
        Ok(Err(form_page(head, raw, status, errors)))
    }
    .await;
    answer(visitor, outcome)
}

#[derive(Serialize)]
struct SeatLine {
    /// `{shift_id}:{volunteer_id}`: the seat's checkbox value when sending.
    pair: String,
    /// Its box is ticked.
    ticked: bool,
    volunteer: String,
    number: String,
    /// No longer open to being found: their name is not shown (sending skips them).
    withdrawn: bool,
    shift: String,
    when: String,
    score: String,
    distance_km: String,
    /// Why the planner chose them, distance aside (shown on its own).
    reasons: Vec<ReasonLine>,
}

/// A reason as a plan keeps it (matching's `Reason`, for organizers).
#[derive(Deserialize)]
struct PlanReason {
    code: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
}

/// The plan's reasons for one seat in the page's language.
fn reason_lines(lang: Lang, stored: &serde_json::Value) -> Vec<ReasonLine> {
    let reasons: Vec<PlanReason> = serde_json::from_value(stored.clone()).unwrap_or_default();
    reasons
        .into_iter()
        .filter(|r| r.code != "distance")
        .map(|r| ReasonLine::worded(lang, "plan_reasons", &r.code, &r.params, &r.detail))
        .collect()
}

#[derive(Serialize)]
struct UnfilledLine {
    shift: String,
    when: String,
    missing: u32,
}

#[derive(Deserialize, Default)]
pub(super) struct Sent {
    sent: Option<u32>,
    skipped: Option<u32>,
}

/// What the review page reflects besides the plan: the last sending, or a refused one with
/// its messages and the boxes the organizer had left ticked.
#[derive(Default)]
struct Shown {
    sent: Sent,
    status: StatusCode,
    general: Vec<String>,
    /// `seat` values of a refused submission (`None`: every box ticked).
    ticked: Option<HashSet<String>>,
}

async fn review_page(
    state: &AppState,
    actor: &Actor,
    lang: Lang,
    plan_id: Uuid,
    shown: Shown,
) -> ApiResult<Page> {
    let Shown {
        sent,
        status,
        general,
        ticked,
    } = shown;
    let plan = state.store.roster_plan(actor, plan_id).await?;
    let detail = state.store.event(plan.event_id).await?;
    let tz = state.rules.timezone;
    let shifts: HashMap<Uuid, (String, String, NaiveDate)> = detail
        .shifts
        .iter()
        .map(|s| {
            let day = s.starts_at.with_timezone(&tz).date_naive();
            (
                s.id,
                (s.title.clone(), when(s.starts_at, s.ends_at, tz), day),
            )
        })
        .collect();
    let shift_of = |id: &Uuid| shifts.get(id).cloned().unwrap_or_default();
    // Organizers see who was proposed only while the volunteer still lets organizers find
    // them, as when the plan was made.
    let people = state.store.plan_people(actor, &plan).await?;
    // A summer programme's plan has hundreds of seats: they are listed by day, one folded
    // group per day, in the order of the day's shifts.
    let mut days: BTreeMap<NaiveDate, Vec<SeatLine>> = BTreeMap::new();
    for a in &plan.assignments {
        let person = people.get(&a.volunteer_id);
        let findable = person.is_some();
        let (volunteer, number) = person.cloned().unwrap_or_default();
        let (shift, when, day) = shift_of(&a.shift_id);
        let pair = format!("{}:{}", a.shift_id, a.volunteer_id);
        days.entry(day).or_default().push(SeatLine {
            ticked: ticked.as_ref().is_none_or(|t| t.contains(&pair)),
            pair,
            reasons: if findable {
                reason_lines(lang, &a.reasons)
            } else {
                Vec::new()
            },
            volunteer,
            number,
            withdrawn: !findable,
            shift,
            when,
            score: format!("{:.2}", a.score),
            // Organizers get whole kilometres (matching's coarse distance).
            distance_km: format!("{:.0}", a.distance_km),
        });
    }
    for seats in days.values_mut() {
        seats.sort_by(|a, b| (&a.when, &a.shift).cmp(&(&b.when, &b.shift)));
    }
    let unfilled: Vec<UnfilledLine> = plan
        .unfilled
        .iter()
        .map(|u| {
            let (shift, when, _) = shift_of(&u.shift_id);
            UnfilledLine {
                shift,
                when,
                missing: u.missing,
            }
        })
        .collect();
    let event = EventHead {
        id: detail.event.id.to_string(),
        title: detail.event.title,
        organization_id: detail.event.organization_id.to_string(),
    };
    Ok(Page {
        status,
        template: "org_plan.html",
        context: context! {
            event => event, pool => plan.volunteer_pool.as_ref(),
            plan => context! {
                id => plan.id.to_string(), proposed => plan.status == "proposed",
                total_score => format!("{:.2}", plan.total_score),
                planned => plan.assignments.len(), fill_bound => plan.fill_bound, days => days,
                optimal => plan.score_gap.map(|gap| gap == 0.0),
                score_gap => plan.score_gap.map(|gap| format!("{gap:.2}")),
                // Boxes only for seats whose volunteer can still be invited; a plan with none
                // is sent whole, which skips them all and closes it.
                choosable => !people.is_empty(), all_ticked => ticked.is_none(),
                unfilled => unfilled, sent => sent.sent, skipped => sent.skipped,
            },
            errors => context! {}, general => general,
        },
    })
}

/// `GET /org/plans/{plan_id}` (`?sent=&skipped=` after sending its invitations).
pub(super) async fn review(
    State(state): State<AppState>,
    Path(plan_id): Path<String>,
    Query(sent): Query<Sent>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let plan_id = path_id(&plan_id, "roster plan")?;
        let shown = Shown {
            sent,
            ..Shown::default()
        };
        review_page(&state, &actor, visitor.lang, plan_id, shown).await
    }
    .await;
    show(visitor, page)
}

/// `POST /org/plans/{plan_id}/send`: an invitation for every seat left ticked (`seat` =
/// `{shift_id}:{volunteer_id}`, with `choose` saying the form had the boxes), or for every
/// proposed seat.
pub(super) async fn send(
    State(state): State<AppState>,
    Path(plan_id): Path<String>,
    form: MemberForm,
) -> ApiResult<Response> {
    let MemberForm {
        visitor,
        actor,
        fields,
    } = form;
    let lang = visitor.lang;
    let outcome: ApiResult<Result<String, Page>> = async {
        let plan_id = path_id(&plan_id, "roster plan")?;
        // A seat that does not parse becomes the nil pair, which the store refuses as not
        // part of the plan.
        let keep: Option<Vec<(Uuid, Uuid)>> = fields.checked("choose").then(|| {
            let id = |raw: &str| Uuid::parse_str(raw).unwrap_or_default();
            fields
                .all("seat")
                .into_iter()
                .map(|pair| {
                    let (shift, volunteer) = pair.split_once(':').unwrap_or_default();
                    (id(shift), id(volunteer))
                })
                .collect()
        });
        // A refused submission shows the page again with the boxes as they were.
        let chose = keep.is_some();
        let refused = |status, general| Shown {
            status,
            general,
            ticked: chose.then(|| fields.all("seat").into_iter().map(str::to_string).collect()),
            ..Shown::default()
        };
        if keep.as_ref().is_some_and(Vec::is_empty) {
            let general = vec![lang.text("org_plan.none_chosen")];
            let shown = refused(StatusCode::UNPROCESSABLE_ENTITY, general);
            return review_page(&state, &actor, lang, plan_id, shown)
                .await
                .map(Err);
        }
        match matching::accept_plan(&state, &actor, plan_id, keep).await {
            Ok(done) => Ok(Ok(format!(
                "/org/plans/{plan_id}?sent={}&skipped={}",
                done.invitations.len(),
                done.skipped.len()
            ))),
            Err(e) => {
                let mut errors = FormErrors::default();
                let status = errors.add_refusal(e, lang, str::to_string)?;
                let general = errors.general.into_iter();
                let general = general
                    .chain(errors.fields.into_values().flatten())
                    .collect();
                review_page(&state, &actor, lang, plan_id, refused(status, general))
                    .await
                    .map(Err)
            }
        }
    }
    .await;
    answer(visitor, outcome)
}
