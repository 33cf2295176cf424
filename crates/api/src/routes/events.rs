//! Events, shifts and insurance.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, path_id, query_time};
use crate::openapi::{BadRequest, Conflict, Forbidden, NotFound, Unauthorized, Unprocessable};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset};
use hourbook_domain::error::Validator;
use hourbook_domain::event::{EventInput, InsuranceInput};
use hourbook_domain::shift::{ShiftChangeInput, ShiftInput};
use hourbook_domain::{Campaign, Coordinates, DomainError};
use hourbook_store::events::{Event, EventDetail, EventFilter, Insurance};
use hourbook_store::page::{Page, PageRequest};
use hourbook_store::shifts::{CheckInCode, Shift};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::{IntoParams, ToSchema};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/events", post(create).get(list))
        .route("/api/v1/events/{id}", get(show))
        .route("/api/v1/events/{id}/shifts", post(add_shift))
        .route("/api/v1/events/{id}/insurance", post(record_insurance))
        .route(
            "/api/v1/shifts/{id}",
            get(show_shift).patch(change_shift).delete(cancel_shift),
        )
        .route("/api/v1/shifts/{id}/check-in-code", get(check_in_code))
}

/// This module's endpoints in the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    create,
    list,
    show,
    add_shift,
    record_insurance,
    show_shift,
    change_shift,
    cancel_shift,
    check_in_code
))]
pub(super) struct Docs;

#[utoipa::path(
    post,
    path = "/api/v1/events",
    operation_id = "create_event",
    tag = "events",
    summary = "Post an event (organizers of its organization)",
    security(("bearer" = [])),
    request_body = EventInput,
    responses(
        (status = 201, description = "The new event", body = Event),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable)
    )
)]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<(StatusCode, Json<Event>)> {
    let event = state
        .store
        .create_event(&caller.actor, input, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(event)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Sort nearest first from `lat,lon` and report each event's `distance_km`.
    #[param(example = "31.24,121.40")]
    near: Option<String>,
    /// Only events within this many km of `near` (needs `near`).
    #[param(minimum = 0, maximum = 20000)]
    radius_km: Option<f64>,
    /// Only this campaign.
    #[param(value_type = Option<Campaign>)]
    campaign: Option<String>,
    /// Only events with an open shift ending after this (default: now).
    from: Option<DateTime<FixedOffset>>,
    /// Only events with an open shift starting before this.
    to: Option<DateTime<FixedOffset>>,
    /// Page size (default 20).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

impl ListQuery {
    fn parse(self) -> Result<(EventFilter, PageRequest), DomainError> {
        let mut v = Validator::new();
        let near = self.near.as_deref().and_then(|raw| {
            let parsed = raw.split_once(',').and_then(|(lat, lon)| {
                Some((
                    lat.trim().parse::<f64>().ok()?,
                    lon.trim().parse::<f64>().ok()?,
                ))
            });
            match parsed {
                Some((lat, lon)) => v.check(Coordinates::parse(lat, lon, "near")),
                None => {
                    v.error("near", "must be lat,lon, e.g. 31.24,121.40");
                    None
                }
            }
        });
        if let Some(r) = self.radius_km {
            if !r.is_finite() || !(0.0..=20_000.0).contains(&r) {
                v.error("radius_km", "must be between 0 and 20000");
            }
            if near.is_none() {
                v.error("radius_km", "needs near=lat,lon");
            }
        }
        let campaign = self
            .campaign
            .as_deref()
            .and_then(|c| match Campaign::from_str(c) {
                Ok(c) => Some(c),
                Err(_) => {
                    v.error("campaign", format!("unknown campaign '{c}'"));
                    None
                }
            });
        let page = v.check(PageRequest::parse(self.limit, self.cursor.as_deref()));
        let from = query_time(self.from, "from", &mut v);
        let to = query_time(self.to, "to", &mut v);
        let filter = EventFilter {
            near,
            radius_km: self.radius_km,
            campaign,
            from,
            to,
        };
        v.finish_with(page.map(|p| (filter, p)))
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/events",
    operation_id = "list_events",
    tag = "events",
    summary = "Events with open shifts, nearest first when `near` is given",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of events", body = Page<Event>),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable)
    )
)]
async fn list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<Event>>> {
    let (filter, page) = q.parse()?;
    Ok(Json(
        state
            .store
            .list_events(&filter, page, state.clock.now())
            .await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/events/{id}",
    operation_id = "show_event",
    tag = "events",
    summary = "An event with its shifts and insurance",
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, description = "The event", body = EventDetail),
        (status = 404, response = NotFound)
    )
)]
async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<EventDetail>> {
    Ok(Json(state.store.event(path_id(&id, "event")?).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/shifts",
    tag = "events",
    summary = "Add a shift to an event (its organizers)",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = ShiftInput,
    responses(
        (status = 201, description = "The new shift", body = Shift),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn add_shift(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ShiftInput>,
) -> ApiResult<(StatusCode, Json<Shift>)> {
    let event_id = path_id(&id, "event")?;
    let now = state.clock.now();
    let new = input.validate(now)?;
    let shift = state
        .store
        .add_shift(&caller.actor, event_id, new, now)
        .await?;
    state.refresh_shift_index(shift.id).await;
    Ok((StatusCode::CREATED, Json(shift)))
}

#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/insurance",
    tag = "events",
    summary = "Record accident insurance (its organizers); hazardous events need it before check-in",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = InsuranceInput,
    responses(
        (status = 201, description = "The recorded policy", body = Insurance),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable)
    )
)]
async fn record_insurance(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<InsuranceInput>,
) -> ApiResult<(StatusCode, Json<Insurance>)> {
    let event_id = path_id(&id, "event")?;
    let insurance = state
        .store
        .record_insurance(&caller.actor, event_id, input, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(insurance)))
}

