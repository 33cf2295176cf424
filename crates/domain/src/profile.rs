//! A volunteer's profile and the age rules that protect minors.

use crate::catalogue::Skill;
use crate::error::{DomainError, Validator};
use crate::identity::{Email, IdNumber, parse_name};
use crate::location::Coordinates;
use crate::text::plausible_date;
use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uuid::Uuid;

/// Age thresholds that differ by place; the defaults follow the national rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgePolicy {
    /// Below this age nobody may register as a volunteer (some districts refuse under 6).
    pub minimum_age: u32,
    /// From this age a volunteer acts without a guardian (18).
    pub adult_age: u32,
    /// Below this age personal information is sensitive (PIPL art. 28-31: 14): the profile
    /// needs a guardian's consent before it is created at all.
    pub sensitive_under: u32,
}

impl Default for AgePolicy {
    fn default() -> Self {
        Self {
            minimum_age: 6,
            adult_age: 18,
            sensitive_under: 14,
        }
    }
}

/// Age in whole years on `day`.
pub fn age_on(birth_date: NaiveDate, day: NaiveDate) -> u32 {
    let mut age = day.year() - birth_date.year();
    if (day.month(), day.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

/// A skill the volunteer claims, with the certificate's expiry where the skill needs one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkillHolding {
    /// The skill.
    pub skill: Skill,
    /// Expiry of the certificate backing it, if any.
    #[serde(default)]
    pub certificate_expires_on: Option<NaiveDate>,
}

impl SkillHolding {
    /// Whether this holding counts on `day`: certificate-bound skills need an unexpired certificate.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        if !self.skill.requires_certificate() {
            return true;
        }
        self.certificate_expires_on
            .is_some_and(|expires| expires >= day)
    }
}

/// A weekly window when the volunteer is usually free, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AvailabilitySlot {
    /// ISO weekday, 1 = Monday .. 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: u8,
    /// Start of the window.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, pattern = "^[0-9]{2}:[0-9]{2}$", example = "08:00")]
    pub start: NaiveTime,
    /// End of the window, after `start`.
    #[serde(with = "hh_mm")]
    #[schema(value_type = String, pattern = "^[0-9]{2}:[0-9]{2}$", example = "12:00")]
    pub end: NaiveTime,
}

/// The guardian of a minor volunteer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Guardian {
    /// Guardian's name.
    pub name: String,
    /// Guardian's e-mail address.
    pub email: String,
    /// Guardian's phone number.
    pub phone: String,
    /// Whether the guardian has consented to the minor volunteering and to the processing of
    /// the minor's personal information.
    pub consent_given: bool,
}

/// The profile as a client sends it (`PUT /api/v1/me/profile`), before validation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Mobile phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Home location.
    pub home: Coordinates,
    /// How far the volunteer will travel, in km.
    pub travel_radius_km: f64,
    /// Skills and certificates.
    #[serde(default)]
    pub skills: Vec<SkillHolding>,
    /// Weekly availability.
    #[serde(default)]
    pub availability: Vec<AvailabilitySlot>,
    /// The school the volunteer links (consent for the school to see their progress).
    #[serde(default)]
    pub school_organization_id: Option<Uuid>,
    /// Student number at that school.
    #[serde(default)]
    pub student_number: Option<String>,
    /// ID-card number; stored only masked and as a keyed hash.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Whether organizers may find this volunteer as a candidate.
    pub discoverable: bool,
    /// Guardian, required for minors.
    #[serde(default)]
    pub guardian: Option<Guardian>,
}

/// A validated profile.
#[derive(Debug, Clone, PartialEq)]
pub struct VolunteerProfile {
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Mobile phone.
    pub phone: Option<String>,
    /// Home location.
    pub home: Coordinates,
    /// Travel radius in km.
    pub travel_radius_km: f64,
    /// Skills, at most one entry per skill.
    pub skills: Vec<SkillHolding>,
    /// Weekly availability.
    pub availability: Vec<AvailabilitySlot>,
    /// Linked school.
    pub school_organization_id: Option<Uuid>,
    /// Student number.
    pub student_number: Option<String>,
    /// ID-card number, if given.
    pub id_number: Option<IdNumber>,
    /// Findable by organizers.
    pub discoverable: bool,
    /// Guardian.
    pub guardian: Option<Guardian>,
}

