//! Whether a volunteer may take a shift: the one place these rules live.
//!
//! Signups and matching both call [`assess`]. Its answer has two parts:
//! - `rules`: hard rules nobody may bypass (age limits, guardian consent, required skills
//!   with valid certificates). A signup is refused while any is broken.
//! - `preferences`: the volunteer's own limits (travel radius, weekly availability).
//!   Matching never proposes a shift that misses them, but a volunteer who picks such a
//!   shift by hand has decided for themselves, so a signup does not refuse it.

use crate::catalogue::SkillList;
use crate::error::{Ineligibility, MessageParams};
use crate::location::{Coordinates, round_km};
use crate::profile::{AgePolicy, VolunteerProfile, age_on};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use std::ops::ControlFlow;

/// What eligibility needs to know about a shift.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftFacts {
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// Where the volunteer must be.
    pub location: Coordinates,
    /// Skills every volunteer must hold, validly, on the shift's date.
    pub required_skills: SkillList,
    /// Minimum age on the shift's date.
    pub min_age: Option<u32>,
    /// Maximum age on the shift's date.
    pub max_age: Option<u32>,
}

impl ShiftFacts {
    /// The shift's calendar date where it takes place.
    pub fn local_date(&self, tz: Tz) -> NaiveDate {
        self.starts_at.with_timezone(&tz).date_naive()
    }
}

/// The outcome of [`assess`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    /// Broken hard rules: any one refuses a signup.
    pub rules: Vec<Ineligibility>,
    /// Missed personal limits: matching filters on these, signups do not.
    pub preferences: Vec<Ineligibility>,
}

impl Assessment {
    /// No hard rule is broken.
    pub fn may_sign_up(&self) -> bool {
        self.rules.is_empty()
    }

    /// Neither rules nor preferences stand in the way: matching may propose the shift.
    pub fn may_be_proposed(&self) -> bool {
        self.rules.is_empty() && self.preferences.is_empty()
    }
}

/// The shift's window on the local calendar: computed once per shift, since ages and
/// availability are judged on it and time-zone conversion is the costly part of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalWindow {
    /// Local date of the start.
    pub date: NaiveDate,
    /// ISO weekday of the start, 1 = Monday.
    pub weekday: u8,
    /// Local start time.
    pub start: NaiveTime,
    /// Local end time.
    pub end: NaiveTime,
    /// Whether the shift ends on the day it starts.
    pub same_day: bool,
}

impl LocalWindow {
    /// The window of `shift` in `tz`.
    pub fn of(shift: &ShiftFacts, tz: Tz) -> Self {
        let start = shift.starts_at.with_timezone(&tz);
        let end = shift.ends_at.with_timezone(&tz);
        Self {
            date: start.date_naive(),
            weekday: start.weekday().number_from_monday() as u8,
            start: start.time(),
            end: end.time(),
            same_day: start.date_naive() == end.date_naive(),
        }
    }
}

/// Checks a volunteer's profile against a shift. `tz` is where the shift happens: ages and
/// availability are judged on its local calendar.
pub fn assess(
    profile: &VolunteerProfile,
    shift: &ShiftFacts,
    policy: &AgePolicy,
    tz: Tz,
) -> Assessment {
    let mut assessment = Assessment::default();
    // This collector never stops the check, so its outcome says nothing more.
    let _ = check(
        profile,
        shift,
        &LocalWindow::of(shift, tz),
        profile.home.distance_km(&shift.location),
        policy,
        &mut |broken| {
            let (detail, params) = (broken.detail)();
            let found = Ineligibility {
                code: broken.code,
                detail,
                params,
            };
            match broken.kind {
                Kind::Rule => assessment.rules.push(found),
                Kind::Preference => assessment.preferences.push(found),
            }
            ControlFlow::Continue(())
        },
    );
    assessment
}

