//! Invitations from matching and roster plans: nobody is signed up without saying yes. The
//! volunteer accepts (the same signup rules as signing up) or declines (the seat goes to the
//! next candidate), with the functions `POST /api/v1/invitations/{id}/accept|decline` use.

use super::cards::when;
use super::forms::{FormErrors, Submitted};
use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::extract::path_id;
use crate::matching;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_store::page::PageRequest;
use minijinja::context;
use serde::Serialize;

#[derive(Serialize)]
struct Line {
    id: String,
    shift_id: String,
    event_title: String,
    shift_title: String,
    when: String,
    address: String,
    status: String,
    pending: bool,
    expires: String,
}

async fn show(
    state: &AppState,
    visitor: Visitor,
    status: StatusCode,
    errors: FormErrors,
) -> ApiResult<Response> {
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let tz = state.rules.timezone;
    let page = PageRequest {
        limit: 100,
        offset: 0,
    };
    let lines: Vec<Line> = matching::my_invitations(state, &actor, page)
        .await?
        .items
        .into_iter()
        .map(|m| {
            let status: &str = m.invitation.status.as_ref();
            Line {
                id: m.invitation.id.to_string(),
                shift_id: m.shift.id.to_string(),
                event_title: m.event.title,
                shift_title: m.shift.title,
                when: when(m.shift.starts_at, m.shift.ends_at, tz),
                address: m.shift.address,
                status: status.to_string(),
                pending: status == "pending",
                expires: m
                    .invitation
                    .expires_at
                    .with_timezone(&tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            }
        })
        .collect();
    visitor.render(
        status,
        "invitations.html",
        context! { lines => lines, general => errors.general },
    )
}

/// `GET /me/invitations`.
pub(super) async fn page(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Response> {
    show(&state, visitor, StatusCode::OK, FormErrors::default()).await
}

/// `POST /invitations/{id}/accept`: a signup on the same rules as any other.
pub(super) async fn accept(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Submitted,
) -> ApiResult<Response> {
    let visitor = form.visitor;
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let invitation_id = path_id(&id, "invitation")?;
    match matching::accept_invitation(&state, &actor, invitation_id).await {
        Ok(signup) => Ok(visitor.redirect(&format!("/shifts/{}", signup.shift_id))),
        Err(e) => {
            let mut errors = FormErrors::default();
            let status = errors.add_refusal(e, visitor.lang, str::to_string)?;
            show(&state, visitor, status, errors).await
        }
    }
}

/// `POST /invitations/{id}/decline`.
pub(super) async fn decline(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: Submitted,
) -> ApiResult<Response> {
    let visitor = form.visitor;
    let actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(*login),
    };
    let invitation_id = path_id(&id, "invitation")?;
    match matching::decline_invitation(&state, &actor, invitation_id).await {
        Ok(_) => Ok(visitor.redirect("/me/invitations")),
        Err(e) => {
            let mut errors = FormErrors::default();
            let status = errors.add_refusal(e, visitor.lang, str::to_string)?;
            show(&state, visitor, status, errors).await
        }
    }
}
