//! The people of the demo district: its organizations, their staff, and the volunteers with
//! their names, phones, birth dates, skills and availability.

use super::{
    CENTRE, DEMO_CENTRE_EMAIL, DEMO_EMAIL_DOMAIN, DEMO_ORGANIZER_EMAIL, DEMO_VERIFIER_EMAIL,
    DEMO_VOLUNTEER_EMAIL, DemoMembership, DemoOrganization, DemoStaff, DemoVolunteer, ORG_CENTRE,
    ORG_LEAGUE, ORG_SCHOOL_1, ORG_SCHOOL_2, offset, random_id, time,
};
use crate::catalogue::{MemberRole, OrganizationKind, Skill};
use crate::location::Coordinates;
use crate::profile::{AvailabilitySlot, Guardian, SkillHolding, VolunteerProfile};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

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

pub(super) fn organizations(rng: &mut ChaCha8Rng) -> Vec<DemoOrganization> {
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

pub(super) fn staff() -> Vec<DemoStaff> {
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

pub(super) fn volunteers(
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
