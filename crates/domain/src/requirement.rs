//! Requirement programs: "20 verified hours in the 12 months before the check date", "40 hours
//! over the school year, 8 of them community service". Thresholds change over time; each
//! change is a version, and the version in force on the check date is the one applied.

use crate::error::{DomainError, Validator};
use crate::identity::parse_name;
use crate::ledger::{EntrySource, Provenance};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Star levels shown on a profile: verified hours reaching 100, 300, 600, 1000 and 1500.
pub const STAR_HOURS: [i64; 5] = [100, 300, 600, 1000, 1500];

/// The number of stars `total_minutes` of verified service earn (0 to 5).
pub fn star_level(total_minutes: i64) -> usize {
    STAR_HOURS
        .iter()
        .take_while(|h| total_minutes >= **h * 60)
        .count()
}

/// Which verified hours count.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum WindowKind {
    /// Every verified hour.
    AllTime,
    /// The `window_days` days up to the check date.
    Rolling,
    /// The calendar year of the check date.
    CalendarYear,
    /// The school year of the check date (from 1 September).
    SchoolYear,
}

/// One version of a program's rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Rule {
    /// Minutes needed in the window.
    pub min_minutes: i64,
    /// Which hours count.
    pub window: WindowKind,
    /// Days of a rolling window.
    pub window_days: Option<u32>,
    /// Minutes needed per category (these count toward the total too).
    pub category_minimums: BTreeMap<String, i64>,
    /// The first day this version applies.
    pub effective_from: NaiveDate,
}

/// An entry as requirements see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    /// The local day the service was done.
    pub day: NaiveDate,
    /// Its category.
    pub category: String,
    /// Its minutes (negative for a correction that takes time away).
    pub minutes: i64,
    /// How the time became known.
    pub source: EntrySource,
}

/// Progress in one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CategoryProgress {
    /// Category.
    pub category: String,
    /// Minutes that count.
    pub counted_minutes: i64,
    /// Minutes needed.
    pub required_minutes: i64,
    /// Minutes still missing.
    pub missing_minutes: i64,
}

/// Where a volunteer stands on a check date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    /// Every threshold reached.
    pub met: bool,
    /// Minutes that count.
    pub counted_minutes: i64,
    /// Minutes still missing (the total's or the categories', whichever needs more).
    pub missing_minutes: i64,
    /// First day counted (`None`: all time).
    pub window_from: Option<NaiveDate>,
    /// Last day counted: the check date.
    pub window_to: NaiveDate,
    /// Per required category.
    pub categories: Vec<CategoryProgress>,
    /// The counted minutes split: recorded on site, or entered by hand.
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl Rule {
    /// The first day that counts on `on` (`None`: every day before it).
    pub fn window_start(&self, on: NaiveDate) -> Option<NaiveDate> {
        match self.window {
            WindowKind::AllTime => None,
            // The check date is the window's last day.
            WindowKind::Rolling => {
                Some(on - Duration::days(i64::from(self.window_days.unwrap_or(365).max(1)) - 1))
            }
            WindowKind::CalendarYear => NaiveDate::from_ymd_opt(on.year(), 1, 1),
            WindowKind::SchoolYear => {
                let year = if on.month() >= 9 {
                    on.year()
                } else {
                    on.year() - 1
                };
                NaiveDate::from_ymd_opt(year, 9, 1)
            }
        }
    }

    /// Evaluates `entries` on `on`.
    pub fn evaluate(&self, entries: &[Counted], on: NaiveDate) -> Evaluation {
        let from = self.window_start(on);
        let counts = |e: &&Counted| e.day <= on && from.is_none_or(|f| e.day >= f);
        let counted_minutes: i64 = entries.iter().filter(counts).map(|e| e.minutes).sum();
        let mut provenance = Provenance::default();
        for e in entries.iter().filter(counts) {
            provenance.add(e.source, e.minutes);
        }
        let categories: Vec<CategoryProgress> = self
            .category_minimums
            .iter()
            .map(|(category, required)| {
                let counted: i64 = entries
                    .iter()
                    .filter(counts)
                    .filter(|e| &e.category == category)
                    .map(|e| e.minutes)
                    .sum();
                CategoryProgress {
                    category: category.clone(),
                    counted_minutes: counted,
                    required_minutes: *required,
                    missing_minutes: (required - counted).max(0),
                }
            })
            .collect();
        let category_missing: i64 = categories.iter().map(|c| c.missing_minutes).sum();
        // Hours done in a missing category count toward the total too.
        let missing_minutes = (self.min_minutes - counted_minutes)
            .max(0)
            .max(category_missing);
        Evaluation {
            met: missing_minutes == 0,
            counted_minutes,
            missing_minutes,
            window_from: from,
            window_to: on,
            categories,
            provenance,
        }
    }
}

