//! Shifts: a time window at a place with capacity, skills and age limits.

use crate::catalogue::Skill;
use crate::error::{DomainError, Validator};
use crate::identity::parse_name;
use crate::location::Coordinates;
use crate::profile::parse_skill;
use chrono::{DateTime, FixedOffset, Utc};
use serde::Deserialize;

/// Largest capacity a single shift may have.
pub const MAX_CAPACITY: u32 = 10_000;
/// How far ahead shifts may be planned (about three years).
pub const MAX_DAYS_AHEAD: i64 = 1100;
/// Longest a single shift may last.
pub const MAX_SHIFT_HOURS: i64 = 24;

/// A shift as the organizer sends it (`POST /api/v1/events/{id}/shifts`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftInput {
    /// Title, e.g. "上午班 Morning class".
    pub title: String,
    /// Start, RFC 3339 with offset.
    pub starts_at: DateTime<FixedOffset>,
    /// End, after the start.
    pub ends_at: DateTime<FixedOffset>,
    /// Seats.
    pub capacity: i64,
    /// Where, if not at the event's location.
    #[serde(default)]
    pub location: Option<Coordinates>,
    /// Street address, if not the event's.
    #[serde(default)]
    pub address: Option<String>,
    /// Skills every volunteer must have.
    #[serde(default)]
    pub required_skills: Vec<String>,
    /// Skills that make a volunteer a better fit.
    #[serde(default)]
    pub preferred_skills: Vec<String>,
    /// Minimum age on the shift's date.
    #[serde(default)]
    pub min_age: Option<i64>,
    /// Maximum age on the shift's date.
    #[serde(default)]
    pub max_age: Option<i64>,
    /// For shifts serving children: at most this many minor volunteers per adult volunteer.
    #[serde(default)]
    pub minors_per_adult: Option<i64>,
}

/// A validated new shift.
#[derive(Debug, Clone, PartialEq)]
pub struct NewShift {
    /// Title.
    pub title: String,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// Seats.
    pub capacity: u32,
    /// Location, when it differs from the event's.
    pub location: Option<Coordinates>,
    /// Address, when it differs from the event's.
    pub address: Option<String>,
    /// Required skills.
    pub required_skills: Vec<Skill>,
    /// Preferred skills.
    pub preferred_skills: Vec<Skill>,
    /// Minimum age.
    pub min_age: Option<u32>,
    /// Maximum age.
    pub max_age: Option<u32>,
    /// Adult ratio.
    pub minors_per_adult: Option<u32>,
}

impl ShiftInput {
    /// Validates every field; `now` rejects shifts that have already ended.
    pub fn validate(self, now: DateTime<Utc>) -> Result<NewShift, DomainError> {
        let mut v = Validator::new();
        let title = v.check(parse_name(&self.title, "title"));
        let starts_at = self.starts_at.with_timezone(&Utc);
        let ends_at = self.ends_at.with_timezone(&Utc);
        check_window(&mut v, starts_at, ends_at, now);
        if !(1..=i64::from(MAX_CAPACITY)).contains(&self.capacity) {
            v.error("capacity", format!("must be between 1 and {MAX_CAPACITY}"));
        }
        if let Some(at) = self.location {
            v.check(Coordinates::parse(at.lat, at.lon, "location"));
        }
        let address = self
            .address
            .filter(|a| !a.trim().is_empty())
            .and_then(|a| v.check(crate::text::single_line(&a, "address", 200)));
        let mut skills = |list: &[String], field: &str| -> Vec<Skill> {
            list.iter()
                .enumerate()
                .filter_map(|(i, s)| v.check(parse_skill(s, &format!("{field}[{i}]"))))
                .collect()
        };
        let mut required_skills = skills(&self.required_skills, "required_skills");
        let mut preferred_skills = skills(&self.preferred_skills, "preferred_skills");
        required_skills.sort();
        required_skills.dedup();
        preferred_skills.sort();
        preferred_skills.dedup();
        preferred_skills.retain(|s| !required_skills.contains(s));
        let mut age = |value: Option<i64>, field: &str| -> Option<u32> {
            let value = value?;
            if (0..=120).contains(&value) {
                Some(value as u32)
            } else {
                v.error(field, "must be between 0 and 120");
                None
            }
        };
        let min_age = age(self.min_age, "min_age");
        let max_age = age(self.max_age, "max_age");
        if let (Some(min), Some(max)) = (min_age, max_age)
            && max < min
        {
            v.error("max_age", "must not be below min_age");
        }
        let minors_per_adult = match self.minors_per_adult {
            None => None,
            Some(n @ 1..=100) => Some(n as u32),
            Some(_) => {
                v.error("minors_per_adult", "must be between 1 and 100");
                None
            }
        };
        let shift = title.map(|title| NewShift {
            title,
            starts_at,
            ends_at,
            capacity: self.capacity.clamp(1, i64::from(MAX_CAPACITY)) as u32,
            location: self.location,
            address,
            required_skills,
            preferred_skills,
            min_age,
            max_age,
            minors_per_adult,
        });
        v.finish_with(shift)
    }
}

