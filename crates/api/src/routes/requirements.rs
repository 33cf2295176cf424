//! Requirement programs and a school's students against them.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, path_id};
use crate::openapi::{BadRequest, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use hourbook_domain::requirement::RequirementInput;
use hourbook_store::requirements::{Requirement, StudentProgress};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/organizations/{org_id}/requirements",
            get(list).post(create),
        )
        .route(
            "/api/v1/organizations/{org_id}/requirements/{id}",
            put(revise),
        )
        .route("/api/v1/organizations/{org_id}/students", get(students))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, revise, students))]
pub(super) struct Docs;

#[utoipa::path(
    post,
    path = "/api/v1/organizations/{org_id}/requirements",
    tag = "requirements",
    summary = "Define a requirement program (admins of a school or League committee)",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path, description = "Organization id")),
    request_body = RequirementInput,
    responses(
        (status = 201, description = "The program", body = Requirement),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(org_id): Path<String>,
    ApiJson(input): ApiJson<RequirementInput>,
) -> ApiResult<(StatusCode, Json<Requirement>)> {
    let org = path_id(&org_id, "organization")?;
    let created = state
        .store
        .create_requirement(
            &caller.actor,
            org,
            input,
            state.rules.timezone,
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// An organization's programs.
#[derive(Serialize, ToSchema)]
struct Requirements {
    items: Vec<Requirement>,
}

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{org_id}/requirements",
    tag = "requirements",
    summary = "An organization's requirement programs, with every version",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path, description = "Organization id")),
    responses(
        (status = 200, description = "Programs", body = Requirements),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound)
    )
)]
async fn list(
    State(state): State<AppState>,
    _caller: Caller,
    Path(org_id): Path<String>,
) -> ApiResult<Json<Requirements>> {
    let org = path_id(&org_id, "organization")?;
    let items = state
        .store
        .requirements(org, state.rules.timezone, state.clock.now())
        .await?;
    Ok(Json(Requirements { items }))
}

#[utoipa::path(
    put,
    path = "/api/v1/organizations/{org_id}/requirements/{id}",
    tag = "requirements",
    summary = "Change a program's threshold from a date on (a new version; the old one still \
        applies to earlier check dates)",
    security(("bearer" = [])),
    params(
        ("org_id" = Uuid, Path, description = "Organization id"),
        ("id" = Uuid, Path, description = "Requirement id")
    ),
    request_body = RequirementInput,
    responses(
        (status = 200, description = "The program", body = Requirement),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn revise(
    State(state): State<AppState>,
    caller: Caller,
    Path((org_id, id)): Path<(String, String)>,
    ApiJson(input): ApiJson<RequirementInput>,
) -> ApiResult<Json<Requirement>> {
    let org = path_id(&org_id, "organization")?;
    let id = path_id(&id, "requirement")?;
    Ok(Json(
        state
            .store
            .revise_requirement(
                &caller.actor,
                org,
                id,
                input,
                state.rules.timezone,
                state.clock.now(),
            )
            .await?,
    ))
}

/// `?requirement_id=&on=`
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct StudentsQuery {
    /// The program to evaluate.
    requirement_id: Uuid,
    /// The check date (default today): the version in force then applies.
    on: Option<NaiveDate>,
}

/// Students with their progress.
#[derive(Serialize, ToSchema)]
struct Students {
    items: Vec<StudentProgress>,
}

#[utoipa::path(
    get,
    path = "/api/v1/organizations/{org_id}/students",
    tag = "requirements",
    summary = "The students who linked this school, against a requirement (its staff)",
    description = "Only volunteers whose profile names this school appear; unlinking removes \
        them at once. `Accept: text/csv` gives the same as CSV.",
    security(("bearer" = [])),
    params(("org_id" = Uuid, Path, description = "School id"), StudentsQuery),
    responses(
        (status = 200, description = "Students, by name (or CSV)", body = Students),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn students(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(org_id): Path<String>,
    ApiQuery(q): ApiQuery<StudentsQuery>,
) -> ApiResult<Response> {
    let org = path_id(&org_id, "organization")?;
    let items = state
        .store
        .students(
            &caller.actor,
            org,
            q.requirement_id,
            q.on,
            state.rules.timezone,
            state.clock.now(),
        )
        .await?;
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    if !wants_csv {
        return Ok(Json(Students { items }).into_response());
    }
    students_csv(&items)
}

/// Students as the CSV download (`Accept: text/csv` here, and the school's page): one writer,
/// so the file is the same whichever way it is asked for.
pub(crate) fn students_csv(items: &[StudentProgress]) -> ApiResult<Response> {
    let hours = |minutes: i64| format!("{:.2}", minutes as f64 / 60.0);
    // Spreadsheets run a cell that starts like a formula; names are the volunteers' own words.
    let text = |value: &str| {
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{value}")
        } else {
            value.to_string()
        }
    };
    let write = || -> Result<Vec<u8>, csv::Error> {
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record([
            "volunteer_number",
            "name",
            "student_number",
            "counted_hours",
            "recorded_hours",
            "hand_entered_hours",
            "met",
            "missing_hours",
            "stars",
        ])?;
        for s in items {
            csv.write_record([
                text(&s.volunteer.volunteer_number),
                text(&s.volunteer.name),
                text(s.volunteer.student_number.as_deref().unwrap_or("")),
                hours(s.total_minutes),
                hours(s.provenance.recorded_minutes),
                hours(s.provenance.hand_entered_minutes),
                (if s.met { "yes" } else { "no" }).to_string(),
                hours(s.missing_minutes),
                s.stars.to_string(),
            ])?;
        }
        csv.into_inner().map_err(|e| e.into_error().into())
    };
    let body = write().map_err(|e| ApiError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"students.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}
