//! How an organization records service time: rounding, a daily maximum and the deadline for
//! verifying. Thresholds that differ by place are configuration, not code.

use crate::error::{DomainError, Validator};
use serde::{Deserialize, Serialize};

/// How computed service time is rounded.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    Deserialize,
    strum::EnumString,
    strum::IntoStaticStr,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Rounding {
    /// Every minute counts.
    #[default]
    Exact,
    /// Half hours: of each started hour, up to 15 minutes count nothing, 15 to 45 count half
    /// an hour, more than 45 a whole hour.
    HalfHours,
}

impl Rounding {
    /// `minutes` as this rule credits them.
    pub fn apply(self, minutes: i64) -> i64 {
        match self {
            Rounding::Exact => minutes,
            Rounding::HalfHours => {
                let (hours, rest) = (minutes.div_euclid(60), minutes.rem_euclid(60));
                let credited = match rest {
                    0..=15 => 0,
                    16..=45 => 30,
                    _ => 60,
                };
                hours * 60 + credited
            }
        }
    }
}

/// An organization's recording rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordPolicy {
    /// Rounding of computed time.
    pub rounding: Rounding,
    /// Most minutes credited to one volunteer for one day by this organization.
    pub max_minutes_per_day: Option<i64>,
    /// Working days after a shift to verify its records.
    pub deadline_working_days: u32,
}

impl RecordPolicy {
    /// The minutes to credit: `minutes` rounded (when computed rather than entered) and capped
    /// so that the day's total with `already_today` stays within the daily maximum.
    pub fn credit(self, minutes: i64, computed: bool, already_today: i64) -> i64 {
        let minutes = if computed {
            self.rounding.apply(minutes)
        } else {
            minutes
        };
        match self.max_minutes_per_day {
            Some(max) => minutes.min((max - already_today).max(0)),
            None => minutes,
        }
    }
}

/// A policy as an organization admin sends it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// `exact` or `half_hours`.
    pub rounding: Rounding,
    /// Most minutes per volunteer and day (none: no limit).
    #[serde(default)]
    pub max_minutes_per_day: Option<i64>,
    /// Working days to verify a record (1 to 60).
    pub deadline_working_days: i64,
}

impl PolicyInput {
    /// Checks every field.
    pub fn validate(self) -> Result<RecordPolicy, DomainError> {
        let mut v = Validator::new();
        if let Some(max) = self.max_minutes_per_day
            && !(30..=24 * 60).contains(&max)
        {
            v.error("max_minutes_per_day", "must be between 30 and 1440");
        }
        if !(1..=60).contains(&self.deadline_working_days) {
            v.error("deadline_working_days", "must be between 1 and 60");
        }
        v.finish_with(Some(RecordPolicy {
            rounding: self.rounding,
            max_minutes_per_day: self.max_minutes_per_day,
            deadline_working_days: self.deadline_working_days.clamp(1, 60) as u32,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_hours_follow_the_15_and_45_minute_marks() {
        let r = Rounding::HalfHours;
        for (minutes, credited) in [
            (0, 0),
            (15, 0),
            (16, 30),
            (45, 30),
            (46, 60),
            (60, 60),
            (135, 120),
            (140, 150),
            (170, 180),
            (195, 180),
        ] {
            assert_eq!(r.apply(minutes), credited, "{minutes}");
        }
        assert_eq!(Rounding::Exact.apply(137), 137);
    }

    #[test]
    fn the_daily_maximum_caps_what_is_left_of_the_day() {
        let p = RecordPolicy {
            rounding: Rounding::HalfHours,
            max_minutes_per_day: Some(480),
            deadline_working_days: 10,
        };
        assert_eq!(p.credit(200, true, 0), 210);
        assert_eq!(p.credit(200, true, 360), 120);
        assert_eq!(p.credit(200, true, 500), 0);
        // Entered by hand: not rounded, still capped.
        assert_eq!(p.credit(200, false, 0), 200);
        assert_eq!(p.credit(200, false, 400), 80);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn half_hours_land_on_a_half_hour_within_a_quarter_and_never_go_backwards(
                minutes in 0i64..=1440, more in 0i64..=120,
            ) {
                let credited = Rounding::HalfHours.apply(minutes);
                prop_assert_eq!(credited % 30, 0);
                prop_assert!((credited - minutes).abs() <= 15);
                prop_assert!(Rounding::HalfHours.apply(minutes + more) >= credited);
                prop_assert_eq!(Rounding::Exact.apply(minutes), minutes);
            }

            #[test]
            fn a_day_never_gets_more_than_its_maximum(
                minutes in 0i64..=1440, already in 0i64..=1440, max in 0i64..=1440, computed in any::<bool>(),
            ) {
                let policy = RecordPolicy { rounding: Rounding::HalfHours, max_minutes_per_day: Some(max), deadline_working_days: 10 };
                let credited = policy.credit(minutes, computed, already);
                prop_assert!(credited >= 0);
                prop_assert!(credited <= (max - already).max(0));
                let uncapped = RecordPolicy { max_minutes_per_day: None, ..policy };
                prop_assert!(credited <= uncapped.credit(minutes, computed, already));
                if !computed {
                    prop_assert_eq!(uncapped.credit(minutes, computed, already), minutes);
                }
            }
        }
    }
}
