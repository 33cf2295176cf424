//! The outbox end to end: the application queues messages in its transactions, a worker sends
//! them over SMTP to a server on loopback that the test starts, and the test reads what
//! arrived. Runs on SQLite and PostgreSQL (+ Redis).

use chrono::{DateTime, Duration, Utc};
use hourbook_notifications::{Mailer, Postman, SendError, Wakeup, Worker};
use hourbook_tests::mailroom::{deliver, outbox_rows, smtp, smtp_with, to, worker};
use hourbook_tests::smtp::{Received, SmtpSink};
use hourbook_tests::{Backend, SITE, TestApp, User, backend_tests};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration as StdDuration;

backend_tests!(
    a_confirmation_tells_the_volunteer_everything_in_their_language,
    a_minors_guardian_gets_copies_of_confirmations_and_cancellations,
    moving_a_shift_tells_everyone_on_it_whatever_their_settings,
    kinds_can_be_turned_off_by_setting_or_one_click_link_but_safety_messages_cannot,
    reminders_go_out_once_each_whatever_the_number_of_workers_and_restarts,
    organizers_get_one_digest_a_day_of_records_coming_due,
    bad_addresses_fail_for_good_and_reach_the_admins_and_busy_relays_are_retried,
    a_worker_dying_between_send_and_record_loses_nothing,
    concurrent_workers_never_send_a_message_twice,
    concurrent_signups_queue_exactly_one_message_each,
    queuing_a_message_wakes_a_sleeping_worker,
    the_relay_gets_the_configured_credentials,
    an_offer_answered_before_its_e_mail_went_out_is_not_sent,
);

const WAIT: StdDuration = StdDuration::from_secs(15);

/// An organizer and an event that says what to bring and whom to call.
async fn detailed_event(app: &TestApp) -> (String, User, String) {
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "community", "organizer")
        .await;
    let event = app
        .post(
            "/api/v1/events",
            Some(&organizer.token),
            json!({
                "organization_id": org, "title": "暑期爱心暑托班", "description": "Summer classes",
                "campaign": "summer_childcare", "category": "childcare",
                "location": {"lat": SITE.0, "lon": SITE.1}, "address": "长风新村活动室",
                "what_to_bring": "水杯和志愿者证",
                "contact": {"name": "王老师", "phone": "021-52000001", "email": "wang@centre.example.org"}
            }),
        )
        .await
        .expect(201);
    assert_eq!(event.json["contact"]["phone"], "021-52000001");
    (org, organizer, event.id())
}

async fn confirmed_outbox_id(app: &TestApp, kind: &str) -> String {
    outbox_rows(app)
        .await
        .into_iter()
        .find(|(_, k, _)| k == kind)
        .map(|(id, _, _)| id)
        .unwrap_or_else(|| panic!("no {kind} message queued"))
}

fn calendar(m: &Received) -> String {
    m.attachments()
        .into_iter()
        .find(|(ct, _, _)| ct.starts_with("text/calendar"))
        .map(|(_, _, body)| String::from_utf8(body).expect("UTF-8 calendar"))
        .unwrap_or_default()
}

