//! The ledger's hash chains under tampering and under concurrent appends.

use chrono::Duration;
use hourbook_domain::ledger::BreakKind;
use hourbook_tests::{Backend, TestApp, backend_tests};
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

backend_tests!(
    a_forgotten_check_out_is_closed_at_the_end_and_flagged,
    an_entry_edited_in_sql_is_found_by_its_id,
    concurrent_verifications_for_one_volunteer_form_one_unbroken_chain,
);

async fn an_entry_edited_in_sql_is_found_by_its_id(app: TestApp) {
    let (organizer, volunteer, signups) = app.attended("李明", 3).await;
    let mut entries = Vec::new();
    for s in &signups {
        let r = app
            .post(
                &format!("/api/v1/signups/{s}/verify"),
                Some(&organizer.token),
                json!({}),
            )
            .await
            .expect(201);
        entries.push(r.id());
    }
    let store = &app.state.store;
    let clean = store.check_ledger(None, |_, _| {}).await.unwrap();
    assert_eq!((clean.entries, clean.breaks.len()), (3, 0));

    // Someone with full access to the database gets past the append-only trigger and adds
    // ten hours to the middle entry.
    let db = store.connection();
    let disable = match app.backend {
        Backend::Embedded => "DROP TRIGGER ledger_entries_no_update",
        Backend::Production => {
            "ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only"
        }
    };
    db.execute_unprepared(disable).await.unwrap();
    db.execute_unprepared(&format!(
        "UPDATE ledger_entries SET minutes = minutes + 600 WHERE id = '{}'",
        entries[1]
    ))
    .await
    .unwrap();
    let check = store
        .check_ledger(Some(volunteer.id.parse().unwrap()), |_, _| {})
        .await
        .unwrap();
    assert_eq!(check.breaks.len(), 1, "{:?}", check.breaks);
    assert_eq!(
        check.breaks[0].entry_id,
        entries[1].parse::<Uuid>().unwrap()
    );
    assert_eq!(check.breaks[0].kind, BreakKind::ContentChanged);
    // Re-hashing the edited entry only moves the break to the entry after it.
    let rehash = format!(
        "UPDATE ledger_entries SET hash = '{}' WHERE id = '{}'",
        "ab".repeat(32),
        entries[1]
    );
    db.execute_unprepared(&rehash).await.unwrap();
    let check = store.check_ledger(None, |_, _| {}).await.unwrap();
    let found: Vec<(String, BreakKind)> = check
        .breaks
        .iter()
        .map(|b| (b.entry_id.to_string(), b.kind))
        .collect();
    assert_eq!(
        found,
        [
            (entries[1].clone(), BreakKind::ContentChanged),
            (entries[2].clone(), BreakKind::LinkBroken)
        ]
    );
}

async fn concurrent_verifications_for_one_volunteer_form_one_unbroken_chain(app: TestApp) {
    let (organizer, volunteer, signups) = app.attended("李明", 6).await;
    let paths: Vec<String> = signups
        .iter()
        .map(|s| format!("/api/v1/signups/{s}/verify"))
        .collect();
    let answers = futures_util::future::join_all(
        paths
            .iter()
            .map(|p| app.post(p, Some(&organizer.token), json!({}))),
    )
    .await;
    assert!(answers.iter().all(|a| a.status == 201), "{answers:?}");
    let check = app
        .state
        .store
        .check_ledger(Some(volunteer.id.parse().unwrap()), |_, _| {})
        .await
        .unwrap();
    assert_eq!((check.volunteers, check.entries), (1, 6));
    assert!(check.breaks.is_empty(), "{:?}", check.breaks);
}

async fn a_forgotten_check_out_is_closed_at_the_end_and_flagged(app: TestApp) {
    // 09:00-12:00 local; checked in on site at the desk, never checked out.
    let booking = app
        .booking("community", false, Duration::hours(1), 3, "忘签退")
        .await;
    let start = app.clock.now() + Duration::hours(1);
    app.clock.set(start);
    app.desk_check_in(&booking.signup, &booking.organizer, None)
        .await
        .expect(200);
    let store = &app.state.store;
    let grace = app.state.rules.grace;
    // Not during the shift, nor within the grace after it.
    app.clock
        .set(start + Duration::hours(3) + Duration::minutes(10));
    assert_eq!(
        store
            .close_forgotten_check_outs(grace, app.clock.now())
            .await
            .unwrap(),
        0
    );
    app.clock
        .set(start + Duration::hours(3) + Duration::minutes(20));
    assert_eq!(
        store
            .close_forgotten_check_outs(grace, app.clock.now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .close_forgotten_check_outs(grace, app.clock.now())
            .await
            .unwrap(),
        0
    );

    let me = app
        .get("/api/v1/me", Some(&booking.organizer.token))
        .await
        .expect(200);
    let org = me.json["roles"][0]["organization_id"]
        .as_str()
        .unwrap()
        .to_string();
    let records = app
        .get(
            &format!("/api/v1/organizations/{org}/pending-records"),
            Some(&booking.organizer.token),
        )
        .await
        .expect(200);
    let record = &records.json["items"][0];
    assert_eq!(record["status"], "checked_out");
    assert_eq!(record["checked_out_automatically"], true);
    assert_eq!(
        record["checked_out_at"]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap(),
        start + Duration::hours(3)
    );
    // Verified like any other: the time up to the shift's end.
    let entry = app
        .post(
            &format!("/api/v1/signups/{}/verify", booking.signup),
            Some(&booking.organizer.token),
            json!({}),
        )
        .await
        .expect(201);
    assert_eq!(entry.json["minutes"], 180);
}
