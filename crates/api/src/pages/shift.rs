//! A shift's page: what e-mails link to. When, where (with a `geo:` link that opens the
//! phone's map app), seats, what to bring, risks and whom to call; for a signed-in volunteer
//! their signup and the buttons to sign up, join the waitlist or cancel.

use super::cards::when;
use super::forms::{FormErrors, Submitted};
use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::extract::path_id;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::roster::SignupStatus;
use minijinja::context;
use serde::Serialize;
use uuid::Uuid;

/// The visitor's own signup for the shift.
#[derive(Serialize)]
struct MySignupView {
    id: String,
    status: &'static str,
    waitlist_position: Option<u32>,
    cancellable: bool,
}

pub(super) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let shift_id = path_id(&id, "shift")?;
    show(
        &state,
        visitor,
        shift_id,
        StatusCode::OK,
        FormErrors::default(),
    )
    .await
}

async fn show(
    state: &AppState,
    visitor: Visitor,
    shift_id: Uuid,
    status: StatusCode,
    errors: FormErrors,
) -> ApiResult<Response> {
    let shift = state.store.shift(shift_id).await?;
    let event = state.store.event(shift.event_id).await?.event;
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
            }),
        None => None,
    };
    let tz = state.rules.timezone;
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
            started => shift.starts_at <= state.clock.now(),
            ages => ages,
            skills => skills,
            mine => mine,
            general => errors.general,
        },
    )
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
            show(&state, visitor, shift_id, status, errors).await
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
                Ok(shift_id) => show(&state, visitor, shift_id, status, errors).await,
                Err(_) => Ok(visitor.redirect("/me/shifts")),
            }
        }
    }
}
