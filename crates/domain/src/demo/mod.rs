//! A deterministic demo district: Putuo district, Shanghai, with its Youth League committee,
//! two high schools, a community centre, a few hundred volunteers, three campaigns and a few
//! weeks of service history.
//!
//! [`generate`] is pure (no IO, no clock): the same seed and the same `today` always give the
//! same district, so demos, screenshots and benchmarks are reproducible. The store's demo
//! loader writes a district to the database; benchmarks call [`generate`] with larger counts.
//!
//! # References
//!
//! Organizations get ids here, drawn from the seeded generator, because the domain types that
//! point at them ([`EventInput::organization_id`], [`VolunteerProfile::school_organization_id`])
//! need a [`Uuid`]; the loader inserts the organizations under exactly these ids. Everything
//! else (staff, volunteers, events, shifts) gets its id from the database when it is loaded,
//! so the district refers to those by their index in its own lists.
//!
//! # Times
//!
//! Shifts are laid out in Asia/Shanghai local time ([`TIMEZONE`]) and stored as UTC. A shift
//! is *past* when its local date is before `today` and *upcoming* when after; shifts on
//! `today` itself get no signups, so the district reads the same whatever the hour of loading.

mod history;
mod people;
mod places;
#[cfg(test)]
mod tests;

use crate::catalogue::{MemberRole, OrganizationKind};
use crate::eligibility::ShiftFacts;
use crate::event::EventInput;
use crate::location::Coordinates;
use crate::profile::VolunteerProfile;
use crate::roster::SignupStatus;
use crate::shift::NewShift;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use history::{Planner, facts};
use people::{organizations, staff, volunteers};
use places::events;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// The district's time zone: shifts are planned, and ages judged, on its calendar.
pub const TIMEZONE: Tz = chrono_tz::Asia::Shanghai;
/// The middle of the district (Putuo, Shanghai): homes are scattered around it.
pub const CENTRE: Coordinates = Coordinates {
    lat: 31.24,
    lon: 121.40,
};
/// How many volunteers a normal demo has.
pub const DEFAULT_VOLUNTEER_COUNT: usize = 300;
/// The mail domain of every demo account.
pub const DEMO_EMAIL_DOMAIN: &str = "demo.hourbook.cn";
/// Organizer and admin of the Youth League district committee (runs the drowning-prevention
/// drive and the traffic campaign).
pub const DEMO_ORGANIZER_EMAIL: &str = "organizer@demo.hourbook.cn";
/// Organizer of the community centre (runs the summer childcare classes).
pub const DEMO_CENTRE_EMAIL: &str = "centre@demo.hourbook.cn";
/// Verifier of the first school (曹杨第二中学).
pub const DEMO_VERIFIER_EMAIL: &str = "verifier@school1.demo.hourbook.cn";
/// The fixed demo volunteer: 19 years old, first-aid certificate valid for two more years,
/// home near the childcare sites, several verified past shifts. Always `volunteers[0]`.
pub const DEMO_VOLUNTEER_EMAIL: &str = "volunteer@demo.hourbook.cn";

/// Index in [`DemoDistrict::organizations`] of the Youth League district committee.
pub const ORG_LEAGUE: usize = 0;
/// Index of the first school (曹杨第二中学).
pub const ORG_SCHOOL_1: usize = 1;
/// Index of the second school (晋元高级中学).
pub const ORG_SCHOOL_2: usize = 2;
/// Index of the community centre (长风街道社区服务中心).
pub const ORG_CENTRE: usize = 3;
/// Index in [`DemoDistrict::staff`] of the League organizer ([`DEMO_ORGANIZER_EMAIL`]).
pub const STAFF_ORGANIZER: usize = 0;
/// Index of the community centre's organizer ([`DEMO_CENTRE_EMAIL`]).
pub const STAFF_CENTRE: usize = 1;
/// Index of the first school's verifier ([`DEMO_VERIFIER_EMAIL`]).
pub const STAFF_VERIFIER: usize = 2;
/// Index in [`DemoDistrict::volunteers`] of the fixed demo volunteer ([`DEMO_VOLUNTEER_EMAIL`]).
pub const DEMO_VOLUNTEER: usize = 0;
/// Index in [`DemoDistrict::events`] of the summer childcare classes.
pub const EVENT_CHILDCARE: usize = 0;
/// Index of the drowning-prevention drive.
pub const EVENT_DROWNING: usize = 1;
/// Index of the civilized-city traffic campaign (the one with past history).
pub const EVENT_TRAFFIC: usize = 2;

/// A generated district, ready to be loaded.
#[derive(Debug, Clone)]
pub struct DemoDistrict {
    /// The seed it was generated from.
    pub seed: u64,
    /// The day it was generated for: history lies before it, signups ahead of it.
    pub today: NaiveDate,
    /// League committee, two schools, community centre (see the `ORG_*` indices).
    pub organizations: Vec<DemoOrganization>,
    /// Staff accounts with their roles (see the `STAFF_*` indices).
    pub staff: Vec<DemoStaff>,
    /// Volunteers; the fixed demo volunteer comes first.
    pub volunteers: Vec<DemoVolunteer>,
    /// The three campaigns with their shifts (see the `EVENT_*` indices).
    pub events: Vec<DemoEvent>,
    /// Signups, grouped by event and shift, in arrival order within each shift.
    pub signups: Vec<DemoSignup>,
}

