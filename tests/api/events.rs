use chrono::Duration;
use hourbook_tests::TestApp;
use serde_json::json;

fn event_body(org: &str, title: &str, campaign: &str, at: (f64, f64)) -> serde_json::Value {
    json!({
        "organization_id": org, "title": title, "description": "", "campaign": campaign,
        "category": "community_service", "location": {"lat": at.0, "lon": at.1}, "address": "某路口"
    })
}

async fn organizers_post_events_for_their_own_organization(app: TestApp) {
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "league_committee", "organizer")
        .await;
    let (_, stranger) = app.organization_with(&admin, "ngo", "organizer").await;
    let (_, verifier) = app.organization_with(&admin, "school", "verifier").await;
    let body = event_body(&org, "文明城区交通劝导", "civilized_city", (31.24, 121.40));
    app.post("/api/v1/events", None, body.clone())
        .await
        .problem(401);
    app.post("/api/v1/events", Some(&stranger.token), body.clone())
        .await
        .problem(403);
    app.post("/api/v1/events", Some(&verifier.token), body.clone())
        .await
        .problem(403);
    let created = app
        .post("/api/v1/events", Some(&organizer.token), body)
        .await
        .expect(201);
    assert_eq!(created.json["campaign"], "civilized_city");
    assert_eq!(created.json["organization_id"], org);

    let mut hazardous = event_body(&org, "防溺水巡河", "drowning_prevention", (31.24, 121.40));
    hazardous["hazardous"] = json!(true);
    assert_eq!(
        app.post("/api/v1/events", Some(&organizer.token), hazardous)
            .await
            .field_errors(),
        ["risks"]
    );
    let bad = event_body(&org, " ", "party", (95.0, 121.4));
    assert_eq!(
        app.post("/api/v1/events", Some(&organizer.token), bad)
            .await
            .field_errors(),
        ["campaign"]
    );
    let bad = event_body(&org, " ", "other", (95.0, 181.0));
    assert_eq!(
        app.post("/api/v1/events", Some(&organizer.token), bad)
            .await
            .field_errors(),
        ["title", "location.lat", "location.lon"]
    );
    let ghost = event_body(
        &uuid::Uuid::new_v4().to_string(),
        "t",
        "other",
        (31.2, 121.4),
    );
    assert_eq!(
        app.post("/api/v1/events", Some(&organizer.token), ghost)
            .await
            .field_errors(),
        ["organization_id"]
    );
}