async fn a_confirmation_tells_the_volunteer_everything_in_their_language(app: TestApp) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    // Thursday 3 June 2027, 08:00-11:00 in Shanghai.
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let volunteer = app.volunteer("李明").await;
    let signup = app.signup_id(&shift, &volunteer).await;

    let received = deliver(&app, &sink).await;
    let mine = to(&received, &volunteer.email);
    assert_eq!(mine.len(), 1, "one confirmation: {received:?}");
    let mail = &mine[0];
    let id = confirmed_outbox_id(&app, "signup_confirmed").await;
    assert!(
        mail.message_id().unwrap().starts_with(&format!("{id}@")),
        "the outbox id is the Message-ID"
    );
    assert_eq!(mail.header("Content-Language").as_deref(), Some("zh-CN"));
    assert!(
        mail.header("Reply-To")
            .unwrap()
            .contains("wang@centre.example.org")
    );
    let unsubscribe = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
    assert!(unsubscribe.contains(&format!("{}/unsubscribe/", app.address)));
    assert_eq!(
        mail.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let link = format!("{}/shifts/{shift}", app.address);
    for body in [mail.text(), mail.html()] {
        for needle in [
            "暑期爱心暑托班",
            "08:00",
            "11:00",
            "长风新村活动室",
            "水杯和志愿者证",
            "王老师",
            "021-52000001",
            "Asia/Shanghai",
            &link,
        ] {
            assert!(body.contains(needle), "{needle:?} missing from {body}");
        }
    }
    assert!(mail.subject().unwrap().starts_with("Hourbook"));
    let ics = calendar(mail);
    assert!(ics.contains(&format!("UID:{signup}@hourbook")), "{ics}");
    assert!(ics.contains("METHOD:PUBLISH"), "{ics}");

    // The link in the e-mail opens the shift's page.
    let page = app.get(&format!("/shifts/{shift}"), None).await.expect(200);
    assert!(page.text.contains("暑期爱心暑托班") && page.text.contains("geo:"));

    // In English once the volunteer says so; the cancellation (a safety message) cannot be
    // unsubscribed from and takes the entry out of the calendar.
    let me = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/me",
            Some(&volunteer.token),
            Some(&json!({"locale": "en"})),
        )
        .await
        .expect(200);
    assert_eq!(me.json["locale"], "en");
    app.delete(&format!("/api/v1/shifts/{shift}"), Some(&organizer.token))
        .await
        .expect(200);
    let received = deliver(&app, &sink).await;
    let mine = to(&received, &volunteer.email);
    assert_eq!(mine.len(), 2, "{received:?}");
    let cancelled = &mine[1];
    assert_eq!(cancelled.header("Content-Language").as_deref(), Some("en"));
    assert!(cancelled.header("List-Unsubscribe").is_none());
    assert!(
        cancelled.text().to_lowercase().contains("cancel"),
        "{}",
        cancelled.text()
    );
    assert!(cancelled.text().contains("08:00"));
    let ics = calendar(cancelled);
    assert!(
        ics.contains("METHOD:CANCEL") && ics.contains(&format!("UID:{signup}@hourbook")),
        "{ics}"
    );
    assert!(outbox_rows(&app).await.iter().all(|(_, _, s)| s == "sent"));

    // A locale Hourbook does not speak is refused.
    app.call(
        reqwest::Method::PATCH,
        "/api/v1/me",
        Some(&volunteer.token),
        Some(&json!({"locale": "fr"})),
    )
    .await
    .problem(422);
}

async fn a_minors_guardian_gets_copies_of_confirmations_and_cancellations(app: TestApp) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let child = app.register("小明").await;
    let guardian = "parent@example.org";
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
    let received = deliver(&app, &sink).await;
    assert_eq!(to(&received, &child.email).len(), 1);
    let copies = to(&received, guardian);
    assert_eq!(copies.len(), 1, "{received:?}");
    let copy = &copies[0];
    assert!(
        copy.text().contains("小明") && copy.text().contains("李女士"),
        "{}",
        copy.text()
    );
    assert!(copy.text().contains("08:00"));
    assert!(
        copy.header("List-Unsubscribe").is_none(),
        "a guardian has no account to unsubscribe"
    );
    assert!(calendar(copy).contains("METHOD:PUBLISH"));

    app.delete(&format!("/api/v1/shifts/{shift}"), Some(&organizer.token))
        .await
        .expect(200);
    let received = deliver(&app, &sink).await;
    assert_eq!(to(&received, guardian).len(), 2);
    assert_eq!(to(&received, &child.email).len(), 2);
    // An adult's confirmation goes to nobody else.
    let adult = app.volunteer("成年人").await;
    let other = app
        .shift(&organizer, &event, Duration::days(3), 3, 5, json!({}))
        .await;
    app.signup_id(&other, &adult).await;
    let before = sink.messages().len();
    let received = deliver(&app, &sink).await;
    assert_eq!(received.len(), before + 1);
}

