//! The demo district's signups: past service history and upcoming plans, handed out the way
//! live signups would be.

use super::{
    DEMO_VOLUNTEER, DemoEvent, DemoSignup, DemoVolunteer, EVENT_CHILDCARE, EVENT_DROWNING,
    EVENT_TRAFFIC, TIMEZONE, local,
};
use crate::catalogue::{Skill, SkillList};
use crate::eligibility::{ShiftFacts, assess};
use crate::profile::{AgePolicy, age_on};
use crate::roster::{Seats, SignupStatus, WaitReason, Waiting, overlaps};
use crate::shift::NewShift;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

pub(super) fn facts(event: &DemoEvent, shift: &NewShift) -> ShiftFacts {
    ShiftFacts {
        starts_at: shift.starts_at,
        ends_at: shift.ends_at,
        location: shift.location.unwrap_or(event.input.location),
        required_skills: SkillList::from_slice(&shift.required_skills),
        min_age: shift.min_age,
        max_age: shift.max_age,
    }
}

/// A shift's time window.
pub(super) type Window = (DateTime<Utc>, DateTime<Utc>);

/// Hands out seats the way live signups would, keeping every rule.
pub(super) struct Planner<'a> {
    volunteers: &'a [DemoVolunteer],
    events: &'a [DemoEvent],
    today: NaiveDate,
    policy: AgePolicy,
    /// Seat-holding windows per volunteer.
    busy: Vec<Vec<Window>>,
    /// Seats taken per event and shift.
    seats: Vec<Vec<Seats>>,
    signups: Vec<DemoSignup>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(
        volunteers: &'a [DemoVolunteer],
        events: &'a [DemoEvent],
        today: NaiveDate,
    ) -> Self {
        let seats = events
            .iter()
            .map(|e| {
                e.shifts
                    .iter()
                    .map(|s| Seats {
                        capacity: s.capacity,
                        minors_per_adult: s.minors_per_adult,
                        adults: 0,
                        minors: 0,
                    })
                    .collect()
            })
            .collect();
        Self {
            volunteers,
            events,
            today,
            policy: AgePolicy::default(),
            busy: vec![Vec::new(); volunteers.len()],
            seats,
            signups: Vec::new(),
        }
    }

    fn date_of(&self, event: usize, shift: usize) -> NaiveDate {
        self.events[event].shifts[shift]
            .starts_at
            .with_timezone(&TIMEZONE)
            .date_naive()
    }

    /// Gives `volunteer` a seat if every rule allows (and, unless `by_hand`, if the shift also
    /// suits their travel radius and availability, or they pick it anyway now and then).
    fn try_book(
        &mut self,
        rng: &mut ChaCha8Rng,
        volunteer: usize,
        event: usize,
        shift: usize,
        by_hand: bool,
    ) -> bool {
        let new = &self.events[event].shifts[shift];
        let window = (new.starts_at, new.ends_at);
        let profile = &self.volunteers[volunteer].profile;
        let minor = age_on(profile.birth_date, self.date_of(event, shift)) < self.policy.adult_age;
        let waiting = Waiting {
            signup_id: Uuid::nil(),
            minor,
            blocked: self.busy[volunteer]
                .iter()
                .any(|w| overlaps(*w, window))
                .then_some(WaitReason::Overlap),
        };
        let seats = &mut self.seats[event][shift];
        if seats.obstacle(&waiting).is_some() {
            return false;
        }
        let assessment = assess(
            profile,
            &facts(&self.events[event], new),
            &self.policy,
            TIMEZONE,
        );
        if !assessment.may_sign_up()
            || !(by_hand || assessment.may_be_proposed() || rng.gen_bool(0.2))
        {
            return false;
        }
        if minor {
            seats.minors += 1;
        } else {
            seats.adults += 1;
        }
        self.busy[volunteer].push(window);
        let status = if self.date_of(event, shift) < self.today {
            // Records are due within ten working days: the last few days still await
            // verification, and now and then an older one is overdue.
            if self.date_of(event, shift) + Duration::days(4) > self.today || rng.gen_bool(0.05) {
                SignupStatus::CheckedOut
            } else {
                SignupStatus::Verified
            }
        } else {
            SignupStatus::Confirmed
        };
        self.record(rng, volunteer, event, shift, status);
        true
    }

    fn record(
        &mut self,
        rng: &mut ChaCha8Rng,
        volunteer: usize,
        event: usize,
        shift: usize,
        status: SignupStatus,
    ) {
        let new = &self.events[event].shifts[shift];
        let (created_at, checked_in_at, checked_out_at) = if status == SignupStatus::Confirmed {
            let midnight = local(self.today, 0, 0);
            (
                midnight - Duration::minutes(rng.gen_range(60..=5 * 24 * 60)),
                None,
                None,
            )
        } else {
            let created = new.starts_at - Duration::minutes(rng.gen_range(24 * 60..=7 * 24 * 60));
            let checked_in = new.starts_at + Duration::minutes(rng.gen_range(0..=10));
            let checked_out = new.ends_at - Duration::minutes(rng.gen_range(0..=10));
            (created, Some(checked_in), Some(checked_out))
        };
        self.signups.push(DemoSignup {
            volunteer,
            event,
            shift,
            status,
            created_at,
            checked_in_at,
            checked_out_at,
        });
    }

    /// Seats up to `target` volunteers drawn from `pool`, giving up after a bounded number of
    /// tries so that large districts stay fast.
    fn fill(
        &mut self,
        rng: &mut ChaCha8Rng,
        event: usize,
        shift: usize,
        target: u32,
        pool: &[usize],
    ) {
        let mut booked = 0;
        let mut tries = 15 * target + 10;
        while booked < target && tries > 0 {
            tries -= 1;
            let Some(&volunteer) = pool.choose(rng) else {
                return;
            };
            if self.try_book(rng, volunteer, event, shift, false) {
                booked += 1;
            }
        }
    }

    /// The demo volunteer's own history and plans, booked first on empty shifts.
    fn book_demo_volunteer(&mut self, rng: &mut ChaCha8Rng) {
        let home = self.volunteers[DEMO_VOLUNTEER].profile.home;
        let nearest = |event: &DemoEvent, shift: usize| {
            let at = event.shifts[shift].location.unwrap_or(event.input.location);
            (at.distance_m(&home) * 1000.0) as i64
        };
        // Morning traffic shifts at the nearest intersection, 5, 8, 12 and 16 days ago.
        let traffic = &self.events[EVENT_TRAFFIC];
        let mut wanted: Vec<(usize, usize)> = Vec::new();
        for days_ago in [16, 12, 8, 5] {
            let date = self.today - Duration::days(days_ago);
            let best = (0..traffic.shifts.len())
                .filter(|&s| {
                    self.date_of(EVENT_TRAFFIC, s) == date
                        && traffic.shifts[s].title.contains("早高峰")
                })
                .min_by_key(|&s| nearest(traffic, s));
            wanted.extend(best.map(|s| (EVENT_TRAFFIC, s)));
        }
        // An evening traffic shift the day after tomorrow.
        let date = self.today + Duration::days(2);
        let best = (0..traffic.shifts.len())
            .filter(|&s| {
                self.date_of(EVENT_TRAFFIC, s) == date && traffic.shifts[s].title.contains("晚高峰")
            })
            .min_by_key(|&s| nearest(traffic, s));
        wanted.extend(best.map(|s| (EVENT_TRAFFIC, s)));
        // The first two days of childcare class at the nearest site.
        let childcare = &self.events[EVENT_CHILDCARE];
        let mut days: Vec<NaiveDate> = (0..childcare.shifts.len())
            .map(|s| self.date_of(EVENT_CHILDCARE, s))
            .collect();
        days.dedup();
        for date in days.into_iter().take(2) {
            let best = (0..childcare.shifts.len())
                .filter(|&s| self.date_of(EVENT_CHILDCARE, s) == date)
                .min_by_key(|&s| nearest(childcare, s));
            wanted.extend(best.map(|s| (EVENT_CHILDCARE, s)));
        }
        for (event, shift) in wanted {
            self.try_book(rng, DEMO_VOLUNTEER, event, shift, true);
        }
    }

    pub(super) fn plan(mut self, rng: &mut ChaCha8Rng) -> Vec<DemoSignup> {
        self.book_demo_volunteer(rng);
        let everyone: Vec<usize> = (1..self.volunteers.len()).collect();
        let holders = |skill: Skill| -> Vec<usize> {
            everyone
                .iter()
                .copied()
                .filter(|&v| {
                    self.volunteers[v]
                        .profile
                        .skills
                        .iter()
                        .any(|h| h.skill == skill)
                })
                .collect()
        };
        let lifeguards = holders(Skill::Lifeguard);
        let swimmers = holders(Skill::Swimming);

        // Traffic: past shifts mostly full (the history), upcoming ones partly taken.
        for shift in 0..self.events[EVENT_TRAFFIC].shifts.len() {
            let date = self.date_of(EVENT_TRAFFIC, shift);
            let capacity = self.events[EVENT_TRAFFIC].shifts[shift].capacity;
            let target = if date < self.today {
                capacity - rng.gen_range(0..=1).min(capacity - 1)
            } else if date > self.today {
                rng.gen_range(0..=capacity)
            } else {
                0
            };
            self.fill(rng, EVENT_TRAFFIC, shift, target, &everyone);
        }
        // Childcare: the first two weeks are filling up.
        let first_day = self.date_of(EVENT_CHILDCARE, 0);
        for shift in 0..self.events[EVENT_CHILDCARE].shifts.len() {
            let date = self.date_of(EVENT_CHILDCARE, shift);
            if date > self.today && date < first_day + Duration::days(14) {
                let capacity = self.events[EVENT_CHILDCARE].shifts[shift].capacity;
                let target = rng.gen_range(0..=capacity);
                self.fill(rng, EVENT_CHILDCARE, shift, target, &everyone);
            }
        }
        // Drowning prevention: the first two weekends, from those holding the required skill.
        let first_day = self.date_of(EVENT_DROWNING, 0);
        for shift in 0..self.events[EVENT_DROWNING].shifts.len() {
            let date = self.date_of(EVENT_DROWNING, shift);
            let new = &self.events[EVENT_DROWNING].shifts[shift];
            if date > self.today && date < first_day + Duration::days(9) {
                let pool = if new.required_skills.contains(&Skill::Lifeguard) {
                    &lifeguards
                } else {
                    &swimmers
                };
                let target = rng.gen_range(1..=new.capacity);
                self.fill(rng, EVENT_DROWNING, shift, target, pool);
            }
        }

        let mut signups = self.signups;
        signups.sort_by(|a, b| {
            (a.event, a.shift, a.created_at, a.volunteer).cmp(&(
                b.event,
                b.shift,
                b.created_at,
                b.volunteer,
            ))
        });
        signups
    }
}
