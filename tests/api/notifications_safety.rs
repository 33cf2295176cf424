//! Defects a review found in the notifications outbox, each with the test that failed while it
//! was present. Runs on SQLite and PostgreSQL (+ Redis).

use chrono::Duration;
use hourbook_notifications::{Mailer, Postman, SendError, Worker};
use hourbook_tests::mailroom::{outbox_rows, smtp, to, worker};
use hourbook_tests::smtp::SmtpSink;
use hourbook_tests::{SITE, TestApp, backend_tests};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use tokio::sync::{Notify, Semaphore};

backend_tests!(
    a_worker_whose_claim_lapsed_does_not_send_what_another_worker_took_over,
    the_admins_list_of_failed_messages_survives_an_unreadable_row,
    drain_sends_everything_due_even_behind_a_batch_of_skipped_messages,
    a_reminder_queued_before_a_shift_moved_does_not_send_the_old_place,
);

const WAIT: StdDuration = StdDuration::from_secs(15);

/// An organizer's event and a 3-hour shift two days ahead with `capacity` seats.
async fn shift(app: &TestApp, capacity: u32) -> String {
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "community", "organizer")
        .await;
    let event = app.event(&organizer, &org, SITE, false).await;
    app.shift(
        &organizer,
        &event,
        Duration::days(2),
        3,
        capacity,
        json!({}),
    )
    .await
}

/// Holds every delivery until the test opens the gate; tells the test when the first one
/// is waiting.
struct Gated {
    inner: Mailer,
    gate: Arc<Semaphore>,
    waiting: Arc<Notify>,
}

impl Postman for Gated {
    async fn deliver(&self, message: lettre::Message) -> Result<(), SendError> {
        self.waiting.notify_one();
        let _pass = self.gate.acquire().await.expect("gate");
        self.inner.deliver(message).await
    }
}

/// Issue: "two concurrent workers never send the same message twice". A worker that is merely
/// slow (a relay taking a few seconds per message, a batch of 50, a 120 s lease) outlives its
/// claim; another worker rightly takes the rest of the batch over, and the slow worker then
/// sends every one of those messages again, because it never checks that it still owns a
/// message before sending it. Only the message in flight when the lease ran out may go twice.
async fn a_worker_whose_claim_lapsed_does_not_send_what_another_worker_took_over(app: TestApp) {
    let sink = SmtpSink::start();
    let shift = shift(&app, 10).await;
    for i in 0..3 {
        let v = app.volunteer(&format!("志愿者{i}")).await;
        app.signup_id(&shift, &v).await;
    }
    let now = app.clock.now();
    let gate = Arc::new(Semaphore::new(0));
    let waiting = Arc::new(Notify::new());
    let slow = worker(
        &app,
        Gated {
            inner: smtp(&sink),
            gate: gate.clone(),
            waiting: waiting.clone(),
        },
    );
    // The slow worker claims the three confirmations and gets stuck on the first.
    let task = tokio::spawn(async move { slow.drain(now).await });
    tokio::time::timeout(WAIT, waiting.notified())
        .await
        .expect("the slow worker starts sending");

    // The lease runs out; another worker takes the batch over and sends it.
    let lease = Duration::seconds(app.state.settings.email.lease_seconds as i64);
    app.clock.set(now + lease + Duration::seconds(1));
    let heir = worker(&app, smtp(&sink))
        .drain(app.clock.now())
        .await
        .unwrap();
    assert_eq!(heir.sent, 3, "{heir:?}");

    // The slow worker comes back to life.
    gate.add_permits(1);
    task.await.unwrap().unwrap();
    let received = sink.messages();
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for m in &received {
        *per_id.entry(m.message_id().unwrap()).or_default() += 1;
    }
    assert_eq!(per_id.len(), 3);
    let doubled = per_id.values().filter(|n| **n > 1).count();
    assert!(
        doubled <= 1,
        "{doubled} of 3 messages went out twice (only the one in flight may): {per_id:?}"
    );
}