/// The version of a program in force on `on`: the latest that took effect by then.
pub fn in_force(versions: &[Rule], on: NaiveDate) -> Option<&Rule> {
    versions
        .iter()
        .filter(|v| v.effective_from <= on)
        .max_by_key(|v| v.effective_from)
}

/// A program or a new version of it, as an admin sends it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementInput {
    /// Name, e.g. "League recommendation".
    pub name: String,
    /// Minutes needed.
    pub min_minutes: i64,
    /// Days of a rolling window; with it and no `window`, the window is rolling.
    #[serde(default)]
    pub window_days: Option<i64>,
    /// Which hours count (default: rolling with `window_days`, else all time).
    #[serde(default)]
    pub window: Option<WindowKind>,
    /// Minutes needed per category.
    #[serde(default)]
    pub category_minimums: BTreeMap<String, i64>,
    /// When this version applies from (default: today).
    #[serde(default)]
    pub effective_from: Option<NaiveDate>,
}

impl RequirementInput {
    /// Checks every field; returns the name and the rule.
    pub fn validate(self, today: NaiveDate) -> Result<(String, Rule), DomainError> {
        let mut v = Validator::new();
        let name = v.check(parse_name(&self.name, "name"));
        const MAX: i64 = 100_000 * 60;
        if !(1..=MAX).contains(&self.min_minutes) {
            v.error("min_minutes", "must be between 1 and 6,000,000");
        }
        let window = self.window.unwrap_or(if self.window_days.is_some() {
            WindowKind::Rolling
        } else {
            WindowKind::AllTime
        });
        let window_days = match (window, self.window_days) {
            (WindowKind::Rolling, Some(d)) if (1..=3660).contains(&d) => Some(d as u32),
            (WindowKind::Rolling, _) => {
                v.error("window_days", "a rolling window needs 1 to 3660 days");
                None
            }
            (_, None) => None,
            (_, Some(_)) => {
                v.error("window_days", "only a rolling window has a number of days");
                None
            }
        };
        for (category, minutes) in &self.category_minimums {
            let ok = (1..=64).contains(&category.len())
                && category
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                v.error(
                    format!("category_minimums.{category}"),
                    "is not a category name",
                );
            } else if !(1..=self.min_minutes.max(1)).contains(minutes) {
                v.error(
                    format!("category_minimums.{category}"),
                    "must be between 1 and min_minutes",
                );
            }
        }
        let effective_from = self.effective_from.unwrap_or(today);
        if effective_from.year() < 2000 || effective_from > today + Duration::days(3660) {
            v.error(
                "effective_from",
                "must be a date between 2000 and ten years from now",
            );
        }
        let rule = name.map(|name| {
            (
                name,
                Rule {
                    min_minutes: self.min_minutes,
                    window,
                    window_days,
                    category_minimums: self.category_minimums,
                    effective_from,
                },
            )
        });
        v.finish_with(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn entry(day: &str, category: &str, hours: i64) -> Counted {
        Counted {
            day: d(day),
            category: category.into(),
            minutes: hours * 60,
            source: EntrySource::CheckInOut,
        }
    }

    fn rule(window: WindowKind, days: Option<u32>) -> Rule {
        Rule {
            min_minutes: 20 * 60,
            window,
            window_days: days,
            category_minimums: BTreeMap::from([("community_service".into(), 8 * 60)]),
            effective_from: d("2020-01-01"),
        }
    }

    #[test]
    fn windows_count_what_they_say() {
        let entries = [
            entry("2026-05-01", "childcare", 10),
            entry("2026-09-10", "community_service", 6),
            entry("2027-02-01", "community_service", 4),
            entry("2027-07-01", "childcare", 50),
        ];
        let on = d("2027-06-01");
        let rolling = rule(WindowKind::Rolling, Some(365)).evaluate(&entries, on);
        // 2026-06-02 .. 2027-06-01: 6 + 4 hours; the July one is after the check date.
        assert_eq!(rolling.counted_minutes, 600);
        assert_eq!(rolling.missing_minutes, 600);
        assert!(!rolling.met);
        assert_eq!(rolling.categories[0].missing_minutes, 0);
        let school = rule(WindowKind::SchoolYear, None).evaluate(&entries, on);
        assert_eq!(school.window_from, Some(d("2026-09-01")));
        assert_eq!(school.counted_minutes, 600);
        let calendar = rule(WindowKind::CalendarYear, None).evaluate(&entries, on);
        assert_eq!(calendar.counted_minutes, 240);
        // Total short by 16 h, community service by 4 h: 16 h more are needed.
        assert_eq!(calendar.missing_minutes, 16 * 60);
        let all = rule(WindowKind::AllTime, None).evaluate(&entries, on);
        assert_eq!((all.counted_minutes, all.met), (20 * 60, true));
    }

    #[test]
    fn a_category_shortfall_keeps_a_requirement_unmet_even_with_enough_hours() {
        let entries = [
            entry("2027-01-10", "childcare", 30),
            entry("2027-01-11", "community_service", 2),
        ];
        let e = rule(WindowKind::AllTime, None).evaluate(&entries, d("2027-06-01"));
        assert!(!e.met);
        assert_eq!(e.missing_minutes, 6 * 60);
    }

    #[test]
    fn the_version_in_force_on_the_check_date_applies() {
        let old = Rule {
            min_minutes: 600,
            ..rule(WindowKind::AllTime, None)
        };
        let new = Rule {
            min_minutes: 1200,
            effective_from: d("2027-09-01"),
            ..old.clone()
        };
        let versions = [old.clone(), new.clone()];
        assert_eq!(in_force(&versions, d("2027-08-31")), Some(&old));
        assert_eq!(in_force(&versions, d("2027-09-01")), Some(&new));
        assert_eq!(in_force(&versions, d("2019-01-01")), None);
    }

    #[test]
    fn stars_follow_the_hour_thresholds() {
        assert_eq!(star_level(0), 0);
        assert_eq!(star_level(99 * 60 + 59), 0);
        assert_eq!(star_level(100 * 60), 1);
        assert_eq!(star_level(1499 * 60), 4);
        assert_eq!(star_level(5000 * 60), 5);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn any_entries() -> impl Strategy<Value = Vec<Counted>> {
            proptest::collection::vec(
                (
                    0i64..1500,
                    proptest::sample::select(vec!["community_service", "childcare", "environment"]),
                    -120i64..600,
                    any::<bool>(),
                ),
                0..30,
            )
            .prop_map(|rows| {
                rows.into_iter()
                    .map(|(offset, category, minutes, on_site)| Counted {
                        day: d("2024-01-01") + Duration::days(offset),
                        category: category.into(),
                        minutes,
                        source: if on_site {
                            EntrySource::CheckInOut
                        } else {
                            EntrySource::Claim
                        },
                    })
                    .collect()
            })
        }

        fn any_rule() -> impl Strategy<Value = Rule> {
            (
                proptest::sample::select(vec![
                    WindowKind::Rolling,
                    WindowKind::CalendarYear,
                    WindowKind::SchoolYear,
                    WindowKind::AllTime,
                ]),
                1u32..800,
                0i64..3000,
                0i64..900,
            )
                .prop_map(|(window, days, min_minutes, community)| Rule {
                    min_minutes,
                    window,
                    window_days: Some(days),
                    category_minimums: BTreeMap::from([("community_service".into(), community)]),
                    effective_from: d("2020-01-01"),
                })
        }

        proptest! {
            #[test]
            fn the_window_counts_exactly_its_days_and_met_means_nothing_missing(
                entries in any_entries(), rule in any_rule(), on_offset in 0i64..1500,
            ) {
                let on = d("2024-01-01") + Duration::days(on_offset);
                let e = rule.evaluate(&entries, on);
                let inside = |c: &&Counted| c.day <= on && e.window_from.is_none_or(|f| c.day >= f);
                let expected: i64 = entries.iter().filter(inside).map(|c| c.minutes).sum();
                prop_assert_eq!(e.counted_minutes, expected);
                prop_assert_eq!(e.provenance.recorded_minutes + e.provenance.hand_entered_minutes, expected);
                prop_assert_eq!(e.window_to, on);
                prop_assert!(e.window_from.is_none_or(|f| f <= on));
                prop_assert_eq!(e.met, e.missing_minutes == 0);
                prop_assert!(e.missing_minutes >= (rule.min_minutes - expected).max(0));
                for c in &e.categories {
                    prop_assert!(e.missing_minutes >= c.missing_minutes);
                    prop_assert_eq!(c.missing_minutes, (c.required_minutes - c.counted_minutes).max(0));
                }
            }

            #[test]
            fn more_service_in_the_window_never_adds_to_what_is_missing(
                entries in any_entries(), rule in any_rule(), on_offset in 0i64..1500,
                minutes in 1i64..600, community in any::<bool>(),
            ) {
                let on = d("2024-01-01") + Duration::days(on_offset);
                let before = rule.evaluate(&entries, on);
                let mut more = entries.clone();
                more.push(Counted {
                    day: on,
                    category: if community { "community_service" } else { "childcare" }.into(),
                    minutes,
                    source: EntrySource::CheckInOut,
                });
                let after = rule.evaluate(&more, on);
                prop_assert!(after.missing_minutes <= before.missing_minutes);
                prop_assert_eq!(after.counted_minutes, before.counted_minutes + minutes);
                // Service after the check date counts for nothing.
                let mut later = entries.clone();
                later.push(Counted { day: on + Duration::days(1), category: "childcare".into(), minutes, source: EntrySource::Claim });
                prop_assert_eq!(rule.evaluate(&later, on), before);
            }
        }
    }
}
