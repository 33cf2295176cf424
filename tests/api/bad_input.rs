//! Bad input of every kind gets a 4xx problem and leaves the database exactly as it was.

use chrono::Duration;
use hourbook_tests::TestApp;
use reqwest::Method;
use serde_json::json;

async fn bad_requests_change_nothing(app: TestApp) {
    let (org, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 1, json!({}))
        .await;
    let volunteer = app.volunteer("输入").await;
    let other = app.volunteer("其他").await;
    let signup = app.signup_id(&shift, &volunteer).await;
    let before = app.snapshot().await;
    let (o, v) = (
        Some(organizer.token.as_str()),
        Some(volunteer.token.as_str()),
    );
    let events_path = "/api/v1/events";
    let shifts_path = format!("/api/v1/events/{event}/shifts");

    // Malformed JSON and wrong content types: 400.
    for (path, token) in [
        ("/api/v1/auth/register", None),
        (events_path, o),
        (shifts_path.as_str(), o),
    ] {
        app.call_raw(
            Method::POST,
            path,
            token,
            "application/json",
            "{\"title\": ",
        )
        .await
        .problem(400);
        app.call_raw(Method::POST, path, token, "application/json", "")
            .await
            .problem(400);
        app.call_raw(Method::POST, path, token, "text/plain", "{}")
            .await
            .problem(400);
    }
    app.call_raw(
        Method::PUT,
        "/api/v1/me/profile",
        v,
        "application/json",
        "[1, 2",
    )
    .await
    .problem(400);
    app.call_raw(
        Method::POST,
        &format!("/api/v1/signups/{signup}/verify"),
        o,
        "application/json",
        "{oops}",
    )
    .await
    .problem(400);

    // Missing fields, wrong types, unknown fields: 422 naming the field.
    assert_eq!(
        app.post(
            "/api/v1/auth/register",
            None,
            json!({"email": "a@b.cn", "name": "x"})
        )
        .await
        .field_errors(),
        [""]
    );
    assert_eq!(
        app.post(
            "/api/v1/auth/register",
            None,
            json!({"email": "a@b.cn", "password": 1234567890, "name": "x"})
        )
        .await
        .field_errors(),
        ["password"]
    );
    assert_eq!(
        app.post(
            "/api/v1/auth/register",
            None,
            json!({"email": "not-an-email", "password": "short", "name": ""})
        )
        .await
        .field_errors(),
        ["email", "password", "name"]
    );
    assert_eq!(
        app.post(&shifts_path, o, json!({"title": "x", "starts_at": "tomorrow", "ends_at": "2027-06-03T12:00:00Z", "capacity": 3})).await.field_errors(),
        ["starts_at"]
    );
    assert_eq!(
        app.post(&shifts_path, o, json!({"title": "x", "starts_at": "2027-06-03T10:00:00+08:00", "ends_at": "2027-06-03T12:00:00+08:00", "capacity": "three"})).await.field_errors(),
        ["capacity"]
    );
    assert_eq!(
        app.post(&shifts_path, o, json!({"title": "x", "starts_at": "2027-06-03T10:00:00+08:00", "ends_at": "2027-06-03T12:00:00+08:00", "capacity": 3, "colour": "red"})).await.field_errors(),
        ["colour"]
    );
    assert_eq!(
        app.put("/api/v1/me/profile", v, json!({"birth_date": "2000-01-01", "home": {"lat": 31.2}, "travel_radius_km": 5, "discoverable": true})).await.field_errors(),
        ["home"]
    );
    // Out of range.
    assert_eq!(
        app.put("/api/v1/me/profile", v, json!({"birth_date": "2000-01-01", "home": {"lat": 31.2, "lon": 500}, "travel_radius_km": 0, "discoverable": true})).await.field_errors(),
        ["home.lon", "travel_radius_km"]
    );
    assert_eq!(
        app.post(&shifts_path, o, json!({"title": "x", "starts_at": "2027-06-03T10:00:00+08:00", "ends_at": "2027-06-03T12:00:00+08:00", "capacity": 100000, "min_age": -1})).await.field_errors(),
        ["capacity", "min_age"]
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/signups/{signup}/verify"),
            o,
            json!({"minutes": -5, "note": "x"})
        )
        .await
        .field_errors(),
        ["minutes"]
    );

    // Text PostgreSQL cannot store, and dates outside any plausible range.
    for email in ["a\u{0}b@x.org", "a\u{1}b@x.org"] {
        let body = json!({"email": email, "password": "long enough!", "name": "x"});
        assert_eq!(
            app.post("/api/v1/auth/register", None, body)
                .await
                .field_errors(),
            ["email"]
        );
        let login = json!({"email": email, "password": "long enough!"});
        app.post("/api/v1/auth/login", None, login)
            .await
            .problem(401);
    }
    assert_eq!(
        app.post(
            "/api/v1/auth/register",
            None,
            json!({"email": "nul@b.cn", "password": "long enough!", "name": "a\u{0}b"})
        )
        .await
        .field_errors(),
        ["name"]
    );
    let mut nul_event = json!({"organization_id": org, "title": "t", "description": "d\u{0}", "campaign": "other", "category": "x", "location": {"lat": 31.2, "lon": 121.4}, "address": "a"});
    assert_eq!(
        app.post(events_path, o, nul_event.clone())
            .await
            .field_errors(),
        ["description"]
    );
    nul_event["description"] = json!("ok");
    nul_event["address"] = json!("a".repeat(201));
    assert_eq!(
        app.post(events_path, o, nul_event).await.field_errors(),
        ["address"]
    );
    let plus = "+".repeat(40) + "12345";
    assert_eq!(
        app.put("/api/v1/me/profile", v, json!({"birth_date": "2000-01-01", "phone": plus, "home": {"lat": 31.2, "lon": 121.4}, "travel_radius_km": 5, "discoverable": true})).await.field_errors(),
        ["phone"]
    );
    app.get("/api/v1/me/hours?from=-9999-01-01T00:00:00Z", v)
        .await
        .problem(422);
    app.get("/api/v1/events?from=9999-12-31T00:00:00Z", None)
        .await
        .problem(422);
    assert_eq!(
        app.post(&format!("/api/v1/events/{event}/insurance"), o, json!({"insurer": "a", "policy_number": "b", "covers_from": "1066-10-14", "covers_to": "2027-06-02"})).await.field_errors(),
        ["covers_from"]
    );
    assert_eq!(
        app.post(&shifts_path, o, json!({"title": "x", "starts_at": "2099-06-03T10:00:00+08:00", "ends_at": "2099-06-03T12:00:00+08:00", "capacity": 3})).await.field_errors(),
        ["starts_at"]
    );

    // Unknown ids: 404.
    let ghost = uuid::Uuid::new_v4();
    app.post(&format!("/api/v1/shifts/{ghost}/signups"), v, json!({}))
        .await
        .problem(404);
    app.post(&format!("/api/v1/signups/{ghost}/check-in"), o, json!({}))
        .await
        .problem(404);
    app.delete(&format!("/api/v1/signups/{ghost}"), v)
        .await
        .problem(404);
    app.delete("/api/v1/signups/12345", v).await.problem(404);
    app.post(&format!("/api/v1/events/{ghost}/insurance"), o, json!({"insurer": "a", "policy_number": "b", "covers_from": "2027-06-01", "covers_to": "2027-06-02"})).await.problem(404);

    // Wrong role: 403; someone else's signup: 404; no token: 401.
    app.post(&shifts_path, v, json!({"title": "x", "starts_at": "2027-06-03T10:00:00+08:00", "ends_at": "2027-06-03T12:00:00+08:00", "capacity": 3})).await.problem(403);
    app.post(&format!("/api/v1/signups/{signup}/no-show"), v, json!({}))
        .await
        .problem(403);
    app.delete(&format!("/api/v1/signups/{signup}"), Some(&other.token))
        .await
        .problem(404);
    app.post(&format!("/api/v1/shifts/{shift}/signups"), None, json!({}))
        .await
        .problem(401);
    // A full shift still takes a waitlist signup, but an ineligible request changes nothing.
    app.post(&format!("/api/v1/shifts/{shift}/signups"), v, json!({}))
        .await
        .problem(409);

    assert_eq!(
        app.snapshot().await,
        before,
        "a failed request left something behind"
    );
}

hourbook_tests::backend_tests!(bad_requests_change_nothing);