/// Checks a shift's time window: ends after it starts, lasts at most a day, has not ended and
/// is not planned too far ahead.
fn check_window(
    v: &mut Validator,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    if ends_at <= starts_at {
        v.error("ends_at", "must be after starts_at");
    } else if ends_at - starts_at > chrono::Duration::hours(MAX_SHIFT_HOURS) {
        v.error(
            "ends_at",
            format!("a shift may last at most {MAX_SHIFT_HOURS} hours"),
        );
    }
    if ends_at <= now {
        v.error("ends_at", "must be in the future");
    }
    if starts_at > now + chrono::Duration::days(MAX_DAYS_AHEAD) {
        v.error(
            "starts_at",
            format!("must be within {MAX_DAYS_AHEAD} days from now"),
        );
    }
}

/// A change to a shift's time or place (`PATCH /api/v1/shifts/{id}`); fields left out stay.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftChangeInput {
    /// New start, RFC 3339 with offset.
    #[serde(default)]
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// New end.
    #[serde(default)]
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// New place.
    #[serde(default)]
    pub location: Option<Coordinates>,
    /// New street address.
    #[serde(default)]
    pub address: Option<String>,
}

/// A validated change: the shift's whole new time and place.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftChange {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Place.
    pub location: Coordinates,
    /// Street address.
    pub address: String,
}

impl ShiftChangeInput {
    /// Applies the change to the shift as it is (`current`) and checks the result. The shift
    /// stays on its local day (`tz`): ages, consent and everyone's other commitments were
    /// checked for that day, and a shift moved to another day is a new shift.
    pub fn validate(
        self,
        current: &ShiftChange,
        tz: chrono_tz::Tz,
        now: DateTime<Utc>,
    ) -> Result<ShiftChange, DomainError> {
        let mut v = Validator::new();
        if self.starts_at.is_none()
            && self.ends_at.is_none()
            && self.location.is_none()
            && self.address.is_none()
        {
            v.error(
                "starts_at",
                "name at least one of starts_at, ends_at, location, address",
            );
        }
        let starts_at = self
            .starts_at
            .map_or(current.starts_at, |t| t.with_timezone(&Utc));
        let ends_at = self
            .ends_at
            .map_or(current.ends_at, |t| t.with_timezone(&Utc));
        check_window(&mut v, starts_at, ends_at, now);
        if starts_at <= now {
            v.error("starts_at", "must be in the future");
        }
        if starts_at.with_timezone(&tz).date_naive()
            != current.starts_at.with_timezone(&tz).date_naive()
        {
            v.error(
                "starts_at",
                "must stay on the shift's day; to move it to another day, cancel it and post a new one",
            );
        }
        let location = match self.location {
            Some(at) => v.check(Coordinates::parse(at.lat, at.lon, "location")),
            None => Some(current.location),
        };
        let address = match self.address {
            Some(a) => v.check(crate::text::single_line(&a, "address", 200).and_then(|a| {
                if a.is_empty() {
                    Err(DomainError::invalid("address", "must not be empty"))
                } else {
                    Ok(a)
                }
            })),
            None => Some(current.address.clone()),
        };
        let change = location
            .zip(address)
            .map(|(location, address)| ShiftChange {
                starts_at,
                ends_at,
                location,
                address,
            });
        v.finish_with(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(body: serde_json::Value) -> ShiftInput {
        serde_json::from_value(body).unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2027-06-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn accepts_a_valid_shift_in_local_time() {
        let shift = input(json!({
            "title": "上午班", "starts_at": "2027-07-05T08:30:00+08:00", "ends_at": "2027-07-05T11:30:00+08:00",
            "capacity": 6, "required_skills": ["childcare"], "preferred_skills": ["first_aid", "childcare"],
            "min_age": 16, "minors_per_adult": 4
        }))
        .validate(now())
        .unwrap();
        assert_eq!(
            shift.starts_at,
            "2027-07-05T00:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(shift.required_skills, [Skill::Childcare]);
        assert_eq!(shift.preferred_skills, [Skill::FirstAid]);
    }

    #[test]
    fn names_every_invalid_field() {
        let err = input(json!({
            "title": " ", "starts_at": "2027-07-05T12:00:00+08:00", "ends_at": "2027-07-05T08:00:00+08:00",
            "capacity": 0, "required_skills": ["juggling"], "min_age": 30, "max_age": 20
        }))
        .validate(now())
        .unwrap_err();
        let DomainError::Invalid(fields) = err else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            [
                "title",
                "ends_at",
                "capacity",
                "required_skills[0]",
                "max_age"
            ]
        );
    }

    #[test]
    fn rejects_shifts_in_the_past_or_too_long() {
        let past = input(
            json!({"title": "t", "starts_at": "2027-05-01T08:00:00Z", "ends_at": "2027-05-01T09:00:00Z", "capacity": 1}),
        );
        assert!(past.validate(now()).is_err());
        let long = input(
            json!({"title": "t", "starts_at": "2027-07-01T08:00:00Z", "ends_at": "2027-07-02T09:00:00Z", "capacity": 1}),
        );
        assert!(long.validate(now()).is_err());
    }
}
