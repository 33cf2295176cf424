//! Requirement programs and what a school sees of its students.

use chrono::Duration;
use hourbook_tests::{SITE, TestApp, User, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    a_school_sees_exactly_its_linked_students_with_met_and_missing,
    only_a_schools_admins_define_requirements_and_only_its_staff_see_students,
);

/// Attended and verified shifts for a new volunteer, who then takes `name` and, when given,
/// links `school` with `student_number`.
pub(crate) async fn student(
    app: &TestApp,
    name: &str,
    shifts: i64,
    school: Option<(&str, &str)>,
) -> User {
    let (organizer, volunteer, signups) = app.attended("李明", shifts).await;
    for s in &signups {
        app.post(
            &format!("/api/v1/signups/{s}/verify"),
            Some(&organizer.token),
            json!({}),
        )
        .await
        .expect(201);
    }
    app.call(
        reqwest::Method::PATCH,
        "/api/v1/me",
        Some(&volunteer.token),
        Some(&json!({"name": name})),
    )
    .await
    .expect(200);
    link(app, &volunteer, school).await;
    volunteer
}

async fn link(app: &TestApp, volunteer: &User, school: Option<(&str, &str)>) {
    let mut profile = json!({
        "birth_date": "2000-03-15", "home": {"lat": SITE.0, "lon": SITE.1}, "travel_radius_km": 10,
        "skills": [], "availability": [], "discoverable": true
    });
    if let Some((school, number)) = school {
        profile["school_organization_id"] = json!(school);
        profile["student_number"] = json!(number);
    }
    app.put("/api/v1/me/profile", Some(&volunteer.token), profile)
        .await
        .expect(200);
}

fn names(r: &Value) -> Vec<String> {
    r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["volunteer"]["name"].as_str().unwrap().to_string())
        .collect()
}

async fn a_school_sees_exactly_its_linked_students_with_met_and_missing(app: TestApp) {
    let admin = app.platform_admin().await;
    let (school, school_admin) = app.organization_with(&admin, "school", "admin").await;
    let verifier = app.register("教务处").await;
    app.post(
        &format!("/api/v1/organizations/{school}/members"),
        Some(&school_admin.token),
        json!({"email": verifier.email, "role": "verifier"}),
    )
    .await
    .expect(201);
    // Three hours in the last year, one of them childcare.
    let program = app
        .post(
            &format!("/api/v1/organizations/{school}/requirements"),
            Some(&school_admin.token),
            json!({"name": "团员推荐", "min_minutes": 180, "window_days": 365, "category_minimums": {"childcare": 60}}),
        )
        .await
        .expect(201);
    assert_eq!(program.json["current"]["window"], "rolling");
    let program = program.id();

    student(&app, "甲同学", 2, Some((&school, "2027001"))).await;
    let b = student(&app, "乙同学", 1, Some((&school, "2027002"))).await;
    student(&app, "丙 (another school's)", 2, None).await;

    let path = format!("/api/v1/organizations/{school}/students?requirement_id={program}");
    let r = app.get(&path, Some(&verifier.token)).await.expect(200);
    assert_eq!(names(&r.json), ["甲同学", "乙同学"]);
    let items = r.json["items"].as_array().unwrap();
    assert_eq!(
        (
            items[0]["met"].as_bool(),
            items[0]["total_minutes"].as_i64()
        ),
        (Some(true), Some(240))
    );
    assert_eq!(items[0]["volunteer"]["student_number"], "2027001");
    assert_eq!(items[0]["stars"], 0);
    assert_eq!(
        (
            items[1]["met"].as_bool(),
            items[1]["missing_minutes"].as_i64()
        ),
        (Some(false), Some(60))
    );

    // The same as CSV.
    let csv = app
        .get_as(&path, Some(&verifier.token), "text/csv")
        .await
        .expect(200);
    assert!(csv.content_type.starts_with("text/csv"));
    let text = csv.text;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "volunteer_number,name,student_number,counted_hours,recorded_hours,hand_entered_hours,met,missing_hours,stars"
    );
    assert!(
        lines[1].contains("甲同学,2027001,4.00,4.00,0.00,yes,0.00"),
        "{text}"
    );
    assert!(
        lines[2].contains("乙同学,2027002,2.00,2.00,0.00,no,1.00"),
        "{text}"
    );
    assert_eq!(lines.len(), 3);

    // Unlinking withdraws the consent at once.
    link(&app, &b, None).await;
    let r = app.get(&path, Some(&verifier.token)).await.expect(200);
    assert_eq!(names(&r.json), ["甲同学"]);

    // A higher threshold from next week on: today's check still uses today's rule.
    let next_week = app.clock.now().date_naive() + Duration::days(7);
    let revised = app
        .put(
            &format!("/api/v1/organizations/{school}/requirements/{program}"),
            Some(&school_admin.token),
            json!({"name": "团员推荐", "min_minutes": 600, "window_days": 365, "effective_from": next_week}),
        )
        .await
        .expect(200);
    assert_eq!(revised.json["versions"].as_array().unwrap().len(), 2);
    // History is not rewritten: a new version cannot start in the past.
    let yesterday = app.clock.now().date_naive() - Duration::days(1);
    let fields = app
        .put(
            &format!("/api/v1/organizations/{school}/requirements/{program}"),
            Some(&school_admin.token),
            json!({"name": "团员推荐", "min_minutes": 60, "window_days": 365, "effective_from": yesterday}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["effective_from"]);
    let today = app.get(&path, Some(&verifier.token)).await.expect(200);
    assert_eq!(today.json["items"][0]["met"], true);
    let later = app
        .get(&format!("{path}&on={next_week}"), Some(&verifier.token))
        .await
        .expect(200);
    assert_eq!(
        (
            later.json["items"][0]["met"].as_bool(),
            later.json["items"][0]["missing_minutes"].as_i64()
        ),
        (Some(false), Some(360))
    );
    // Before the program existed there is nothing to check against.
    app.get(&format!("{path}&on=2000-01-01"), Some(&verifier.token))
        .await
        .problem(422);
}

