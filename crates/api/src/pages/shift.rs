//! A shift's page: what e-mails link to. When, where (with a `geo:` link that opens the
//! phone's map app), seats, what to bring, risks and whom to call; for a signed-in volunteer
//! their signup and the buttons to sign up, join the waitlist or cancel.

use super::cards::when;
use super::forms::{FormErrors, Submitted};
use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::extract::path_id;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use hourbook_domain::Coordinates;
use hourbook_domain::roster::SignupStatus;
use hourbook_store::shifts::Shift;
use hourbook_store::signups::PresenceInput;
use minijinja::context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The visitor's own signup for the shift.
#[derive(Serialize)]
struct MySignupView {
    id: String,
    status: &'static str,
    waitlist_position: Option<u32>,
    cancellable: bool,
    /// Which presence button the volunteer gets now (see `presence_due`).
    presence: Option<&'static str>,
    checked_in_at: Option<String>,
}

/// `?code=` on the shift page: the code from the organizer's QR, put into the check-in form.
#[derive(Deserialize)]
pub(super) struct PageQuery {
    #[serde(default)]
    code: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let shift_id = path_id(&id, "shift")?;
    // Only digits can be a code; anything else in the link is ignored.
    let code = query
        .code
        .filter(|c| !c.is_empty() && c.len() <= 8 && c.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default();
    show(
        &state,
        visitor,
        shift_id,
        StatusCode::OK,
        FormErrors::default(),
        &code,
    )
    .await
}

async fn show(
    state: &AppState,
    visitor: Visitor,
    shift_id: Uuid,
    status: StatusCode,
    errors: FormErrors,
    code: &str,
) -> ApiResult<Response> {
    let shift = state.store.shift(shift_id).await?;
    let event = state.store.event(shift.event_id).await?.event;
    let now = state.clock.now();
    let tz = state.rules.timezone;
    let mine = match &visitor.signed_in {
        Some(s) => state
            .store
            .my_signups(&s.actor)
            .await?
            .into_iter()
            .filter(|m| m.shift.id == shift_id && m.signup.status != SignupStatus::Cancelled)
            .max_by_key(|m| m.signup.created_at)
            .map(|m| MySignupView {
                id: m.signup.id.to_string(),
                status: m.signup.status.as_str(),
                waitlist_position: m.signup.waitlist_position,
                cancellable: matches!(
                    m.signup.status,
                    SignupStatus::Requested | SignupStatus::Confirmed | SignupStatus::Waitlisted
                ),
                presence: presence_due(m.signup.status, &shift, state, now),
                checked_in_at: m
                    .signup
                    .checked_in_at
                    .map(|t| t.with_timezone(&tz).format("%H:%M").to_string()),
            }),
        None => None,
    };
    let ages = match (shift.min_age, shift.max_age) {
        (None, None) => None,
        (min, max) => Some(format!(
            "{}–{}",
            min.map(|a| a.to_string()).unwrap_or_default(),
            max.map(|a| a.to_string()).unwrap_or_default()
        )),
    };
    let lang = visitor.lang;
    let skills: Vec<String> = shift
        .required_skills
        .iter()
        .map(|s| lang.text(&format!("skills.{}", s.as_str())))
        .collect();
    visitor.render(
        status,
        "shift.html",
        context! {
            shift => &shift,
            event => &event,
            when => format!("{} ({tz})", when(shift.starts_at, shift.ends_at, tz)),
            geo => format!("geo:{:.6},{:.6}", shift.location.lat, shift.location.lon),
            cancelled => shift.status != "open",
            started => shift.starts_at <= now,
            ages => ages,
            skills => skills,
            mine => mine,
            code => code,
            errors => errors.fields,
            general => errors.general,
        },
    )
}

/// Which presence button a volunteer whose signup is `status` gets now: `in` from shortly
/// before the start to the end (the store's own window), `out` once checked in.
pub(super) fn presence_due(
    status: SignupStatus,
    shift: &Shift,
    state: &AppState,
    now: DateTime<Utc>,
) -> Option<&'static str> {
    match status {
        SignupStatus::Confirmed
            if now >= shift.starts_at - state.rules.early_check_in && now <= shift.ends_at =>
        {
            Some("in")
        }
        SignupStatus::CheckedIn => Some("out"),
        _ => None,
    }
}

