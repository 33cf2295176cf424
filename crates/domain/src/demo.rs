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

use crate::catalogue::{Campaign, MemberRole, OrganizationKind, Skill};
use crate::eligibility::{ShiftFacts, assess};
use crate::event::EventInput;
use crate::location::Coordinates;
use crate::profile::{
    AgePolicy, AvailabilitySlot, Guardian, SkillHolding, VolunteerProfile, age_on,
};
use crate::roster::{Seats, SignupStatus, Waiting, overlaps};
use crate::shift::NewShift;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};
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

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁",
    "任", "沈", "姚", "陆", "顾", "钱", "施", "汪",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "霞", "平", "刚", "英", "华", "玉", "萍", "红", "鹏", "辉", "宇", "浩", "然", "欣", "怡",
    "梓", "涵", "子", "轩", "雨", "晨", "思", "博", "嘉", "诚", "佳", "琪", "俊", "逸", "一", "诺",
    "若", "汐", "沐", "阳", "可", "馨", "泽", "晓", "文", "天", "乐", "安", "悦", "心", "彤", "昊",
    "睿", "瑶", "婷", "凯", "航", "宁",
];

/// Skills volunteers may hold, with how common each is.
const SKILL_WEIGHTS: &[(Skill, u32)] = &[
    (Skill::FirstAid, 14),
    (Skill::Lifeguard, 7),
    (Skill::Swimming, 16),
    (Skill::Childcare, 14),
    (Skill::Tutoring, 14),
    (Skill::TrafficGuidance, 12),
    (Skill::Photography, 10),
    (Skill::ArtsAndSports, 8),
    (Skill::ElderCare, 4),
    (Skill::SignLanguage, 2),
];

const CHINESE_NUMERALS: [&str; 12] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

/// Childcare sites: offsets in km (east, north) from the community centre.
const CHILDCARE_SITES: [(f64, f64); 12] = [
    (0.3, 0.2),
    (-0.5, 0.4),
    (0.8, -0.3),
    (-0.2, -0.7),
    (1.1, 0.6),
    (-1.0, -0.2),
    (0.5, 1.0),
    (-0.7, 0.9),
    (1.4, -0.8),
    (-1.3, 0.7),
    (0.1, 1.5),
    (0.9, 1.3),
];

/// Drowning-prevention patrol points along Suzhou Creek (and one park lake).
const RIVER_POINTS: [(&str, f64, f64); 8] = [
    ("长风公园银锄湖", 31.2262, 121.3938),
    ("苏州河中环桥段", 31.2318, 121.3845),
    ("苏州河长风生态商务区段", 31.2296, 121.4012),
    ("苏州河华政段亲水平台", 31.2262, 121.4185),
    ("苏州河长寿路桥段", 31.2398, 121.4297),
    ("苏州河昌化路桥段", 31.2433, 121.4372),
    ("苏州河江宁路桥段", 31.2460, 121.4440),
    ("苏州河真如港段", 31.2355, 121.3760),
];

/// Intersections for the traffic campaign.
const INTERSECTIONS: [(&str, f64, f64); 10] = [
    ("曹杨路/兰溪路路口", 31.2420, 121.4120),
    ("武宁路/中山北路路口", 31.2436, 121.4265),
    ("真北路/金沙江路路口", 31.2330, 121.3890),
    ("长寿路/江宁路路口", 31.2430, 121.4410),
    ("大渡河路/金沙江路路口", 31.2318, 121.3995),
    ("中山北路/光新路路口", 31.2520, 121.4200),
    ("枣阳路/金沙江路路口", 31.2312, 121.4060),
    ("梅川路/真北路路口", 31.2465, 121.3880),
    ("铜川路/兰溪路路口", 31.2500, 121.4100),
    ("曹杨路/铜川路路口", 31.2512, 121.4050),
];

/// Generates the demo district for `seed` as of `today`, with `volunteer_count` volunteers in
/// all (the fixed demo volunteer included, so at least one).
///
/// Every seat-holding signup obeys the rules a live signup would: capacity, the adult:minor
/// ratio, no two overlapping seats for one volunteer, and [`assess`]'s hard rules (ages on the
/// shift's local date, guardian consent, required skills with valid certificates).
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