async fn moving_a_shift_tells_everyone_on_it_whatever_their_settings(app: TestApp) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    // Thursday 3 June 2027, 08:00-11:00 in Shanghai, one seat.
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 1, json!({}))
        .await;
    let seated = app.volunteer("有座位").await;
    let waiting = app.volunteer("候补中").await;
    let seat = app.signup_id(&shift, &seated).await;
    app.signup_id(&shift, &waiting).await;
    // Turning the message off is not possible.
    app.put(
        "/api/v1/me/notifications",
        Some(&seated.token),
        json!({"kinds": {"shift_changed": false}}),
    )
    .await
    .problem(422);
    deliver(&app, &sink).await;
    let path = format!("/api/v1/shifts/{shift}");
    let starts = app.clock.now() + Duration::days(2);

    // Only its organizers; something to change; the same day; a real place.
    app.call(
        reqwest::Method::PATCH,
        &path,
        Some(&seated.token),
        Some(&json!({"address": "x"})),
    )
    .await
    .problem(403);
    let patch = |body: serde_json::Value| {
        let (app, path, token) = (&app, path.clone(), organizer.token.clone());
        async move {
            app.call(reqwest::Method::PATCH, &path, Some(&token), Some(&body))
                .await
        }
    };
    assert_eq!(patch(json!({})).await.field_errors(), ["starts_at"]);
    let next_day = json!({"starts_at": (starts + Duration::days(1)).to_rfc3339(), "ends_at": (starts + Duration::days(1) + Duration::hours(3)).to_rfc3339()});
    assert_eq!(patch(next_day).await.field_errors(), ["starts_at"]);
    assert_eq!(
        patch(json!({"address": "  "})).await.field_errors(),
        ["address"]
    );
    assert_eq!(
        patch(json!({"location": {"lat": 91, "lon": 0}}))
            .await
            .field_errors(),
        ["location.lat"]
    );

    // The seated volunteer has another shift at 12:00: moving this one onto it is refused.
    let (_, other_organizer, other_event) = detailed_event(&app).await;
    let later = app
        .shift(
            &other_organizer,
            &other_event,
            Duration::days(2) + Duration::hours(4),
            2,
            5,
            json!({}),
        )
        .await;
    app.signup_id(&later, &seated).await;
    deliver(&app, &sink).await;
    let before = sink.messages().len();
    let clash = json!({"starts_at": (starts + Duration::hours(2)).to_rfc3339(), "ends_at": (starts + Duration::hours(5)).to_rfc3339()});
    patch(clash).await.problem(409);
    let unchanged = app.get(&path, None).await.expect(200);
    assert_eq!(unchanged.json["address"], "长风新村活动室");

    // An hour later and elsewhere: both hear of it, with the old and new time and place.
    let moved = patch(json!({
        "starts_at": (starts + Duration::hours(1)).to_rfc3339(),
        "ends_at": (starts + Duration::hours(3)).to_rfc3339(),
        "address": "长风公园东门", "location": {"lat": 31.226, "lon": 121.398}
    }))
    .await
    .expect(200);
    assert_eq!(moved.json["address"], "长风公园东门");
    assert_eq!(moved.json["confirmed_count"], 1);
    let received = deliver(&app, &sink).await;
    assert_eq!(received.len(), before + 2, "{received:?}");
    for who in [&seated, &waiting] {
        let mail = to(&received, &who.email).pop().unwrap();
        assert!(
            mail.header("List-Unsubscribe").is_none(),
            "a safety message"
        );
        let text = mail.text();
        for needle in ["09:00", "11:00", "长风公园东门", "08:00", "长风新村活动室"] {
            assert!(text.contains(needle), "{needle:?} missing from {text}");
        }
    }
    let update = to(&received, &seated.email).pop().unwrap();
    let ics = calendar(&update);
    assert!(
        ics.contains(&format!("UID:{seat}@hourbook")) && ics.contains("DTSTART:20270603T010000Z"),
        "{ics}"
    );
    let page = app.get(&format!("/shifts/{shift}"), None).await.expect(200);
    assert!(page.text.contains("长风公园东门"));

    // Once it has started it stays as it is.
    app.clock.set(starts + Duration::hours(1));
    patch(json!({"address": "别处"})).await.problem(409);
}

