//! The places of the demo district (childcare sites, river patrol points, intersections) and
//! its three campaigns with their shifts.

use super::{
    DemoEvent, DemoOrganization, ORG_CENTRE, ORG_LEAGUE, STAFF_CENTRE, STAFF_ORGANIZER, local,
    offset,
};
use crate::catalogue::{Campaign, Skill};
use crate::event::{EventContact, EventInput};
use crate::location::Coordinates;
use crate::shift::NewShift;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

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

pub(super) fn events(
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
            what_to_bring: Some("志愿者证或身份证、水杯；请穿便于活动的衣服和平底鞋。".to_string()),
            contact: Some(demo_contact("长风社区服务中心 王老师", "021-52000001")),
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
            what_to_bring: Some(
                "防晒帽、饮用水、手机（保持电量）；现场发放救生圈和反光背心。".to_string(),
            ),
            contact: Some(demo_contact("区团委 防溺水专班", "021-52000002")),
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
            what_to_bring: Some("饮用水、雨具；现场发放小红帽和引导旗。".to_string()),
            contact: Some(demo_contact("区文明办 志愿服务站", "021-52000003")),
        },
        organization: ORG_LEAGUE,
        organizer: STAFF_ORGANIZER,
        shifts,
    }
}

fn demo_contact(name: &str, phone: &str) -> EventContact {
    EventContact {
        name: name.to_string(),
        phone: Some(phone.to_string()),
        email: None,
    }
}