/// Issue: "permanent failures ... shown to admins". The claim sets an unreadable row aside as
/// failed "for an administrator" (its own example: a kind this version does not know), but
/// GET /api/v1/admin/outbox/failed parses every failed row's kind and answers 500 as soon as
/// one such row exists, hiding every other failed message too.
async fn the_admins_list_of_failed_messages_survives_an_unreadable_row(app: TestApp) {
    let sink = SmtpSink::start();
    let shift = shift(&app, 10).await;
    let volunteer = app.volunteer("李明").await;
    app.signup_id(&shift, &volunteer).await;
    // A row written by a newer version, with a kind this one does not know.
    let db = app.state.store.connection();
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE outbox SET kind = 'newsletter'",
    ))
    .await
    .unwrap();
    worker(&app, smtp(&sink))
        .drain(app.clock.now())
        .await
        .unwrap();
    let rows = outbox_rows(&app).await;
    assert_eq!(
        (rows.len(), rows[0].1.as_str(), rows[0].2.as_str()),
        (1, "newsletter", "failed")
    );
    let admin = app.platform_admin().await;
    let failed = app
        .get("/api/v1/admin/outbox/failed", Some(&admin.token))
        .await;
    assert_eq!(failed.status, 200, "{}", failed.text);
    assert_eq!(failed.json["items"].as_array().map(Vec::len), Some(1));
}

/// `Worker::drain` promises to send "batches until nothing is due", but stops at the first
/// batch that only held skipped messages (opted out, or reminders for cancelled signups):
/// `PassReport` does not count them, so the pass looks empty. Everything queued behind them
/// waits for the next poll, one batch per poll.
async fn drain_sends_everything_due_even_behind_a_batch_of_skipped_messages(app: TestApp) {
    let sink = SmtpSink::start();
    let shift = shift(&app, 10).await;
    let quiet = app.volunteer("不要邮件").await;
    app.put(
        "/api/v1/me/notifications",
        Some(&quiet.token),
        json!({"kinds": {"signup_confirmed": false}}),
    )
    .await
    .expect(200);
    app.signup_id(&shift, &quiet).await;
    app.clock.advance(Duration::seconds(5));
    let eager = app.volunteer("要邮件").await;
    app.signup_id(&shift, &eager).await;

    let mut settings =
        hourbook_api::worker::worker_settings(&app.state, app.address.clone()).unwrap();
    settings.batch_size = 1;
    let w = Worker::new(
        app.state.store.clone(),
        smtp(&sink),
        app.state.links.clone(),
        settings,
    );
    w.drain(app.clock.now()).await.unwrap();
    assert_eq!(
        to(&sink.messages(), &eager.email).len(),
        1,
        "a due message was left behind: {:?}",
        outbox_rows(&app).await
    );
}

/// Issue: "safety messages (shift cancelled, changed) always go out". A reminder is rendered
/// from the payload frozen when it was queued, and a reminder is only set aside when its signup
/// or shift is no longer open: when the organizer moves the shift between queuing and sending
/// (a relay retrying with backoff, a busy queue), the volunteer gets the "changed" safety
/// message and then a reminder that sends them to the old place (or time).
async fn a_reminder_queued_before_a_shift_moved_does_not_send_the_old_place(app: TestApp) {
    let sink = SmtpSink::start();
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "community", "organizer")
        .await;
    let event = app.event(&organizer, &org, SITE, false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(3), 3, 5, json!({}))
        .await;
    let volunteer = app.volunteer("李明").await;
    app.signup_id(&shift, &volunteer).await;
    let w = worker(&app, smtp(&sink));
    w.drain(app.clock.now()).await.unwrap();
    app.clock.advance(Duration::days(2) + Duration::hours(1));
    assert_eq!(
        w.schedule(app.clock.now()).await.unwrap(),
        1,
        "the 24 h reminder"
    );
    // Before it goes out, the organizer moves the shift across the street.
    app.call(
        reqwest::Method::PATCH,
        &format!("/api/v1/shifts/{shift}"),
        Some(&organizer.token),
        Some(&json!({"address": "长风新村新活动中心二楼"})),
    )
    .await
    .expect(200);
    w.drain(app.clock.now()).await.unwrap();
    let db = app.state.store.connection();
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM outbox WHERE kind = 'reminder_24h'",
        ))
        .await
        .unwrap()
        .expect("a reminder row");
    let id: String = row.try_get("", "id").unwrap();
    let received = sink.messages();
    let reminder = received
        .iter()
        .find(|m| m.message_id().is_some_and(|m| m.starts_with(&id)));
    if let Some(reminder) = reminder {
        let text = reminder.text();
        assert!(
            text.contains("长风新村新活动中心二楼") && !text.contains("长风新村活动室"),
            "the reminder sends the volunteer to the old place:\n{text}"
        );
    }
}