async fn kinds_can_be_turned_off_by_setting_or_one_click_link_but_safety_messages_cannot(
    app: TestApp,
) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    let volunteer = app.volunteer("李明").await;
    let prefs = app
        .get("/api/v1/me/notifications", Some(&volunteer.token))
        .await
        .expect(200);
    let items = prefs.json["items"].as_array().unwrap();
    assert!(items.iter().all(|p| p["enabled"] == true));
    assert!(
        items
            .iter()
            .any(|p| p["kind"] == "shift_cancelled" && p["always_sent"] == true)
    );

    // Safety messages cannot be turned off; unknown kinds are named.
    let fields = app
        .put(
            "/api/v1/me/notifications",
            Some(&volunteer.token),
            json!({"kinds": {"shift_cancelled": false}}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["kinds.shift_cancelled"]);
    let fields = app
        .put(
            "/api/v1/me/notifications",
            Some(&volunteer.token),
            json!({"kinds": {"newsletter": false}}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["kinds.newsletter"]);
    app.get("/api/v1/me/notifications", None).await.problem(401);

    // Turned off in the settings: reminders.
    let r = app
        .put(
            "/api/v1/me/notifications",
            Some(&volunteer.token),
            json!({"kinds": {"reminder_24h": false}}),
        )
        .await
        .expect(200);
    assert!(
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "reminder_24h" && p["enabled"] == false)
    );

    // Turned off with the link in a confirmation, without logging in.
    let first = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    app.signup_id(&first, &volunteer).await;
    let received = deliver(&app, &sink).await;
    let link = received[0].header("List-Unsubscribe").unwrap();
    let link = link
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    let path = link
        .strip_prefix(&app.address)
        .expect("a link to this server")
        .to_string();
    // Opening the link only asks (a link scanner must not unsubscribe anyone)...
    let page = app.get(&path, None).await.expect(200);
    assert!(page.text.contains("<form method=\"post\""), "{}", page.text);
    let still = app
        .get("/api/v1/me/notifications", Some(&volunteer.token))
        .await;
    assert!(
        still.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "signup_confirmed" && p["enabled"] == true)
    );
    // ...the button (or a mail program's one-click POST) does it.
    app.call_raw(
        reqwest::Method::POST,
        &path,
        None,
        "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click",
    )
    .await
    .expect(200);
    let now_off = app
        .get("/api/v1/me/notifications", Some(&volunteer.token))
        .await;
    assert!(
        now_off.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "signup_confirmed" && p["enabled"] == false)
    );
    // A forged or mangled link does nothing.
    let forged = path.replace("signup_confirmed", "hours_verified");
    app.call_raw(
        reqwest::Method::POST,
        &forged,
        None,
        "application/x-www-form-urlencoded",
        "",
    )
    .await
    .expect(404);
    app.get("/unsubscribe/not-a-token", None).await.expect(404);

    // The next confirmation is not sent (and recorded as skipped); a 24 h reminder neither;
    // the cancellation is.
    let second = app
        .shift(&organizer, &event, Duration::days(4), 3, 5, json!({}))
        .await;
    app.signup_id(&second, &volunteer).await;
    app.clock.advance(Duration::days(3) + Duration::hours(1));
    worker(&app, smtp(&sink))
        .schedule(app.clock.now())
        .await
        .unwrap();
    app.delete(&format!("/api/v1/shifts/{second}"), Some(&organizer.token))
        .await
        .expect(200);
    let received = deliver(&app, &sink).await;
    let mut kinds: Vec<(String, String)> = outbox_rows(&app)
        .await
        .into_iter()
        .map(|(_, k, s)| (k, s))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("reminder_24h".to_string(), "skipped".to_string()),
            ("shift_cancelled".into(), "sent".into()),
            ("signup_confirmed".into(), "sent".into()),
            ("signup_confirmed".into(), "skipped".into()),
        ]
    );
    assert_eq!(to(&received, &volunteer.email).len(), 2);
}

/// Three workers run the reminder schedule at the same moment, then a fourth ("restarted")
/// one; returns how many messages they queued in all.
async fn schedule(app: &TestApp, sink: &SmtpSink, at: DateTime<Utc>) -> usize {
    let runs = futures_util::future::join_all(
        (0..3).map(|_| async { worker(app, smtp(sink)).schedule(at).await.unwrap() }),
    )
    .await;
    let again = worker(app, smtp(sink)).schedule(at).await.unwrap();
    runs.iter().sum::<usize>() + again
}