async fn only_a_schools_admins_define_requirements_and_only_its_staff_see_students(app: TestApp) {
    let admin = app.platform_admin().await;
    let (school, school_admin) = app.organization_with(&admin, "school", "admin").await;
    let (_, other_verifier) = app.organization_with(&admin, "school", "verifier").await;
    let (community, community_admin) = app.organization_with(&admin, "community", "admin").await;
    let volunteer = app.volunteer("路人").await;
    let body = json!({"name": "志愿者注册", "min_minutes": 1200, "window": "calendar_year"});
    let create = format!("/api/v1/organizations/{school}/requirements");
    for who in [&volunteer, &other_verifier, &admin] {
        app.post(&create, Some(&who.token), body.clone())
            .await
            .problem(403);
    }
    app.post(&create, None, body.clone()).await.problem(401);
    app.post(
        &format!("/api/v1/organizations/{community}/requirements"),
        Some(&community_admin.token),
        body.clone(),
    )
    .await
    .problem(422);
    for (bad, field) in [
        (json!({"name": "x", "min_minutes": 0}), "min_minutes"),
        (
            json!({"name": "x", "min_minutes": 60, "window": "rolling"}),
            "window_days",
        ),
        (
            json!({"name": "x", "min_minutes": 60, "window": "calendar_year", "window_days": 30}),
            "window_days",
        ),
        (
            json!({"name": "x", "min_minutes": 60, "category_minimums": {"Bad Name": 10}}),
            "category_minimums.Bad Name",
        ),
        (json!({"name": "", "min_minutes": 60}), "name"),
    ] {
        assert_eq!(
            app.post(&create, Some(&school_admin.token), bad)
                .await
                .field_errors(),
            [field]
        );
    }
    let program = app
        .post(&create, Some(&school_admin.token), body)
        .await
        .expect(201)
        .id();
    let listed = app.get(&create, Some(&volunteer.token)).await.expect(200);
    assert_eq!(listed.json["items"][0]["name"], "志愿者注册");
    let students = format!("/api/v1/organizations/{school}/students?requirement_id={program}");
    for who in [&volunteer, &other_verifier, &admin, &community_admin] {
        app.get(&students, Some(&who.token)).await.problem(403);
    }
    app.get(&students, Some(&school_admin.token))
        .await
        .expect(200);
    let other_program = format!(
        "/api/v1/organizations/{school}/students?requirement_id={}",
        uuid::Uuid::new_v4()
    );
    app.get(&other_program, Some(&school_admin.token))
        .await
        .problem(404);
}