fn organizations(rng: &mut ChaCha8Rng) -> Vec<DemoOrganization> {
    let list = [
        (
            "共青团普陀区委",
            OrganizationKind::LeagueCommittee,
            31.2497,
            121.3974,
        ),
        ("曹杨第二中学", OrganizationKind::School, 31.2447, 121.4118),
        ("晋元高级中学", OrganizationKind::School, 31.2546, 121.3862),
        (
            "长风街道社区服务中心",
            OrganizationKind::Community,
            31.2268,
            121.3958,
        ),
    ];
    list.into_iter()
        .map(|(name, kind, lat, lon)| DemoOrganization {
            id: random_id(rng),
            name: name.to_string(),
            kind,
            region_code: Some("310107".to_string()),
            location: Coordinates { lat, lon },
        })
        .collect()
}

fn staff() -> Vec<DemoStaff> {
    let member = |organization, role| DemoMembership { organization, role };
    vec![
        DemoStaff {
            email: DEMO_ORGANIZER_EMAIL.to_string(),
            name: "周建华".to_string(),
            memberships: vec![
                member(ORG_LEAGUE, MemberRole::Admin),
                member(ORG_LEAGUE, MemberRole::Organizer),
            ],
        },
        DemoStaff {
            email: DEMO_CENTRE_EMAIL.to_string(),
            name: "陈丽娟".to_string(),
            memberships: vec![member(ORG_CENTRE, MemberRole::Organizer)],
        },
        DemoStaff {
            email: DEMO_VERIFIER_EMAIL.to_string(),
            name: "王志明".to_string(),
            memberships: vec![member(ORG_SCHOOL_1, MemberRole::Verifier)],
        },
    ]
}

fn pick<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or("")
}

fn chinese_name(rng: &mut ChaCha8Rng) -> String {
    let mut name = pick(rng, SURNAMES).to_string();
    name.push_str(pick(rng, GIVEN));
    if rng.gen_bool(0.7) {
        name.push_str(pick(rng, GIVEN));
    }
    name
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    let prefix = ["135", "136", "138", "139", "150", "158", "186", "189"];
    format!(
        "{}{:08}",
        pick(rng, &prefix),
        rng.gen_range(0..100_000_000u32)
    )
}

/// A birth date that makes someone exactly `age` on `today`.
fn birth_date(rng: &mut ChaCha8Rng, today: NaiveDate, age: i32) -> NaiveDate {
    let year = today.year() - age;
    // The latest birth date for that age (28 February stands in for 29 February).
    let latest = NaiveDate::from_ymd_opt(year, today.month(), today.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, today.month(), today.day() - 1))
        .unwrap_or(today);
    // Fewer than 365 days earlier is always still the same age.
    latest - Duration::days(rng.gen_range(0..365))
}

fn weekly(days: &[u8], start: NaiveTime, end: NaiveTime) -> Vec<AvailabilitySlot> {
    days.iter()
        .map(|&weekday| AvailabilitySlot {
            weekday,
            start,
            end,
        })
        .collect()
}

fn availability(rng: &mut ChaCha8Rng) -> Vec<AvailabilitySlot> {
    let mut slots = Vec::new();
    if rng.gen_bool(0.5) {
        // Summer (and holiday) weekday mornings.
        slots.extend(weekly(&[1, 2, 3, 4, 5], time(7, 0), time(12, 0)));
    }
    if rng.gen_bool(0.5) {
        let days: Vec<u8> = (1..=5).filter(|_| rng.gen_bool(0.6)).collect();
        slots.extend(weekly(&days, time(17, 0), time(20, 0)));
    }
    if rng.gen_bool(0.75) {
        let start = if rng.gen_bool(0.5) {
            time(8, 0)
        } else {
            time(13, 0)
        };
        let days: Vec<u8> = [6, 7].into_iter().filter(|_| rng.gen_bool(0.8)).collect();
        slots.extend(weekly(&days, start, time(18, 0)));
    }
    slots
}