async fn reminders_go_out_once_each_whatever_the_number_of_workers_and_restarts(app: TestApp) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(3), 3, 5, json!({}))
        .await;
    let early = app.volunteer("早报名").await;
    let leaving = app.volunteer("要取消").await;
    app.signup_id(&shift, &early).await;
    let leaving_signup = app.signup_id(&shift, &leaving).await;
    deliver(&app, &sink).await;
    let starts = app.clock.now() + Duration::days(3);

    app.clock.set(starts - Duration::hours(30));
    assert_eq!(
        schedule(&app, &sink, app.clock.now()).await,
        0,
        "nothing is due 30 h before"
    );
    app.clock.set(starts - Duration::hours(23));
    assert_eq!(
        schedule(&app, &sink, app.clock.now()).await,
        2,
        "one day-before reminder per confirmed signup"
    );
    assert_eq!(
        schedule(&app, &sink, app.clock.now() + Duration::minutes(30)).await,
        0
    );
    let received = deliver(&app, &sink).await;
    assert_eq!(
        to(&received, &early.email).len(),
        2,
        "confirmation and reminder"
    );

    // Ten hours before the start someone else signs up: too late for the day-before reminder.
    app.clock.set(starts - Duration::hours(10));
    let late = app.volunteer("晚报名").await;
    app.signup_id(&shift, &late).await;
    // The one leaving cancels after their 2 h reminder was queued but before it was sent.
    app.clock.set(starts - Duration::minutes(110));
    assert_eq!(
        schedule(&app, &sink, app.clock.now()).await,
        3,
        "a 2 h reminder for each of the three"
    );
    app.delete(
        &format!("/api/v1/signups/{leaving_signup}"),
        Some(&leaving.token),
    )
    .await
    .expect(200);
    let received = deliver(&app, &sink).await;
    let subjects = |who: &User| -> Vec<String> {
        to(&received, &who.email)
            .iter()
            .map(|m| m.subject().unwrap_or_default())
            .collect()
    };
    assert_eq!(
        subjects(&early).len(),
        3,
        "confirmation, 24 h and 2 h: {:?}",
        subjects(&early)
    );
    assert_eq!(
        subjects(&late).len(),
        2,
        "confirmation and 2 h only: {:?}",
        subjects(&late)
    );
    assert_eq!(
        subjects(&leaving).len(),
        2,
        "confirmation and 24 h, no 2 h after cancelling: {:?}",
        subjects(&leaving)
    );
    let rows = outbox_rows(&app).await;
    let count = |kind: &str, status: &str| {
        rows.iter()
            .filter(|(_, k, s)| k == kind && s == status)
            .count()
    };
    assert_eq!(count("reminder_24h", "sent"), 2);
    assert_eq!(count("reminder_2h", "sent"), 2);
    assert_eq!(count("reminder_2h", "skipped"), 1);
    // Past the start nothing more is queued.
    assert_eq!(
        schedule(&app, &sink, starts + Duration::minutes(1)).await,
        0
    );
}

