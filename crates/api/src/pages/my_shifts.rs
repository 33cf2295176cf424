//! "My shifts": the volunteer's signups, soonest first, with their status and the iCalendar
//! download of the confirmed ones (the same file as `GET /api/v1/me/signups.ics`).

use super::cards::when;
use super::shift::presence_due;
use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Serialize;

#[derive(Serialize)]
struct Line {
    shift_id: String,
    event_title: String,
    shift_title: String,
    when: String,
    address: String,
    status: &'static str,
    waitlist_position: Option<u32>,
    /// `in` or `out` while the volunteer can check in or out on the shift's page.
    presence: Option<&'static str>,
}

pub(super) async fn page(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Response> {
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let (tz, now) = (state.rules.timezone, state.clock.now());
    let mut signups = state.store.my_signups(&actor).await?;
    signups.sort_by_key(|m| m.shift.starts_at);
    let lines: Vec<Line> = signups
        .into_iter()
        .map(|m| Line {
            shift_id: m.shift.id.to_string(),
            presence: presence_due(m.signup.status, &m.shift, &state, now),
            event_title: m.event.title,
            shift_title: m.shift.title,
            when: when(m.shift.starts_at, m.shift.ends_at, tz),
            address: m.shift.address,
            status: m.signup.status.as_str(),
            waitlist_position: m.signup.waitlist_position,
        })
        .collect();
    visitor.render(
        StatusCode::OK,
        "my_shifts.html",
        context! { lines => lines },
    )
}

/// `GET /me/shifts.ics`.
pub(super) async fn calendar(
    State(state): State<AppState>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let items = state.store.my_signups(&actor).await?;
    let calendar = crate::calendar::confirmed_shifts(&items, state.clock.now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"hourbook-shifts.ics\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        calendar,
    )
        .into_response())
}