fn skills(rng: &mut ChaCha8Rng, today: NaiveDate) -> Vec<SkillHolding> {
    let count = *[0usize, 1, 1, 2, 2, 3].choose(rng).unwrap_or(&0);
    let mut held: Vec<SkillHolding> = Vec::new();
    for _ in 0..count * 4 {
        if held.len() == count {
            break;
        }
        let Ok(&(skill, _)) = SKILL_WEIGHTS.choose_weighted(rng, |s| s.1) else {
            break;
        };
        if held.iter().any(|h| h.skill == skill) {
            continue;
        }
        // About a quarter of certificates have already expired.
        let certificate_expires_on = skill
            .requires_certificate()
            .then(|| today + Duration::days(rng.gen_range(-300..=900)));
        held.push(SkillHolding {
            skill,
            certificate_expires_on,
        });
    }
    held
}

fn demo_volunteer(rng: &mut ChaCha8Rng, today: NaiveDate, centre: Coordinates) -> DemoVolunteer {
    let mut availability = weekly(&[1, 2, 3, 4, 5], time(7, 0), time(12, 0));
    availability.extend(weekly(&[1, 3, 5], time(17, 0), time(20, 0)));
    availability.extend(weekly(&[6, 7], time(8, 0), time(18, 0)));
    DemoVolunteer {
        email: DEMO_VOLUNTEER_EMAIL.to_string(),
        name: "林晓雨".to_string(),
        profile: VolunteerProfile {
            birth_date: birth_date(rng, today, 19),
            phone: Some("13800138000".to_string()),
            home: offset(centre, 0.2, 0.4),
            travel_radius_km: 5.0,
            skills: vec![
                SkillHolding {
                    skill: Skill::FirstAid,
                    certificate_expires_on: Some(today + Duration::days(730)),
                },
                SkillHolding {
                    skill: Skill::Childcare,
                    certificate_expires_on: None,
                },
                SkillHolding {
                    skill: Skill::Swimming,
                    certificate_expires_on: None,
                },
            ],
            availability,
            school_organization_id: None,
            student_number: None,
            id_number: None,
            discoverable: true,
            guardian: None,
        },
    }
}

fn volunteers(
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    count: usize,
    organizations: &[DemoOrganization],
) -> Vec<DemoVolunteer> {
    let mut list = Vec::with_capacity(count);
    list.push(demo_volunteer(
        rng,
        today,
        organizations[ORG_CENTRE].location,
    ));
    for n in 1..count {
        let name = chinese_name(rng);
        let age = rng.gen_range(14..=24);
        let birth_date = birth_date(rng, today, age);
        let distance = 6.0 * rng.gen_range(0.0f64..1.0).sqrt();
        let angle = rng.gen_range(0.0..std::f64::consts::TAU);
        let home = offset(CENTRE, distance * angle.cos(), distance * angle.sin());
        let travel_radius_km = f64::from(rng.gen_range(4..=20u32)) / 2.0;
        let skills = skills(rng, today);
        let availability = availability(rng);
        let (school_organization_id, student_number) = if age <= 18 && rng.gen_bool(0.95) {
            let (school, prefix) = if rng.gen_bool(0.5) {
                (ORG_SCHOOL_1, "CY")
            } else {
                (ORG_SCHOOL_2, "JY")
            };
            let entry_year = today.year() - (age - 15).clamp(0, 2);
            (
                Some(organizations[school].id),
                Some(format!("{prefix}{entry_year}{n:05}")),
            )
        } else {
            (None, None)
        };
        let guardian = (age < 18).then(|| {
            let surname: String = name.chars().take(1).collect();
            Guardian {
                name: format!("{surname}{}{}", pick(rng, GIVEN), pick(rng, GIVEN)),
                email: format!("guardian.v{n:04}@{DEMO_EMAIL_DOMAIN}"),
                phone: phone(rng),
                consent_given: true,
            }
        });
        let phone = rng.gen_bool(0.9).then(|| phone(rng));
        let discoverable = rng.gen_bool(0.9);
        list.push(DemoVolunteer {
            email: format!("v{n:04}@{DEMO_EMAIL_DOMAIN}"),
            name,
            profile: VolunteerProfile {
                birth_date,
                phone,
                home,
                travel_radius_km,
                skills,
                availability,
                school_organization_id,
                student_number,
                id_number: None,
                discoverable,
                guardian,
            },
        });
    }
    list
}

/// The first `weekday` on or after `from`.
fn next_weekday(from: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7;
    from + Duration::days(i64::from(ahead))
}

