//! "My hours": verified service time in total and by category, the star level, every ledger
//! entry, and progress toward each requirement of the school the volunteer linked (evaluated
//! by the same domain rule the school's student list uses).

use super::visitor::Visitor;
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::requirement::star_level;
use minijinja::context;
use serde::Serialize;

/// Hours with one decimal ("3.5"), as everywhere hours are shown.
pub(super) use hourbook_domain::service_time::hours_display as hours;

#[derive(Serialize)]
struct Progress {
    name: String,
    met: bool,
    counted: String,
    required: String,
    missing: String,
    percent: i64,
    categories: Vec<(String, String, String)>,
}

#[derive(Serialize)]
struct EntryLine {
    id: String,
    day: String,
    category: String,
    organization: String,
    hours: String,
    correction: bool,
}

pub(super) async fn page(State(state): State<AppState>, visitor: Visitor) -> ApiResult<Response> {
    let lang = visitor.lang;
    let account_id = match visitor.require_sign_in() {
        Ok(s) => s.account.id,
        Err(login) => return Ok(*login),
    };
    let tz = state.rules.timezone;
    let now = state.clock.now();
    let summary = state.store.hours(account_id, None, None).await?;
    let mut progress = Vec::new();
    for (requirement, rule, evaluation) in state.store.my_progress(account_id, tz, now).await? {
        let percent = if rule.min_minutes > 0 {
            (evaluation.counted_minutes * 100 / rule.min_minutes).clamp(0, 100)
        } else {
            100
        };
        progress.push(Progress {
            name: requirement.name,
            met: evaluation.met,
            counted: hours(evaluation.counted_minutes),
            required: hours(rule.min_minutes),
            missing: hours(evaluation.missing_minutes),
            percent,
            categories: evaluation
                .categories
                .iter()
                .map(|c| {
                    (
                        lang.category(&c.category),
                        hours(c.counted_minutes),
                        hours(c.required_minutes),
                    )
                })
                .collect(),
        });
    }
    let by_category: Vec<(String, String)> = summary
        .by_category
        .iter()
        .map(|(c, m)| (lang.category(c), hours(*m)))
        .collect();
    let entries: Vec<EntryLine> = summary
        .entries
        .iter()
        .rev()
        .map(|e| EntryLine {
            id: e.id.to_string(),
            day: e
                .started_at
                .with_timezone(&tz)
                .format("%Y-%m-%d")
                .to_string(),
            category: lang.category(&e.category),
            organization: e.organization.name.clone(),
            hours: hours(e.minutes),
            correction: e.minutes < 0,
        })
        .collect();
    visitor.render(
        StatusCode::OK,
        "hours.html",
        context! {
            total => hours(summary.total_minutes),
            stars => star_level(summary.total_minutes),
            by_category => by_category,
            progress => progress,
            entries => entries,
        },
    )
}