impl ProfileInput {
    /// Checks every field and the minors' rules as of `today`.
    pub fn validate(
        self,
        today: NaiveDate,
        policy: &AgePolicy,
    ) -> Result<VolunteerProfile, DomainError> {
        let mut v = Validator::new();
        let age = check_birth_date(&mut v, self.birth_date, today, policy);
        if let Some(phone) = &self.phone {
            check_phone(&mut v, phone, "phone");
        }
        v.check(Coordinates::parse(self.home.lat, self.home.lon, "home"));
        if !self.travel_radius_km.is_finite() || !(0.1..=200.0).contains(&self.travel_radius_km) {
            v.error("travel_radius_km", "must be between 0.1 and 200");
        }
        let mut seen = std::collections::HashSet::new();
        for (i, holding) in self.skills.iter().enumerate() {
            if !seen.insert(holding.skill) {
                v.error(format!("skills[{i}].skill"), "is listed twice");
            }
            if let Some(expires) = holding.certificate_expires_on {
                v.check(plausible_date(
                    expires,
                    &format!("skills[{i}].certificate_expires_on"),
                ));
            }
        }
        for (i, slot) in self.availability.iter().enumerate() {
            if !(1..=7).contains(&slot.weekday) {
                v.error(
                    format!("availability[{i}].weekday"),
                    "must be 1 (Monday) to 7 (Sunday)",
                );
            }
            if slot.end <= slot.start {
                v.error(format!("availability[{i}].end"), "must be after start");
            }
        }
        let student_number = self
            .student_number
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| v.check(crate::text::single_line(&s, "student_number", 40)));
        if student_number.is_some() && self.school_organization_id.is_none() {
            v.error(
                "school_organization_id",
                "is required with a student number",
            );
        }
        let id_number = self
            .id_number
            .as_deref()
            .and_then(|raw| v.check(IdNumber::parse(raw)));
        let guardian = check_guardian(&mut v, self.guardian, age, policy);
        let profile = VolunteerProfile {
            birth_date: self.birth_date,
            phone: self.phone.map(|p| p.trim().to_string()),
            home: self.home,
            travel_radius_km: self.travel_radius_km,
            skills: self.skills,
            availability: self.availability,
            school_organization_id: self.school_organization_id,
            student_number,
            id_number,
            discoverable: self.discoverable,
            guardian,
        };
        v.finish().map(|()| profile)
    }
}

/// Checks a birth date as of `today` (not in the future, at least the minimum age, plausible)
/// and returns the age in whole years.
pub fn check_birth_date(
    v: &mut Validator,
    birth_date: NaiveDate,
    today: NaiveDate,
    policy: &AgePolicy,
) -> u32 {
    let age = age_on(birth_date, today);
    if birth_date > today {
        v.error("birth_date", "must be in the past");
    } else if age < policy.minimum_age {
        v.error(
            "birth_date",
            format!(
                "volunteers must be at least {} years old",
                policy.minimum_age
            ),
        );
    } else if age > 120 {
        v.error("birth_date", "is not plausible");
    }
    age
}

/// Checks the guardian a volunteer of `age` names: well-formed contact details; under the
/// sensitive age a recorded consent (PIPL), under the adult age at least a named guardian.
/// Returns the guardian with the e-mail address normalized.
pub fn check_guardian(
    v: &mut Validator,
    guardian: Option<Guardian>,
    age: u32,
    policy: &AgePolicy,
) -> Option<Guardian> {
    let guardian = guardian.map(|g| {
        if let Err(e) = parse_name(&g.name, "guardian.name") {
            v.check::<()>(Err(e));
        }
        if let Err(DomainError::Invalid(_)) = Email::parse(&g.email) {
            v.error("guardian.email", "must be an e-mail address");
        }
        check_phone(v, &g.phone, "guardian.phone");
        Guardian {
            email: g.email.trim().to_lowercase(),
            ..g
        }
    });
    if age < policy.sensitive_under {
        // PIPL: a child's profile may only be created with the guardian's consent.
        if !guardian.as_ref().is_some_and(|g| g.consent_given) {
            v.error(
                "guardian.consent_given",
                format!(
                    "volunteers under {} need a guardian's consent to register",
                    policy.sensitive_under
                ),
            );
        }
    } else if age < policy.adult_age && guardian.is_none() {
        v.error(
            "guardian",
            format!("volunteers under {} must name a guardian", policy.adult_age),
        );
    }
    guardian
}