#[utoipa::path(
    get,
    path = "/api/v1/shifts/{id}",
    tag = "events",
    summary = "A shift with its seat counts",
    params(("id" = Uuid, Path, description = "Shift id")),
    responses(
        (status = 200, description = "The shift", body = Shift),
        (status = 404, response = NotFound)
    )
)]
async fn show_shift(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Shift>> {
    Ok(Json(state.store.shift(path_id(&id, "shift")?).await?))
}

#[utoipa::path(
    delete,
    path = "/api/v1/shifts/{id}",
    tag = "events",
    summary = "Cancel a shift (its organizers) and notify everyone signed up",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Shift id")),
    responses(
        (status = 200, description = "The cancelled shift", body = Shift),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
async fn cancel_shift(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Shift>> {
    let shift = state
        .store
        .cancel_shift(
            &caller.actor,
            path_id(&id, "shift")?,
            &state.rules,
            state.clock.now(),
        )
        .await?;
    state.refresh_shift_index(shift.id).await;
    Ok(Json(shift))
}

#[utoipa::path(
    patch,
    path = "/api/v1/shifts/{id}",
    tag = "events",
    summary = "Move a shift to another time or place on its day (organizers)",
    description = "Everyone holding or waiting for a seat is told by e-mail (a safety message, \
        sent whatever their settings; guardians of minors get a copy). Refused (409) once the \
        shift has started or anyone has checked in, and when a volunteer holding a seat has \
        another shift at the new time; a shift moved to another day is a new shift (422).",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Shift id")),
    request_body = ShiftChangeInput,
    responses(
        (status = 200, description = "The changed shift", body = Shift),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable)
    )
)]
async fn change_shift(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ShiftChangeInput>,
) -> ApiResult<Json<Shift>> {
    let shift = state
        .store
        .change_shift(
            &caller.actor,
            path_id(&id, "shift")?,
            input,
            state.rules.timezone,
            state.clock.now(),
        )
        .await?;
    state.refresh_shift_index(shift.id).await;
    Ok(Json(shift))
}

/// The code to show on site, and the same as a QR code.
#[derive(Serialize, ToSchema)]
struct ShownCode {
    #[serde(flatten)]
    code: CheckInCode,
    /// An SVG QR code of the digits, to scan instead of typing.
    qr_svg: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/shifts/{id}/check-in-code",
    tag = "signups",
    summary = "The shift's rotating check-in code, for its organizers to show on site",
    description = "Six digits that change every 30 seconds (the previous code is still \
        accepted). Volunteers on site send it as `code` to `POST /api/v1/signups/{id}/check-in` \
        instead of their location. Available from an hour before the start to the end.",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Shift id")),
    responses(
        (status = 200, description = "The code now", body = ShownCode),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict)
    )
)]
async fn check_in_code(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ShownCode>> {
    let code = state
        .store
        .check_in_code(
            &caller.actor,
            path_id(&id, "shift")?,
            &state.rules,
            state.clock.now(),
        )
        .await?;
    let qr_svg = crate::qr::svg(&code.code, 200)?;
    Ok(Json(ShownCode { code, qr_svg }))
}