async fn organizers_get_one_digest_a_day_of_records_coming_due(app: TestApp) {
    let sink = SmtpSink::start();
    let (org, organizer, event) = detailed_event(&app).await;
    // Tuesday 1 June 2027, 09:00-12:00 local; attended, never verified.
    let shift = app
        .shift(&organizer, &event, Duration::hours(1), 3, 5, json!({}))
        .await;
    let volunteer = app.volunteer("李明").await;
    let signup = app.signup_id(&shift, &volunteer).await;
    let started = app.clock.now() + Duration::hours(1);
    app.clock.set(started + Duration::minutes(5));
    app.desk_check_in(&signup, &organizer, Some(started))
        .await
        .expect(200);
    app.clock.set(started + Duration::hours(3));
    app.desk_check_out(&signup, &organizer, None)
        .await
        .expect(200);

    let records = app
        .get(
            &format!("/api/v1/organizations/{org}/pending-records"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    let items = records.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["signup_id"], signup.as_str());
    // Ten working days after Tuesday 1 June: Tuesday 15 June.
    assert_eq!(items[0]["due_by"], "2027-06-15");
    assert_eq!(items[0]["overdue"], false);
    app.get(
        &format!("/api/v1/organizations/{org}/pending-records"),
        Some(&volunteer.token),
    )
    .await
    .problem(403);

    // A digest goes out on days when a record is overdue or due within two working days.
    let w = worker(&app, smtp(&sink));
    app.clock.set("2027-06-10T01:00:00Z".parse().unwrap()); // Thursday 10 June, 09:00
    assert_eq!(
        w.schedule(app.clock.now()).await.unwrap(),
        0,
        "not yet close to the deadline"
    );
    app.clock.set("2027-06-11T01:00:00Z".parse().unwrap()); // Friday 11 June, 09:00
    assert_eq!(w.schedule(app.clock.now()).await.unwrap(), 1);
    assert_eq!(
        w.schedule(app.clock.now() + Duration::hours(5))
            .await
            .unwrap(),
        0,
        "once a day"
    );
    app.clock.set("2027-06-16T23:00:00Z".parse().unwrap()); // Thursday 17 June, 07:00: before the hour
    assert_eq!(w.schedule(app.clock.now()).await.unwrap(), 0);
    app.clock.set("2027-06-17T01:00:00Z".parse().unwrap()); // Thursday 17 June, 09:00: overdue
    assert_eq!(w.schedule(app.clock.now()).await.unwrap(), 1);
    let received = deliver(&app, &sink).await;
    let digests = to(&received, &organizer.email);
    assert_eq!(digests.len(), 2);
    let text = digests[1].text();
    assert!(
        text.contains("李明") && text.contains("2027年6月15日"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{}/shifts/{shift}", app.address)),
        "{text}"
    );
    let records = app
        .get(
            &format!("/api/v1/organizations/{org}/pending-records"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    assert_eq!(records.json["items"][0]["overdue"], true);

    // Verified, the record leaves the list and the digests stop.
    app.post(
        &format!("/api/v1/signups/{signup}/verify"),
        Some(&organizer.token),
        json!({}),
    )
    .await
    .expect(201);
    app.clock.advance(Duration::days(1));
    assert_eq!(w.schedule(app.clock.now()).await.unwrap(), 0);
}

async fn bad_addresses_fail_for_good_and_reach_the_admins_and_busy_relays_are_retried(
    app: TestApp,
) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let gone = app.volunteer("地址失效").await;
    let busy = app.volunteer("服务器繁忙").await;
    sink.reject_recipient(&gone.email, 550);
    app.signup_id(&shift, &gone).await;
    deliver(&app, &sink).await;
    sink.fail_data_times(1);
    app.signup_id(&shift, &busy).await;
    let w = worker(&app, smtp(&sink));
    let pass = w.drain(app.clock.now()).await.unwrap();
    assert_eq!((pass.sent, pass.retrying), (0, 1), "{pass:?}");

    let admin = app.platform_admin().await;
    let failed = app
        .get("/api/v1/admin/outbox/failed", Some(&admin.token))
        .await
        .expect(200);
    let items = failed.json["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", failed.text);
    assert_eq!(items[0]["recipient_email"], gone.email.as_str());
    assert!(
        items[0]["last_error"].as_str().unwrap().contains("550"),
        "{}",
        failed.text
    );
    app.get("/api/v1/admin/outbox/failed", Some(&organizer.token))
        .await
        .problem(403);

    // The busy relay's message comes back after its backoff (a minute at most), not before.
    assert_eq!(
        w.drain(app.clock.now() + Duration::seconds(20))
            .await
            .unwrap()
            .sent,
        0
    );
    assert_eq!(
        w.drain(app.clock.now() + Duration::minutes(2))
            .await
            .unwrap()
            .sent,
        1
    );
    assert_eq!(to(&sink.messages(), &busy.email).len(), 1);

    // Once the address works again an admin re-queues the failed one.
    sink.accept_recipient(&gone.email);
    let id = items[0]["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/admin/outbox/{id}/retry"),
        Some(&admin.token),
        json!({}),
    )
    .await
    .expect(200);
    app.post(
        &format!("/api/v1/admin/outbox/{id}/retry"),
        Some(&admin.token),
        json!({}),
    )
    .await
    .problem(404);
    assert_eq!(w.drain(app.clock.now()).await.unwrap().sent, 1);
    assert_eq!(to(&sink.messages(), &gone.email).len(), 1);
}

/// Delivers through the real transport, then "dies" right after sending message number
/// `die_after` (0-based): it never returns, so the worker never records the send.
struct DiesAfterSending {
    inner: Mailer,
    sent: Arc<AtomicUsize>,
    die_after: usize,
}

impl Postman for DiesAfterSending {
    async fn deliver(&self, message: lettre::Message) -> Result<(), SendError> {
        self.inner.deliver(message).await?;
        if self.sent.fetch_add(1, Ordering::SeqCst) == self.die_after {
            std::future::pending::<()>().await;
        }
        Ok(())
    }
}

async fn a_worker_dying_between_send_and_record_loses_nothing(app: TestApp) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 10, json!({}))
        .await;
    for i in 0..6 {
        let v = app.volunteer(&format!("志愿者{i}")).await;
        app.signup_id(&shift, &v).await;
    }
    let sent = Arc::new(AtomicUsize::new(0));
    let doomed = worker(
        &app,
        DiesAfterSending {
            inner: smtp(&sink),
            sent: sent.clone(),
            die_after: 2,
        },
    );
    let now = app.clock.now();
    let task = tokio::spawn(async move { doomed.drain(now).await });
    assert_eq!(sink.wait_for(3, WAIT).await.len(), 3);
    // The process is killed: its claim on the batch stays behind.
    task.abort();
    let _ = task.await;
    let rows = outbox_rows(&app).await;
    assert_eq!(rows.iter().filter(|r| r.2 == "sent").count(), 2);

    // Another worker does not touch the claimed messages while the lease holds...
    let heir = worker(&app, smtp(&sink));
    assert_eq!(
        heir.drain(now + Duration::seconds(30)).await.unwrap().sent,
        0
    );
    // ...and takes them over when it runs out.
    let lease = Duration::seconds(app.state.settings.email.lease_seconds as i64);
    assert_eq!(
        heir.drain(now + lease + Duration::seconds(1))
            .await
            .unwrap()
            .sent,
        4
    );
    let received = sink.messages();
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for m in &received {
        *per_id.entry(m.message_id().unwrap()).or_default() += 1;
    }
    assert_eq!(per_id.len(), 6, "every message arrived");
    // Only the one sent but never recorded went out twice, under the same Message-ID.
    let twice: Vec<_> = per_id.values().filter(|n| **n == 2).collect();
    assert_eq!((twice.len(), received.len()), (1, 7), "{per_id:?}");
    assert!(outbox_rows(&app).await.iter().all(|r| r.2 == "sent"));
}

