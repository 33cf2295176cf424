//! Who may do what with a signup: verifiers verify, organizers run the desk, nobody verifies
//! their own hours.

use chrono::Duration;
use hourbook_tests::TestApp;
use serde_json::json;

async fn verifiers_verify_organizers_run_the_desk_and_nobody_verifies_themselves(app: TestApp) {
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "league_committee", "organizer")
        .await;
    let verifier = app.register("审核员").await;
    app.post(
        &format!("/api/v1/organizations/{org}/members"),
        Some(&admin.token),
        json!({"email": verifier.email, "role": "verifier"}),
    )
    .await
    .expect(201);
    let event = app.event(&organizer, &org, (31.24, 121.40), false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(1), 2, 5, json!({}))
        .await;
    let volunteer = app.volunteer("志愿者").await;
    // The organizer fills in a profile and signs up for their own shift too.
    app.put(
        "/api/v1/me/profile",
        Some(&organizer.token),
        json!({"birth_date": "1990-01-01", "home": {"lat": 31.24, "lon": 121.40}, "travel_radius_km": 5, "discoverable": false}),
    )
    .await
    .expect(200);
    let theirs = app.signup_id(&shift, &volunteer).await;
    let own = app.signup_id(&shift, &organizer).await;
    app.clock.advance(Duration::days(1) + Duration::hours(3));
    let start = hourbook_tests::test_start() + Duration::days(1);

    // A verifier sees the roster but does not run the desk.
    app.get(
        &format!("/api/v1/shifts/{shift}/signups"),
        Some(&verifier.token),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/signups/{theirs}/check-in"),
        Some(&verifier.token),
        json!({}),
    )
    .await
    .problem(403);
    app.post(
        &format!("/api/v1/signups/{theirs}/no-show"),
        Some(&verifier.token),
        json!({}),
    )
    .await
    .problem(403);
    app.desk_check_in(&theirs, &organizer, Some(start))
        .await
        .expect(200);
    app.desk_check_out(&theirs, &organizer, None)
        .await
        .expect(200);
    let entry = app
        .post(
            &format!("/api/v1/signups/{theirs}/verify"),
            Some(&verifier.token),
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(entry.json["verified_by"], verifier.id);

    // On their own signup the organizer is a volunteer: no back-dating, no desk, no verifying.
    let fields = app
        .post(
            &format!("/api/v1/signups/{own}/check-in"),
            Some(&organizer.token),
            json!({"at": start.to_rfc3339()}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["at"]);
    app.post(
        &format!("/api/v1/signups/{own}/verify"),
        Some(&organizer.token),
        json!({"minutes": 1440, "note": "trust me"}),
    )
    .await
    .problem(403);
}

async fn a_shift_that_has_started_cannot_be_cancelled(app: TestApp) {
    let s = app
        .booking("community", false, Duration::hours(1), 2, "已到")
        .await;
    app.clock
        .advance(Duration::hours(1) + Duration::minutes(10));
    app.desk_check_in(&s.signup, &s.organizer, None)
        .await
        .expect(200);
    app.delete(
        &format!("/api/v1/shifts/{}", s.shift),
        Some(&s.organizer.token),
    )
    .await
    .problem(409);
    let mine = app
        .get("/api/v1/me/signups", Some(&s.volunteer.token))
        .await
        .expect(200);
    assert_eq!(mine.json["items"][0]["status"], "checked_in");
}

async fn a_shift_with_volunteers_checked_in_early_cannot_be_cancelled(app: TestApp) {
    let s = app
        .booking("community", false, Duration::minutes(30), 2, "早到")
        .await;
    app.desk_check_in(&s.signup, &s.organizer, None)
        .await
        .expect(200);
    app.delete(
        &format!("/api/v1/shifts/{}", s.shift),
        Some(&s.organizer.token),
    )
    .await
    .problem(409);
    let still = app
        .get(&format!("/api/v1/shifts/{}", s.shift), None)
        .await
        .expect(200);
    assert_eq!(still.json["status"], "open");
}

hourbook_tests::backend_tests!(
    a_shift_with_volunteers_checked_in_early_cannot_be_cancelled,
    verifiers_verify_organizers_run_the_desk_and_nobody_verifies_themselves,
    a_shift_that_has_started_cannot_be_cancelled
);
