use chrono::Duration;
use hourbook_tests::TestApp;
use sea_orm::ConnectionTrait;
use serde_json::json;

/// The whole journey of issue 2: register, profile, find a shift near home, sign up, be
/// checked in and out at the desk, get verified, see the hours.
async fn the_volunteer_journey_ends_in_verified_hours(app: TestApp) {
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "community", "organizer")
        .await;
    let (_, other_verifier) = app.organization_with(&admin, "school", "verifier").await;
    let event = app
        .event(&organizer, &org, (31.2400, 121.4000), false)
        .await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let second = app
        .shift(&organizer, &event, Duration::days(4), 2, 5, json!({}))
        .await;
    let volunteer = app
        .volunteer_at("小王", (31.2450, 121.4050), json!([{"skill": "childcare"}]))
        .await;

    let near = app
        .get("/api/v1/events?near=31.2450,121.4050&radius_km=3", None)
        .await
        .expect(200);
    assert_eq!(near.json["items"][0]["id"], event);
    let signup = app.sign_up(&shift, &volunteer).await.expect(201);
    assert_eq!(signup.json["status"], "confirmed");
    let signup = signup.id();
    let other = app.signup_id(&second, &volunteer).await;

    let start = hourbook_tests::test_start() + Duration::days(2);
    app.clock.set(start + Duration::hours(4));
    let verify = format!("/api/v1/signups/{signup}/verify");
    app.post(&verify, Some(&organizer.token), json!({}))
        .await
        .problem(409);
    let arrived = start + Duration::minutes(5);
    app.desk_check_in(&signup, &organizer, Some(arrived))
        .await
        .expect(200);
    let left = start + Duration::hours(3) + Duration::minutes(40);
    app.desk_check_out(&signup, &organizer, Some(left))
        .await
        .expect(200);

    // Nobody but the event's organization verifies, and never the volunteer.
    app.post(&verify, Some(&volunteer.token), json!({}))
        .await
        .problem(403);
    app.post(&verify, Some(&other_verifier.token), json!({}))
        .await
        .problem(404);
    assert_eq!(
        app.post(&verify, Some(&organizer.token), json!({"minutes": 200}))
            .await
            .field_errors(),
        ["note"]
    );
    let unverified = app
        .get("/api/v1/me/hours", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(unverified.json["total_minutes"], 0);

    let entry = app
        .post(&verify, Some(&organizer.token), json!({}))
        .await
        .expect(201);
    // 08:05 to 11:40 clipped to the shift plus 15 minutes' grace: 08:05 to 11:15.
    assert_eq!(entry.json["minutes"], 190);
    assert_eq!(entry.json["source"], "organizer_desk");
    assert_eq!(entry.json["kind"], "service");
    assert_eq!(entry.json["prev_hash"], "0".repeat(64));
    app.post(&verify, Some(&organizer.token), json!({}))
        .await
        .problem(409);

    // The second shift, adjusted with a note, chains onto the first.
    let start2 = hourbook_tests::test_start() + Duration::days(4);
    app.clock.set(start2 + Duration::hours(3));
    app.desk_check_in(&other, &organizer, Some(start2))
        .await
        .expect(200);
    app.desk_check_out(&other, &organizer, Some(start2 + Duration::hours(2)))
        .await
        .expect(200);
    let adjusted = app
        .post(
            &format!("/api/v1/signups/{other}/verify"),
            Some(&organizer.token),
            json!({"minutes": 90, "note": "离开半小时 left for 30 minutes"}),
        )
        .await
        .expect(201);
    assert_eq!(adjusted.json["source"], "adjusted");
    assert_eq!(adjusted.json["computed_minutes"], 120);
    assert_eq!(adjusted.json["prev_hash"], entry.json["hash"]);

    let hours = app
        .get("/api/v1/me/hours", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(hours.json["total_minutes"], 280);
    assert_eq!(hours.json["by_category"]["childcare"], 280);
    assert_eq!(hours.json["entries"].as_array().unwrap().len(), 2);
    assert_eq!(
        hours.json["entries"][0]["organization"]["name"],
        "community org"
    );
    let later = (start2 - Duration::hours(1))
        .to_rfc3339()
        .replace('+', "%2B");
    let window = app
        .get(
            &format!("/api/v1/me/hours?from={later}"),
            Some(&volunteer.token),
        )
        .await
        .expect(200);
    assert_eq!(window.json["total_minutes"], 90);
    let mine = app
        .get("/api/v1/me/signups", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(mine.json["items"][0]["status"], "verified");
}

/// The ledger refuses UPDATE and DELETE from any client, not just from our code.
async fn the_ledger_table_is_append_only(app: TestApp) {
    let s = app
        .booking("community", false, Duration::days(1), 2, "账本")
        .await;
    app.clock.advance(Duration::days(1) + Duration::hours(3));
    let start = hourbook_tests::test_start() + Duration::days(1);
    app.desk_check_in(&s.signup, &s.organizer, Some(start))
        .await
        .expect(200);
    app.desk_check_out(&s.signup, &s.organizer, None)
        .await
        .expect(200);
    app.post(
        &format!("/api/v1/signups/{}/verify", s.signup),
        Some(&s.organizer.token),
        json!({}),
    )
    .await
    .expect(201);
    let db = app.state.store.connection();
    assert!(
        db.execute_unprepared("UPDATE ledger_entries SET minutes = 9999")
            .await
            .is_err()
    );
    assert!(
        db.execute_unprepared("DELETE FROM ledger_entries")
            .await
            .is_err()
    );
    let hours = app
        .get("/api/v1/me/hours", Some(&s.volunteer.token))
        .await
        .expect(200);
    // Two hours served plus the 15 minutes' grace after the end.
    assert_eq!(hours.json["total_minutes"], 135);
}

hourbook_tests::backend_tests!(
    the_volunteer_journey_ends_in_verified_hours,
    the_ledger_table_is_append_only
);
