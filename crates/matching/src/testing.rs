//! Small builders for unit tests.

use crate::model::{MatchContext, OpenShift, Volunteer};
use chrono::{DateTime, Duration, Utc};
use hourbook_domain::Coordinates;
use hourbook_domain::eligibility::ShiftFacts;
use hourbook_domain::profile::{AgePolicy, VolunteerProfile};
use uuid::Uuid;

pub(crate) const HOME: Coordinates = Coordinates {
    lat: 31.24,
    lon: 121.40,
};

pub(crate) fn now() -> DateTime<Utc> {
    "2027-06-01T00:00:00Z".parse().unwrap()
}

pub(crate) fn context() -> MatchContext {
    MatchContext::new(now(), chrono_tz::Asia::Shanghai, AgePolicy::default())
}

pub(crate) fn volunteer() -> Volunteer {
    Volunteer {
        id: Uuid::new_v4(),
        profile: VolunteerProfile {
            birth_date: "2000-01-01".parse().unwrap(),
            phone: None,
            home: HOME,
            travel_radius_km: 5.0,
            skills: vec![],
            availability: vec![],
            school_organization_id: None,
            student_number: None,
            id_number: None,
            discoverable: true,
            guardian: None,
        },
        served_minutes: 0,
        goal: None,
        busy: vec![],
        engaged: vec![],
    }
}

/// A three-hour, four-seat shift at `HOME` starting `after` from now.
pub(crate) fn shift(ctx: &MatchContext, after: Duration) -> OpenShift {
    let starts_at = ctx.now + after;
    OpenShift {
        id: Uuid::new_v4(),
        event_id: Uuid::nil(),
        facts: ShiftFacts {
            starts_at,
            ends_at: starts_at + Duration::hours(3),
            location: HOME,
            required_skills: Default::default(),
            min_age: None,
            max_age: None,
        },
        preferred_skills: Default::default(),
        capacity: 4,
        confirmed: 0,
        confirmed_minors: 0,
        offered: 0,
        minors_per_adult: None,
        local: Default::default(),
    }
}
