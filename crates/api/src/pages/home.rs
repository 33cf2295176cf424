//! The landing page: upcoming shifts with seats, readable on a 360-px phone.

use super::{english, render};
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use hourbook_store::events::EventFilter;
use hourbook_store::page::PageRequest;
use minijinja::context;
use serde::{Deserialize, Serialize};

/// The page's words, per language.
#[derive(Serialize)]
struct Words {
    title: &'static str,
    tagline: &'static str,
    upcoming: &'static str,
    seats_left: &'static str,
    full: &'static str,
    waiting: &'static str,
    none: &'static str,
    language: &'static str,
    api_hint: &'static str,
}

const ZH: Words = Words {
    title: "志愿服务",
    tagline: "找到身边的志愿服务岗位，记录真实可查的服务时长。",
    upcoming: "近期岗位",
    seats_left: "剩余名额",
    full: "已满，可候补",
    waiting: "人候补",
    none: "暂无岗位。",
    language: "语言",
    api_hint: "开发者接口：",
};

const EN: Words = Words {
    title: "Volunteer service",
    tagline: "Find volunteer shifts near you and keep a record of hours anyone can verify.",
    upcoming: "Upcoming shifts",
    seats_left: "Seats left",
    full: "Full, join the waitlist",
    waiting: "waiting",
    none: "No shifts yet.",
    language: "Language",
    api_hint: "For developers:",
};

#[derive(Deserialize)]
pub(super) struct HomeQuery {
    lang: Option<String>,
}

#[derive(Serialize)]
struct ShiftCard {
    event_title: String,
    shift_title: String,
    organization: String,
    when: String,
    address: String,
    seats_left: u32,
    capacity: u32,
    waitlist: u32,
}

pub(super) async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<HomeQuery>,
) -> ApiResult<Html<String>> {
    let en = english(q.lang.as_deref(), &headers);
    let now = state.clock.now();
    let events = state
        .store
        .list_events(
            &EventFilter::default(),
            PageRequest {
                limit: 20,
                offset: 0,
            },
            now,
        )
        .await?;
    let tz = state.rules.timezone;
    let mut cards = Vec::new();
    for event in events.items {
        let detail = state.store.event(event.id).await?;
        let next = detail
            .shifts
            .iter()
            .filter(|s| s.status == "open" && s.ends_at > now)
            .take(3);
        for s in next {
            let starts = s.starts_at.with_timezone(&tz);
            let ends = s.ends_at.with_timezone(&tz);
            cards.push((
                s.starts_at,
                ShiftCard {
                    event_title: event.title.clone(),
                    shift_title: s.title.clone(),
                    organization: event.organization_name.clone(),
                    when: format!(
                        "{} – {}",
                        starts.format("%Y-%m-%d %H:%M"),
                        ends.format("%H:%M")
                    ),
                    address: s.address.clone(),
                    seats_left: s.seats_left,
                    capacity: s.capacity,
                    waitlist: s.waitlist_count,
                },
            ));
        }
    }
    cards.sort_by_key(|(start, _)| *start);
    let shifts: Vec<ShiftCard> = cards.into_iter().map(|(_, c)| c).take(30).collect();
    render(
        "home.html",
        context! {
            lang => if en { "en" } else { "zh-CN" },
            t => if en { &EN } else { &ZH },
            shifts => shifts,
        },
    )
}