impl DemoDistrict {
    /// Number of shifts over all events.
    pub fn shift_count(&self) -> usize {
        self.events.iter().map(|e| e.shifts.len()).sum()
    }

    /// The shift a signup is for.
    pub fn shift_of(&self, signup: &DemoSignup) -> &NewShift {
        &self.events[signup.event].shifts[signup.shift]
    }

    /// What eligibility needs to know about shift `shift` of event `event`.
    pub fn facts(&self, event: usize, shift: usize) -> ShiftFacts {
        facts(&self.events[event], &self.events[event].shifts[shift])
    }
}

/// An organization, inserted under its generated id.
#[derive(Debug, Clone)]
pub struct DemoOrganization {
    /// Id, drawn from the seeded generator.
    pub id: Uuid,
    /// Name, e.g. "共青团普陀区委".
    pub name: String,
    /// Kind.
    pub kind: OrganizationKind,
    /// Administrative region code (`310107` is Putuo).
    pub region_code: Option<String>,
    /// Where it is.
    pub location: Coordinates,
}

/// A role held by a staff account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoMembership {
    /// Index in [`DemoDistrict::organizations`].
    pub organization: usize,
    /// Role there.
    pub role: MemberRole,
}

/// A staff account (organizer or verifier), with a fixed e-mail address.
#[derive(Debug, Clone)]
pub struct DemoStaff {
    /// E-mail address, one of the `DEMO_*_EMAIL` constants.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Roles held.
    pub memberships: Vec<DemoMembership>,
}

/// A volunteer account with its profile.
#[derive(Debug, Clone)]
pub struct DemoVolunteer {
    /// E-mail address: [`DEMO_VOLUNTEER_EMAIL`] for the first, then `v0001@demo.hourbook.cn`...
    pub email: String,
    /// Chinese name.
    pub name: String,
    /// Validated profile (minors always have a consenting guardian; no ID number).
    pub profile: VolunteerProfile,
}

/// An event with its shifts.
#[derive(Debug, Clone)]
pub struct DemoEvent {
    /// The event; `organization_id` is the generated id of its organization.
    pub input: EventInput,
    /// Index in [`DemoDistrict::organizations`] of the organizing organization.
    pub organization: usize,
    /// Index in [`DemoDistrict::staff`] of the organizer who created it and verifies its hours.
    pub organizer: usize,
    /// Shifts, by date then site; each has its own location and address.
    pub shifts: Vec<NewShift>,
}

/// A volunteer's signup for a shift.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSignup {
    /// Index in [`DemoDistrict::volunteers`].
    pub volunteer: usize,
    /// Index in [`DemoDistrict::events`].
    pub event: usize,
    /// Index in that event's shifts.
    pub shift: usize,
    /// `Confirmed` (upcoming shifts), `CheckedOut` or `Verified` (past shifts).
    pub status: SignupStatus,
    /// When the volunteer signed up.
    pub created_at: DateTime<Utc>,
    /// Check-in, within the shift's window, for past shifts.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Check-out, within the shift's window, for past shifts.
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// Generates the demo district for `seed` as of `today`, with `volunteer_count` volunteers in
/// all (the fixed demo volunteer included, so at least one).
///
/// Every seat-holding signup obeys the rules a live signup would: capacity, the adult:minor
/// ratio, no two overlapping seats for one volunteer, and [`assess`]'s hard rules (ages on the
/// shift's local date, guardian consent, required skills with valid certificates).
///
/// [`assess`]: crate::eligibility::assess
pub fn generate(seed: u64, today: NaiveDate, volunteer_count: usize) -> DemoDistrict {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let organizations = organizations(&mut rng);
    let staff = staff();
    let volunteers = volunteers(&mut rng, today, volunteer_count.max(1), &organizations);
    let events = events(&mut rng, today, &organizations);
    let signups = Planner::new(&volunteers, &events, today).plan(&mut rng);
    DemoDistrict {
        seed,
        today,
        organizations,
        staff,
        volunteers,
        events,
        signups,
    }
}

fn random_id(rng: &mut ChaCha8Rng) -> Uuid {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A point `east_km` east and `north_km` north of `from`.
fn offset(from: Coordinates, east_km: f64, north_km: f64) -> Coordinates {
    const KM_PER_DEGREE: f64 = 111.32;
    Coordinates {
        lat: round6(from.lat + north_km / KM_PER_DEGREE),
        lon: round6(from.lon + east_km / (KM_PER_DEGREE * from.lat.to_radians().cos())),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A local wall-clock time in the district, as UTC.
fn local(date: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let naive = date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN));
    TIMEZONE
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // Shanghai has had no daylight saving since 1991, so every local time exists.
        .unwrap_or_else(|| (naive - Duration::hours(8)).and_utc())
}

fn time(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN)
}
