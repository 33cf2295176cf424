use chrono::Duration;
use hourbook_tests::{SITE, TestApp, User};
use serde_json::{Value, json};

/// A 15-year-old at [`SITE`] whose guardian has (or has not) consented.
pub(crate) async fn minor(app: &TestApp, name: &str, consent: bool) -> User {
    let user = app.register(name).await;
    app.put(
        "/api/v1/me/profile",
        Some(&user.token),
        json!({
            "birth_date": "2011-01-01", "home": {"lat": 31.24, "lon": 121.40}, "travel_radius_km": 5, "discoverable": true,
            "guardian": {"name": "家长", "email": "parent@example.com", "phone": "13900139000", "consent_given": consent}
        }),
    )
    .await
    .expect(200);
    user
}

async fn seats_then_waitlist_then_promotion(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 2, json!({}))
        .await;
    let mut people = Vec::new();
    for name in ["一", "二", "三", "四"] {
        people.push(app.volunteer(name).await);
    }
    let mut signups = Vec::new();
    for p in &people {
        signups.push(app.sign_up(&shift, p).await.expect(201).json);
    }
    let statuses: Vec<_> = signups
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    );
    assert_eq!(signups[2]["waitlist_position"], 1);
    assert_eq!(signups[3]["waitlist_position"], 2);
    assert!(signups[0].get("waitlist_position").is_none());
    app.sign_up(&shift, &people[0]).await.problem(409);

    // Someone else's signup is not theirs to cancel.
    let first = signups[0]["id"].as_str().unwrap();
    app.delete(&format!("/api/v1/signups/{first}"), Some(&people[1].token))
        .await
        .problem(404);
    let cancelled = app
        .delete(&format!("/api/v1/signups/{first}"), Some(&people[0].token))
        .await
        .expect(200);
    assert_eq!(cancelled.json["status"], "cancelled");
    app.delete(&format!("/api/v1/signups/{first}"), Some(&people[0].token))
        .await
        .problem(409);

    let roster = app
        .get(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    let lines: Vec<(String, Value)> = roster.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["status"].as_str().unwrap().to_string(),
                l["waitlist_position"].clone(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("cancelled".to_string(), Value::Null),
            ("confirmed".to_string(), Value::Null),
            ("confirmed".to_string(), Value::Null),
            ("waitlisted".to_string(), json!(1)),
        ]
    );
    assert_eq!(roster.json["items"][2]["volunteer"]["name"], "三");
    app.get(
        &format!("/api/v1/shifts/{shift}/signups"),
        Some(&people[1].token),
    )
    .await
    .problem(403);

    // The promoted volunteer was told, in the same transaction.
    let outbox = app.outbox().await;
    assert!(
        outbox.contains(&("waitlist_promoted".to_string(), people[2].email.clone())),
        "{outbox:?}"
    );
    let shift_now = app
        .get(&format!("/api/v1/shifts/{shift}"), None)
        .await
        .expect(200);
    assert_eq!(
        (
            shift_now.json["confirmed_count"].as_i64(),
            shift_now.json["waitlist_count"].as_i64()
        ),
        (Some(2), Some(1))
    );
}

async fn overlapping_confirmed_shifts_conflict(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let morning = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let overlapping = app
        .shift(
            &organizer,
            &event,
            Duration::days(2) + Duration::hours(2),
            3,
            5,
            json!({}),
        )
        .await;
    let after = app
        .shift(
            &organizer,
            &event,
            Duration::days(2) + Duration::hours(3),
            3,
            5,
            json!({}),
        )
        .await;
    let v = app.volunteer("忙人").await;
    app.sign_up(&morning, &v).await.expect(201);
    app.sign_up(&overlapping, &v).await.problem(409);
    // Back to back is fine.
    app.sign_up(&after, &v).await.expect(201);
}

