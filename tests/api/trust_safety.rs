//! Defects a review found in the trust layer (corrections, disputes, requirements, erasure),
//! each with the test that failed while it was present.

use chrono::Duration;
use hourbook_tests::{SITE, TestApp, User, backend_tests};
use serde_json::json;

backend_tests!(
    corrections_never_take_an_entry_past_the_24_hour_maximum,
    a_correction_of_i64_min_minutes_is_refused_not_a_panic,
    a_dispute_of_a_correction_can_be_answered_with_a_correction,
    a_rolling_window_of_n_days_counts_n_days,
    erasing_a_minor_removes_the_guardian_copies_that_name_them,
    the_students_csv_carries_no_spreadsheet_formulas,
);

/// One attended, verified two-hour shift: (organizer, volunteer, entry id).
async fn verified_entry(app: &TestApp) -> (User, User, String) {
    let (organizer, volunteer, signups) = app.attended("李明", 1).await;
    let entry = app
        .post(
            &format!("/api/v1/signups/{}/verify", signups[0]),
            Some(&organizer.token),
            json!({}),
        )
        .await
        .expect(201)
        .id();
    (organizer, volunteer, entry)
}

/// `verify` caps a shift's credit at 24 hours; corrections must not get around that.
async fn corrections_never_take_an_entry_past_the_24_hour_maximum(app: TestApp) {
    let (organizer, volunteer, entry) = verified_entry(&app).await;
    let corrections = format!("/api/v1/ledger/{entry}/corrections");
    for _ in 0..2 {
        // Whether refused with 422 or not: what counts is where the entry ends up.
        app.post(
            &corrections,
            Some(&organizer.token),
            json!({"minutes_delta": 1440, "reason": "核对签到表"}),
        )
        .await;
    }
    let history = app
        .get(&format!("/api/v1/ledger/{entry}"), Some(&volunteer.token))
        .await
        .expect(200);
    let corrected = history.json["corrected_minutes"].as_i64().unwrap();
    assert!(
        corrected <= 24 * 60,
        "a two-hour shift now counts {corrected} minutes ({} h)",
        corrected / 60
    );
}

/// `minutes_delta.abs()` overflows on i64::MIN: a panic (connection dropped) in debug builds,
/// and in release the check is skipped entirely.
async fn a_correction_of_i64_min_minutes_is_refused_not_a_panic(app: TestApp) {
    let (organizer, _, entry) = verified_entry(&app).await;
    let r = app
        .call_raw(
            reqwest::Method::POST,
            &format!("/api/v1/ledger/{entry}/corrections"),
            Some(&organizer.token),
            "application/json",
            r#"{"minutes_delta": -9223372036854775808, "reason": "x"}"#,
        )
        .await;
    assert_eq!(r.status, 422, "{r:?}");
}