struct ShiftPlan<'a> {
    title: String,
    date: NaiveDate,
    start: (u32, u32),
    end: (u32, u32),
    capacity: u32,
    location: Coordinates,
    address: &'a str,
    required_skills: Vec<Skill>,
    preferred_skills: Vec<Skill>,
    min_age: u32,
    minors_per_adult: Option<u32>,
}

impl ShiftPlan<'_> {
    fn build(self) -> NewShift {
        NewShift {
            title: self.title,
            starts_at: local(self.date, self.start.0, self.start.1),
            ends_at: local(self.date, self.end.0, self.end.1),
            capacity: self.capacity,
            location: Some(self.location),
            address: Some(self.address.to_string()),
            required_skills: self.required_skills,
            preferred_skills: self.preferred_skills,
            min_age: Some(self.min_age),
            max_age: None,
            minors_per_adult: self.minors_per_adult,
        }
    }
}

fn events(
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    organizations: &[DemoOrganization],
) -> Vec<DemoEvent> {
    let july_first = |year| NaiveDate::from_ymd_opt(year, 7, 1).unwrap_or(today);
    let summer = if today < july_first(today.year()) {
        today.year()
    } else {
        today.year() + 1
    };
    let july1 = july_first(summer);
    vec![
        childcare(rng, summer, july1, organizations),
        drowning(rng, july1, organizations),
        traffic(rng, today, organizations),
    ]
}

fn childcare(
    rng: &mut ChaCha8Rng,
    summer: i32,
    july1: NaiveDate,
    organizations: &[DemoOrganization],
) -> DemoEvent {
    let centre = &organizations[ORG_CENTRE];
    let sites: Vec<(String, Coordinates, u32)> = CHILDCARE_SITES
        .iter()
        .zip(CHINESE_NUMERALS)
        .map(|(&(east, north), numeral)| {
            (
                format!("长风新村街道第{numeral}活动室"),
                offset(centre.location, east, north),
                rng.gen_range(4..=6),
            )
        })
        .collect();
    let first_monday = next_weekday(july1, Weekday::Mon);
    let mut shifts = Vec::new();
    for week in 0..4 {
        for day in 0..5 {
            let date = first_monday + Duration::days(week * 7 + day);
            for (address, location, capacity) in &sites {
                shifts.push(
                    ShiftPlan {
                        title: format!(
                            "暑托班上午班 {}",
                            address.trim_start_matches("长风新村街道")
                        ),
                        date,
                        start: (8, 30),
                        end: (11, 30),
                        capacity: *capacity,
                        location: *location,
                        address,
                        required_skills: vec![],
                        preferred_skills: vec![Skill::FirstAid, Skill::Childcare],
                        min_age: 14,
                        minors_per_adult: Some(4),
                    }
                    .build(),
                );
            }
        }
    }
    DemoEvent {
        input: EventInput {
            organization_id: centre.id,
            title: format!("{summer}暑期爱心暑托班"),
            description: "为双职工家庭的小学生提供暑期看护：陪伴完成暑假作业、开展阅读和手工活动。\
                          每个活动室每天上午需要4至6名志愿者，每4名未成年志愿者至少配1名成年志愿者。"
                .to_string(),
            risks: Some("照看儿童需时刻注意安全，活动室内禁止奔跑；遇到儿童身体不适请立即联系带班老师。".to_string()),
            hazardous: false,
            campaign: Campaign::SummerChildcare,
            category: "childcare".to_string(),
            location: centre.location,
            address: "上海市普陀区长风街道社区服务中心".to_string(),
        },
        organization: ORG_CENTRE,
        organizer: STAFF_CENTRE,
        shifts,
    }
}

