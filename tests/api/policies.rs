//! An organization's recording rules: rounding, a daily maximum, its own deadline.

use chrono::Duration;
use hourbook_tests::{SITE, TestApp, backend_tests};
use serde_json::json;

backend_tests!(an_organizations_rules_round_cap_and_set_the_deadline);

async fn an_organizations_rules_round_cap_and_set_the_deadline(app: TestApp) {
    let admin = app.platform_admin().await;
    let (org, org_admin) = app.organization_with(&admin, "community", "admin").await;
    let organizer = app.register("组织者").await;
    app.post(
        &format!("/api/v1/organizations/{org}/members"),
        Some(&org_admin.token),
        json!({"email": organizer.email, "role": "organizer"}),
    )
    .await
    .expect(201);
    let path = format!("/api/v1/organizations/{org}/record-policy");
    let defaults = app.get(&path, Some(&organizer.token)).await.expect(200);
    assert_eq!(
        defaults.json,
        json!({"rounding": "exact", "max_minutes_per_day": null, "deadline_working_days": 10})
    );
    let rules =
        json!({"rounding": "half_hours", "max_minutes_per_day": 240, "deadline_working_days": 5});
    app.put(&path, Some(&organizer.token), rules.clone())
        .await
        .problem(403);
    let fields = app
        .put(
            &path,
            Some(&org_admin.token),
            json!({"rounding": "half_hours", "max_minutes_per_day": 5, "deadline_working_days": 0}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["max_minutes_per_day", "deadline_working_days"]);
    app.put(
        &path,
        Some(&org_admin.token),
        json!({"rounding": "quarters", "deadline_working_days": 5}),
    )
    .await
    .problem(422);
    assert_eq!(
        app.put(&path, Some(&org_admin.token), rules.clone())
            .await
            .expect(200)
            .json,
        rules
    );

    // Two shifts on one day: 09:00-11:10 and 12:00-15:00, both attended in full.
    let event = app.event(&organizer, &org, SITE, false).await;
    let volunteer = app.volunteer("李明").await;
    let start = app.clock.now() + Duration::hours(1);
    let mut signups = Vec::new();
    for (offset, minutes) in [(Duration::zero(), 130), (Duration::hours(3), 180)] {
        let starts = start + offset;
        let body = json!({
            "title": "班次", "starts_at": starts.to_rfc3339(),
            "ends_at": (starts + Duration::minutes(minutes)).to_rfc3339(), "capacity": 5
        });
        let shift = app
            .post(
                &format!("/api/v1/events/{event}/shifts"),
                Some(&organizer.token),
                body,
            )
            .await
            .expect(201)
            .id();
        let signup = app.signup_id(&shift, &volunteer).await;
        signups.push((signup, starts, starts + Duration::minutes(minutes)));
    }
    for (signup, starts, ends) in &signups {
        app.clock.set(*ends);
        app.desk_check_in(signup, &organizer, Some(*starts))
            .await
            .expect(200);
        app.desk_check_out(signup, &organizer, None)
            .await
            .expect(200);
    }
    let records = app
        .get(
            &format!("/api/v1/organizations/{org}/pending-records"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    // Tuesday 1 June + 5 working days.
    assert_eq!(records.json["items"][0]["due_by"], "2027-06-08");
    let mut credited = Vec::new();
    for (signup, _, _) in &signups {
        let entry = app
            .post(
                &format!("/api/v1/signups/{signup}/verify"),
                Some(&organizer.token),
                json!({}),
            )
            .await
            .expect(201);
        credited.push(entry.json["minutes"].as_i64().unwrap());
    }
    // 2 h 10 min rounds to 2 h; the second shift's 3 h are capped at the 4 h day.
    assert_eq!(credited, [120, 120]);
}
