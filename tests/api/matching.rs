//! Recommendations, candidates, roster plans and invitations, over HTTP.

use chrono::Duration;
use hourbook_tests::{SITE, TestApp, User, backend_tests};
use serde_json::{Value, json};

use crate::signups::minor;

backend_tests!(
    recommendations_are_eligible_shifts_best_first_with_reasons,
    recommendations_follow_shifts_as_they_open_fill_and_close,
    recommendations_count_the_people_on_each_shift,
    the_lean_read_for_ranking_counts_as_the_full_read_does,
    candidates_are_discoverable_eligible_volunteers_for_organizers_only,
    a_roster_plan_fills_what_can_be_filled_and_invites_without_signing_up,
    a_declined_or_expired_invitation_goes_to_the_next_best_candidate,
    an_edited_plan_sends_only_the_chosen_pairs,
);

/// A point `km` kilometres north of [`SITE`].
pub(crate) fn north(km: f64) -> (f64, f64) {
    (SITE.0 + km / 111.195, SITE.1)
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i[key]["id"].as_str().expect("id").to_string())
        .collect()
}

async fn first_aider(app: &TestApp, name: &str, home: (f64, f64)) -> User {
    app.volunteer_at(
        name,
        home,
        json!([{"skill": "first_aid", "certificate_expires_on": "2030-01-01"}]),
    )
    .await
}

async fn recommendations_are_eligible_shifts_best_first_with_reasons(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("ngo", false).await;
    let nobody = app.register("没有资料").await;
    app.get("/api/v1/me/recommendations", Some(&nobody.token))
        .await
        .problem(409);

    let me = first_aider(&app, "李明", SITE).await;
    let skilled = app
        .shift(
            &organizer,
            &event,
            Duration::days(2),
            3,
            10,
            json!({"preferred_skills": ["first_aid"]}),
        )
        .await;
    let plain = app
        .shift(&organizer, &event, Duration::days(9), 3, 10, json!({}))
        .await;
    let far_event = app
        .event(
            &organizer,
            &first_org(&app, &organizer, &event).await,
            north(25.0),
            false,
        )
        .await;
    let far = app
        .shift(&organizer, &far_event, Duration::days(3), 3, 10, json!({}))
        .await;
    let lifeguards = app
        .shift(
            &organizer,
            &event,
            Duration::days(3),
            3,
            10,
            json!({"required_skills": ["lifeguard"]}),
        )
        .await;
    let full = app
        .shift(&organizer, &event, Duration::days(4), 3, 1, json!({}))
        .await;
    let other = app.volunteer("占座的人").await;
    app.signup_id(&full, &other).await;

    let r = app
        .get("/api/v1/me/recommendations?limit=10", Some(&me.token))
        .await
        .expect(200);
    assert_eq!(
        ids(&r.json, "shift"),
        [skilled.clone(), plain.clone()],
        "{}",
        r.text
    );
    for excluded in [&far, &lifeguards, &full] {
        assert!(!r.text.contains(excluded.as_str()));
    }
    let best = &r.json["items"][0];
    assert_eq!(best["event"]["id"], event);
    assert_eq!(best["distance_km"], 0.0);
    let reasons: Vec<(&str, &str)> = best["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["code"].as_str().unwrap(), x["detail"].as_str().unwrap()))
        .collect();
    assert!(reasons.contains(&("distance", "0 km")), "{reasons:?}");
    assert!(
        reasons.contains(&("preferred_skill", "first aid")),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&("urgent", "starts in 2 days, 0 of 10 seats filled")),
        "{reasons:?}"
    );
    assert!(best["score"].as_f64().unwrap() > r.json["items"][1]["score"].as_f64().unwrap());

    app.get("/api/v1/me/recommendations?limit=0", Some(&me.token))
        .await
        .problem(422);
    app.get("/api/v1/me/recommendations", None)
        .await
        .problem(401);
}