async fn concurrent_workers_never_send_a_message_twice(app: TestApp) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    let shifts = [
        app.shift(&organizer, &event, Duration::days(2), 3, 50, json!({}))
            .await,
        app.shift(&organizer, &event, Duration::days(3), 3, 50, json!({}))
            .await,
    ];
    for i in 0..40 {
        let v = app.volunteer(&format!("志愿者{i}")).await;
        for s in &shifts {
            app.signup_id(s, &v).await;
        }
    }
    let now = app.clock.now();
    let mut settings =
        hourbook_api::worker::worker_settings(&app.state, app.address.clone()).unwrap();
    // Small batches make the workers interleave.
    settings.batch_size = 3;
    let runs = futures_util::future::join_all((0..4).map(|_| {
        let w = Worker::new(
            app.state.store.clone(),
            smtp(&sink),
            app.state.links.clone(),
            settings.clone(),
        );
        tokio::spawn(async move { w.drain(now).await.unwrap() })
    }))
    .await;
    let sent: usize = runs.into_iter().map(|r| r.unwrap().sent).sum();
    assert_eq!(sent, 80);
    let received = sink.messages();
    let mut per_id: HashMap<String, usize> = HashMap::new();
    for m in &received {
        *per_id.entry(m.message_id().unwrap()).or_default() += 1;
    }
    assert_eq!(per_id.len(), 80);
    assert!(per_id.values().all(|n| *n == 1), "a message went out twice");
}

