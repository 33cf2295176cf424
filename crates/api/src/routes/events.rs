//! Events, shifts and insurance.

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, path_id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset, Utc};
use hourbook_domain::error::Validator;
use hourbook_domain::event::{EventInput, InsuranceInput};
use hourbook_domain::shift::ShiftInput;
use hourbook_domain::{Campaign, Coordinates, DomainError};
use hourbook_store::events::{Event, EventDetail, EventFilter, Insurance, Shift};
use hourbook_store::page::{Page, PageRequest};
use serde::Deserialize;
use std::str::FromStr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/events", post(create).get(list))
        .route("/api/v1/events/{id}", get(show))
        .route("/api/v1/events/{id}/shifts", post(add_shift))
        .route("/api/v1/events/{id}/insurance", post(record_insurance))
        .route("/api/v1/shifts/{id}", get(show_shift).delete(cancel_shift))
}

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    near: Option<String>,
    radius_km: Option<f64>,
    campaign: Option<String>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    limit: Option<i64>,
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
        let utc = |t: Option<DateTime<FixedOffset>>| t.map(|t| t.with_timezone(&Utc));
        let filter = EventFilter {
            near,
            radius_km: self.radius_km,
            campaign,
            from: utc(self.from),
            to: utc(self.to),
        };
        v.finish_with(page.map(|p| (filter, p)))
    }
}

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

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<EventDetail>> {
    Ok(Json(state.store.event(path_id(&id, "event")?).await?))
}

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
    Ok((StatusCode::CREATED, Json(shift)))
}

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

async fn show_shift(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Shift>> {
    Ok(Json(state.store.shift(path_id(&id, "shift")?).await?))
}

async fn cancel_shift(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Shift>> {
    Ok(Json(
        state
            .store
            .cancel_shift(&caller.actor, path_id(&id, "shift")?, state.clock.now())
            .await?,
    ))
}