/// Who is on a shift (seats, and minors against the adult:minor ratio) is counted by the
/// database for every nearby shift at once: a test of those counts, not only of the index.
async fn recommendations_count_the_people_on_each_shift(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    // Five seats, one minor per adult: a full shift holds at most two minors.
    let shift = app
        .shift(
            &organizer,
            &event,
            Duration::days(2),
            3,
            5,
            json!({"minors_per_adult": 1}),
        )
        .await;
    let teen = minor(&app, "少年", true).await;
    let adult = app.volunteer("成人").await;
    assert_eq!(recommended(&app, &teen).await, std::slice::from_ref(&shift));
    for name in ["甲", "乙"] {
        let a = app.volunteer(name).await;
        app.signup_id(&shift, &a).await;
    }
    for name in ["丙", "丁"] {
        let kid = minor(&app, name, true).await;
        let seat = app.sign_up(&shift, &kid).await.expect(201);
        assert_eq!(seat.json["status"], "confirmed", "{}", seat.text);
    }
    assert!(
        recommended(&app, &teen).await.is_empty(),
        "one seat is left, but not for a third minor"
    );
    let r = app
        .get("/api/v1/me/recommendations", Some(&adult.token))
        .await
        .expect(200);
    assert_eq!(ids(&r.json, "shift"), [shift], "{}", r.text);
    let reasons = r.json["items"][0]["reasons"].to_string();
    assert!(
        reasons.contains("starts in 2 days, 4 of 5 seats filled"),
        "{reasons}"
    );
}

/// Recommendations rank from a lean read whose counts are SQL subqueries; the full read counts
/// in Rust. Both must agree on seats, minors and pending offers, whatever the signups' states.
async fn the_lean_read_for_ranking_counts_as_the_full_read_does(app: TestApp) {
    // Two one-seat shifts with a pending invitation each (a plan sent).
    let (organizer, event, mut shifts, _) = planned_event(&app, &[("甲", 0.5), ("乙", 1.0)]).await;
    let plan = app
        .post(
            &format!("/api/v1/events/{event}/roster-plans"),
            Some(&organizer.token),
            json!({"volunteer_pool": "eligible"}),
        )
        .await
        .expect(201);
    app.post(
        &format!("/api/v1/roster-plans/{}/accept", plan.id()),
        Some(&organizer.token),
        json!({}),
    )
    .await
    .expect(200);
    // Five seats, one minor per adult: two adults and two minors seated, a third minor
    // waitlisted, one adult who withdrew.
    let ratio = app
        .shift(
            &organizer,
            &event,
            Duration::days(3),
            3,
            5,
            json!({"minors_per_adult": 1}),
        )
        .await;
    for name in ["丙", "丁"] {
        let adult = app.volunteer(name).await;
        app.signup_id(&ratio, &adult).await;
    }
    let gone = app.volunteer("戊").await;
    let seat = app.signup_id(&ratio, &gone).await;
    app.delete(&format!("/api/v1/signups/{seat}"), Some(&gone.token))
        .await
        .expect(200);
    for (name, status) in [
        ("己", "confirmed"),
        ("庚", "confirmed"),
        ("辛", "waitlisted"),
    ] {
        let kid = minor(&app, name, true).await;
        let signup = app.sign_up(&ratio, &kid).await.expect(201);
        assert_eq!(signup.json["status"], status, "{}", signup.text);
    }
    // Cancelled, and about to start: neither is read.
    let cancelled = app
        .shift(&organizer, &event, Duration::days(4), 3, 2, json!({}))
        .await;
    app.delete(
        &format!("/api/v1/shifts/{cancelled}"),
        Some(&organizer.token),
    )
    .await
    .expect(200);
    let soon = app
        .shift(&organizer, &event, Duration::hours(1), 2, 2, json!({}))
        .await;
    app.clock.advance(Duration::hours(2));
    shifts.extend([ratio.clone(), cancelled, soon]);

    let ids: Vec<uuid::Uuid> = shifts.iter().map(|s| s.parse().unwrap()).collect();
    let now = app.clock.now();
    let store = &app.state.store;
    let mut lean = store.rankable_shifts(&ids, now).await.unwrap();
    let mut full: Vec<_> = store
        .match_shifts(&ids, now)
        .await
        .unwrap()
        .iter()
        .map(|m| m.rankable())
        .collect();
    lean.sort_by_key(|s| s.id);
    full.sort_by_key(|s| s.id);
    assert_eq!(lean, full);
    let counts: Vec<(String, u32, u32, u32)> = lean
        .iter()
        .map(|s| (s.id.to_string(), s.confirmed, s.confirmed_minors, s.offered))
        .collect();
    let mut expected = vec![
        (shifts[0].clone(), 0, 0, 1),
        (shifts[1].clone(), 0, 0, 1),
        (ratio, 4, 2, 0),
    ];
    expected.sort();
    assert_eq!(
        counts, expected,
        "open, not started, counted as signups say"
    );
}

