//! Server-rendered pages. For now the landing page: upcoming shifts with seats, readable on a
//! 360-px phone. The full front end grows here, page by page.

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use hourbook_store::events::EventFilter;
use hourbook_store::page::PageRequest;
use minijinja::{Environment, context};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Templates are compiled into the binary: nothing to find on disk at run time.
        env.add_template("home.html", include_str!("../templates/home.html"))
            .expect("the bundled template parses");
        env
    })
}

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
struct HomeQuery {
    lang: Option<String>,
}

/// zh-CN unless `?lang=en` or the browser prefers English over Chinese.
fn english(query: Option<&str>, headers: &HeaderMap) -> bool {
    if let Some(lang) = query {
        return lang.to_ascii_lowercase().starts_with("en");
    }
    let accept = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let first = |tag: &str| accept.find(tag);
    match (first("en"), first("zh")) {
        (Some(en), Some(zh)) => en < zh,
        (Some(_), None) => true,
        _ => false,
    }
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

async fn home(
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
    let html = templates()
        .get_template("home.html")
        .and_then(|t| {
            t.render(context! {
                lang => if en { "en" } else { "zh-CN" },
                t => if en { &EN } else { &ZH },
                shifts => shifts,
            })
        })
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Html(html))
}
