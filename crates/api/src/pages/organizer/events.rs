//! An organization's events with their shifts and how full each is: upcoming first (soonest
//! first), then past ones (latest first); new events without shifts at the top.
//!
//! A summer programme has hundreds of shifts (a dozen sites, every weekday), so the page shows
//! one day at a time: by default the first day from today on that has shifts, with links to
//! the days before and after that have any; each event says how many shifts it has in all.

use super::{Member, Page, show};
use crate::error::ApiResult;
use crate::extract::path_id;
use crate::pages::cards::when;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use hourbook_store::events::EventDetail;
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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
    /// Whether recorded accident insurance covers every coming shift's day (hazardous events
    /// check nobody in on a day no policy covers).
    insured: bool,
    /// Its shifts on the day shown.
    shifts: Vec<ShiftLine>,
    /// Shifts in all, and their first and last day.
    total: usize,
    first_day: Option<String>,
    last_day: Option<String>,
}

/// `?day=YYYY-MM-DD`: the day whose shifts are shown.
#[derive(Deserialize)]
pub(super) struct DayQuery {
    #[serde(default)]
    day: String,
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
    Query(query): Query<DayQuery>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let org_id = path_id(&org_id, "organization")?;
        let org = state.store.organization(org_id).await?;
        let mut events = state.store.organization_events(&actor, org_id).await?;
        let now = state.clock.now();
        events.sort_by_key(|e| order(e, now));
        let tz = state.rules.timezone;
        let local_day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
        let days: BTreeSet<NaiveDate> = events
            .iter()
            .flat_map(|d| d.shifts.iter().map(|s| local_day(s.starts_at)))
            .collect();
        let today = local_day(now);
        // A day that does not parse shows the default one: it is only a view.
        let day = NaiveDate::parse_from_str(query.day.trim(), "%Y-%m-%d")
            .ok()
            .or_else(|| days.range(today..).next().copied())
            .or_else(|| days.last().copied())
            .unwrap_or(today);
        let previous = days.range(..day).next_back().map(NaiveDate::to_string);
        let next = days.range(day.succ_opt().unwrap_or(day)..).next();
        let lines: Vec<EventLine> = events
            .into_iter()
            .map(|d| EventLine {
                id: d.event.id.to_string(),
                title: d.event.title,
                campaign: d.event.campaign.as_str(),
                address: d.event.address,
                hazardous: d.event.hazardous,
                // Check-in needs a policy covering the shift's day: every coming shift's.
                insured: !d.insurance.is_empty()
                    && d.shifts
                        .iter()
                        .filter(|s| s.ends_at > now && s.status == "open")
                        .map(|s| local_day(s.starts_at))
                        .all(|day| {
                            d.insurance
                                .iter()
                                .any(|p| p.covers_from <= day && day <= p.covers_to)
                        }),
                total: d.shifts.len(),
                first_day: d.shifts.iter().map(|s| local_day(s.starts_at)).min().map(|d| d.to_string()),
                last_day: d.shifts.iter().map(|s| local_day(s.starts_at)).max().map(|d| d.to_string()),
                shifts: d
                    .shifts
                    .iter()
                    .filter(|s| local_day(s.starts_at) == day)
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
            context! {
                org_id => org.id.to_string(), org_name => org.name, events => lines,
                day => day.to_string(), previous => previous, next => next.map(NaiveDate::to_string),
            },
        ))
    }
    .await;
    show(visitor, page)
}