/// The organization an event belongs to.
async fn first_org(app: &TestApp, organizer: &User, event: &str) -> String {
    let r = app
        .get(&format!("/api/v1/events/{event}"), Some(&organizer.token))
        .await
        .expect(200);
    r.json["organization_id"].as_str().unwrap().to_string()
}

async fn recommendations_follow_shifts_as_they_open_fill_and_close(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("ngo", false).await;
    let me = app.volunteer("王小红").await;
    assert!(recommended(&app, &me).await.is_empty());
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 1, json!({}))
        .await;
    assert_eq!(
        recommended(&app, &me).await,
        std::slice::from_ref(&shift),
        "a new shift is found at once"
    );

    // Full: another volunteer takes the only seat. Free again when they withdraw.
    let other = app.volunteer("张伟").await;
    let seat = app.signup_id(&shift, &other).await;
    assert!(
        recommended(&app, &me).await.is_empty(),
        "a full shift is not recommended"
    );
    app.delete(&format!("/api/v1/signups/{seat}"), Some(&other.token))
        .await
        .expect(200);
    assert_eq!(recommended(&app, &me).await, std::slice::from_ref(&shift));

    // Signed up: not recommended again. Cancelled by the organizer: gone for everyone.
    let mine = app.signup_id(&shift, &me).await;
    assert!(recommended(&app, &me).await.is_empty());
    app.delete(&format!("/api/v1/signups/{mine}"), Some(&me.token))
        .await
        .expect(200);
    app.delete(&format!("/api/v1/shifts/{shift}"), Some(&organizer.token))
        .await
        .expect(200);
    assert!(recommended(&app, &other).await.is_empty());

    // Started: no longer proposed.
    let soon = app
        .shift(&organizer, &event, Duration::hours(2), 3, 5, json!({}))
        .await;
    assert_eq!(recommended(&app, &me).await, [soon]);
    app.clock.advance(Duration::hours(3));
    assert!(recommended(&app, &me).await.is_empty());
}