/// `POST /shifts/{id}/signup`: the same signup as `POST /api/v1/shifts/{id}/signups`.
pub(super) async fn sign_up(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Submitted,
) -> ApiResult<Response> {
    let visitor = form.visitor;
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let shift_id = path_id(&id, "shift")?;
    match state
        .store
        .sign_up(&actor, shift_id, &state.rules, state.clock.now())
        .await
    {
        Ok(_) => {
            state.refresh_shift_index(shift_id).await;
            Ok(visitor.redirect(&format!("/shifts/{shift_id}")))
        }
        Err(e) => {
            let mut errors = FormErrors::default();
            let status = errors.add_refusal(e.into(), visitor.lang, str::to_string)?;
            show(&state, visitor, shift_id, status, errors, "").await
        }
    }
}

/// `POST /signups/{id}/cancel`: the same as `DELETE /api/v1/signups/{id}`. The form names
/// its shift, to show the page again.
pub(super) async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Submitted,
) -> ApiResult<Response> {
    let visitor = form.visitor;
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let signup_id = path_id(&id, "signup")?;
    match state
        .store
        .cancel_signup(&actor, signup_id, &state.rules, state.clock.now())
        .await
    {
        Ok(signup) => {
            state.refresh_shift_index(signup.shift_id).await;
            Ok(visitor.redirect(&format!("/shifts/{}", signup.shift_id)))
        }
        Err(e) => {
            let mut errors = FormErrors::default();
            let status = errors.add_refusal(e.into(), visitor.lang, str::to_string)?;
            match Uuid::parse_str(form.fields.get("shift")) {
                Ok(shift_id) => show(&state, visitor, shift_id, status, errors, "").await,
                Err(_) => Ok(visitor.redirect("/me/shifts")),
            }
        }
    }
}

/// `POST /signups/{id}/check-in`: the volunteer on site, by the location
/// their browser gave (the form's hidden `lat`/`lon`, filled by `app.js`) or, to check in,
/// by the code on the organizer's screen. The same store function as the API's
/// `POST /api/v1/signups/{id}/check-in|check-out`, so the geofence and the window are its.
pub(super) async fn check_in(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Submitted,
) -> ApiResult<Response> {
    presence(state, id, form, Presence::In).await
}

/// `POST /signups/{id}/check-out` (see `check_in`).
pub(super) async fn check_out(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Submitted,
) -> ApiResult<Response> {
    presence(state, id, form, Presence::Out).await
}

#[derive(Clone, Copy)]
enum Presence {
    In,
    Out,
}

async fn presence(
    state: AppState,
    id: String,
    form: Submitted,
    direction: Presence,
) -> ApiResult<Response> {
    let visitor = form.visitor;
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let signup_id = path_id(&id, "signup")?;
    let shift_id = path_id(form.fields.get("shift"), "shift")?;
    let code = form.fields.optional("code");
    let mut errors = FormErrors::default();
    let location = match (form.fields.get("lat"), form.fields.get("lon")) {
        ("", "") => None,
        (lat, lon) => match (lat.parse::<f64>(), lon.parse::<f64>()) {
            (Ok(lat), Ok(lon)) => Some(Coordinates { lat, lon }),
            _ => {
                errors.field("location", visitor.lang.text("shift.location_unreadable"));
                None
            }
        },
    };
    let input = PresenceInput {
        at: None,
        // A typed code is what the volunteer chose; the location then plays no part.
        location: if code.is_some() { None } else { location },
        code,
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let (now, rules) = (state.clock.now(), &state.rules);
        let done = match direction {
            Presence::In => {
                state
                    .store
                    .check_in(&actor, signup_id, input, rules, now)
                    .await
            }
            Presence::Out => {
                state
                    .store
                    .check_out(&actor, signup_id, input, rules, now)
                    .await
            }
        };
        match done {
            Ok(signup) => return Ok(visitor.redirect(&format!("/shifts/{}", signup.shift_id))),
            Err(e) => status = errors.add_refusal(e.into(), visitor.lang, str::to_string)?,
        }
    }
    let typed = form.fields.get("code").to_string();
    show(&state, visitor, shift_id, status, errors, &typed).await
}
