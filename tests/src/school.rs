//! Set-ups of the school and certificate tests: a school with a requirement and a verifier,
//! and students with verified hours (an organizer's desk check-in and check-out, then verify).

use crate::{SITE, TestApp, User};
use serde_json::json;

/// A school with one requirement programme and a verifier on its staff.
pub struct School {
    /// Organization id.
    pub id: String,
    /// Its admin.
    pub admin: User,
    /// A member with the verifier role.
    pub verifier: User,
    /// The requirement's id.
    pub requirement: String,
}

impl TestApp {
    /// A school whose requirement `name` asks `min_minutes` in the last 365 days.
    pub async fn school_with_requirement(&self, name: &str, min_minutes: i64) -> School {
        let platform = self.platform_admin().await;
        let (id, admin) = self.organization_with(&platform, "school", "admin").await;
        let verifier = self.register("教务处").await;
        self.post(
            &format!("/api/v1/organizations/{id}/members"),
            Some(&admin.token),
            json!({"email": verifier.email, "role": "verifier"}),
        )
        .await
        .expect(201);
        let requirement = self
            .post(
                &format!("/api/v1/organizations/{id}/requirements"),
                Some(&admin.token),
                json!({"name": name, "min_minutes": min_minutes, "window_days": 365}),
            )
            .await
            .expect(201)
            .id();
        School {
            id,
            admin,
            verifier,
            requirement,
        }
    }

    /// A volunteer `name` with `shifts` verified two-hour shifts, linked to `school` with a
    /// student number when given.
    pub async fn student_with_hours(
        &self,
        name: &str,
        shifts: i64,
        school: Option<(&str, &str)>,
    ) -> User {
        let (organizer, volunteer, signups) = self.attended(name, shifts).await;
        for signup in &signups {
            self.post(
                &format!("/api/v1/signups/{signup}/verify"),
                Some(&organizer.token),
                json!({}),
            )
            .await
            .expect(201);
        }
        let mut profile = json!({
            "birth_date": "2000-03-15", "home": {"lat": SITE.0, "lon": SITE.1}, "travel_radius_km": 10,
            "skills": [], "availability": [], "discoverable": true
        });
        if let Some((school, number)) = school {
            profile["school_organization_id"] = json!(school);
            profile["student_number"] = json!(number);
        }
        self.put("/api/v1/me/profile", Some(&volunteer.token), profile)
            .await
            .expect(200);
        volunteer
    }
}
