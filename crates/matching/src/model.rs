//! What matching knows about shifts and volunteers, and the settings it runs with.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hourbook_domain::SkillList;
use hourbook_domain::eligibility::{LocalWindow, ShiftFacts};
use hourbook_domain::profile::{AgePolicy, VolunteerProfile, age_on};
use serde::Deserialize;
use std::sync::OnceLock;
use uuid::Uuid;

/// An open shift as matching sees it.
#[derive(Debug, Clone)]
pub struct OpenShift {
    /// Shift id.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// Window, place, required skills and age limits: what eligibility checks.
    pub facts: ShiftFacts,
    /// Skills that raise a volunteer's score.
    pub preferred_skills: SkillList,
    /// Seats in all.
    pub capacity: u32,
    /// Seats taken by confirmed volunteers.
    pub confirmed: u32,
    /// Of those, minors on the shift's date.
    pub confirmed_minors: u32,
    /// Seats offered in invitations still waiting for an answer: plans and offers leave
    /// them alone, recommendations do not (an invitation holds no seat).
    pub offered: u32,
    /// At most this many minors per adult, when the shift serves children.
    pub minors_per_adult: Option<u32>,
    /// The window on the local calendar, worked out on first use (leave it
    /// `Default::default()`; do not change `facts` after matching has used the shift).
    pub local: OnceLock<LocalWindow>,
}

impl OpenShift {
    /// The shift's window on the calendar of `tz` (the district's).
    pub fn local(&self, tz: Tz) -> &LocalWindow {
        self.local.get_or_init(|| LocalWindow::of(&self.facts, tz))
    }

    /// Seats nobody holds yet.
    pub fn seats_left(&self) -> u32 {
        self.capacity.saturating_sub(self.confirmed)
    }

    /// Seats neither taken nor offered: what a plan or an offer may still propose.
    pub fn seats_to_offer(&self) -> u32 {
        self.seats_left().saturating_sub(self.offered)
    }

    /// Length in minutes.
    pub fn minutes(&self) -> i64 {
        (self.facts.ends_at - self.facts.starts_at).num_minutes()
    }

    /// Confirmed adults on the shift.
    pub fn confirmed_adults(&self) -> u32 {
        self.confirmed - self.confirmed_minors.min(self.confirmed)
    }

    /// How many more minors the shift can take if every seat is filled: with at most `r`
    /// minors per adult, a full shift of `c` seats holds at most `r * c / (r + 1)` minors.
    pub fn minor_seats_left(&self) -> u32 {
        match self.minors_per_adult {
            None => self.seats_left(),
            Some(r) => {
                let most = u64::from(r) * u64::from(self.capacity) / (u64::from(r) + 1);
                (most as u32)
                    .saturating_sub(self.confirmed_minors)
                    .min(self.seats_to_offer())
            }
        }
    }
}

/// A volunteer as matching sees them.
#[derive(Debug, Clone, PartialEq)]
pub struct Volunteer {
    /// Account id.
    pub id: Uuid,
    /// The rule-bearing profile (home, radius, skills, availability, age, guardian).
    pub profile: VolunteerProfile,
    /// Verified minutes within the fairness window.
    pub served_minutes: i64,
    /// The requirement the volunteer is working toward, while unmet.
    pub goal: Option<RequirementGoal>,
    /// Windows the volunteer has promised: shifts they hold a seat on, and shifts of
    /// invitations they have not answered yet.
    pub busy: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// Shifts the volunteer has already signed up for (in any active state) or been invited to.
    pub engaged: Vec<Uuid>,
}

impl Volunteer {
    /// Whether the volunteer is a minor on the shift's local date.
    pub fn is_minor_on(&self, shift: &OpenShift, tz: Tz, ages: &AgePolicy) -> bool {
        age_on(self.profile.birth_date, shift.local(tz).date) < ages.adult_age
    }

    /// Whether a confirmed shift of the volunteer overlaps `shift`.
    pub fn is_busy_during(&self, shift: &OpenShift) -> bool {
        self.busy
            .iter()
            .any(|(from, to)| *from < shift.facts.ends_at && shift.facts.starts_at < *to)
    }
}

/// An unmet requirement: what it is called and how many minutes are still missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementGoal {
    /// E.g. "League recommendation".
    pub name: String,
    /// Minutes still missing (> 0).
    pub missing_minutes: i64,
}

/// Weights of the score's terms: each term lies in 0..=1, the score is the weighted sum.
/// The defaults add up to 100, so a score reads as points out of 100.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Closer is better: `1 - distance / travel radius`.
    pub distance: f64,
    /// Share of the shift's preferred skills the volunteer holds (valid on the day).
    pub preferred_skill: f64,
    /// Starts soon and under-filled: `(1 - days to start / urgent window) * (1 - fill ratio)`.
    pub urgency: f64,
    /// Fewer verified hours in the fairness window: `1 - hours / saturation`.
    pub fairness: f64,
    /// Share of the shift's time that counts toward the volunteer's unmet requirement.
    pub requirement_progress: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            distance: 40.0,
            preferred_skill: 20.0,
            urgency: 15.0,
            fairness: 15.0,
            requirement_progress: 10.0,
        }
    }
}

impl Weights {
    /// The highest score any pair can reach.
    pub fn maximum(&self) -> f64 {
        self.distance
            + self.preferred_skill
            + self.urgency
            + self.fairness
            + self.requirement_progress
    }
}

/// Everything scoring and planning need besides the volunteer and the shift.
#[derive(Debug, Clone)]
pub struct MatchContext {
    /// Now: shifts that have started are not proposed; urgency counts from here.
    pub now: DateTime<Utc>,
    /// The district's time zone (ages and availability use its calendar).
    pub timezone: Tz,
    /// Age thresholds.
    pub ages: AgePolicy,
    /// Score weights.
    pub weights: Weights,
    /// A shift starting within this many days counts as urgent.
    pub urgent_within_days: f64,
    /// Verified hours at which the fairness term reaches zero.
    pub fairness_saturation_hours: f64,
    /// Who reads the reasons: organizers are not told a volunteer's hours, school or exact
    /// distance from home.
    pub audience: Audience,
}

/// Who a score's reasons are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The volunteer, about their own match.
    Volunteer,
    /// An organizer, about someone else.
    Organizer,
}

impl MatchContext {
    /// A context with the default weights and windows.
    pub fn new(now: DateTime<Utc>, timezone: Tz, ages: AgePolicy) -> Self {
        Self {
            now,
            timezone,
            ages,
            weights: Weights::default(),
            urgent_within_days: 7.0,
            fairness_saturation_hours: 40.0,
            audience: Audience::Volunteer,
        }
    }
}
