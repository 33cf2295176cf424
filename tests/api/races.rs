//! Concurrent requests that touch the same seats: whatever the interleaving, capacity holds
//! and nobody ends up confirmed on two shifts at once.

use chrono::Duration;
use hourbook_tests::{TestApp, User};
use serde_json::json;

async fn status_of(app: &TestApp, user: &User, shift: &str) -> String {
    let mine = app
        .get("/api/v1/me/signups", Some(&user.token))
        .await
        .expect(200);
    mine.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["shift"]["id"] == shift)
        .map(|s| s["status"].as_str().unwrap().to_string())
        .next_back()
        .unwrap_or_default()
}

async fn a_cancellation_racing_a_check_in_never_overfills_the_shift(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    for round in 0..8 {
        // Check-in opens an hour before the start: both requests are allowed on their own.
        let shift = app
            .shift(&organizer, &event, Duration::minutes(30), 2, 1, json!({}))
            .await;
        let a = app.volunteer(&format!("甲{round}")).await;
        let b = app.volunteer(&format!("乙{round}")).await;
        let id = app.signup_id(&shift, &a).await;
        app.sign_up(&shift, &b).await.expect(201);
        let (cancel_path, check_in_path) = (
            format!("/api/v1/signups/{id}"),
            format!("/api/v1/signups/{id}/check-in"),
        );
        let cancel = app.delete(&cancel_path, Some(&a.token));
        let check_in = app.post(&check_in_path, Some(&organizer.token), json!({}));
        let (cancel, check_in) = tokio::join!(cancel, check_in);
        // Exactly one of them wins; the loser is told so.
        let statuses = [cancel.status, check_in.status];
        assert!(
            statuses.contains(&200) && statuses.contains(&409),
            "{statuses:?}"
        );
        let now = app
            .get(&format!("/api/v1/shifts/{shift}"), None)
            .await
            .expect(200);
        assert_eq!(
            now.json["confirmed_count"], 1,
            "round {round}: {}",
            now.text
        );
        let b_status = status_of(&app, &b, &shift).await;
        if cancel.status == 200 {
            assert_eq!(b_status, "confirmed");
        } else {
            assert_eq!(b_status, "waitlisted");
        }
    }
}

async fn two_cancellations_never_confirm_one_person_on_overlapping_shifts(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    for round in 0..8 {
        let start = Duration::days(2) + Duration::hours(i64::from(round) * 4);
        let first = app.shift(&organizer, &event, start, 2, 1, json!({})).await;
        let second = app
            .shift(
                &organizer,
                &event,
                start + Duration::hours(1),
                2,
                1,
                json!({}),
            )
            .await;
        let x = app.volunteer(&format!("X{round}")).await;
        let y = app.volunteer(&format!("Y{round}")).await;
        let w = app.volunteer(&format!("W{round}")).await;
        let x_seat = app.signup_id(&first, &x).await;
        let y_seat = app.signup_id(&second, &y).await;
        assert_eq!(
            app.sign_up(&first, &w).await.expect(201).json["status"],
            "waitlisted"
        );
        assert_eq!(
            app.sign_up(&second, &w).await.expect(201).json["status"],
            "waitlisted"
        );
        let x_path = format!("/api/v1/signups/{x_seat}");
        let y_path = format!("/api/v1/signups/{y_seat}");
        let (a, b) = tokio::join!(
            app.delete(&x_path, Some(&x.token)),
            app.delete(&y_path, Some(&y.token))
        );
        assert_eq!((a.status, b.status), (200, 200), "{} / {}", a.text, b.text);
        let on_first = status_of(&app, &w, &first).await;
        let on_second = status_of(&app, &w, &second).await;
        let confirmed = [&on_first, &on_second]
            .iter()
            .filter(|s| s.as_str() == "confirmed")
            .count();
        assert_eq!(confirmed, 1, "round {round}: {on_first} / {on_second}");
        let waiting = if on_first == "confirmed" {
            &on_second
        } else {
            &on_first
        };
        assert_eq!(waiting, "waitlisted");
        let roster = if on_first == "confirmed" {
            &second
        } else {
            &first
        };
        let lines = app
            .get(
                &format!("/api/v1/shifts/{roster}/signups"),
                Some(&organizer.token),
            )
            .await
            .expect(200);
        let reason = lines.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["status"] == "waitlisted")
            .unwrap()["wait_reason"]
            .clone();
        assert_eq!(reason, "overlap");
    }
}

hourbook_tests::backend_tests!(
    a_cancellation_racing_a_check_in_never_overfills_the_shift,
    two_cancellations_never_confirm_one_person_on_overlapping_shifts
);