async fn events_list_nearest_first_with_filters_and_pages(app: TestApp) {
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "league_committee", "organizer")
        .await;
    let mut ids = Vec::new();
    // About 0, 1.1 and 5.6 km north of the search point.
    for (title, campaign, lat) in [
        ("far", "environment", 31.29),
        ("near", "civilized_city", 31.24),
        ("middle", "civilized_city", 31.25),
    ] {
        let r = app
            .post(
                "/api/v1/events",
                Some(&organizer.token),
                event_body(&org, title, campaign, (lat, 121.40)),
            )
            .await
            .expect(201);
        let id = r.id();
        app.shift(&organizer, &id, Duration::days(3), 2, 4, json!({}))
            .await;
        ids.push(id);
    }
    // An event whose only shift is over does not show.
    let past = app
        .post(
            "/api/v1/events",
            Some(&organizer.token),
            event_body(&org, "past", "other", (31.24, 121.40)),
        )
        .await;
    let past_id = past.id();
    app.shift(&organizer, &past_id, Duration::hours(1), 1, 4, json!({}))
        .await;
    app.clock.advance(Duration::hours(3));

    let all = app
        .get("/api/v1/events?near=31.24,121.40", None)
        .await
        .expect(200);
    let titles: Vec<_> = all.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["near", "middle", "far"]);
    let distances: Vec<f64> = all.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["distance_km"].as_f64().unwrap())
        .collect();
    assert_eq!(distances[0], 0.0);
    assert!((1.0..1.2).contains(&distances[1]), "{distances:?}");
    assert!((5.4..5.8).contains(&distances[2]), "{distances:?}");

    let close = app
        .get("/api/v1/events?near=31.24,121.40&radius_km=2", None)
        .await
        .expect(200);
    assert_eq!(close.json["items"].as_array().unwrap().len(), 2);
    let campaign = app
        .get("/api/v1/events?campaign=environment", None)
        .await
        .expect(200);
    assert_eq!(campaign.json["items"][0]["title"], "far");
    assert_eq!(campaign.json["items"].as_array().unwrap().len(), 1);
    // A window that ends before the shifts start finds nothing.
    let to = (hourbook_tests::test_start() + Duration::days(1))
        .to_rfc3339()
        .replace('+', "%2B");
    let none = app
        .get(&format!("/api/v1/events?to={to}"), None)
        .await
        .expect(200);
    assert_eq!(none.json["items"], json!([]));

    let first = app
        .get("/api/v1/events?near=31.24,121.40&limit=2", None)
        .await
        .expect(200);
    assert_eq!(first.json["items"].as_array().unwrap().len(), 2);
    let cursor = first.json["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_string();
    let second = app
        .get(
            &format!("/api/v1/events?near=31.24,121.40&limit=2&cursor={cursor}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(second.json["items"][0]["title"], "far");
    assert!(second.json["next_cursor"].is_null());

    for bad in [
        "near=north",
        "near=91,0",
        "radius_km=5",
        "campaign=party",
        "limit=0",
        "limit=101",
        "cursor=zzz",
    ] {
        app.get(&format!("/api/v1/events?{bad}"), None)
            .await
            .problem(422);
    }
    app.get("/api/v1/events?from=yesterday", None)
        .await
        .problem(400);
}

async fn shifts_are_validated_and_shown_with_their_event(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(
            &organizer,
            &event,
            Duration::days(1),
            3,
            6,
            json!({"required_skills": ["childcare"], "min_age": 16, "minors_per_adult": 4}),
        )
        .await;
    let detail = app
        .get(&format!("/api/v1/events/{event}"), None)
        .await
        .expect(200);
    assert_eq!(detail.json["shifts"][0]["id"], shift);
    assert_eq!(detail.json["shifts"][0]["confirmed_count"], 0);
    assert_eq!(detail.json["shifts"][0]["waitlist_count"], 0);
    assert_eq!(
        detail.json["shifts"][0]["required_skills"],
        json!(["childcare"])
    );
    let one = app
        .get(&format!("/api/v1/shifts/{shift}"), None)
        .await
        .expect(200);
    assert_eq!(one.json["capacity"], 6);
    assert_eq!(one.json["address"], "长风新村活动室");

    let path = format!("/api/v1/events/{event}/shifts");
    let now = app.clock.now();
    let fields = app
        .post(&path, Some(&organizer.token), json!({
            "title": "x", "starts_at": (now + Duration::days(1)).to_rfc3339(), "ends_at": now.to_rfc3339(),
            "capacity": 0, "required_skills": ["juggling"]
        }))
        .await
        .field_errors();
    assert_eq!(
        fields,
        ["ends_at", "ends_at", "capacity", "required_skills[0]"]
    );
    let volunteer = app.register("志愿者").await;
    let good = json!({"title": "x", "starts_at": (now + Duration::days(1)).to_rfc3339(), "ends_at": (now + Duration::days(1) + Duration::hours(2)).to_rfc3339(), "capacity": 2});
    app.post(&path, Some(&volunteer.token), good.clone())
        .await
        .problem(403);
    app.post(
        &format!("/api/v1/events/{}/shifts", uuid::Uuid::new_v4()),
        Some(&organizer.token),
        good,
    )
    .await
    .problem(404);
    app.get(&format!("/api/v1/events/{}", uuid::Uuid::new_v4()), None)
        .await
        .problem(404);
    app.get("/api/v1/shifts/not-a-uuid", None)
        .await
        .problem(404);
}

async fn cancelling_a_shift_cancels_its_signups(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(1), 3, 1, json!({}))
        .await;
    let a = app.volunteer("甲").await;
    let b = app.volunteer("乙").await;
    app.sign_up(&shift, &a).await.expect(201);
    app.sign_up(&shift, &b).await.expect(201);
    app.delete(&format!("/api/v1/shifts/{shift}"), Some(&a.token))
        .await
        .problem(403);
    let cancelled = app
        .delete(&format!("/api/v1/shifts/{shift}"), Some(&organizer.token))
        .await
        .expect(200);
    assert_eq!(cancelled.json["status"], "cancelled");
    assert_eq!(cancelled.json["confirmed_count"], 0);
    let mine = app
        .get("/api/v1/me/signups", Some(&b.token))
        .await
        .expect(200);
    assert_eq!(mine.json["items"][0]["status"], "cancelled");
    app.delete(&format!("/api/v1/shifts/{shift}"), Some(&organizer.token))
        .await
        .problem(409);
    app.sign_up(&shift, &a).await.problem(409);
}

async fn insurance_is_recorded_by_organizers(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("league_committee", true).await;
    let path = format!("/api/v1/events/{event}/insurance");
    let body = json!({"insurer": "中国人寿", "policy_number": "P-2027-001", "covers_from": "2027-06-01", "covers_to": "2027-08-31"});
    let volunteer = app.register("志愿者").await;
    app.post(&path, Some(&volunteer.token), body.clone())
        .await
        .problem(403);
    app.post(&path, Some(&organizer.token), body)
        .await
        .expect(201);
    let fields = app
        .post(&path, Some(&organizer.token), json!({"insurer": "x", "policy_number": "y", "covers_from": "2027-08-01", "covers_to": "2027-06-01"}))
        .await
        .field_errors();
    assert_eq!(fields, ["covers_to"]);
    let detail = app
        .get(&format!("/api/v1/events/{event}"), None)
        .await
        .expect(200);
    assert_eq!(detail.json["insurance"][0]["insurer"], "中国人寿");
}

hourbook_tests::backend_tests!(
    organizers_post_events_for_their_own_organization,
    events_list_nearest_first_with_filters_and_pages,
    shifts_are_validated_and_shown_with_their_event,
    cancelling_a_shift_cancels_its_signups,
    insurance_is_recorded_by_organizers
);
