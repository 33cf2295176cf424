//! Properties of the generated district as a whole: determinism, shape, validity, and the
//! rules every signup keeps.

use super::history::Window;
use super::*;
use crate::catalogue::Skill;
use crate::eligibility::assess;
use crate::identity::Email;
use crate::profile::{AgePolicy, ProfileInput, age_on};
use crate::roster::overlaps;
use crate::service_time::service_minutes;
use std::collections::{HashMap, HashSet};

fn today() -> NaiveDate {
    "2027-05-17".parse().unwrap()
}

fn district() -> DemoDistrict {
    generate(2027, today(), DEFAULT_VOLUNTEER_COUNT)
}

fn holds_seat(d: &DemoDistrict) -> impl Iterator<Item = &DemoSignup> {
    d.signups.iter().filter(|s| s.status.holds_seat())
}

#[test]
fn same_seed_same_district_other_seed_other_district() {
    let a = format!("{:?}", district());
    assert_eq!(a, format!("{:?}", district()));
    assert_ne!(
        a,
        format!("{:?}", generate(2028, today(), DEFAULT_VOLUNTEER_COUNT))
    );
}

#[test]
fn has_the_promised_shape() {
    let d = district();
    assert_eq!(d.organizations.len(), 4);
    assert_eq!(d.volunteers.len(), DEFAULT_VOLUNTEER_COUNT);
    assert_eq!(generate(1, today(), 17).volunteers.len(), 17);
    assert_eq!(d.volunteers[DEMO_VOLUNTEER].email, DEMO_VOLUNTEER_EMAIL);
    let emails: Vec<&str> = d.staff.iter().map(|s| s.email.as_str()).collect();
    assert_eq!(
        emails,
        [DEMO_ORGANIZER_EMAIL, DEMO_CENTRE_EMAIL, DEMO_VERIFIER_EMAIL]
    );
    assert_eq!(d.events.len(), 3);
    assert_eq!(d.events[EVENT_CHILDCARE].input.title, "2027暑期爱心暑托班");
    let sites: HashSet<_> = d.events[EVENT_CHILDCARE]
        .shifts
        .iter()
        .map(|s| s.address.clone())
        .collect();
    assert_eq!(sites.len(), 12);
    assert_eq!(d.events[EVENT_CHILDCARE].shifts.len(), 12 * 20);
    assert_eq!(d.events[EVENT_DROWNING].shifts.len() % 8, 0);
    assert_eq!(d.events[EVENT_TRAFFIC].shifts.len(), 50 * 2 * 10);
    let required: HashSet<_> = d.events[EVENT_DROWNING]
        .shifts
        .iter()
        .map(|s| s.required_skills.clone())
        .collect();
    assert_eq!(
        required,
        HashSet::from([vec![Skill::Lifeguard], vec![Skill::Swimming]])
    );
    // Summer after today: July of the same year before July, next year's from July on.
    assert_eq!(
        generate(1, "2027-07-01".parse().unwrap(), 5).events[0]
            .input
            .title,
        "2028暑期爱心暑托班"
    );
    let childcare_start = d.events[EVENT_CHILDCARE].shifts[0].starts_at;
    assert_eq!(
        childcare_start,
        "2027-07-05T00:30:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert!(d.signups.iter().any(|s| s.event == EVENT_DROWNING));
    assert!(d.signups.iter().any(|s| s.event == EVENT_CHILDCARE));
}

#[test]
fn every_input_passes_the_apis_validation() {
    let d = district();
    let now = local(today(), 12, 0);
    let mut emails = HashSet::new();
    for v in &d.volunteers {
        assert!(emails.insert(Email::parse(&v.email).unwrap().as_str().to_string()));
        let p = v.profile.clone();
        let input = ProfileInput {
            birth_date: p.birth_date,
            phone: p.phone,
            home: p.home,
            travel_radius_km: p.travel_radius_km,
            skills: p.skills,
            availability: p.availability,
            school_organization_id: p.school_organization_id,
            student_number: p.student_number,
            id_number: None,
            discoverable: p.discoverable,
            guardian: p.guardian,
        };
        let valid = input.validate(today(), &AgePolicy::default()).unwrap();
        assert_eq!(valid, v.profile);
        let age = age_on(v.profile.birth_date, today());
        assert!((14..=24).contains(&age), "{age}");
        assert!(v.profile.home.distance_km(&CENTRE) < 6.5);
    }
    for e in &d.events {
        e.input.clone().validate().unwrap();
        assert_eq!(e.input.organization_id, d.organizations[e.organization].id);
        for s in &e.shifts {
            assert!(
                s.starts_at < s.ends_at
                    && s.capacity >= 1
                    && s.location.is_some()
                    && s.address.is_some()
            );
            if s.ends_at > now {
                // Upcoming shifts would also be accepted from an organizer.
                assert!(s.capacity <= crate::shift::MAX_CAPACITY);
            }
        }
    }
    let linked = d
        .volunteers
        .iter()
        .filter(|v| v.profile.school_organization_id.is_some())
        .count();
    assert!((90..=180).contains(&linked), "{linked}");
}

#[test]
fn minors_always_have_consenting_guardians() {
    let d = district();
    let policy = AgePolicy::default();
    let minors = d
        .volunteers
        .iter()
        .filter(|v| age_on(v.profile.birth_date, today()) < policy.adult_age);
    let mut n = 0;
    for v in minors {
        n += 1;
        assert!(v.profile.guardian_consented(), "{}", v.email);
    }
    assert!(n > 50);
}

#[test]
fn shifts_are_never_overbooked_and_the_ratio_holds() {
    let d = district();
    let mut taken: HashMap<(usize, usize), (u32, u32)> = HashMap::new();
    for s in holds_seat(&d) {
        let date = d
            .shift_of(s)
            .starts_at
            .with_timezone(&TIMEZONE)
            .date_naive();
        let minor = age_on(d.volunteers[s.volunteer].profile.birth_date, date) < 18;
        let entry = taken.entry((s.event, s.shift)).or_default();
        if minor {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    for ((event, shift), (adults, minors)) in taken {
        let new = &d.events[event].shifts[shift];
        assert!(adults + minors <= new.capacity);
        if let Some(ratio) = new.minors_per_adult {
            assert!(minors <= ratio * adults, "{adults} adults, {minors} minors");
        }
    }
}

#[test]
fn nobody_holds_two_overlapping_seats() {
    let d = district();
    let mut windows: HashMap<usize, Vec<Window>> = HashMap::new();
    for s in holds_seat(&d) {
        let shift = d.shift_of(s);
        windows
            .entry(s.volunteer)
            .or_default()
            .push((shift.starts_at, shift.ends_at));
    }
    for list in windows.values() {
        for (i, a) in list.iter().enumerate() {
            for b in &list[i + 1..] {
                assert!(!overlaps(*a, *b), "{a:?} {b:?}");
            }
        }
    }
}

#[test]
fn every_seat_keeps_the_hard_rules_and_history_is_past() {
    let d = district();
    let policy = AgePolicy::default();
    for s in holds_seat(&d) {
        let profile = &d.volunteers[s.volunteer].profile;
        let a = assess(profile, &d.facts(s.event, s.shift), &policy, TIMEZONE);
        assert!(a.may_sign_up(), "{:?}", a.rules);
        let shift = d.shift_of(s);
        let date = shift.starts_at.with_timezone(&TIMEZONE).date_naive();
        assert!(s.created_at < shift.starts_at && s.created_at < local(today(), 0, 0));
        match s.status {
            SignupStatus::Confirmed => {
                assert!(date > today());
                assert!(s.checked_in_at.is_none() && s.checked_out_at.is_none());
            }
            SignupStatus::CheckedOut | SignupStatus::Verified => {
                assert_eq!(s.event, EVENT_TRAFFIC);
                assert!(date < today());
                let (i, o) = (s.checked_in_at.unwrap(), s.checked_out_at.unwrap());
                assert!(shift.starts_at <= i && i < o && o <= shift.ends_at);
                assert!(
                    service_minutes(
                        i,
                        o,
                        (shift.starts_at, shift.ends_at),
                        Duration::minutes(15)
                    ) > 60
                );
            }
            other => panic!("unexpected status {other:?}"),
        }
    }
    assert_eq!(holds_seat(&d).count(), d.signups.len());
}

#[test]
fn the_demo_volunteer_has_verified_history_and_plans() {
    let d = district();
    let mine: Vec<_> = d
        .signups
        .iter()
        .filter(|s| s.volunteer == DEMO_VOLUNTEER)
        .collect();
    let verified = mine
        .iter()
        .filter(|s| s.status == SignupStatus::Verified)
        .count();
    assert!(verified >= 3, "{verified}");
    assert!(
        mine.iter()
            .any(|s| s.status == SignupStatus::Confirmed && s.event == EVENT_CHILDCARE)
    );
    let p = &d.volunteers[DEMO_VOLUNTEER].profile;
    assert_eq!(age_on(p.birth_date, today()), 19);
    assert!(
        p.skills
            .iter()
            .any(|h| h.skill == Skill::FirstAid && h.valid_on(today() + Duration::days(700)))
    );
    let site = d.events[EVENT_CHILDCARE].shifts[0].location.unwrap();
    assert!(p.home.distance_km(&site) < 3.0);
}

#[test]
fn scales_to_benchmark_sizes() {
    let d = generate(7, today(), 10_000);
    assert_eq!(d.volunteers.len(), 10_000);
    assert!(d.shift_count() > 1_000);
    assert!(d.signups.len() > 1_000);
}
