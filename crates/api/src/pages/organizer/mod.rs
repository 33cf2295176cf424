//! Pages of an organization's members who run events: their organizations, events and
//! shifts, rosters, the check-in desk, hours to verify and roster planning.
//!
//! Every page calls the store and matching functions the JSON API calls, so the permission
//! checks and the rules (and their refusals) are the API's; a refusal is shown as a page.

mod desk;
mod event_form;
mod events;
mod insurance;
mod planning;
mod records;
mod roster;
mod shift_form;
mod workspace;

use super::error_pages::error_page;
use super::forms::{Fields, FormErrors, Submitted};
use super::visitor::Visitor;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hourbook_domain::access::Actor;
use hourbook_store::StoreError;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/org", get(workspace::page))
        .route("/org/{org_id}/events", get(events::page))
        .route(
            "/org/{org_id}/events/new",
            get(event_form::form).post(event_form::create),
        )
        .route(
            "/org/events/{event_id}/shifts/new",
            get(shift_form::form).post(shift_form::create),
        )
        .route(
            "/org/events/{event_id}/insurance",
            get(insurance::page).post(insurance::record),
        )
        .route("/org/shifts/{shift_id}/roster", get(roster::page))
        .route("/org/shifts/{shift_id}/cancel", post(roster::cancel))
        .route("/org/signups/{signup_id}/no-show", post(roster::no_show))
        .route("/org/shifts/{shift_id}/desk", get(desk::page))
        .route("/org/signups/{signup_id}/check-in", post(desk::check_in))
        .route("/org/signups/{signup_id}/check-out", post(desk::check_out))
        .route("/org/{org_id}/records", get(records::page))
        .route("/org/{org_id}/records/verify", post(records::verify))
        .route(
            "/org/{org_id}/records/{signup_id}/adjust",
            post(records::adjust),
        )
        .route(
            "/org/events/{event_id}/plan",
            get(planning::form).post(planning::run),
        )
        .route("/org/plans/{plan_id}", get(planning::review))
        .route("/org/plans/{plan_id}/send", post(planning::send))
}

/// The templates of these pages, `(name, source)`.
pub(super) const TEMPLATES: &[(&str, &str)] = &[
    (
        "org_workspace.html",
        include_str!("../../../templates/org_workspace.html"),
    ),
    (
        "org_events.html",
        include_str!("../../../templates/org_events.html"),
    ),
    (
        "org_event_form.html",
        include_str!("../../../templates/org_event_form.html"),
    ),
    (
        "org_shift_form.html",
        include_str!("../../../templates/org_shift_form.html"),
    ),
    (
        "org_roster.html",
        include_str!("../../../templates/org_roster.html"),
    ),
    (
        "org_insurance.html",
        include_str!("../../../templates/org_insurance.html"),
    ),
    (
        "org_desk.html",
        include_str!("../../../templates/org_desk.html"),
    ),
    (
        "org_records.html",
        include_str!("../../../templates/org_records.html"),
    ),
    (
        "org_plan.html",
        include_str!("../../../templates/org_plan.html"),
    ),
];

/// A signed-in visitor of an organizer page, with their roles; anyone else is sent to the
/// login page (and back). What they may do there is the store's to say.
struct Member {
    visitor: Visitor,
    actor: Actor,
}

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let visitor = Visitor::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let actor = visitor
            .require_sign_in()
            .map_err(|login| *login)?
            .actor
            .clone();
        Ok(Member { visitor, actor })
    }
}

/// A form sent to an organizer page: CSRF-checked first (`Submitted`), then as [`Member`].
struct MemberForm {
    visitor: Visitor,
    actor: Actor,
    fields: Fields,
}

impl FromRequest<AppState> for MemberForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let Submitted { visitor, fields } = Submitted::from_request(req, state).await?;
        let actor = visitor
            .require_sign_in()
            .map_err(|login| *login)?
            .actor
            .clone();
        Ok(MemberForm {
            visitor,
            actor,
            fields,
        })
    }
}

/// A refusal of the store (forbidden, not found, a conflict...) as a page with the API's
/// status; failures that are not the visitor's stay errors.
fn refused(visitor: Visitor, err: ApiError) -> ApiResult<Response> {
    let mut errors = FormErrors::default();
    let status = errors.add_refusal(err, visitor.lang, str::to_string)?;
    error_page(visitor, status, None, errors.general)
}

/// The answer to a form: a redirect to where it leads when it worked, else the page again
/// (with what went wrong) or the refusal page.
fn answer(visitor: Visitor, outcome: ApiResult<Result<String, Page>>) -> ApiResult<Response> {
    match outcome {
        Ok(Ok(to)) => Ok(visitor.redirect(&to)),
        Ok(Err(page)) => show(visitor, Ok(page)),
        Err(e) => show(visitor, Err(e)),
    }
}

/// Shows a page, or the refusal page when the store refused.
fn show(visitor: Visitor, page: ApiResult<Page>) -> ApiResult<Response> {
    match page {
        Ok(page) => visitor.render(page.status, page.template, page.context),
        Err(e) => refused(visitor, e),
    }
}

/// What a page shows.
struct Page {
    status: StatusCode,
    template: &'static str,
    context: minijinja::Value,
}

impl Page {
    fn ok(template: &'static str, context: minijinja::Value) -> Self {
        Page {
            status: StatusCode::OK,
            template,
            context,
        }
    }
}

/// The refusal the store gives (`why`, its own words) when the actor does not organize for
/// `organization_id`, for pages that only show a form: the store checks again when it is sent.
fn must_organize(
    actor: &Actor,
    organization_id: uuid::Uuid,
    why: &'static str,
) -> Result<(), ApiError> {
    if actor.may_organize(organization_id) {
        Ok(())
    } else {
        Err(StoreError::Forbidden(why).into())
    }
}

/// "06-03 09:00" in the district's time zone.
fn local(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%m-%d %H:%M").to_string()
}

/// "09:00" in the district's time zone.
fn clock_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

/// `text` made safe for a query string.
fn query_value(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
