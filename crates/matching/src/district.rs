//! Generated instances for benchmarks and the match-quality report. Volunteers come from the
//! demo district's generator (`hourbook_domain::demo::generate`: ages, guardians, skills with
//! certificate dates, weekly availability, travel radii), so every instance is reproducible
//! from its seed.

use crate::model::{MatchContext, OpenShift, Volunteer};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use hourbook_domain::Coordinates;
use hourbook_domain::demo::{self, CENTRE, TIMEZONE};
use hourbook_domain::eligibility::ShiftFacts;
use hourbook_domain::profile::AgePolicy;
use hourbook_domain::{Skill, SkillList};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// Volunteers, open shifts and the moment they are matched at.
#[derive(Debug, Clone)]
pub struct Instance {
    /// The pool, in registration order (first come, first served follows it).
    pub volunteers: Vec<Volunteer>,
    /// Open shifts, nobody on them yet.
    pub shifts: Vec<OpenShift>,
    /// Matching context at the instance's "now".
    pub ctx: MatchContext,
}

/// The first day of the generated calendar (a Monday before the summer holidays).
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 6, 7).unwrap_or_default()
}

fn context() -> MatchContext {
    let now = TIMEZONE
        .from_local_datetime(&today().and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    MatchContext::new(now, TIMEZONE, AgePolicy::default())
}

/// `count` volunteers of the demo generator with `seed`, with no hours or commitments yet
/// (`served_minutes` drawn so fairness has something to weigh).
pub fn volunteers(seed: u64, count: usize) -> Vec<Volunteer> {
    let district = demo::generate(seed, today(), count);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    district
        .volunteers
        .into_iter()
        .enumerate()
        .map(|(i, v)| Volunteer {
            id: Uuid::from_u128(0x7600_0000_0000_0000 + i as u128),
            profile: v.profile,
            served_minutes: rng.gen_range(0..60) * 30,
            goal: None,
            busy: Vec::new(),
            engaged: Vec::new(),
        })
        .collect()
}

/// The demo district's event `event` (see `demo::EVENT_*`) with every demo volunteer, as if
/// nobody had signed up yet: the match-quality report's instance.
pub fn demo_event(seed: u64, volunteer_count: usize, event: usize) -> Instance {
    let district = demo::generate(seed, today(), volunteer_count);
    let shifts = district.events[event]
        .shifts
        .iter()
        .enumerate()
        .map(|(i, s)| OpenShift {
            id: Uuid::from_u128(0x5100_0000_0000_0000 + i as u128),
            event_id: Uuid::nil(),
            facts: district.facts(event, i),
            preferred_skills: SkillList::from_slice(&s.preferred_skills),
            capacity: s.capacity,
            confirmed: 0,
            confirmed_minors: 0,
            offered: 0,
            minors_per_adult: s.minors_per_adult,
            local: Default::default(),
        })
        .collect();
    Instance {
        volunteers: volunteers(seed, volunteer_count),
        shifts,
        ctx: context(),
    }
}

/// A summer childcare programme: `sites` classrooms within 3 km of the district centre, one
/// morning class (08:30-11:30, 4-6 seats, first aid and childcare preferred, volunteers 14
/// and over, at most four minors per adult) on each of `days` weekdays, for `volunteer_count`
/// demo volunteers.
pub fn summer_childcare(seed: u64, volunteer_count: usize, sites: usize, days: usize) -> Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let places: Vec<Coordinates> = (0..sites).map(|_| scatter(&mut rng, 3.0)).collect();
    let mut shifts = Vec::with_capacity(sites * days);
    let mut date = today();
    for _ in 0..days {
        for place in &places {
            shifts.push(OpenShift {
                id: Uuid::from_u128(0x5100_0000_0000_0000 + shifts.len() as u128),
                event_id: Uuid::nil(),
                facts: ShiftFacts {
                    starts_at: local(date, 8, 30),
                    ends_at: local(date, 11, 30),
                    location: *place,
                    required_skills: SkillList::new(),
                    min_age: Some(14),
                    max_age: None,
                },
                preferred_skills: SkillList::from_slice(&[Skill::FirstAid, Skill::Childcare]),
                capacity: rng.gen_range(4..=6),
                confirmed: 0,
                confirmed_minors: 0,
                offered: 0,
                minors_per_adult: Some(4),
                local: Default::default(),
            });
        }
        date = next_weekday(date);
    }
    Instance {
        volunteers: volunteers(seed, volunteer_count),
        shifts,
        ctx: context(),
    }
}

/// A whole city: `shift_count` shifts scattered over a disc of `radius_km` around the
/// district centre, over the next four weeks (mornings, afternoons, evenings; 2-10 seats;
/// some needing a skill, half preferring one), and `volunteer_count` demo volunteers whose
/// homes are spread over the same disc.
pub fn city(seed: u64, volunteer_count: usize, shift_count: usize, radius_km: f64) -> Instance {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    const SKILLS: [Skill; 5] = [
        Skill::FirstAid,
        Skill::Childcare,
        Skill::Swimming,
        Skill::Tutoring,
        Skill::Photography,
    ];
    const HOURS: [(u32, u32); 4] = [(8, 11), (9, 12), (14, 17), (18, 20)];
    let shifts = (0..shift_count)
        .map(|i| {
            let date = today() + Duration::days(rng.gen_range(1..28));
            let (from, to) = HOURS[rng.gen_range(0..HOURS.len())];
            let mut some_skill = |p| {
                let mut one = SkillList::new();
                if rng.gen_bool(p) {
                    one.push(SKILLS[rng.gen_range(0..SKILLS.len())]);
                }
                one
            };
            let required_skills = some_skill(0.1);
            let preferred_skills = some_skill(0.5);
            OpenShift {
                id: Uuid::from_u128(0x5100_0000_0000_0000 + i as u128),
                event_id: Uuid::nil(),
                facts: ShiftFacts {
                    starts_at: local(date, from, 0),
                    ends_at: local(date, to, 0),
                    location: scatter(&mut rng, radius_km),
                    required_skills,
                    min_age: Some(if rng.gen_bool(0.8) { 14 } else { 18 }),
                    max_age: None,
                },
                preferred_skills,
                capacity: rng.gen_range(2..=10),
                confirmed: 0,
                confirmed_minors: 0,
                offered: 0,
                minors_per_adult: None,
                local: Default::default(),
            }
        })
        .collect();
    let mut volunteers = volunteers(seed, volunteer_count);
    for v in &mut volunteers {
        v.profile.home = scatter(&mut rng, radius_km);
    }
    Instance {
        volunteers,
        shifts,
        ctx: context(),
    }
}

/// A uniformly random point within `radius_km` of the centre.
fn scatter(rng: &mut ChaCha8Rng, radius_km: f64) -> Coordinates {
    let r = radius_km * rng.gen_range(0.0f64..1.0).sqrt();
    let angle = rng.gen_range(0.0..std::f64::consts::TAU);
    let (east, north) = (r * angle.cos(), r * angle.sin());
    Coordinates {
        lat: CENTRE.lat + north / 111.195,
        lon: CENTRE.lon + east / (111.195 * CENTRE.lat.to_radians().cos()),
    }
}

fn local(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN);
    TIMEZONE
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn next_weekday(date: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    let mut next = date + Duration::days(1);
    while next.weekday().number_from_monday() > 5 {
        next += Duration::days(1);
    }
    next
}
