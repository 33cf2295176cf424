//! Shifts as the lists of the pages show them: one card each, with its event, time, place and
//! seats, and (for recommendations) the distance and the reasons matching gave.

use super::i18n::Lang;
use crate::error::ApiResult;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hourbook_domain::Coordinates;
use hourbook_domain::location::round_km;
use hourbook_matching::score::Reason;
use hourbook_store::events::EventFilter;
use hourbook_store::page::PageRequest;
use hourbook_store::shifts::Shift;
use serde::Serialize;

/// One shift in a list.
#[derive(Serialize)]
pub struct ShiftCard {
    pub id: String,
    pub event_title: String,
    pub shift_title: String,
    pub organization: String,
    pub when: String,
    pub address: String,
    pub seats_left: u32,
    pub capacity: u32,
    pub waitlist: u32,
    pub distance_km: Option<f64>,
    pub reasons: Vec<ReasonLine>,
}

/// A reason matching gave: its name and its detail, both in the page's language.
#[derive(Serialize)]
pub struct ReasonLine {
    pub label: String,
    pub detail: String,
}

impl ReasonLine {
    /// `reason` in the page's language, as the volunteer reads it.
    pub fn new(lang: Lang, reason: &Reason) -> Self {
        Self::worded(lang, "reasons", reason.code, &reason.params, &reason.detail)
    }

    /// A reason coded `code` with its values, worded from the catalogue's `{tables}` (labels)
    /// and `{tables}_detail` wordings; `english` where the catalogue has no wording.
    pub fn worded<K: std::borrow::Borrow<str> + Ord>(
        lang: Lang,
        tables: &str,
        code: &str,
        params: &std::collections::BTreeMap<K, String>,
        english: &str,
    ) -> Self {
        ReasonLine {
            label: lang.text(&format!("{tables}.{code}")),
            detail: lang.word(&format!("{tables}_detail"), code, params, english),
        }
    }
}

/// "2027-06-03 09:00 – 12:00" in the district's time zone.
pub fn when(starts: DateTime<Utc>, ends: DateTime<Utc>, tz: Tz) -> String {
    let (s, e) = (starts.with_timezone(&tz), ends.with_timezone(&tz));
    if s.date_naive() == e.date_naive() {
        format!("{} – {}", s.format("%Y-%m-%d %H:%M"), e.format("%H:%M"))
    } else {
        format!(
            "{} – {}",
            s.format("%Y-%m-%d %H:%M"),
            e.format("%Y-%m-%d %H:%M")
        )
    }
}

/// A card for `shift` of an event.
pub fn card(
    shift: &Shift,
    event_title: &str,
    organization: &str,
    distance_km: Option<f64>,
    tz: Tz,
) -> ShiftCard {
    ShiftCard {
        id: shift.id.to_string(),
        event_title: event_title.to_string(),
        shift_title: shift.title.clone(),
        organization: organization.to_string(),
        when: when(shift.starts_at, shift.ends_at, tz),
        address: shift.address.clone(),
        seats_left: shift.seats_left,
        capacity: shift.capacity,
        waitlist: shift.waitlist_count,
        distance_km: distance_km.map(round_km),
        reasons: Vec::new(),
    }
}

/// Open shifts of upcoming events, soonest first: near `near` (within `radius_km`) when
/// given, else everywhere; at most three per event and `limit` in all.
pub async fn upcoming(
    state: &AppState,
    near: Option<Coordinates>,
    radius_km: Option<f64>,
    limit: usize,
) -> ApiResult<Vec<ShiftCard>> {
    let now = state.clock.now();
    let filter = EventFilter {
        near,
        radius_km,
        ..EventFilter::default()
    };
    let events = state
        .store
        .list_events(
            &filter,
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
            cards.push((
                s.starts_at,
                card(
                    s,
                    &event.title,
                    &event.organization_name,
                    event.distance_km,
                    tz,
                ),
            ));
        }
    }
    cards.sort_by_key(|(start, _)| *start);
    Ok(cards.into_iter().map(|(_, c)| c).take(limit).collect())
}
