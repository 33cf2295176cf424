//! A shift's roster: who holds a seat (and whether they came), the waitlist in order, and
//! who withdrew; a confirmed volunteer who did not come can be marked absent, and the shift
//! can be cancelled (everyone signed up is told), through the same store calls as
//! `GET /api/v1/shifts/{id}/signups`, `POST .../no-show` and `DELETE /api/v1/shifts/{id}`.

use super::{Member, MemberForm, Page, answer, clock_time, show};
use crate::error::ApiResult;
use crate::extract::path_id;
use crate::pages::cards::when;
use crate::pages::forms::FormErrors;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::access::Actor;
use hourbook_domain::roster::SignupStatus;
use hourbook_store::signups::RosterLine;
use minijinja::context;
use serde::Serialize;
use uuid::Uuid;

/// The shift a roster or desk page is about.
#[derive(Serialize)]
pub(super) struct ShiftHead {
    pub id: String,
    pub title: String,
    pub event_title: String,
    pub organization_id: String,
    pub when: String,
    pub confirmed: u32,
    pub capacity: u32,
    pub waitlist: u32,
    pub cancelled: bool,
    /// Absences are recorded once the shift has started.
    pub started: bool,
    /// A shift that is over cannot be cancelled.
    pub ended: bool,
}

/// One volunteer on a roster or at the desk.
#[derive(Serialize)]
pub(super) struct Person {
    pub signup_id: String,
    pub name: String,
    pub number: String,
    pub minor: bool,
    pub status: &'static str,
    pub position: Option<u32>,
    pub checked_in: Option<String>,
    pub checked_out: Option<String>,
}

impl Person {
    pub(super) fn of(line: &RosterLine, state: &AppState) -> Self {
        let tz = state.rules.timezone;
        Person {
            signup_id: line.signup.id.to_string(),
            name: line.volunteer.name.clone(),
            number: line.volunteer.volunteer_number.clone(),
            minor: line.volunteer.minor,
            status: line.signup.status.as_str(),
            position: line.signup.waitlist_position,
            checked_in: line.signup.checked_in_at.map(|t| clock_time(t, tz)),
            checked_out: line.signup.checked_out_at.map(|t| clock_time(t, tz)),
        }
    }
}

/// The shift with its roster; the store refuses whoever may not see it.
pub(super) async fn shift_with_roster(
    state: &AppState,
    actor: &Actor,
    shift_id: Uuid,
) -> ApiResult<(ShiftHead, Vec<RosterLine>)> {
    let lines = state.store.roster(actor, shift_id).await?;
    let shift = state.store.shift(shift_id).await?;
    let event = state.store.event(shift.event_id).await?.event;
    let head = ShiftHead {
        id: shift.id.to_string(),
        title: shift.title.clone(),
        event_title: event.title,
        organization_id: event.organization_id.to_string(),
        when: when(shift.starts_at, shift.ends_at, state.rules.timezone),
        confirmed: shift.confirmed_count,
        capacity: shift.capacity,
        waitlist: shift.waitlist_count,
        cancelled: shift.status != "open",
        started: shift.starts_at <= state.clock.now(),
        ended: shift.ends_at <= state.clock.now(),
    };
    Ok((head, lines))
}

async fn roster_page(
    state: &AppState,
    actor: &Actor,
    shift_id: Uuid,
    status: StatusCode,
    general: Vec<String>,
) -> ApiResult<Page> {
    let (head, lines) = shift_with_roster(state, actor, shift_id).await?;
    let (mut seated, mut waiting, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for line in &lines {
        let person = Person::of(line, state);
        match line.signup.status {
            SignupStatus::Waitlisted => waiting.push(person),
            SignupStatus::Requested | SignupStatus::Cancelled | SignupStatus::Rejected => {
                other.push(person)
            }
            _ => seated.push(person),
        }
    }
    Ok(Page {
        status,
        template: "org_roster.html",
        context: context! {
            shift => head, seated => seated, waiting => waiting, other => other,
            general => general,
        },
    })
}

/// `GET /org/shifts/{shift_id}/roster`.
pub(super) async fn page(
    State(state): State<AppState>,
    Path(shift_id): Path<String>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let shift_id = path_id(&shift_id, "shift")?;
        roster_page(&state, &actor, shift_id, StatusCode::OK, Vec::new()).await
    }
    .await;
    show(visitor, page)
}

/// `POST /org/signups/{signup_id}/no-show` (the form names its shift, to come back to).
pub(super) async fn no_show(
    State(state): State<AppState>,
    Path(signup_id): Path<String>,
    form: MemberForm,
) -> ApiResult<Response> {
    let MemberForm {
        visitor,
        actor,
        fields,
    } = form;
    let outcome: ApiResult<Result<String, Page>> = async {
        let signup_id = path_id(&signup_id, "signup")?;
        match state
            .store
            .mark_no_show(&actor, signup_id, state.clock.now())
            .await
        {
            Ok(signup) => Ok(Ok(format!("/org/shifts/{}/roster", signup.shift_id))),
            Err(e) => {
                let shift_id = path_id(fields.get("shift"), "shift")?;
                let mut errors = FormErrors::default();
                let status = errors.add_refusal(e.into(), visitor.lang, str::to_string)?;
                // The roster page refuses, in turn, whoever may not see it.
                roster_page(&state, &actor, shift_id, status, errors.general)
                    .await
                    .map(Err)
            }
        }
    }
    .await;
    answer(visitor, outcome)
}

/// `POST /org/shifts/{shift_id}/cancel`: only with the box ticked that says everyone signed
/// up will be told (a cancelled shift cannot be reopened).
pub(super) async fn cancel(
    State(state): State<AppState>,
    Path(shift_id): Path<String>,
    form: MemberForm,
) -> ApiResult<Response> {
    let MemberForm {
        visitor,
        actor,
        fields,
    } = form;
    let lang = visitor.lang;
    let outcome: ApiResult<Result<String, Page>> = async {
        let shift_id = path_id(&shift_id, "shift")?;
        let mut errors = FormErrors::default();
        let status = if fields.checked("confirm") {
            let now = state.clock.now();
            match state
                .store
                .cancel_shift(&actor, shift_id, &state.rules, now)
                .await
            {
                Ok(shift) => {
                    state.refresh_shift_index(shift.id).await;
                    return Ok(Ok(format!("/org/shifts/{}/roster", shift.id)));
                }
                Err(e) => errors.add_refusal(e.into(), lang, str::to_string)?,
            }
        } else {
            errors.general.push(lang.text("org_roster.confirm_needed"));
            StatusCode::UNPROCESSABLE_ENTITY
        };
        // The roster page refuses, in turn, whoever may not see it.
        roster_page(&state, &actor, shift_id, status, errors.general)
            .await
            .map(Err)
    }
    .await;
    answer(visitor, outcome)
}
