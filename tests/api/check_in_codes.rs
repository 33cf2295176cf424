//! Checking in with the rotating code on the organizer's screen instead of a location.

use chrono::Duration;
use hourbook_tests::{TestApp, backend_tests};
use serde_json::json;

backend_tests!(a_volunteer_checks_in_with_the_current_code_only);

async fn a_volunteer_checks_in_with_the_current_code_only(app: TestApp) {
    let booking = app
        .booking("community", false, Duration::hours(2), 3, "李明")
        .await;
    let (organizer, volunteer) = (&booking.organizer, &booking.volunteer);
    let late = app.volunteer("迟到者").await;
    let late_signup = app.signup_id(&booking.shift, &late).await;
    let code_path = format!("/api/v1/shifts/{}/check-in-code", booking.shift);
    // Not before check-in opens, and never for volunteers.
    app.get(&code_path, Some(&organizer.token))
        .await
        .problem(409);
    app.clock.advance(Duration::minutes(90));
    app.get(&code_path, Some(&volunteer.token))
        .await
        .problem(403);
    let shown = app
        .get(&code_path, Some(&organizer.token))
        .await
        .expect(200);
    let code = shown.json["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 6);
    assert!(shown.json["qr_svg"].as_str().unwrap().starts_with("<?xml"));

    let check_in = format!("/api/v1/signups/{}/check-in", booking.signup);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    assert_eq!(
        app.post(&check_in, Some(&volunteer.token), json!({"code": wrong}))
            .await
            .field_errors(),
        ["code"]
    );
    // Neither code nor location: the location is asked for.
    assert_eq!(
        app.post(&check_in, Some(&volunteer.token), json!({}))
            .await
            .field_errors(),
        ["location"]
    );
    let r = app
        .post(&check_in, Some(&volunteer.token), json!({"code": code}))
        .await
        .expect(200);
    assert_eq!(r.json["status"], "checked_in");

    // A code copied into a group chat is stale a minute later.
    app.clock.advance(Duration::seconds(65));
    assert_eq!(
        app.post(
            &format!("/api/v1/signups/{late_signup}/check-in"),
            Some(&late.token),
            json!({"code": code})
        )
        .await
        .field_errors(),
        ["code"]
    );
    // Codes are for checking in on site only.
    app.post(
        &format!("/api/v1/signups/{}/check-out", booking.signup),
        Some(&volunteer.token),
        json!({"code": code}),
    )
    .await
    .problem(422);

    app.clock.advance(Duration::hours(3));
    app.desk_check_out(&booking.signup, organizer, None)
        .await
        .expect(200);
    let entry = app
        .post(
            &format!("/api/v1/signups/{}/verify", booking.signup),
            Some(&organizer.token),
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(entry.json["source"], "check_in_code");
}