/// Whether matching may propose the shift: the same checks as [`assess`], stopping at the
/// first obstacle and writing no explanation (matching asks this for thousands of shifts,
/// and knows each one's distance from its index).
pub fn may_be_proposed(
    profile: &VolunteerProfile,
    shift: &ShiftFacts,
    local: &LocalWindow,
    distance_km: f64,
    policy: &AgePolicy,
) -> bool {
    check(profile, shift, local, distance_km, policy, &mut |_| {
        ControlFlow::Break(())
    })
    .is_continue()
}

/// Whether an obstacle is a hard rule or the volunteer's own limit.
#[derive(Clone, Copy)]
enum Kind {
    Rule,
    Preference,
}

/// An obstacle's explanation: the English detail and the values it is made of.
type Explained = (String, MessageParams);

/// One obstacle found; the explanation is written only if asked for.
struct Broken<'a> {
    kind: Kind,
    code: &'static str,
    detail: &'a dyn Fn() -> Explained,
}

fn params<const N: usize>(pairs: [(&'static str, String); N]) -> MessageParams {
    pairs.into_iter().collect()
}

impl<'a> Broken<'a> {
    fn rule(code: &'static str, detail: &'a dyn Fn() -> Explained) -> Self {
        Self {
            kind: Kind::Rule,
            code,
            detail,
        }
    }
}

/// The rules, once: every obstacle goes to `found`, which may stop the check.
fn check(
    profile: &VolunteerProfile,
    shift: &ShiftFacts,
    local: &LocalWindow,
    distance: f64,
    policy: &AgePolicy,
    found: &mut dyn FnMut(Broken) -> ControlFlow<()>,
) -> ControlFlow<()> {
    // The volunteer's own limits first: they are the cheapest to check and rule out most
    // shifts, which matters when matching asks about thousands.
    if distance > profile.travel_radius_km {
        found(Broken {
            kind: Kind::Preference,
            code: "outside_travel_radius",
            detail: &|| {
                let (km, radius) = (round_km(distance), profile.travel_radius_km);
                (
                    format!("{km} km away, beyond your {radius} km"),
                    params([("km", km.to_string()), ("radius", radius.to_string())]),
                )
            },
        })?;
    }
    if !availability_covers(profile, local) {
        found(Broken {
            kind: Kind::Preference,
            code: "not_available",
            detail: &|| {
                (
                    "outside your weekly availability".to_string(),
                    MessageParams::new(),
                )
            },
        })?;
    }
    let date = local.date;
    let age = age_on(profile.birth_date, date);
    if let Some(min) = shift.min_age
        && age < min
    {
        found(Broken::rule("too_young", &|| {
            (
                format!("this shift needs volunteers aged {min} or over; you will be {age}"),
                params([("min", min.to_string()), ("age", age.to_string())]),
            )
        }))?;
    }
    if let Some(max) = shift.max_age
        && age > max
    {
        found(Broken::rule("too_old", &|| {
            (
                format!("this shift is for volunteers aged {max} or under; you will be {age}"),
                params([("max", max.to_string()), ("age", age.to_string())]),
            )
        }))?;
    }
    if age < policy.minimum_age {
        found(Broken::rule("below_minimum_age", &|| {
            let min = policy.minimum_age;
            (
                format!("volunteers must be at least {min}"),
                params([("min", min.to_string())]),
            )
        }))?;
    }
    if age < policy.adult_age && !profile.guardian_consented() {
        found(Broken::rule("guardian_consent_missing", &|| {
            let adult = policy.adult_age;
            (
                format!("volunteers under {adult} need a guardian's recorded consent"),
                params([("adult_age", adult.to_string())]),
            )
        }))?;
    }
    for skill in &shift.required_skills {
        match profile.skills.iter().find(|h| h.skill == *skill) {
            None => found(Broken::rule("missing_skill", &|| {
                (
                    format!("requires {}", skill.as_str()),
                    params([("skills", skill.as_str().to_string())]),
                )
            }))?,
            Some(h) if !h.valid_on(date) => found(Broken::rule("certificate_expired", &|| {
                (
                    format!("requires a {} certificate valid on {date}", skill.as_str()),
                    params([
                        ("skills", skill.as_str().to_string()),
                        ("date", date.to_string()),
                    ]),
                )
            }))?,
            Some(_) => {}
        }
    }

    ControlFlow::Continue(())
}

/// An empty availability means "not stated", which covers everything; otherwise one slot on
/// the shift's local weekday must contain the whole shift.
fn availability_covers(profile: &VolunteerProfile, local: &LocalWindow) -> bool {
    if profile.availability.is_empty() {
        return true;
    }
    local.same_day
        && profile.availability.iter().any(|slot| {
            slot.weekday == local.weekday && slot.start <= local.start && local.end <= slot.end
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Skill;
    use crate::profile::{AvailabilitySlot, Guardian, SkillHolding};
    use chrono::NaiveTime;

    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

    fn profile(birth: &str) -> VolunteerProfile {
        VolunteerProfile {
            birth_date: birth.parse().unwrap(),
            phone: None,
            home: Coordinates {
                lat: 31.24,
                lon: 121.40,
            },
            travel_radius_km: 5.0,
            skills: vec![],
            availability: vec![],
            school_organization_id: None,
            student_number: None,
            id_number: None,
            discoverable: true,
            guardian: None,
        }
    }

    fn shift() -> ShiftFacts {
        ShiftFacts {
            // 08:30-11:30 in Shanghai on Monday 2027-07-05.
            starts_at: "2027-07-05T00:30:00Z".parse().unwrap(),
            ends_at: "2027-07-05T03:30:00Z".parse().unwrap(),
            location: Coordinates {
                lat: 31.25,
                lon: 121.41,
            },
            required_skills: SkillList::new(),
            min_age: None,
            max_age: None,
        }
    }

    fn codes(list: &[Ineligibility]) -> Vec<&str> {
        list.iter().map(|r| r.code).collect()
    }

    #[test]
    fn an_adult_with_no_limits_may_take_an_open_shift() {
        let a = assess(
            &profile("2000-01-01"),
            &shift(),
            &AgePolicy::default(),
            SHANGHAI,
        );
        assert!(a.may_be_proposed(), "{a:?}");
    }

    #[test]
    fn age_is_judged_on_the_shifts_local_date() {
        // Turns 16 on 2027-07-05; the shift starts 00:30 UTC, which is already the 5th in Shanghai.
        let mut p = profile("2011-07-05");
        p.guardian = Some(Guardian {
            name: "王芳".into(),
            email: "w@x.cn".into(),
            phone: "13800000000".into(),
            consent_given: true,
        });
        let mut s = shift();
        s.min_age = Some(16);
        assert!(assess(&p, &s, &AgePolicy::default(), SHANGHAI).may_sign_up());
        p.birth_date = "2011-07-06".parse().unwrap();
        assert_eq!(
            codes(&assess(&p, &s, &AgePolicy::default(), SHANGHAI).rules),
            ["too_young"]
        );
        s.min_age = None;
        s.max_age = Some(14);
        assert_eq!(
            codes(&assess(&p, &s, &AgePolicy::default(), SHANGHAI).rules),
            ["too_old"]
        );
    }

    #[test]
    fn minors_need_recorded_guardian_consent() {
        let mut p = profile("2010-01-01");
        assert_eq!(
            codes(&assess(&p, &shift(), &AgePolicy::default(), SHANGHAI).rules),
            ["guardian_consent_missing"]
        );
        p.guardian = Some(Guardian {
            name: "李强".into(),
            email: "l@x.cn".into(),
            phone: "13800000000".into(),
            consent_given: false,
        });
        assert_eq!(
            codes(&assess(&p, &shift(), &AgePolicy::default(), SHANGHAI).rules),
            ["guardian_consent_missing"]
        );
        p.guardian.as_mut().unwrap().consent_given = true;
        assert!(assess(&p, &shift(), &AgePolicy::default(), SHANGHAI).may_sign_up());
    }

    #[test]
    fn required_skills_need_valid_certificates_on_the_day() {
        let mut s = shift();
        s.required_skills = SkillList::from_slice(&[Skill::Lifeguard, Skill::Swimming]);
        let mut p = profile("2000-01-01");
        assert_eq!(
            codes(&assess(&p, &s, &AgePolicy::default(), SHANGHAI).rules),
            ["missing_skill", "missing_skill"]
        );
        p.skills = vec![
            SkillHolding {
                skill: Skill::Lifeguard,
                certificate_expires_on: Some("2027-07-04".parse().unwrap()),
            },
            SkillHolding {
                skill: Skill::Swimming,
                certificate_expires_on: None,
            },
        ];
        assert_eq!(
            codes(&assess(&p, &s, &AgePolicy::default(), SHANGHAI).rules),
            ["certificate_expired"]
        );
        p.skills[0].certificate_expires_on = Some("2027-07-05".parse().unwrap());
        assert!(assess(&p, &s, &AgePolicy::default(), SHANGHAI).may_sign_up());
    }

    #[test]
    fn the_quick_answer_agrees_with_the_full_assessment() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..2000 {
            let mut p = profile(&format!("{}-06-15", rng.gen_range(2005..2022)));
            p.travel_radius_km = rng.gen_range(0.5..3.0);
            if rng.gen_bool(0.5) {
                p.guardian = Some(Guardian {
                    name: "王芳".into(),
                    email: "w@x.cn".into(),
                    phone: "13800000000".into(),
                    consent_given: rng.gen_bool(0.7),
                });
            }
            if rng.gen_bool(0.5) {
                p.skills.push(SkillHolding {
                    skill: Skill::Lifeguard,
                    certificate_expires_on: Some(
                        NaiveDate::from_ymd_opt(2027, rng.gen_range(1..=12), 1).unwrap(),
                    ),
                });
            }
            if rng.gen_bool(0.5) {
                p.availability.push(AvailabilitySlot {
                    weekday: rng.gen_range(1..=7),
                    start: NaiveTime::from_hms_opt(rng.gen_range(6..10), 0, 0).unwrap(),
                    end: NaiveTime::from_hms_opt(rng.gen_range(10..14), 0, 0).unwrap(),
                });
            }
            let mut s = shift();
            s.min_age = rng.gen_bool(0.5).then(|| rng.gen_range(10..20));
            s.max_age = rng.gen_bool(0.2).then(|| rng.gen_range(15..30));
            if rng.gen_bool(0.3) {
                s.required_skills.push(Skill::Lifeguard);
            }
            let full = assess(&p, &s, &AgePolicy::default(), SHANGHAI);
            let local = LocalWindow::of(&s, SHANGHAI);
            assert_eq!(
                may_be_proposed(
                    &p,
                    &s,
                    &local,
                    p.home.distance_km(&s.location),
                    &AgePolicy::default()
                ),
                full.may_be_proposed(),
                "{p:?} {s:?} {full:?}"
            );
        }
    }

    #[test]
    fn radius_and_availability_are_preferences_not_rules() {
        let mut p = profile("2000-01-01");
        p.travel_radius_km = 0.5;
        p.availability = vec![AvailabilitySlot {
            weekday: 1,
            start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        }];
        let a = assess(&p, &shift(), &AgePolicy::default(), SHANGHAI);
        assert!(a.may_sign_up());
        assert!(!a.may_be_proposed());
        assert_eq!(
            codes(&a.preferences),
            ["outside_travel_radius", "not_available"]
        );
        p.travel_radius_km = 5.0;
        p.availability[0].start = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
        assert!(assess(&p, &shift(), &AgePolicy::default(), SHANGHAI).may_be_proposed());
    }
}
