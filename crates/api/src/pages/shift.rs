//! A shift's public page: what e-mails link to. When, where (with a `geo:` link that opens
//! the phone's map app), seats, what to bring, risks and whom to call.

use super::{english, render};
use crate::error::ApiResult;
use crate::extract::{ApiQuery, path_id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Html;
use minijinja::context;
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Words {
    when: &'static str,
    where_: &'static str,
    map: &'static str,
    seats: &'static str,
    seats_left: &'static str,
    full: &'static str,
    waiting: &'static str,
    bring: &'static str,
    risks: &'static str,
    contact: &'static str,
    skills: &'static str,
    ages: &'static str,
    cancelled: &'static str,
    how_to_join: &'static str,
    back: &'static str,
}

const ZH: Words = Words {
    when: "时间",
    where_: "地点",
    map: "在地图中打开",
    seats: "名额",
    seats_left: "剩余",
    full: "已满，可候补",
    waiting: "人候补",
    bring: "请携带",
    risks: "风险提示",
    contact: "联系人",
    skills: "所需技能",
    ages: "年龄要求",
    cancelled: "此岗位已取消，请勿前往。",
    how_to_join: "登录 Hourbook 后即可报名或加入候补。",
    back: "查看更多岗位",
};

const EN: Words = Words {
    when: "When",
    where_: "Where",
    map: "Open in maps",
    seats: "Seats",
    seats_left: "left",
    full: "Full, join the waitlist",
    waiting: "waiting",
    bring: "Bring",
    risks: "Risks",
    contact: "Contact",
    skills: "Skills needed",
    ages: "Ages",
    cancelled: "This shift is cancelled. Please do not go.",
    how_to_join: "Sign in to Hourbook to sign up or join the waitlist.",
    back: "More shifts",
};

#[derive(Deserialize)]
pub(super) struct LangQuery {
    lang: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<LangQuery>,
) -> ApiResult<Html<String>> {
    let en = english(q.lang.as_deref(), &headers);
    let shift = state.store.shift(path_id(&id, "shift")?).await?;
    let event = state.store.event(shift.event_id).await?.event;
    let tz = state.rules.timezone;
    let (starts, ends) = (
        shift.starts_at.with_timezone(&tz),
        shift.ends_at.with_timezone(&tz),
    );
    let when = format!(
        "{} – {} ({tz})",
        starts.format("%Y-%m-%d %H:%M"),
        ends.format("%H:%M")
    );
    let ages = match (shift.min_age, shift.max_age) {
        (None, None) => None,
        (min, max) => Some(format!(
            "{}–{}",
            min.map(|a| a.to_string()).unwrap_or_default(),
            max.map(|a| a.to_string()).unwrap_or_default()
        )),
    };
    let skills: Vec<&str> = shift.required_skills.iter().map(|s| s.as_str()).collect();
    render(
        "shift.html",
        context! {
            lang => if en { "en" } else { "zh-CN" },
            t => if en { &EN } else { &ZH },
            shift => &shift,
            event => &event,
            when => when,
            geo => format!("geo:{:.6},{:.6}", shift.location.lat, shift.location.lon),
            cancelled => shift.status != "open",
            ages => ages,
            skills => skills,
        },
    )
}