/// A phone number: an optional leading `+`, then 5 to 20 digits, with spaces or hyphens
/// between them if the volunteer likes.
fn check_phone(v: &mut Validator, phone: &str, field: &str) {
    let phone = phone.trim();
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    let ok = (5..=20).contains(&digits)
        && rest.len() <= 30
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == ' ');
    if !ok {
        v.error(field, "must be a phone number of 5 to 20 digits");
    }
}

impl VolunteerProfile {
    /// Whether a guardian has recorded consent.
    pub fn guardian_consented(&self) -> bool {
        self.guardian.as_ref().is_some_and(|g| g.consent_given)
    }
}

/// Parses a catalogue name, naming `field` on failure.
pub fn parse_skill(raw: &str, field: &str) -> Result<Skill, DomainError> {
    Skill::from_str(raw).map_err(|_| DomainError::invalid(field, format!("unknown skill '{raw}'")))
}

mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        NaiveTime::parse_from_str(&raw, "%H:%M")
            .map_err(|_| serde::de::Error::custom("expected a time as HH:MM"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input(birth: &str) -> ProfileInput {
        serde_json::from_value(serde_json::json!({
            "birth_date": birth, "home": {"lat": 31.24, "lon": 121.4}, "travel_radius_km": 5.0,
            "discoverable": true,
            "availability": [{"weekday": 6, "start": "08:00", "end": "12:00"}]
        }))
        .unwrap()
    }

    #[test]
    fn age_counts_completed_years() {
        assert_eq!(age_on(day("2010-07-15"), day("2024-07-14")), 13);
        assert_eq!(age_on(day("2010-07-15"), day("2024-07-15")), 14);
        assert_eq!(age_on(day("2008-02-29"), day("2026-02-28")), 17);
    }

    #[test]
    fn adults_need_no_guardian() {
        let p = input("2000-01-01")
            .validate(day("2026-11-26"), &AgePolicy::default())
            .unwrap();
        assert_eq!(
            p.availability[0].start,
            NaiveTime::from_hms_opt(8, 0, 0).unwrap()
        );
    }

    #[test]
    fn minors_must_name_a_guardian_and_children_need_consent() {
        let today = day("2026-11-26");
        let err = input("2010-01-01")
            .validate(today, &AgePolicy::default())
            .unwrap_err();
        assert!(matches!(err, DomainError::Invalid(ref f) if f[0].field == "guardian"));

        let mut child = input("2015-01-01");
        child.guardian = Some(Guardian {
            name: "王芳".into(),
            email: "wang@example.com".into(),
            phone: "13800000000".into(),
            consent_given: false,
        });
        let err = child
            .clone()
            .validate(today, &AgePolicy::default())
            .unwrap_err();
        assert!(
            matches!(err, DomainError::Invalid(ref f) if f[0].field == "guardian.consent_given")
        );
        child.guardian.as_mut().unwrap().consent_given = true;
        assert!(child.validate(today, &AgePolicy::default()).is_ok());

        let err = input("2023-01-01")
            .validate(today, &AgePolicy::default())
            .unwrap_err();
        assert!(matches!(err, DomainError::Invalid(ref f) if f[0].field == "birth_date"));
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let mut p = input("2000-01-01");
        p.travel_radius_km = -1.0;
        p.home = Coordinates {
            lat: 99.0,
            lon: 0.0,
        };
        p.availability[0].end = NaiveTime::from_hms_opt(7, 0, 0).unwrap();
        let DomainError::Invalid(fields) = p
            .validate(day("2026-11-26"), &AgePolicy::default())
            .unwrap_err()
        else {
            panic!()
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            ["home.lat", "travel_radius_km", "availability[0].end"]
        );
    }

    #[test]
    fn certificate_skills_count_only_until_expiry() {
        let lifeguard = SkillHolding {
            skill: Skill::Lifeguard,
            certificate_expires_on: Some(day("2027-06-30")),
        };
        assert!(lifeguard.valid_on(day("2027-06-30")));
        assert!(!lifeguard.valid_on(day("2027-07-01")));
        let uncertified = SkillHolding {
            skill: Skill::FirstAid,
            certificate_expires_on: None,
        };
        assert!(!uncertified.valid_on(day("2020-01-01")));
        let swimming = SkillHolding {
            skill: Skill::Swimming,
            certificate_expires_on: None,
        };
        assert!(swimming.valid_on(day("2027-07-01")));
    }
}
