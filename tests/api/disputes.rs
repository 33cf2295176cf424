//! Corrections and disputes: the ledger only grows, both sides see the history, and
//! certificates notice.

use hourbook_tests::{TestApp, backend_tests};
use serde_json::json;

backend_tests!(a_dispute_is_answered_with_a_correction_or_a_reasoned_rejection);

async fn a_dispute_is_answered_with_a_correction_or_a_reasoned_rejection(app: TestApp) {
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
    let certificate = app
        .post("/api/v1/me/certificates", Some(&volunteer.token), json!({}))
        .await
        .expect(201);
    let code = certificate.json["code"].as_str().unwrap().to_string();
    let admin = app.platform_admin().await;
    let (_, other_verifier) = app.organization_with(&admin, "ngo", "verifier").await;
    let stranger = app.volunteer("路人").await;

    // The volunteer disputes; only once at a time, and only their own entries.
    let disputes = format!("/api/v1/ledger/{entry}/disputes");
    let dispute = app
        .post(
            &disputes,
            Some(&volunteer.token),
            json!({"reason": "我实际服务了3小时，签退时系统没有记录"}),
        )
        .await
        .expect(201);
    assert_eq!(dispute.json["status"], "open");
    app.post(
        &disputes,
        Some(&volunteer.token),
        json!({"reason": "again"}),
    )
    .await
    .problem(409);
    app.post(
        &disputes,
        Some(&stranger.token),
        json!({"reason": "not mine"}),
    )
    .await
    .problem(404);
    assert_eq!(
        app.post(&disputes, Some(&volunteer.token), json!({"reason": " "}))
            .await
            .field_errors(),
        ["reason"]
    );

    // The recording organization sees it; nobody else does.
    let org = app
        .get(&format!("/api/v1/ledger/{entry}"), Some(&organizer.token))
        .await
        .expect(200);
    let org_id = org.json["entry"]["organization"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let open = app
        .get(
            &format!("/api/v1/organizations/{org_id}/disputes"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(open.json["items"].as_array().unwrap().len(), 1);
    app.get(
        &format!("/api/v1/organizations/{org_id}/disputes"),
        Some(&other_verifier.token),
    )
    .await
    .problem(403);
    app.get(&format!("/api/v1/ledger/{entry}"), Some(&stranger.token))
        .await
        .problem(404);

    // Answered with a correction: a new entry of the difference, with its reason.
    let corrections = format!("/api/v1/ledger/{entry}/corrections");
    for (bad, field) in [
        (json!({"minutes_delta": 0, "reason": "x"}), "minutes_delta"),
        (
            json!({"minutes_delta": -500, "reason": "x"}),
            "minutes_delta",
        ),
        (json!({"minutes_delta": 60, "reason": ""}), "reason"),
    ] {
        assert_eq!(
            app.post(&corrections, Some(&organizer.token), bad)
                .await
                .field_errors(),
            [field]
        );
    }
    // The volunteer sees the entry but may not correct it; another organization does not see it.
    for (who, status) in [(&volunteer, 403), (&other_verifier, 404)] {
        app.post(
            &corrections,
            Some(&who.token),
            json!({"minutes_delta": 60, "reason": "x"}),
        )
        .await
        .problem(status);
    }
    let correction = app
        .post(
            &corrections,
            Some(&organizer.token),
            json!({"minutes_delta": 60, "reason": "核对签到表：签退时间为12:00"}),
        )
        .await
        .expect(201);
    assert_eq!(
        (
            correction.json["kind"].as_str(),
            correction.json["source"].as_str()
        ),
        (Some("correction"), Some("correction"))
    );
    assert_eq!(correction.json["minutes"], 60);
    // The volunteer is told, with the reason (failed tries told nobody).
    let told: Vec<(String, String)> = app
        .outbox()
        .await
        .into_iter()
        .filter(|(kind, _)| kind == "correction_made")
        .collect();
    assert_eq!(
        told,
        [("correction_made".to_string(), volunteer.email.clone())]
    );
    app.post(
        &format!("/api/v1/ledger/{}/corrections", correction.id()),
        Some(&organizer.token),
        json!({"minutes_delta": 10, "reason": "x"}),
    )
    .await
    .problem(409);

    let history = app
        .get(&format!("/api/v1/ledger/{entry}"), Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(history.json["corrected_minutes"], 180);
    assert_eq!(
        history.json["corrections"][0]["note"],
        "核对签到表：签退时间为12:00"
    );
    assert_eq!(history.json["disputes"][0]["status"], "corrected");
    assert_eq!(
        history.json["disputes"][0]["correction_entry_id"],
        correction.id().as_str()
    );
    let hours = app
        .get("/api/v1/me/hours", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(hours.json["total_minutes"], 180);
    // The certificate issued before is no longer what the ledger says.
    let check = app
        .get(&format!("/api/v1/certificates/{code}"), None)
        .await
        .expect(200);
    assert_eq!(check.json["status"], "superseded");

    // A second dispute, rejected with a reason; a rejection is final.
    let again = app
        .post(
            &disputes,
            Some(&volunteer.token),
            json!({"reason": "还差半小时"}),
        )
        .await
        .expect(201)
        .id();
    let reject = format!("/api/v1/disputes/{again}/reject");
    app.post(&reject, Some(&volunteer.token), json!({"reason": "no"}))
        .await
        .problem(403);
    let rejected = app
        .post(
            &reject,
            Some(&organizer.token),
            json!({"reason": "签到表显示12:00离开"}),
        )
        .await
        .expect(200);
    assert_eq!(
        (
            rejected.json["status"].as_str(),
            rejected.json["answer"].as_str()
        ),
        (Some("rejected"), Some("签到表显示12:00离开"))
    );
    app.post(&reject, Some(&organizer.token), json!({"reason": "again"}))
        .await
        .problem(409);
    let history = app
        .get(&format!("/api/v1/ledger/{entry}"), Some(&volunteer.token))
        .await
        .expect(200);
    let statuses: Vec<&str> = history.json["disputes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["corrected", "rejected"]);
    let all = app
        .get(
            &format!("/api/v1/organizations/{org_id}/disputes?status=all"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(all.json["items"].as_array().unwrap().len(), 2);

    // The chain took the correction like any entry.
    let check = app.state.store.check_ledger(None, |_, _| {}).await.unwrap();
    assert!(check.breaks.is_empty());
}