fn drowning(
    rng: &mut ChaCha8Rng,
    july1: NaiveDate,
    organizations: &[DemoOrganization],
) -> DemoEvent {
    let league = &organizations[ORG_LEAGUE];
    let points: Vec<(String, Coordinates, u32, Skill)> = RIVER_POINTS
        .iter()
        .enumerate()
        .map(|(i, &(name, lat, lon))| {
            // A shift's required skills are all required: half the points need lifeguards,
            // the other half swimmers.
            let skill = if i % 2 == 0 {
                Skill::Lifeguard
            } else {
                Skill::Swimming
            };
            (
                format!("{name}巡河点"),
                Coordinates { lat, lon },
                rng.gen_range(3..=4),
                skill,
            )
        })
        .collect();
    let end_of_august = july1 + Duration::days(61);
    let mut shifts = Vec::new();
    let mut date = july1;
    while date <= end_of_august {
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            for (address, location, capacity, skill) in &points {
                shifts.push(
                    ShiftPlan {
                        title: format!("防溺水下午巡河 {address}"),
                        date,
                        start: (14, 0),
                        end: (17, 0),
                        capacity: *capacity,
                        location: *location,
                        address,
                        required_skills: vec![*skill],
                        preferred_skills: vec![Skill::FirstAid],
                        min_age: 16,
                        minors_per_adult: None,
                    }
                    .build(),
                );
            }
        }
        date += Duration::days(1);
    }
    DemoEvent {
        input: EventInput {
            organization_id: league.id,
            title: "防溺水志愿巡河".to_string(),
            description:
                "暑期周末下午沿苏州河及公园水域巡查，劝阻野泳、讲解防溺水知识，发现险情及时报警。"
                    .to_string(),
            risks: Some(
                "水边巡查有落水、滑倒和中暑风险：须穿救生衣、两人以上结伴，不得擅自下水施救，\
                 发现险情立即拨打110或119。"
                    .to_string(),
            ),
            hazardous: true,
            campaign: Campaign::DrowningPrevention,
            category: "safety".to_string(),
            location: Coordinates {
                lat: RIVER_POINTS[2].1,
                lon: RIVER_POINTS[2].2,
            },
            address: "上海市普陀区苏州河沿岸".to_string(),
        },
        organization: ORG_LEAGUE,
        organizer: STAFF_ORGANIZER,
        shifts,
    }
}

fn traffic(
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
    organizations: &[DemoOrganization],
) -> DemoEvent {
    let league = &organizations[ORG_LEAGUE];
    let mut shifts = Vec::new();
    for offset_days in -21..=28 {
        let date = today + Duration::days(offset_days);
        for (title, start, end) in [("早高峰", (7, 30), (9, 0)), ("晚高峰", (17, 0), (18, 30))]
        {
            for &(name, lat, lon) in &INTERSECTIONS {
                shifts.push(
                    ShiftPlan {
                        title: format!("交通劝导{title} {name}"),
                        date,
                        start,
                        end,
                        capacity: rng.gen_range(2..=4),
                        location: Coordinates { lat, lon },
                        address: name,
                        required_skills: vec![],
                        preferred_skills: vec![Skill::TrafficGuidance],
                        min_age: 14,
                        minors_per_adult: None,
                    }
                    .build(),
                );
            }
        }
    }
    DemoEvent {
        input: EventInput {
            organization_id: league.id,
            title: "文明城区交通劝导".to_string(),
            description: "早晚高峰在主要路口协助交警劝导行人和非机动车文明出行、不闯红灯。"
                .to_string(),
            risks: Some(
                "路口车流量大：须穿反光背心，站在人行道或安全岛内，不得进入机动车道。".to_string(),
            ),
            hazardous: false,
            campaign: Campaign::CivilizedCity,
            category: "community_service".to_string(),
            location: league.location,
            address: "上海市普陀区各主要路口".to_string(),
        },
        organization: ORG_LEAGUE,
        organizer: STAFF_ORGANIZER,
        shifts,
    }
}

fn facts(event: &DemoEvent, shift: &NewShift) -> ShiftFacts {
    ShiftFacts {
        starts_at: shift.starts_at,
        ends_at: shift.ends_at,
        location: shift.location.unwrap_or(event.input.location),
        required_skills: shift.required_skills.clone(),
        min_age: shift.min_age,
        max_age: shift.max_age,
    }
}

/// A shift's time window.
type Window = (DateTime<Utc>, DateTime<Utc>);

/// Hands out seats the way live signups would, keeping every rule.
struct Planner<'a> {
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
    fn new(volunteers: &'a [DemoVolunteer], events: &'a [DemoEvent], today: NaiveDate) -> Self {
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
            overlapping: self.busy[volunteer].iter().any(|w| overlaps(*w, window)),
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

    fn plan(mut self, rng: &mut ChaCha8Rng) -> Vec<DemoSignup> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Email;
    use crate::profile::ProfileInput;
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
}