async fn candidates_are_discoverable_eligible_volunteers_for_organizers_only(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("ngo", false).await;
    let shift = app
        .shift(
            &organizer,
            &event,
            Duration::days(3),
            3,
            4,
            json!({"preferred_skills": ["first_aid"]}),
        )
        .await;
    let near_skilled = first_aider(&app, "近而有证", north(0.5)).await;
    let near = app.volunteer_at("近", north(1.0), json!([])).await;
    let hidden = app.volunteer_at("不公开", SITE, json!([])).await;
    app.put(
        "/api/v1/me/profile",
        Some(&hidden.token),
        json!({"birth_date": "2000-03-15", "home": {"lat": SITE.0, "lon": SITE.1}, "travel_radius_km": 10,
               "skills": [], "availability": [], "discoverable": false}),
    )
    .await
    .expect(200);
    let child = app.register("小学生").await;
    app.put(
        "/api/v1/me/profile",
        Some(&child.token),
        json!({"birth_date": "2015-03-15", "home": {"lat": SITE.0, "lon": SITE.1}, "travel_radius_km": 10,
               "skills": [], "availability": [], "discoverable": true,
               "guardian": {"name": "王芳", "email": "wf@example.com", "phone": "13800000000", "consent_given": true}}),
    )
    .await
    .expect(200);
    let too_far = app.volunteer_at("远", north(40.0), json!([])).await;

    let r = app
        .get(
            &format!("/api/v1/shifts/{shift}/candidates"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(
        ids(&r.json, "volunteer"),
        [near_skilled.id.clone(), near.id.clone()],
        "{}",
        r.text
    );
    for absent in [&hidden, &child, &too_far] {
        assert!(!r.text.contains(&absent.id));
    }
    let first = &r.json["items"][0];
    assert_eq!(first["volunteer"]["name"], "近而有证");
    assert!(
        first["volunteer"]["volunteer_number"]
            .as_str()
            .unwrap()
            .starts_with("HB-")
    );
    assert!(
        first["volunteer"].get("email").is_none(),
        "no contact details in a candidate list"
    );

    // Nobody but the event's organizers sees them.
    app.get(
        &format!("/api/v1/shifts/{shift}/candidates"),
        Some(&near.token),
    )
    .await
    .problem(403);
    let (_, stranger, _) = app.organizer_with_event("community", false).await;
    app.get(
        &format!("/api/v1/shifts/{shift}/candidates"),
        Some(&stranger.token),
    )
    .await
    .problem(403);
    app.get(
        "/api/v1/shifts/00000000-0000-4000-8000-000000000000/candidates",
        Some(&organizer.token),
    )
    .await
    .problem(404);
}

/// An event with two one-seat shifts at the same time at [`SITE`] and `people` volunteers.
pub(crate) async fn planned_event(
    app: &TestApp,
    people: &[(&str, f64)],
) -> (User, String, Vec<String>, Vec<User>) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shifts = vec![
        app.shift(&organizer, &event, Duration::days(5), 3, 1, json!({}))
            .await,
        app.shift(&organizer, &event, Duration::days(5), 3, 1, json!({}))
            .await,
    ];
    let mut volunteers = Vec::new();
    for (name, km) in people {
        volunteers.push(app.volunteer_at(name, north(*km), json!([])).await);
    }
    (organizer, event, shifts, volunteers)
}

async fn a_roster_plan_fills_what_can_be_filled_and_invites_without_signing_up(app: TestApp) {
    let (organizer, event, shifts, people) =
        planned_event(&app, &[("甲", 0.5), ("乙", 1.0), ("丙", 6.0)]).await;
    let third = app
        .shift(
            &organizer,
            &event,
            Duration::days(7),
            3,
            2,
            json!({"required_skills": ["lifeguard"]}),
        )
        .await;
    let before = app.snapshot().await;
    let plan = app
        .post(
            &format!("/api/v1/events/{event}/roster-plans"),
            Some(&organizer.token),
            json!({"volunteer_pool": "eligible"}),
        )
        .await
        .expect(201);
    let assignments = plan.json["assignments"].as_array().unwrap();
    assert_eq!(assignments.len(), 2, "{}", plan.text);
    for a in assignments {
        assert!(shifts.contains(&a["shift_id"].as_str().unwrap().to_string()));
        assert!(a["score"].as_f64().unwrap() > 0.0);
        assert!(
            a["distance_km"].as_f64().unwrap() <= 1.0,
            "the two nearest are chosen: {}",
            plan.text
        );
    }
    assert_eq!(
        plan.json["unfilled"],
        json!([{"shift_id": third, "missing": 2}])
    );
    assert_eq!(plan.json["status"], "proposed");
    assert_eq!(
        plan.json["fill_bound"], 2,
        "no plan fills the lifeguard shift: two seats is the most: {}",
        plan.text
    );
    assert_eq!(
        plan.json["score_gap"], 0.0,
        "without an adult:minor ratio the flow is exact, and proven so: {}",
        plan.text
    );
    let total: f64 = assignments
        .iter()
        .map(|a| a["score"].as_f64().unwrap())
        .sum();
    assert!((plan.json["total_score"].as_f64().unwrap() - total).abs() < 0.11);
    let plan_id = plan.id();
    let after = app.snapshot().await;
    let signups = |s: &[(String, i64)]| s.iter().find(|(t, _)| t == "signups").unwrap().1;
    assert_eq!(signups(&before), signups(&after), "a plan signs nobody up");

    // Only the event's organizers plan or read plans.
    app.post(
        &format!("/api/v1/events/{event}/roster-plans"),
        Some(&people[0].token),
        json!({"volunteer_pool": "eligible"}),
    )
    .await
    .problem(403);
    app.get(
        &format!("/api/v1/roster-plans/{plan_id}"),
        Some(&people[0].token),
    )
    .await
    .problem(403);
    let kept = app
        .get(
            &format!("/api/v1/roster-plans/{plan_id}"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(
        (&kept.json["fill_bound"], &kept.json["score_gap"]),
        (&plan.json["fill_bound"], &plan.json["score_gap"]),
        "the certificate is kept with the plan"
    );
    app.post(
        &format!("/api/v1/events/{event}/roster-plans"),
        Some(&organizer.token),
        json!({"volunteer_pool": "everyone"}),
    )
    .await
    .problem(422);

    let sent = app
        .post(
            &format!("/api/v1/roster-plans/{plan_id}/accept"),
            Some(&organizer.token),
            json!({}),
        )
        .await
        .expect(200);
    let invitations = sent.json["invitations"].as_array().unwrap();
    assert_eq!(invitations.len(), 2);
    app.post(
        &format!("/api/v1/roster-plans/{plan_id}/accept"),
        Some(&organizer.token),
        json!({}),
    )
    .await
    .problem(409);

    // Each invited volunteer sees their invitation, with the shift, and nobody else's.
    let invited: Vec<&User> = people[..2].iter().collect();
    for v in &invited {
        let mine = app
            .get("/api/v1/me/invitations", Some(&v.token))
            .await
            .expect(200);
        let items = mine.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", mine.text);
        assert_eq!(items[0]["status"], "pending");
        assert!(shifts.contains(&items[0]["shift"]["id"].as_str().unwrap().to_string()));
    }
    let theirs = app
        .get("/api/v1/me/invitations", Some(&people[0].token))
        .await
        .expect(200);
    let invitation = theirs.json["items"][0]["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/invitations/{invitation}/accept"),
        Some(&people[1].token),
        json!({}),
    )
    .await
    .problem(404);
    let signup = app
        .post(
            &format!("/api/v1/invitations/{invitation}/accept"),
            Some(&people[0].token),
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(signup.json["status"], "confirmed");
    app.post(
        &format!("/api/v1/invitations/{invitation}/decline"),
        Some(&people[0].token),
        json!({}),
    )
    .await
    .problem(409);
    let outbox = app.outbox().await;
    assert!(
        outbox
            .iter()
            .filter(|(kind, _)| kind == "invitation")
            .count()
            >= 2,
        "{outbox:?}"
    );
}

async fn a_declined_or_expired_invitation_goes_to_the_next_best_candidate(app: TestApp) {
    let (organizer, event, _shifts, people) = planned_event(
        &app,
        &[("近一", 0.2), ("近二", 0.4), ("中", 2.0), ("远", 4.0)],
    )
    .await;
    let plan = app
        .post(
            &format!("/api/v1/events/{event}/roster-plans"),
            Some(&organizer.token),
            json!({"volunteer_pool": "eligible"}),
        )
        .await
        .expect(201);
    let chosen: Vec<&str> = plan.json["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["volunteer_id"].as_str().unwrap())
        .collect();
    let mut expected = vec![people[0].id.as_str(), people[1].id.as_str()];
    let mut got = chosen.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected, "the two nearest: {}", plan.text);
    app.post(
        &format!("/api/v1/roster-plans/{}/accept", plan.id()),
        Some(&organizer.token),
        json!({}),
    )
    .await
    .expect(200);

    assert!(pending(&app, &people[2]).await.is_empty());
    let first = pending(&app, &people[0]).await.pop().expect("invited");
    app.post(
        &format!("/api/v1/invitations/{first}/decline"),
        Some(&people[0].token),
        json!({}),
    )
    .await
    .expect(200);
    assert_eq!(
        pending(&app, &people[2]).await.len(),
        1,
        "the next nearest is asked after a decline"
    );
    assert!(
        pending(&app, &people[0]).await.is_empty(),
        "and the decliner is not asked again"
    );

    // Nobody answers: after the deadline the invitations expire and each freed seat goes to
    // the best volunteer never asked for it and free at that time (a decline counts as
    // "not free then").
    app.clock.advance(Duration::hours(49));
    let r = app
        .get("/api/v1/me/invitations", Some(&people[2].token))
        .await
        .expect(200);
    let expired = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "expired")
        .expect("an expired invitation");
    app.post(
        &format!(
            "/api/v1/invitations/{}/accept",
            expired["id"].as_str().unwrap()
        ),
        Some(&people[2].token),
        json!({}),
    )
    .await
    .problem(409);
    let counts = [
        pending(&app, &people[0]).await.len(),
        pending(&app, &people[1]).await.len(),
        pending(&app, &people[2]).await.len(),
        pending(&app, &people[3]).await.len(),
    ];
    assert_eq!(counts, [0, 1, 1, 0]);
}

async fn an_edited_plan_sends_only_the_chosen_pairs(app: TestApp) {
    let (organizer, event, _shifts, people) =
        planned_event(&app, &[("甲", 0.5), ("乙", 1.0)]).await;
    let plan = app
        .post(
            &format!("/api/v1/events/{event}/roster-plans"),
            Some(&organizer.token),
            json!({"volunteer_pool": "eligible", "objective": "max_score"}),
        )
        .await
        .expect(201);
    let keep = &plan.json["assignments"][0];
    let pair = json!({"shift_id": keep["shift_id"], "volunteer_id": keep["volunteer_id"]});
    let bogus = json!({"shift_id": keep["shift_id"], "volunteer_id": organizer.id});
    let before = app.snapshot().await;
    let errors = app
        .post(
            &format!("/api/v1/roster-plans/{}/accept", plan.id()),
            Some(&organizer.token),
            json!({"assignments": [pair, bogus]}),
        )
        .await
        .field_errors();
    assert_eq!(errors, ["assignments[1]"]);
    assert_eq!(
        before,
        app.snapshot().await,
        "a refused edit changes nothing"
    );
    let sent = app
        .post(
            &format!("/api/v1/roster-plans/{}/accept", plan.id()),
            Some(&organizer.token),
            json!({"assignments": [pair]}),
        )
        .await
        .expect(200);
    assert_eq!(sent.json["invitations"].as_array().unwrap().len(), 1);
    let skipped = people
        .iter()
        .find(|p| p.id != keep["volunteer_id"].as_str().unwrap())
        .unwrap();
    let r = app
        .get("/api/v1/me/invitations", Some(&skipped.token))
        .await
        .expect(200);
    assert!(r.json["items"].as_array().unwrap().is_empty());
}

/// Shift ids recommended to `me`.
async fn recommended(app: &TestApp, me: &User) -> Vec<String> {
    let r = app
        .get("/api/v1/me/recommendations", Some(&me.token))
        .await
        .expect(200);
    ids(&r.json, "shift")
}

/// `v`'s pending invitations.
pub(crate) async fn pending_invitations(app: &TestApp, v: &User) -> Vec<Value> {
    let r = app
        .get("/api/v1/me/invitations", Some(&v.token))
        .await
        .expect(200);
    r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "pending")
        .cloned()
        .collect()
}

/// Ids of `v`'s pending invitations.
async fn pending(app: &TestApp, v: &User) -> Vec<String> {
    pending_invitations(app, v)
        .await
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}