/// A volunteer may dispute a correction entry (nothing stops them), but corrections of
/// corrections are refused and correcting the original leaves that dispute open for ever: the
/// organization's only possible answer is a rejection.
async fn a_dispute_of_a_correction_can_be_answered_with_a_correction(app: TestApp) {
    let (organizer, volunteer, entry) = verified_entry(&app).await;
    let correction = app
        .post(
            &format!("/api/v1/ledger/{entry}/corrections"),
            Some(&organizer.token),
            json!({"minutes_delta": -60, "reason": "提前离开"}),
        )
        .await
        .expect(201)
        .id();
    let org_id = app
        .get(&format!("/api/v1/ledger/{entry}"), Some(&organizer.token))
        .await
        .expect(200)
        .json["entry"]["organization"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let disputed = app
        .post(
            &format!("/api/v1/ledger/{correction}/disputes"),
            Some(&volunteer.token),
            json!({"reason": "我没有提前离开，减掉的一小时应当恢复"}),
        )
        .await;
    if disputed.status != 201 {
        // Also a fix: a correction is disputed through the entry it corrects.
        assert!((400..500).contains(&disputed.status), "{disputed:?}");
        return;
    }
    // The organization agrees and restores the hour on the original entry.
    app.post(
        &format!("/api/v1/ledger/{entry}/corrections"),
        Some(&organizer.token),
        json!({"minutes_delta": 60, "reason": "核实：未提前离开"}),
    )
    .await
    .expect(201);
    let open = app
        .get(
            &format!("/api/v1/organizations/{org_id}/disputes"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(
        open.json["items"].as_array().unwrap().len(),
        0,
        "the volunteer's dispute was answered with a correction but stays open: {}",
        open.text
    );
}

/// A school with a verifier and a program; returns (school id, verifier, requirement id).
async fn school_with_program(app: &TestApp, program: serde_json::Value) -> (String, User, String) {
    let admin = app.platform_admin().await;
    let (school, school_admin) = app.organization_with(&admin, "school", "admin").await;
    let verifier = app.register("教务处").await;
    app.post(
        &format!("/api/v1/organizations/{school}/members"),
        Some(&school_admin.token),
        json!({"email": verifier.email, "role": "verifier"}),
    )
    .await
    .expect(201);
    let id = app
        .post(
            &format!("/api/v1/organizations/{school}/requirements"),
            Some(&school_admin.token),
            program,
        )
        .await
        .expect(201)
        .id();
    (school, verifier, id)
}

async fn link_school(app: &TestApp, volunteer: &User, school: &str, number: &str) {
    app.put(
        "/api/v1/me/profile",
        Some(&volunteer.token),
        json!({
            "birth_date": "2000-03-15", "home": {"lat": SITE.0, "lon": SITE.1}, "travel_radius_km": 10,
            "skills": [], "availability": [], "discoverable": true,
            "school_organization_id": school, "student_number": number
        }),
    )
    .await
    .expect(200);
}

/// `window_days: 7` must count 7 days up to the check date, not 8 (`on - 7 ..= on`).
async fn a_rolling_window_of_n_days_counts_n_days(app: TestApp) {
    let (school, verifier, program) = school_with_program(
        &app,
        json!({"name": "一周服务", "min_minutes": 60, "window_days": 7}),
    )
    .await;
    // Served on 2027-06-01 (local), the test's first day.
    let (_, volunteer, _) = verified_entry(&app).await;
    link_school(&app, &volunteer, &school, "2027001").await;
    let served = hourbook_tests::test_start().date_naive();
    let path = |on: chrono::NaiveDate| {
        format!("/api/v1/organizations/{school}/students?requirement_id={program}&on={on}")
    };
    // Seven days ending on 06-07 include 06-01.
    let within = app
        .get(&path(served + Duration::days(6)), Some(&verifier.token))
        .await
        .expect(200);
    assert_eq!(
        within.json["items"][0]["total_minutes"], 120,
        "{}",
        within.text
    );
    // Seven days ending on 06-08 are 06-02 ..= 06-08.
    let after = app
        .get(&path(served + Duration::days(7)), Some(&verifier.token))
        .await
        .expect(200);
    assert_eq!(
        after.json["items"][0]["total_minutes"], 0,
        "a 7-day window counted a service 8 days back: {}",
        after.text
    );
}

/// The guardian's copies (guardian's name and e-mail, the child's name) have no recipient
/// account, so erasure's `recipient_account_id = me` delete leaves them behind.
async fn erasing_a_minor_removes_the_guardian_copies_that_name_them(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let child = app.register("小明").await;
    let guardian = format!("guardian-{}@example.org", uuid::Uuid::new_v4().simple());
    app.put(
        "/api/v1/me/profile",
        Some(&child.token),
        json!({
            "birth_date": "2011-09-01", "home": {"lat": SITE.0, "lon": SITE.1}, "travel_radius_km": 5,
            "skills": [], "availability": [], "discoverable": false,
            "guardian": {"name": "李女士", "email": guardian, "phone": "13800000000", "consent_given": true}
        }),
    )
    .await
    .expect(200);
    let signup = app.sign_up(&shift, &child).await.expect(201);
    assert_eq!(signup.json["status"], "confirmed");
    assert!(
        app.outbox().await.iter().any(|(_, to)| *to == guardian),
        "the guardian got a copy"
    );
    app.delete(
        &format!("/api/v1/signups/{}", signup.id()),
        Some(&child.token),
    )
    .await
    .expect(200);
    app.call(
        reqwest::Method::DELETE,
        "/api/v1/me",
        Some(&child.token),
        Some(&json!({"password": "correct horse battery"})),
    )
    .await
    .expect(200);
    let left: Vec<_> = app
        .outbox()
        .await
        .into_iter()
        .filter(|(_, to)| *to == guardian)
        .collect();
    assert!(
        left.is_empty(),
        "messages naming the erased child and their guardian remain: {left:?}"
    );
}

/// Volunteers choose their own names; a school opens the CSV in a spreadsheet.
async fn the_students_csv_carries_no_spreadsheet_formulas(app: TestApp) {
    let (school, verifier, program) = school_with_program(
        &app,
        json!({"name": "志愿者注册", "min_minutes": 60, "window": "calendar_year"}),
    )
    .await;
    let student = app.register("学生").await;
    app.call(
        reqwest::Method::PATCH,
        "/api/v1/me",
        Some(&student.token),
        Some(&json!({"name": "=1+2"})),
    )
    .await
    .expect(200);
    link_school(&app, &student, &school, "2027009").await;
    let csv = app
        .get_as(
            &format!("/api/v1/organizations/{school}/students?requirement_id={program}"),
            Some(&verifier.token),
            "text/csv",
        )
        .await
        .expect(200);
    let row = csv.text.lines().nth(1).expect("one student").to_string();
    let cells: Vec<&str> = row.split(',').collect();
    assert!(
        cells
            .iter()
            .all(|c| !c.trim_start_matches('"').starts_with(['=', '+', '-', '@'])),
        "a cell a spreadsheet runs as a formula: {row}"
    );
}
