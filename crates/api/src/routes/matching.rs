//! Matching: recommendations, candidates, roster plans and invitations.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, PageQuery, path_id};
use crate::matching::{self, Candidate, Ranking, Recommendation};
use crate::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use hourbook_domain::DomainError;
use hourbook_store::matching::{
    Invitation, MyInvitation, RosterPlanRecord, SentInvitations, VolunteerPool,
};
use hourbook_store::page::Page;
use hourbook_store::signups::Signup;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/recommendations", get(recommendations))
        .route("/api/v1/shifts/{id}/candidates", get(candidates))
        .route("/api/v1/events/{id}/roster-plans", post(create_plan))
        .route("/api/v1/roster-plans/{id}", get(plan))
        .route("/api/v1/roster-plans/{id}/accept", post(accept_plan))
        .route("/api/v1/me/invitations", get(my_invitations))
        .route("/api/v1/invitations/{id}/accept", post(accept_invitation))
        .route("/api/v1/invitations/{id}/decline", post(decline_invitation))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    recommendations,
    candidates,
    create_plan,
    plan,
    accept_plan,
    my_invitations,
    accept_invitation,
    decline_invitation
))]
pub(super) struct Docs;

/// `?limit=` of a ranking.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct LimitQuery {
    /// How many, 1 to 100 (default 20).
    limit: Option<i64>,
}

impl LimitQuery {
    fn limit(&self) -> Result<usize, DomainError> {
        match self.limit {
            None => Ok(20),
            Some(n @ 1..=100) => Ok(n as usize),
            Some(_) => Err(DomainError::invalid("limit", "must be between 1 and 100")),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/me/recommendations",
    tag = "matching",
    summary = "The caller's best open shifts, with the reasons for each",
    description = "Only shifts the caller may be proposed: within their travel radius and \
        weekly availability, meeting age, consent and skill rules, not clashing with a \
        confirmed shift, with a seat left. Score terms: distance, preferred_skill, urgent, \
        fairness, requirement_progress (weights in `[matching.weights]`).",
    security(("bearer" = [])),
    params(LimitQuery),
    responses(
        (status = 200, description = "Best first", body = Ranking<Recommendation>),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn recommendations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Json<Ranking<Recommendation>>> {
    let items = matching::recommendations(&state, &caller.actor, q.limit()?).await?;
    Ok(Json(Ranking { items }))
}

#[utoipa::path(
    get,
    path = "/api/v1/shifts/{id}/candidates",
    tag = "matching",
    summary = "The best volunteers for a shift (its organizers)",
    description = "Only volunteers who allow organizers to find them (`discoverable`) and who \
        pass the same rules as recommendations. Children under the sensitive age never appear.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Shift id"), LimitQuery),
    responses(
        (status = 200, description = "Best first", body = Ranking<Candidate>),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn candidates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Json<Ranking<Candidate>>> {
    let shift_id = path_id(&id, "shift")?;
    let items = matching::candidates(&state, &caller.actor, shift_id, q.limit()?).await?;
    Ok(Json(Ranking { items }))
}

/// What to plan.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct PlanRequest {
    /// `eligible`: every discoverable volunteer; `invited`: only those already invited to
    /// one of the event's shifts.
    volunteer_pool: VolunteerPool,
    /// Only `max_score` (fill every seat that can be filled, then maximize the total score).
    #[serde(default)]
    objective: Option<Objective>,
}

/// The planning objective.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum Objective {
    /// Most seats filled, then the highest total score.
    MaxScore,
}

#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/roster-plans",
    tag = "matching",
    summary = "Plan the event's open seats at once (a proposal: nobody is signed up)",
    description = "An exact minimum-cost maximum flow: no seat is left empty that an eligible, \
        unassigned volunteer could take, and among such plans the total score is highest.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = PlanRequest,
    responses(
        (status = 201, description = "The proposed plan", body = RosterPlanRecord),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn create_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PlanRequest>,
) -> ApiResult<(StatusCode, Json<RosterPlanRecord>)> {
    let event_id = path_id(&id, "event")?;
    // One objective so far; naming another is a 422 from the body's parser.
    match body.objective {
        None | Some(Objective::MaxScore) => {}
    }
    let plan =
        matching::plan_event(&state, &caller.actor, event_id, body.volunteer_pool, |_| {}).await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

#[utoipa::path(
    get,
    path = "/api/v1/roster-plans/{id}",
    tag = "matching",
    summary = "A roster plan (organizers of its event)",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Plan id")),
    responses(
        (status = 200, description = "The plan", body = RosterPlanRecord),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound)
    )
)]
async fn plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RosterPlanRecord>> {
    let plan_id = path_id(&id, "roster plan")?;
    Ok(Json(state.store.roster_plan(&caller.actor, plan_id).await?))
}

/// The organizer's edit of a plan before sending it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AcceptPlan {
    /// The plan's pairs to invite; all of them when absent.
    #[serde(default)]
    assignments: Option<Vec<Pair>>,
}

/// A (shift, volunteer) pair of the plan.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Pair {
    shift_id: Uuid,
    volunteer_id: Uuid,
}

#[utoipa::path(
    post,
    path = "/api/v1/roster-plans/{id}/accept",
    tag = "matching",
    summary = "Send the plan's invitations (all, or the pairs given)",
    description = "Each volunteer is invited, never signed up: they accept or decline. A plan \
        is accepted once; volunteers already invited to a shift are not asked twice.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Plan id")),
    request_body(content = Option<AcceptPlan>, description = "Optional: the pairs to invite"),
    responses(
        (status = 200, description = "Invitations sent, and pairs skipped because the facts changed since the plan was made", body = SentInvitations),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn accept_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<Json<SentInvitations>> {
    let plan_id = path_id(&id, "roster plan")?;
    // Only an object (or nothing) is an edit: serde would also read `[]` as an empty struct.
    if body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b != b'{')
    {
        return Err(
            DomainError::invalid("", "send a JSON object, or no body to send every pair").into(),
        );
    }
    let edit: AcceptPlan = crate::extract::optional_body(&body)?;
    let keep = edit.assignments.map(|pairs| {
        pairs
            .into_iter()
            .map(|p| (p.shift_id, p.volunteer_id))
            .collect()
    });
    Ok(Json(
        matching::accept_plan(&state, &caller.actor, plan_id, keep).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/me/invitations",
    tag = "matching",
    summary = "The caller's invitations, newest first",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "Invitations with their shifts", body = Page<MyInvitation>),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable)
    )
)]
async fn my_invitations(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<MyInvitation>>> {
    let page = q.page()?;
    Ok(Json(
        matching::my_invitations(&state, &caller.actor, page).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/invitations/{id}/accept",
    tag = "matching",
    summary = "Accept an invitation: a signup under the same rules as any signup",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Invitation id")),
    responses(
        (status = 201, description = "The signup (confirmed, or waitlisted when full)", body = Signup),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn accept_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Signup>)> {
    let invitation_id = path_id(&id, "invitation")?;
    let signup = matching::accept_invitation(&state, &caller.actor, invitation_id).await?;
    Ok((StatusCode::CREATED, Json(signup)))
}

#[utoipa::path(
    post,
    path = "/api/v1/invitations/{id}/decline",
    tag = "matching",
    summary = "Decline an invitation; the seat is offered to the next best candidate",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Invitation id")),
    responses(
        (status = 200, description = "The declined invitation", body = Invitation),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
async fn decline_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Invitation>> {
    let invitation_id = path_id(&id, "invitation")?;
    Ok(Json(
        matching::decline_invitation(&state, &caller.actor, invitation_id).await?,
    ))
}