async fn hard_rules_refuse_with_reasons(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let lifeguards = app
        .shift(
            &organizer,
            &event,
            Duration::days(2),
            3,
            5,
            json!({"required_skills": ["lifeguard"], "min_age": 30}),
        )
        .await;
    let no_profile = app.register("无资料").await;
    let body = app.sign_up(&lifeguards, &no_profile).await.problem(422);
    assert_eq!(body["reasons"][0]["code"], "profile_missing");

    let v = app
        .volunteer_at(
            "年轻人",
            (31.24, 121.40),
            json!([{"skill": "lifeguard", "certificate_expires_on": "2027-05-31"}]),
        )
        .await;
    let body = app.sign_up(&lifeguards, &v).await.problem(422);
    let codes: Vec<_> = body["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["too_young", "certificate_expired"]);

    // Far away and outside availability is the volunteer's own choice: allowed.
    let open = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let far = app.volunteer_at("远方", (31.80, 121.90), json!([])).await;
    app.sign_up(&open, &far).await.expect(201);
    app.sign_up(&uuid::Uuid::new_v4().to_string(), &far)
        .await
        .problem(404);
}

async fn minors_need_consent_and_the_adult_ratio(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(
            &organizer,
            &event,
            Duration::days(2),
            3,
            10,
            json!({"minors_per_adult": 2}),
        )
        .await;
    let no_consent = minor(&app, "未同意", false).await;
    let body = app.sign_up(&shift, &no_consent).await.problem(422);
    assert_eq!(body["reasons"][0]["code"], "guardian_consent_missing");

    let kids: Vec<User> = {
        let mut kids = Vec::new();
        for n in 0..3 {
            kids.push(minor(&app, &format!("学生{n}"), true).await);
        }
        kids
    };
    // No adult yet: minors wait with the reason.
    let first = app.sign_up(&shift, &kids[0]).await.expect(201);
    assert_eq!(first.json["status"], "waitlisted");
    assert_eq!(first.json["wait_reason"], "adult_ratio");
    // An adult arrives: the adult and then up to two minors get seats, in arrival order.
    let adult = app.volunteer("大人").await;
    assert_eq!(
        app.sign_up(&shift, &adult).await.expect(201).json["status"],
        "confirmed"
    );
    assert_eq!(
        app.sign_up(&shift, &kids[1]).await.expect(201).json["status"],
        "confirmed"
    );
    let third = app.sign_up(&shift, &kids[2]).await.expect(201);
    assert_eq!(third.json["status"], "waitlisted");
    assert_eq!(third.json["wait_reason"], "adult_ratio");
    let roster = app
        .get(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    let statuses: Vec<_> = roster.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["confirmed", "confirmed", "confirmed", "waitlisted"]
    );
    assert_eq!(roster.json["items"][0]["volunteer"]["minor"], true);
}

async fn capacity_holds_under_200_concurrent_signups(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 20, json!({}))
        .await;
    let mut volunteers = Vec::new();
    for n in 0..200 {
        volunteers.push(app.volunteer(&format!("v{n}")).await);
    }
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/shifts/{shift}/signups", app.address);
    let mut requests = tokio::task::JoinSet::new();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(volunteers.len()));
    for v in &volunteers {
        let (client, url, token, barrier) = (
            client.clone(),
            url.clone(),
            v.token.clone(),
            barrier.clone(),
        );
        requests.spawn(async move {
            barrier.wait().await;
            let r = client
                .post(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("response");
            let status = r.status().as_u16();
            let body: Value = r.json().await.expect("json");
            (status, body)
        });
    }
    let mut confirmed = 0;
    let mut positions = Vec::new();
    while let Some(result) = requests.join_next().await {
        let (status, body) = result.expect("task");
        assert_eq!(status, 201, "{body}");
        match body["status"].as_str() {
            Some("confirmed") => confirmed += 1,
            Some("waitlisted") => {
                positions.push(body["waitlist_position"].as_i64().expect("position"))
            }
            other => panic!("unexpected status {other:?}"),
        }
    }
    positions.sort_unstable();
    assert_eq!(confirmed, 20);
    assert_eq!(positions, (1..=180).collect::<Vec<_>>());
    let shift_now = app
        .get(&format!("/api/v1/shifts/{shift}"), None)
        .await
        .expect(200);
    assert_eq!(shift_now.json["confirmed_count"], 20);
    assert_eq!(shift_now.json["waitlist_count"], 180);
}

