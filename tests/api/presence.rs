use chrono::Duration;
use hourbook_tests::TestApp;
use serde_json::json;

async fn volunteers_check_in_on_site_only(app: TestApp) {
    let s = app
        .booking("league_committee", false, Duration::days(2), 3, "签到")
        .await;
    let check_in = format!("/api/v1/signups/{}/check-in", s.signup);
    // Too early: check-in opens an hour before the start.
    app.clock.advance(Duration::days(2) - Duration::hours(2));
    app.post(
        &check_in,
        Some(&s.volunteer.token),
        json!({"location": {"lat": 31.24, "lon": 121.40}}),
    )
    .await
    .problem(409);
    app.clock.advance(Duration::hours(2) + Duration::minutes(5));
    // About 1.1 km away: outside the 500 m geofence.
    let fields = app
        .post(
            &check_in,
            Some(&s.volunteer.token),
            json!({"location": {"lat": 31.25, "lon": 121.40}}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["location"]);
    assert_eq!(
        app.post(&check_in, Some(&s.volunteer.token), json!({}))
            .await
            .field_errors(),
        ["location"]
    );
    // Volunteers cannot back-date.
    let at = app.clock.now().to_rfc3339();
    assert_eq!(
        app.post(
            &check_in,
            Some(&s.volunteer.token),
            json!({"at": at, "location": {"lat": 31.24, "lon": 121.40}})
        )
        .await
        .field_errors(),
        ["at"]
    );
    let inside = app
        .post(
            &check_in,
            Some(&s.volunteer.token),
            json!({"location": {"lat": 31.2415, "lon": 121.4010}}),
        )
        .await
        .expect(200);
    assert_eq!(inside.json["status"], "checked_in");
    assert!(inside.json["checked_in_at"].is_string());
    app.post(
        &check_in,
        Some(&s.volunteer.token),
        json!({"location": {"lat": 31.24, "lon": 121.40}}),
    )
    .await
    .problem(409);
    // Strangers cannot see or touch it.
    let stranger = app.register("路人").await;
    app.post(&check_in, Some(&stranger.token), json!({}))
        .await
        .problem(404);
    app.clock.advance(Duration::hours(3));
    let out = app
        .post(
            &format!("/api/v1/signups/{}/check-out", s.signup),
            Some(&s.volunteer.token),
            json!({"location": {"lat": 31.24, "lon": 121.40}}),
        )
        .await
        .expect(200);
    assert_eq!(out.json["status"], "checked_out");
}

async fn organizers_check_in_at_the_desk_with_a_time(app: TestApp) {
    let s = app
        .booking("league_committee", false, Duration::days(2), 3, "签到")
        .await;
    app.clock.advance(Duration::days(2) + Duration::hours(4));
    let start = hourbook_tests::test_start() + Duration::days(2);
    let check_in = format!("/api/v1/signups/{}/check-in", s.signup);
    let check_out = format!("/api/v1/signups/{}/check-out", s.signup);
    // Check-out before check-in is a conflict.
    app.post(&check_out, Some(&s.organizer.token), json!({}))
        .await
        .problem(409);
    let future = (app.clock.now() + Duration::hours(1)).to_rfc3339();
    assert_eq!(
        app.post(&check_in, Some(&s.organizer.token), json!({"at": future}))
            .await
            .field_errors(),
        ["at"]
    );
    let r = app
        .post(
            &check_in,
            Some(&s.organizer.token),
            json!({"at": (start - Duration::minutes(10)).to_rfc3339()}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["checked_in_at"], "2027-06-02T23:50:00Z");
    let before = (start - Duration::minutes(20)).to_rfc3339();
    assert_eq!(
        app.post(&check_out, Some(&s.organizer.token), json!({"at": before}))
            .await
            .field_errors(),
        ["at"]
    );
    let r = app
        .post(
            &check_out,
            Some(&s.organizer.token),
            json!({"at": (start + Duration::hours(3) + Duration::minutes(30)).to_rfc3339()}),
        )
        .await
        .expect(200);
    assert_eq!(r.json["status"], "checked_out");
}

async fn hazardous_events_need_insurance_before_check_in(app: TestApp) {
    let s = app
        .booking("league_committee", true, Duration::days(2), 3, "签到")
        .await;
    app.clock.advance(Duration::days(2));
    let check_in = format!("/api/v1/signups/{}/check-in", s.signup);
    let body = app
        .post(&check_in, Some(&s.organizer.token), json!({}))
        .await
        .problem(409);
    assert!(body["detail"].as_str().unwrap().contains("insurance"));
    // A policy that does not cover the day does not count.
    app.post(
        &format!("/api/v1/events/{}/insurance", s.event),
        Some(&s.organizer.token),
        json!({"insurer": "人保", "policy_number": "A1", "covers_from": "2027-07-01", "covers_to": "2027-08-31"}),
    )
    .await
    .expect(201);
    app.post(&check_in, Some(&s.organizer.token), json!({}))
        .await
        .problem(409);
    app.post(
        &format!("/api/v1/events/{}/insurance", s.event),
        Some(&s.organizer.token),
        json!({"insurer": "人保", "policy_number": "A2", "covers_from": "2027-06-01", "covers_to": "2027-06-30"}),
    )
    .await
    .expect(201);
    app.post(&check_in, Some(&s.organizer.token), json!({}))
        .await
        .expect(200);
}

async fn no_shows_are_recorded_by_organizers_after_the_start(app: TestApp) {
    let s = app
        .booking("league_committee", false, Duration::days(2), 3, "签到")
        .await;
    let path = format!("/api/v1/signups/{}/no-show", s.signup);
    app.post(&path, Some(&s.organizer.token), json!({}))
        .await
        .problem(409);
    app.clock.advance(Duration::days(2) + Duration::minutes(30));
    app.post(&path, Some(&s.volunteer.token), json!({}))
        .await
        .problem(403);
    let r = app
        .post(&path, Some(&s.organizer.token), json!({}))
        .await
        .expect(200);
    assert_eq!(r.json["status"], "no_show");
    app.post(
        &format!("/api/v1/signups/{}/check-in", s.signup),
        Some(&s.organizer.token),
        json!({}),
    )
    .await
    .problem(409);
}

hourbook_tests::backend_tests!(
    volunteers_check_in_on_site_only,
    organizers_check_in_at_the_desk_with_a_time,
    hazardous_events_need_insurance_before_check_in,
    no_shows_are_recorded_by_organizers_after_the_start
);