async fn concurrent_signups_queue_exactly_one_message_each(app: TestApp) {
    let (_, organizer, event) = detailed_event(&app).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let mut volunteers = Vec::new();
    for i in 0..40 {
        volunteers.push(app.volunteer(&format!("志愿者{i}")).await);
    }
    // All at once: on PostgreSQL some of these transactions deadlock or fail to serialise and
    // run again; a rolled-back attempt must leave no message behind.
    let answers =
        futures_util::future::join_all(volunteers.iter().map(|v| app.sign_up(&shift, v))).await;
    assert!(answers.iter().all(|a| a.status == 201));
    let rows = outbox_rows(&app).await;
    let count = |kind: &str| rows.iter().filter(|(_, k, _)| k == kind).count();
    assert_eq!(
        (count("signup_confirmed"), count("signup_waitlisted")),
        (5, 35)
    );
    let recipients: std::collections::HashSet<String> =
        app.outbox().await.into_iter().map(|(_, to)| to).collect();
    assert_eq!(recipients.len(), 40, "one message per volunteer");
}

async fn queuing_a_message_wakes_a_sleeping_worker(app: TestApp) {
    let sink = SmtpSink::start();
    let (_, organizer, event) = detailed_event(&app).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let mut settings =
        hourbook_api::worker::worker_settings(&app.state, app.address.clone()).unwrap();
    // The worker would not poll again for ten minutes on its own.
    settings.poll_interval = StdDuration::from_secs(600);
    let w = Worker::new(
        app.state.store.clone(),
        smtp(&sink),
        app.state.links.clone(),
        settings,
    );
    // In production the worker is another process: its bell is rung through Redis only.
    let (bell, listener) = match app.backend {
        Backend::Embedded => (app.state.wakeup.clone(), None),
        Backend::Production => {
            let theirs = Wakeup::in_process();
            let client = redis::Client::open(app.state.settings.redis.url.as_str()).unwrap();
            let listener = tokio::spawn(hourbook_notifications::wake::listen(
                client,
                hourbook_api::state::outbox_channel(&app.state.settings),
                theirs.bell(),
            ));
            (theirs, Some(listener))
        }
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let clock = app.clock.clone();
    let running = tokio::spawn(w.run(move || clock.now(), bell, stopped));
    // Let the first pass (and the subscription) happen, then queue a message.
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    let volunteer = app.volunteer("李明").await;
    app.signup_id(&shift, &volunteer).await;
    let received = sink.wait_for(1, WAIT).await;
    assert_eq!(
        to(&received, &volunteer.email).len(),
        1,
        "the worker slept through the signup"
    );
    let _ = stop.send(true);
    running.await.unwrap();
    if let Some(l) = listener {
        l.abort();
    }
}

async fn the_relay_gets_the_configured_credentials(app: TestApp) {
    let sink = SmtpSink::start_with_auth("hourbook", "relay secret");
    let with = |password: &str| smtp_with(&sink, Some(("hourbook", password)));
    let (_, organizer, event) = detailed_event(&app).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let volunteer = app.volunteer("李明").await;
    app.signup_id(&shift, &volunteer).await;
    // A wrong password says nothing about the address: the message waits for the settings
    // to be fixed instead of being given up.
    let refused = worker(&app, with("wrong"))
        .drain(app.clock.now())
        .await
        .unwrap();
    assert_eq!(
        (refused.sent, refused.retrying, refused.failed),
        (0, 1, 0),
        "{refused:?}"
    );
    let later = app.clock.now() + Duration::minutes(2);
    let pass = worker(&app, with("relay secret"))
        .drain(later)
        .await
        .unwrap();
    assert_eq!(pass.sent, 1);
    let received = sink.messages();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].authenticated_as.as_deref(), Some("hourbook"));
}

async fn an_offer_answered_before_its_e_mail_went_out_is_not_sent(app: TestApp) {
    let sink = SmtpSink::start();
    let (organizer, event, _, people) =
        crate::matching::planned_event(&app, &[("甲", 0.5), ("乙", 1.0)]).await;
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
    // The first volunteer answers in the app before the worker got to the e-mail.
    let first = &people[0];
    let offer = crate::matching::pending_invitations(&app, first).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post(
        &format!("/api/v1/invitations/{offer}/decline"),
        Some(&first.token),
        json!({}),
    )
    .await
    .expect(200);
    let received = deliver(&app, &sink).await;
    assert!(to(&received, &first.email).is_empty(), "{received:?}");
    assert_eq!(to(&received, &people[1].email).len(), 1);
    let rows = outbox_rows(&app).await;
    assert_eq!(
        rows.iter()
            .filter(|r| r.1 == "invitation" && r.2 == "skipped")
            .count(),
        1,
        "{rows:?}"
    );
}
