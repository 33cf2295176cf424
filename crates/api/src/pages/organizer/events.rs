//! An organization's events with their shifts and how full each is: upcoming first (soonest
//! first), then past ones (latest first); new events without shifts at the top.

use super::{Page, actor_of, show};
use crate::error::ApiResult;
use crate::extract::path_id;
use crate::pages::cards::when;
use crate::pages::visitor::Visitor;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use hourbook_store::events::EventDetail;
use minijinja::context;
use serde::Serialize;

#[derive(Serialize)]
struct ShiftLine {
    id: String,
    title: String,
    when: String,
    confirmed: u32,
    capacity: u32,
    waitlist: u32,
    cancelled: bool,
    past: bool,
}

#[derive(Serialize)]
struct EventLine {
    id: String,
    title: String,
    campaign: &'static str,
    address: String,
    hazardous: bool,
    shifts: Vec<ShiftLine>,
}

/// Where an event sorts: no shifts yet, upcoming (by its next start), past (latest first).
fn order(detail: &EventDetail, now: DateTime<Utc>) -> (u8, i64) {
    let next = detail
        .shifts
        .iter()
        .filter(|s| s.ends_at > now)
        .map(|s| s.starts_at)
        .min();
    let last = detail.shifts.iter().map(|s| s.ends_at).max();
    match (next, last) {
        (_, None) => (0, 0),
        (Some(next), _) => (1, next.timestamp()),
        (None, Some(last)) => (2, -last.timestamp()),
    }
}

/// `GET /org/{org_id}/events`.
pub(super) async fn page(
    State(state): State<AppState>,
    Path(org_id): Path<String>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let actor = match actor_of(&visitor) {
        Ok(a) => a,
        Err(login) => return Ok(*login),
    };
    let page = async {
        let org_id = path_id(&org_id, "organization")?;
        let org = state.store.organization(org_id).await?;
        let mut events = state.store.organization_events(&actor, org_id).await?;
        let now = state.clock.now();
        events.sort_by_key(|e| order(e, now));
        let tz = state.rules.timezone;
        let lines: Vec<EventLine> = events
            .into_iter()
            .map(|d| EventLine {
                id: d.event.id.to_string(),
                title: d.event.title,
                campaign: d.event.campaign.as_str(),
                address: d.event.address,
                hazardous: d.event.hazardous,
                shifts: d
                    .shifts
                    .iter()
                    .map(|s| ShiftLine {
                        id: s.id.to_string(),
                        title: s.title.clone(),
                        when: when(s.starts_at, s.ends_at, tz),
                        confirmed: s.confirmed_count,
                        capacity: s.capacity,
                        waitlist: s.waitlist_count,
                        cancelled: s.status != "open",
                        past: s.ends_at <= now,
                    })
                    .collect(),
            })
            .collect();
        Ok(Page::ok(
            "org_events.html",
            context! { org_id => org.id.to_string(), org_name => org.name, events => lines },
        ))
    }
    .await;
    show(visitor, page)
}