async fn my_signups_and_calendar(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 1, json!({}))
        .await;
    let other = app
        .shift(&organizer, &event, Duration::days(3), 3, 1, json!({}))
        .await;
    let v = app.volunteer("日历").await;
    let w = app.volunteer("候补").await;
    app.sign_up(&shift, &v).await.expect(201);
    app.sign_up(&other, &w).await.expect(201);
    app.sign_up(&other, &v).await.expect(201);
    let mine = app
        .get("/api/v1/me/signups", Some(&v.token))
        .await
        .expect(200);
    let items = mine.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["shift"]["id"], shift);
    assert_eq!(items[0]["event"]["title"], "暑期爱心暑托班");
    assert_eq!(items[1]["status"], "waitlisted");
    let first = app
        .get("/api/v1/me/signups?limit=1", Some(&v.token))
        .await
        .expect(200);
    assert_eq!(first.json["items"].as_array().unwrap().len(), 1);
    let cursor = first.json["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let second = app
        .get(
            &format!("/api/v1/me/signups?limit=1&cursor={cursor}"),
            Some(&v.token),
        )
        .await
        .expect(200);
    assert_eq!(second.json["items"][0]["shift"]["id"], other);
    assert!(second.json["next_cursor"].is_null());
    app.get("/api/v1/me/signups?limit=500", Some(&v.token))
        .await
        .problem(422);
    let roster = app
        .get(
            &format!("/api/v1/shifts/{other}/signups?limit=1"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(roster.json["items"].as_array().unwrap().len(), 1);
    assert!(roster.json["next_cursor"].is_string());
    let ics = app
        .get("/api/v1/me/signups.ics", Some(&v.token))
        .await
        .expect(200);
    assert!(ics.content_type.starts_with("text/calendar"));
    assert_eq!(
        ics.text.matches("BEGIN:VEVENT").count(),
        1,
        "only confirmed shifts: {}",
        ics.text
    );
    assert!(
        ics.text.contains("DTSTART:20270603T000000Z"),
        "{}",
        ics.text
    );
    app.get("/api/v1/me/signups.ics", None).await.problem(401);
}

/// A volunteer waits on `wanted`, is confirmed on an overlapping `clash`, is passed over when a
/// seat on `wanted` frees, and gets it once the clash is gone: because they gave it up
/// themselves, or because the organizer cancelled the clashing shift.
async fn passed_over_for_a_clash_then_seated(app: TestApp, organizer_cancels_the_clash: bool) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let wanted = app
        .shift(&organizer, &event, Duration::days(2), 3, 1, json!({}))
        .await;
    let clash = app
        .shift(
            &organizer,
            &event,
            Duration::days(2) + Duration::hours(1),
            3,
            5,
            json!({}),
        )
        .await;
    let x = app.volunteer("占位").await;
    let v = app.volunteer("等待").await;
    let held = app.signup_id(&wanted, &x).await;
    assert_eq!(
        app.sign_up(&wanted, &v).await.expect(201).json["status"],
        "waitlisted"
    );
    // Waiting on one shift does not stop a confirmed seat on an overlapping one.
    let other = app.sign_up(&clash, &v).await.expect(201);
    assert_eq!(other.json["status"], "confirmed");
    app.delete(&format!("/api/v1/signups/{held}"), Some(&x.token))
        .await
        .expect(200);
    let roster = app
        .get(
            &format!("/api/v1/shifts/{wanted}/signups"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    let waiting = &roster.json["items"][1];
    assert_eq!(
        (waiting["status"].as_str(), waiting["wait_reason"].as_str()),
        (Some("waitlisted"), Some("overlap"))
    );
    // Losing the clashing seat frees the volunteer for the seat they waited for.
    if organizer_cancels_the_clash {
        app.delete(&format!("/api/v1/shifts/{clash}"), Some(&organizer.token))
            .await
            .expect(200);
    } else {
        app.delete(&format!("/api/v1/signups/{}", other.id()), Some(&v.token))
            .await
            .expect(200);
    }
    let roster = app
        .get(
            &format!("/api/v1/shifts/{wanted}/signups"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(roster.json["items"][1]["status"], "confirmed");
    assert!(
        app.outbox()
            .await
            .contains(&("waitlist_promoted".to_string(), v.email.clone()))
    );
}

async fn a_volunteer_passed_over_for_a_clash_gets_the_seat_when_they_drop_the_clash(app: TestApp) {
    passed_over_for_a_clash_then_seated(app, false).await;
}

async fn a_volunteer_passed_over_for_a_clash_gets_the_seat_when_the_clash_is_cancelled(
    app: TestApp,
) {
    passed_over_for_a_clash_then_seated(app, true).await;
}

/// A waiting volunteer who no longer meets the rules is passed over, keeps their place, and
/// gets the free seat as soon as their profile meets the rules again.
async fn an_ineligible_waiter_is_passed_over_until_their_profile_is_fixed(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("league_committee", false).await;
    let shift = app
        .shift(
            &organizer,
            &event,
            Duration::days(2),
            3,
            1,
            json!({"required_skills": ["lifeguard"]}),
        )
        .await;
    let certified = json!([{"skill": "lifeguard", "certificate_expires_on": "2028-06-30"}]);
    let holder = app.volunteer_at("在岗", SITE, certified.clone()).await;
    let waiter = app.volunteer_at("候补", SITE, certified.clone()).await;
    let held = app.signup_id(&shift, &holder).await;
    assert_eq!(
        app.sign_up(&shift, &waiter).await.expect(201).json["status"],
        "waitlisted"
    );
    let profile = |skills: serde_json::Value| {
        json!({"birth_date": "2000-03-15", "home": {"lat": SITE.0, "lon": SITE.1}, "travel_radius_km": 10,
               "skills": skills, "availability": [], "discoverable": true})
    };
    // The certificate lapses from the profile while waiting.
    app.put(
        "/api/v1/me/profile",
        Some(&waiter.token),
        profile(json!([])),
    )
    .await
    .expect(200);
    app.delete(&format!("/api/v1/signups/{held}"), Some(&holder.token))
        .await
        .expect(200);
    let roster = app
        .get(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    let line = &roster.json["items"][1];
    assert_eq!(
        (line["status"].as_str(), line["wait_reason"].as_str()),
        (Some("waitlisted"), Some("ineligible"))
    );
    // A renewed certificate seats them at once.
    app.put(
        "/api/v1/me/profile",
        Some(&waiter.token),
        profile(certified),
    )
    .await
    .expect(200);
    let roster = app
        .get(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(roster.json["items"][1]["status"], "confirmed");
}

hourbook_tests::backend_tests!(
    an_ineligible_waiter_is_passed_over_until_their_profile_is_fixed,
    a_volunteer_passed_over_for_a_clash_gets_the_seat_when_they_drop_the_clash,
    a_volunteer_passed_over_for_a_clash_gets_the_seat_when_the_clash_is_cancelled,
    seats_then_waitlist_then_promotion,
    overlapping_confirmed_shifts_conflict,
    hard_rules_refuse_with_reasons,
    minors_need_consent_and_the_adult_ratio,
    capacity_holds_under_200_concurrent_signups,
    my_signups_and_calendar
);
