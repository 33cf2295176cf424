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
    let signup = app
        .post(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&volunteer.token),
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(signup.json["status"], "confirmed");
    let signup = signup.json["id"].as_str().unwrap().to_string();
    let other = app
        .post(
            &format!("/api/v1/shifts/{second}/signups"),
            Some(&volunteer.token),
            json!({}),
        )
        .await
        .expect(201);
    let other = other.json["id"].as_str().unwrap().to_string();

    let start = hourbook_tests::test_start() + Duration::days(2);
    app.clock.set(start + Duration::hours(4));
    let verify = format!("/api/v1/signups/{signup}/verify");
    app.post(&verify, Some(&organizer.token), json!({}))
        .await
        .problem(409);
    app.post(
        &format!("/api/v1/signups/{signup}/check-in"),
        Some(&organizer.token),
        json!({"at": (start + Duration::minutes(5)).to_rfc3339()}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/signups/{signup}/check-out"),
        Some(&organizer.token),
        json!({"at": (start + Duration::hours(3) + Duration::minutes(40)).to_rfc3339()}),
    )
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
    app.post(
        &format!("/api/v1/signups/{other}/check-in"),
        Some(&organizer.token),
        json!({"at": start2.to_rfc3339()}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/signups/{other}/check-out"),
        Some(&organizer.token),
        json!({"at": (start2 + Duration::hours(2)).to_rfc3339()}),
    )
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
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "community", "organizer")
        .await;
    let event = app.event(&organizer, &org, (31.24, 121.40), false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(1), 2, 5, json!({}))
        .await;
    let v = app.volunteer_at("账本", (31.24, 121.40), json!([])).await;
    let s = app
        .post(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&v.token),
            json!({}),
        )
        .await
        .expect(201);
    let id = s.json["id"].as_str().unwrap().to_string();
    app.clock.advance(Duration::days(1) + Duration::hours(3));
    app.post(
        &format!("/api/v1/signups/{id}/check-in"),
        Some(&organizer.token),
        json!({"at": (hourbook_tests::test_start() + Duration::days(1)).to_rfc3339()}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/signups/{id}/check-out"),
        Some(&organizer.token),
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/signups/{id}/verify"),
        Some(&organizer.token),
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
        .get("/api/v1/me/hours", Some(&v.token))
        .await
        .expect(200);
    // Two hours served plus the 15 minutes' grace after the end.
    assert_eq!(hours.json["total_minutes"], 135);
}

hourbook_tests::backend_tests!(
    the_volunteer_journey_ends_in_verified_hours,
    the_ledger_table_is_append_only
);
