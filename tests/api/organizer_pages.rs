//! The organizer's pages from outside: event and shift forms with their field errors, the
//! refusals (CSRF, outsiders), the check-in desk, verifying hours one by one or in bulk, and
//! roster planning. Every effect is checked through the JSON API.

use chrono::Duration;
use hourbook_tests::pages::PageClient;
use hourbook_tests::{TestApp, User};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// An organizer (of a fresh `community` organization) signed in to the pages.
async fn organizer_pages(app: &TestApp) -> (String, User, PageClient) {
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "community", "organizer")
        .await;
    let pages = app.visitor();
    pages.log_in(&organizer.email, PASSWORD).await;
    (org, organizer, pages)
}

/// A volunteer signed in to the pages.
async fn signed_in(app: &TestApp, user: &User) -> PageClient {
    let pages = app.visitor();
    pages.log_in(&user.email, PASSWORD).await;
    pages
}

async fn status_of(app: &TestApp, organizer: &User, shift: &str, signup: &str) -> Value {
    let roster = app
        .get(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&organizer.token),
        )
        .await
        .expect(200);
    roster.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|l| l["id"] == signup)
        .map(|l| l["status"].clone())
        .unwrap_or(Value::Null)
}

async fn an_organizer_posts_an_event_and_its_shift_through_the_forms(app: TestApp) {
    let (org, _, pages) = organizer_pages(&app).await;
    let workspace = pages.get("/org").await.expect(200);
    assert!(
        workspace.text.contains(&format!("/org/{org}/events")),
        "{}",
        workspace.text
    );
    assert!(workspace.text.contains(&format!("/org/{org}/records")));
    assert!(
        !workspace.text.contains("/students"),
        "only schools list students"
    );

    // Errors next to their fields, the values kept, nothing saved.
    let form = format!("/org/{org}/events/new");
    let before = app.snapshot().await;
    let bad = pages
        .submit(
            &form,
            &form,
            &[
                ("title", ""),
                ("description", "清扫河岸垃圾"),
                ("campaign", "environment"),
                ("category", "Not A Category!"),
                ("address", "苏州河畔"),
                ("lat", "north"),
                ("lon", "121.4"),
                ("hazardous", "yes"),
            ],
        )
        .await
        .expect(422);
    for field in ["title", "category", "location", "risks"] {
        assert!(
            bad.text.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            bad.text
        );
    }
    assert!(bad.text.contains("清扫河岸垃圾"), "the description is kept");
    assert!(
        bad.text.contains("value=\"north\""),
        "the typed value is kept"
    );
    assert_eq!(app.snapshot().await, before, "nothing saved");

    let created = pages
        .submit(
            &form,
            &form,
            &[
                ("title", "河岸清洁日"),
                ("description", "清扫河岸垃圾"),
                ("campaign", "environment"),
                ("category", "environment"),
                ("address", "苏州河畔"),
                ("lat", "31.24"),
                ("lon", "121.40"),
                ("contact_name", "张老师"),
                ("contact_phone", "021-5555 0101"),
            ],
        )
        .await
        .expect(303);
    let to = created.location.expect("on to the shift form");
    let event = to
        .strip_prefix("/org/events/")
        .and_then(|rest| rest.strip_suffix("/shifts/new"))
        .expect("the new event's shift form")
        .to_string();
    let shown = app
        .get(&format!("/api/v1/events/{event}"), None)
        .await
        .expect(200);
    assert_eq!(shown.json["title"], "河岸清洁日");
    assert_eq!(shown.json["contact"]["name"], "张老师");

    // A shift: the end before the start, no seats, an unreadable time.
    let before = app.snapshot().await;
    let bad = pages
        .submit(
            &to,
            &to,
            &[
                ("title", "上午班"),
                ("starts_at", "2027-06-04T12:00"),
                ("ends_at", "2027-06-04T09:00"),
                ("capacity", "0"),
                ("min_age", "ten"),
            ],
        )
        .await
        .expect(422);
    for field in ["ends_at", "capacity", "min_age"] {
        assert!(
            bad.text.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            bad.text
        );
    }
    assert!(bad.text.contains("value=\"2027-06-04T12:00\""));
    let unreadable = pages
        .submit(
            &to,
            &to,
            &[
                ("title", "上午班"),
                ("starts_at", "tomorrow"),
                ("ends_at", "2027-06-04T09:00"),
                ("capacity", "5"),
            ],
        )
        .await
        .expect(422);
    assert!(unreadable.text.contains("id=\"starts_at-error\""));
    assert!(!unreadable.text.contains("id=\"ends_at-error\""));
    assert_eq!(app.snapshot().await, before, "nothing saved");

    let added = pages
        .submit(
            &to,
            &to,
            &[
                ("title", "上午班"),
                ("starts_at", "2027-06-04T09:00"),
                ("ends_at", "2027-06-04T12:00"),
                ("capacity", "5"),
                ("required_skills", "first_aid"),
            ],
        )
        .await
        .expect(303);
    assert_eq!(
        added.location.as_deref(),
        Some(&*format!("/org/{org}/events?day=2027-06-04#event-{event}"))
    );
    let shown = app
        .get(&format!("/api/v1/events/{event}"), None)
        .await
        .expect(200);
    let shift = &shown.json["shifts"][0];
    // Local time in Shanghai.
    assert_eq!(shift["starts_at"], "2027-06-04T01:00:00Z", "{}", shown.text);
    assert_eq!(shift["capacity"], 5);
    assert_eq!(shift["required_skills"], json!(["first_aid"]));
    let list = pages.get(&format!("/org/{org}/events")).await.expect(200);
    assert!(list.text.contains("河岸清洁日"));
    assert!(list.text.contains("已确认 0/5"), "{}", list.text);

    // One day at a time: the first day with shifts, then the next one by its link.
    pages
        .submit(
            &to,
            &to,
            &[
                ("title", "周末班"),
                ("starts_at", "2027-06-06T14:00"),
                ("ends_at", "2027-06-06T16:00"),
                ("capacity", "3"),
            ],
        )
        .await
        .expect(303);
    let first = pages.get(&format!("/org/{org}/events")).await.expect(200);
    assert!(
        first.text.contains("上午班") && !first.text.contains("周末班"),
        "{}",
        first.text
    );
    assert!(
        first.text.contains("共 2 个岗位，2027-06-04 至 2027-06-06"),
        "{}",
        first.text
    );
    assert!(
        first.text.contains("href=\"?day=2027-06-06\""),
        "{}",
        first.text
    );
    let next = pages
        .get(&format!("/org/{org}/events?day=2027-06-06"))
        .await
        .expect(200);
    assert!(
        next.text.contains("周末班") && !next.text.contains("上午班"),
        "{}",
        next.text
    );
    assert!(
        next.text.contains("href=\"?day=2027-06-04\""),
        "{}",
        next.text
    );
    let empty = pages
        .get(&format!("/org/{org}/events?day=2027-06-05"))
        .await
        .expect(200);
    assert!(empty.text.contains("这一天没有岗位"), "{}", empty.text);
}

async fn forms_refuse_a_missing_token_and_outsiders(app: TestApp) {
    let (org, organizer, pages) = organizer_pages(&app).await;
    let event = app
        .event(&organizer, &org, hourbook_tests::SITE, false)
        .await;
    let shift = app
        .shift(&organizer, &event, Duration::minutes(5), 2, 3, json!({}))
        .await;
    let volunteer = app.volunteer("Li Wei").await;
    let signup = app.signup_id(&shift, &volunteer).await;

    // No CSRF token: refused, nothing saved.
    let before = app.snapshot().await;
    pages
        .post(
            &format!("/org/{org}/events/new"),
            &[("title", "x"), ("description", "y")],
        )
        .await
        .expect(403);
    pages
        .post(
            &format!("/org/signups/{signup}/check-in"),
            &[("shift", &shift)],
        )
        .await
        .expect(403);
    assert_eq!(app.snapshot().await, before);

    // Not signed in: to the login page and back.
    let anonymous = app.visitor();
    let r = anonymous.get("/org").await.expect(303);
    assert_eq!(r.location.as_deref(), Some("/login?next=/org"));

    // A volunteer and another organization's organizer get the store's refusal, as a page.
    let outsider = signed_in(&app, &volunteer).await;
    let admin = app.platform_admin().await;
    let (_, stranger) = app.organization_with(&admin, "ngo", "organizer").await;
    let stranger = signed_in(&app, &stranger).await;
    for who in [&outsider, &stranger] {
        for path in [
            format!("/org/{org}/events"),
            format!("/org/{org}/events/new"),
            format!("/org/events/{event}/shifts/new"),
            format!("/org/shifts/{shift}/roster"),
            format!("/org/shifts/{shift}/desk"),
            format!("/org/{org}/records"),
            format!("/org/events/{event}/plan"),
            format!("/org/events/{event}/insurance"),
        ] {
            let r = who.get(&path).await.expect(403);
            assert!(r.content_type.starts_with("text/html"), "{path}");
            assert!(r.text.contains("无权访问"), "{path}: {}", r.text);
            // The store's reason, in the page's language.
            assert!(r.text.contains("只有"), "the store's reason: {}", r.text);
        }
        let csrf = who.get("/me/shifts").await.expect(200).csrf();
        let before = app.snapshot().await;
        who.post(
            &format!("/org/signups/{signup}/check-in"),
            &[("csrf", &csrf), ("shift", &shift)],
        )
        .await
        .expect(403);
        who.post(
            &format!("/org/{org}/records/verify"),
            &[("csrf", &csrf), ("signup", &signup)],
        )
        .await
        .expect(403);
        who.post(
            &format!("/org/shifts/{shift}/cancel"),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await
        .expect(403);
        who.post(
            &format!("/org/events/{event}/insurance"),
            &[
                ("csrf", &csrf),
                ("insurer", "x"),
                ("policy_number", "y"),
                ("covers_from", "2027-06-01"),
                ("covers_to", "2027-06-30"),
            ],
        )
        .await
        .expect(403);
        who.post(
            &format!("/org/signups/{signup}/no-show"),
            &[("csrf", &csrf), ("shift", &shift)],
        )
        .await
        .expect(403);
        who.post(
            &format!("/org/{org}/events/new"),
            &[
                ("csrf", &csrf),
                ("title", "冒名活动"),
                ("description", "x"),
                ("campaign", "other"),
                ("category", "other"),
                ("address", "x"),
                ("lat", "31.2"),
                ("lon", "121.4"),
            ],
        )
        .await
        .expect(403);
        assert_eq!(app.snapshot().await, before, "nothing saved");
    }
    assert_eq!(
        status_of(&app, &organizer, &shift, &signup).await,
        "confirmed"
    );
    // An unknown shift is a 404 page, not a 500.
    pages
        .get("/org/shifts/00000000-0000-0000-0000-000000000000/desk")
        .await
        .expect(404);
    pages.get("/org/shifts/not-an-id/desk").await.expect(404);
}

async fn the_desk_finds_volunteers_by_name_and_checks_them_in_and_out(app: TestApp) {
    let (org, organizer, pages) = organizer_pages(&app).await;
    let event = app
        .event(&organizer, &org, hourbook_tests::SITE, false)
        .await;
    let shift = app
        .shift(&organizer, &event, Duration::minutes(5), 2, 3, json!({}))
        .await;
    let wang = app.volunteer("王小明").await;
    let li = app.volunteer("Li Wei").await;
    let wang_signup = app.signup_id(&shift, &wang).await;
    let li_signup = app.signup_id(&shift, &li).await;

    let desk = format!("/org/shifts/{shift}/desk");
    let all = pages.get(&desk).await.expect(200);
    assert!(all.text.contains("王小明") && all.text.contains("Li Wei"));
    assert!(all.text.contains("<svg"), "the check-in code's QR code");
    // The digits shown are the shift's real code: a volunteer checks in with them.
    let marker = "class=\"org-code-digits\">";
    let start = all.text.find(marker).expect("the code") + marker.len();
    let digits = &all.text[start..start + 6];
    app.post(
        &format!("/api/v1/signups/{li_signup}/check-in"),
        Some(&li.token),
        json!({"code": digits}),
    )
    .await
    .expect(200);
    let found = pages
        .get(&format!("{desk}?q=%E5%B0%8F%E6%98%8E"))
        .await
        .expect(200);
    assert!(found.text.contains("王小明"));
    assert!(!found.text.contains("Li Wei"), "{}", found.text);
    let by_case = pages.get(&format!("{desk}?q=li+w")).await.expect(200);
    assert!(by_case.text.contains("Li Wei") && !by_case.text.contains("王小明"));

    let csrf = found.csrf();
    let r = pages
        .post(
            &format!("/org/signups/{wang_signup}/check-in"),
            &[("csrf", &csrf), ("shift", &shift), ("q", "小明")],
        )
        .await
        .expect(303);
    assert_eq!(
        r.location.as_deref(),
        Some(&*format!("{desk}?q=%E5%B0%8F%E6%98%8E&done={wang_signup}"))
    );
    assert_eq!(
        status_of(&app, &organizer, &shift, &wang_signup).await,
        "checked_in"
    );
    let back = pages.get(r.location.as_deref().unwrap()).await.expect(200);
    assert!(back.text.contains("签退"), "{}", back.text);

    // Checking in twice is the store's conflict, shown on the desk.
    let again = pages
        .post(
            &format!("/org/signups/{wang_signup}/check-in"),
            &[("csrf", &csrf), ("shift", &shift), ("q", "")],
        )
        .await
        .expect(409);
    assert!(again.text.contains("无法签到"), "{}", again.text);

    app.clock.advance(Duration::hours(2));
    pages
        .post(
            &format!("/org/signups/{wang_signup}/check-out"),
            &[("csrf", &csrf), ("shift", &shift), ("q", "")],
        )
        .await
        .expect(303);
    assert_eq!(
        status_of(&app, &organizer, &shift, &wang_signup).await,
        "checked_out"
    );
    let roster = pages
        .get(&format!("/org/shifts/{shift}/roster"))
        .await
        .expect(200);
    assert!(roster.text.contains("王小明") && roster.text.contains("Li Wei"));
}

/// A shift that has ended, with each of `names` checked in and out at the desk (2 hours).
async fn attended_shift(
    app: &TestApp,
    organizer: &User,
    org: &str,
    names: &[&str],
) -> (String, Vec<(User, String)>) {
    let event = app.event(organizer, org, hourbook_tests::SITE, false).await;
    let shift = app
        .shift(organizer, &event, Duration::minutes(5), 2, 5, json!({}))
        .await;
    let mut people = Vec::new();
    for name in names {
        let v = app.volunteer(name).await;
        let signup = app.signup_id(&shift, &v).await;
        people.push((v, signup));
    }
    app.clock.advance(Duration::minutes(5));
    for (_, signup) in &people {
        app.desk_check_in(signup, organizer, None).await.expect(200);
    }
    app.clock.advance(Duration::hours(2));
    for (_, signup) in &people {
        app.desk_check_out(signup, organizer, None)
            .await
            .expect(200);
    }
    app.clock.advance(Duration::hours(1));
    (shift, people)
}

async fn hours_of(app: &TestApp, user: &User) -> Value {
    app.get("/api/v1/me/hours", Some(&user.token))
        .await
        .expect(200)
        .json
}

async fn bulk_verify_writes_each_entry_and_a_refusal_does_not_stop_the_others(app: TestApp) {
    let (org, organizer, pages) = organizer_pages(&app).await;
    let (_, people) = attended_shift(&app, &organizer, &org, &["王小明", "Li Wei"]).await;
    let (wang, wang_signup) = &people[0];
    let (li, li_signup) = &people[1];
    let records = format!("/org/{org}/records");
    let page = pages.get(&records).await.expect(200);
    assert!(page.text.contains("王小明") && page.text.contains("Li Wei"));
    let csrf = page.csrf();

    // Nothing ticked.
    pages
        .post(&format!("{records}/verify"), &[("csrf", &csrf)])
        .await
        .expect(422);

    // Wang's record is verified elsewhere first, so verifying it again is refused.
    app.post(
        &format!("/api/v1/signups/{wang_signup}/verify"),
        Some(&organizer.token),
        json!({}),
    )
    .await
    .expect(201);
    // The form carries each row's name, for the report of a row that left the list.
    let wang_name = format!("name_{wang_signup}");
    let report = pages
        .post(
            &format!("{records}/verify"),
            &[
                ("csrf", &csrf),
                ("signup", wang_signup),
                (wang_name.as_str(), "王小明"),
                ("signup", li_signup),
            ],
        )
        .await
        .expect(200);
    let (verified, failed) = report
        .text
        .split_once("未能审核")
        .expect("a list of failures");
    assert!(verified.contains("Li Wei · 2.0 小时"), "{}", report.text);
    assert!(failed.contains("王小明"), "{}", report.text);
    let li_hours = hours_of(&app, li).await;
    assert_eq!(li_hours["total_minutes"], 120, "{li_hours}");
    assert_eq!(li_hours["entries"].as_array().map(Vec::len), Some(1));
    let wang_hours = hours_of(&app, wang).await;
    assert_eq!(
        wang_hours["entries"].as_array().map(Vec::len),
        Some(1),
        "not twice"
    );
    let after = pages.get(&records).await.expect(200);
    assert!(after.text.contains("没有待审核的记录"), "{}", after.text);
}

async fn adjusting_needs_a_reason_and_overdue_records_are_marked(app: TestApp) {
    let (org, organizer, pages) = organizer_pages(&app).await;
    let (_, people) = attended_shift(&app, &organizer, &org, &["王小明"]).await;
    let (wang, signup) = &people[0];
    let records = format!("/org/{org}/records");

    let fresh = pages.get(&format!("{records}?overdue=1")).await.expect(200);
    assert!(!fresh.text.contains("王小明"), "not overdue yet");
    app.clock.advance(Duration::days(20));
    let late = pages.get(&format!("{records}?overdue=1")).await.expect(200);
    assert!(late.text.contains("王小明") && late.text.contains("已逾期"));

    let adjust = format!("{records}/{signup}/adjust");
    let before = app.snapshot().await;
    let no_reason = pages
        .submit(&records, &adjust, &[("minutes", "90"), ("note", "")])
        .await
        .expect(422);
    assert!(
        no_reason
            .text
            .contains(&format!("id=\"note_{signup}-error\"")),
        "{}",
        no_reason.text
    );
    assert!(
        no_reason.text.contains("value=\"90\""),
        "the minutes are kept"
    );
    let not_a_number = pages
        .submit(&records, &adjust, &[("minutes", "an hour"), ("note", "x")])
        .await
        .expect(422);
    assert!(
        not_a_number
            .text
            .contains(&format!("id=\"minutes_{signup}-error\""))
    );
    assert_eq!(app.snapshot().await, before, "nothing written");
    assert_eq!(hours_of(&app, wang).await["total_minutes"], 0);

    let done = pages
        .submit(
            &records,
            &adjust,
            &[("minutes", "90"), ("note", "提前半小时离开")],
        )
        .await
        .expect(303);
    assert_eq!(
        done.location.as_deref(),
        Some(&*format!("{records}?adjusted=1"))
    );
    let hours = hours_of(&app, wang).await;
    assert_eq!(hours["total_minutes"], 90, "{hours}");
}

/// An event with one shift of `seats` seats, a volunteer for each of `names`, and a plan run
/// from the planning page: the organizer's pages, the planning page, the review page's path
/// and the volunteers.
async fn planned(
    app: &TestApp,
    seats: u32,
    names: &[&str],
) -> (PageClient, String, String, Vec<User>) {
    let (org, organizer, pages) = organizer_pages(app).await;
    let event = app
        .event(&organizer, &org, hourbook_tests::SITE, false)
        .await;
    app.shift(&organizer, &event, Duration::days(5), 3, seats, json!({}))
        .await;
    let mut people = Vec::new();
    for name in names {
        people.push(app.volunteer(name).await);
    }
    let planning = format!("/org/events/{event}/plan");
    let review = pages
        .submit(&planning, &planning, &[("pool", "eligible")])
        .await
        .expect(303)
        .location
        .expect("to the plan");
    assert!(review.starts_with("/org/plans/"), "{review}");
    (pages, planning, review, people)
}

async fn roster_planning_runs_and_sends_invitations(app: TestApp) {
    let (pages, planning, review, people) = planned(&app, 3, &["甲", "乙"]).await;
    let (a, b) = (&people[0], &people[1]);
    let shown = pages.get(&review).await.expect(200);
    assert!(
        shown.text.contains("甲") && shown.text.contains("乙"),
        "{}",
        shown.text
    );
    assert!(shown.text.contains("公里"));
    assert!(
        shown
            .text
            .contains("本方案安排 2 个名额，已是现有志愿者能安排的最多"),
        "two volunteers for three seats: the most possible, and the page says so: {}",
        shown.text
    );
    assert!(
        shown.text.contains("本方案已证明最优"),
        "no ratio, so the flow is exact and the page says it is the best: {}",
        shown.text
    );
    let signups = |s: &[(String, i64)]| s.iter().find(|(t, _)| t == "signups").map(|x| x.1);
    let before = app.snapshot().await;

    let send = format!("{review}/send");
    let sent = pages.submit(&review, &send, &[]).await.expect(303);
    assert_eq!(
        sent.location.as_deref(),
        Some(&*format!("{review}?sent=2&skipped=0"))
    );
    for v in [a, b] {
        let mine = app
            .get("/api/v1/me/invitations", Some(&v.token))
            .await
            .expect(200);
        assert_eq!(mine.json["items"].as_array().map(Vec::len), Some(1));
    }
    assert_eq!(
        signups(&app.snapshot().await),
        signups(&before),
        "invited, not signed up"
    );
    // Sent once: the page says so, and sending again is the store's conflict.
    let again = pages.submit(&review, &send, &[]).await;
    assert!(again.status == 409 || again.status == 422, "{}", again.text);
    // A bad pool is a field error.
    pages
        .submit(&planning, &planning, &[("pool", "everyone")])
        .await
        .expect(422);
}

async fn the_workspace_offers_what_each_role_allows(app: TestApp) {
    let admin = app.platform_admin().await;
    let (school, verifier) = app.organization_with(&admin, "school", "verifier").await;
    let pages = signed_in(&app, &verifier).await;
    let workspace = pages.get("/org").await.expect(200);
    assert!(workspace.text.contains(&format!("/org/{school}/records")));
    assert!(
        workspace.text.contains(&format!("/org/{school}/students")),
        "a school's staff see its students"
    );
    assert!(
        !workspace.text.contains(&format!("/org/{school}/events")),
        "verifiers do not run events"
    );
    pages
        .get(&format!("/org/{school}/records"))
        .await
        .expect(200);
    let refused = pages
        .get(&format!("/org/{school}/events"))
        .await
        .expect(403);
    assert!(
        refused.text.contains("只有该组织的组织方可以查看其活动"),
        "{}",
        refused.text
    );
    // The same pages in English.
    let english = pages.get("/org?lang=en").await.expect(200);
    assert!(english.text.contains("Hours to verify"), "{}", english.text);
    assert!(english.text.contains("Verifier"));
}

async fn a_hazardous_events_insurance_is_recorded_before_the_desk_checks_anyone_in(app: TestApp) {
    let b = app
        .booking("community", true, Duration::hours(1), 2, "李河")
        .await;
    let pages = signed_in(&app, &b.organizer).await;
    let org = app
        .get(&format!("/api/v1/events/{}", b.event), None)
        .await
        .json["organization_id"]
        .as_str()
        .expect("organization")
        .to_string();
    let events = pages.get(&format!("/org/{org}/events")).await.expect(200);
    assert!(
        events
            .text
            .contains("尚未登记覆盖全部后续岗位日期的意外保险"),
        "{}",
        events.text
    );
    let desk = format!("/org/shifts/{}/desk", b.shift);
    let check_in = format!("/org/signups/{}/check-in", b.signup);
    let refused = pages
        .submit(&desk, &check_in, &[("shift", &b.shift), ("q", "")])
        .await
        .expect(409);
    assert!(refused.text.contains("保险"), "{}", refused.text);

    // The form: unreadable and reversed dates are field errors, and nothing is recorded.
    let form = format!("/org/events/{}/insurance", b.event);
    let today = app.clock.now().date_naive();
    let (from, to) = (today.to_string(), (today + Duration::days(30)).to_string());
    let before = app.snapshot().await;
    let r = pages
        .submit(
            &form,
            &form,
            &[
                ("insurer", "平安"),
                ("policy_number", "PA-1"),
                ("covers_from", "soon"),
                ("covers_to", &to),
            ],
        )
        .await
        .expect(422);
    assert!(r.text.contains("id=\"covers_from-error\""), "{}", r.text);
    let r = pages
        .submit(
            &form,
            &form,
            &[
                ("insurer", "平安"),
                ("policy_number", "PA-1"),
                ("covers_from", &to),
                ("covers_to", &from),
            ],
        )
        .await
        .expect(422);
    assert!(r.text.contains("id=\"covers_to-error\""), "{}", r.text);
    assert_eq!(app.snapshot().await, before, "nothing recorded");
    // Outsiders cannot record one.
    let volunteer = signed_in(&app, &b.volunteer).await;
    volunteer.get(&form).await.expect(403);

    let saved = pages
        .submit(
            &form,
            &form,
            &[
                ("insurer", "平安"),
                ("policy_number", "PA-1"),
                ("covers_from", &from),
                ("covers_to", &to),
            ],
        )
        .await
        .expect(303);
    assert_eq!(saved.location.as_deref(), Some(&*format!("{form}?saved=1")));
    let shown = pages.get(&format!("{form}?saved=1")).await.expect(200);
    assert!(shown.text.contains("PA-1"), "{}", shown.text);
    let events = pages.get(&format!("/org/{org}/events")).await.expect(200);
    assert!(events.text.contains("已登记意外保险"), "{}", events.text);
    pages
        .submit(&desk, &check_in, &[("shift", &b.shift), ("q", "")])
        .await
        .expect(303);
    assert_eq!(
        status_of(&app, &b.organizer, &b.shift, &b.signup).await,
        "checked_in"
    );
}

async fn cancelling_a_shift_needs_the_box_ticked_and_tells_everyone(app: TestApp) {
    let b = app
        .booking("community", false, Duration::days(2), 2, "王雨")
        .await;
    let pages = signed_in(&app, &b.organizer).await;
    let roster = format!("/org/shifts/{}/roster", b.shift);
    let cancel = format!("/org/shifts/{}/cancel", b.shift);
    // A volunteer cannot cancel it.
    let volunteer = signed_in(&app, &b.volunteer).await;
    volunteer
        .submit("/me/shifts", &cancel, &[])
        .await
        .expect(403);
    let r = pages.submit(&roster, &cancel, &[]).await.expect(422);
    assert!(r.text.contains("请勾选确认"), "{}", r.text);
    let open = app.get(&format!("/api/v1/shifts/{}", b.shift), None).await;
    assert_eq!(open.json["status"], "open");
    pages
        .submit(&roster, &cancel, &[("confirm", "yes")])
        .await
        .expect(303);
    let cancelled = app.get(&format!("/api/v1/shifts/{}", b.shift), None).await;
    assert_eq!(cancelled.json["status"], "cancelled");
    assert!(
        app.outbox()
            .await
            .iter()
            .any(|(kind, _)| kind == "shift_cancelled"),
        "the volunteer is told"
    );
    let page = pages.get(&roster).await.expect(200);
    assert!(!page.text.contains(&cancel), "no second cancellation");
}

async fn a_plan_review_explains_each_seat_and_sends_only_those_left_ticked(app: TestApp) {
    let (pages, _, review, people) = planned(&app, 2, &["甲", "乙"]).await;
    let shown = pages.get(&review).await.expect(200);
    assert!(
        shown
            .text
            .contains("机会均衡: 让服务时长较少的志愿者也有机会"),
        "the planner's reasons, worded for organizers in the page's language: {}",
        shown.text
    );
    assert!(
        !shown.text.contains("能安排的最多"),
        "every seat filled: nothing to say about seats left empty"
    );
    let marker = "name=\"seat\" value=\"";
    let seats: Vec<&str> = shown
        .text
        .match_indices(marker)
        .map(|(at, _)| {
            let rest = &shown.text[at + marker.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    assert_eq!(seats.len(), 2, "a box per proposed seat: {}", shown.text);
    let invited = |user: &hourbook_tests::User| {
        let token = user.token.clone();
        let app = &app;
        async move {
            let mine = app
                .get("/api/v1/me/invitations", Some(&token))
                .await
                .expect(200);
            mine.json["items"].as_array().map_or(0, Vec::len)
        }
    };

    // Nothing ticked, or a seat that is not the plan's: nothing is sent, the page says why.
    let send = format!("{review}/send");
    let none = pages.submit(&review, &send, &[("choose", "1")]).await;
    assert_eq!(none.status, 422, "{}", none.text);
    assert!(none.text.contains("请至少勾选一个名额"), "{}", none.text);
    let forged = pages
        .submit(
            &review,
            &send,
            &[("choose", "1"), ("seat", seats[0]), ("seat", "not:ours")],
        )
        .await;
    assert_eq!(forged.status, 422, "{}", forged.text);
    for person in &people {
        assert_eq!(invited(person).await, 0);
    }
    // The page comes back with the boxes as the organizer left them.
    let ticked = |page: &str, seat: &str| page.contains(&format!("value=\"{seat}\" checked"));
    assert!(ticked(&forged.text, seats[0]) && !ticked(&forged.text, seats[1]));
    assert!(!forged.text.contains("data-select-all=\"seat\" checked"));
    assert!(shown.text.contains("data-select-all=\"seat\" checked"));

    // One box left ticked: one invitation, to that volunteer only.
    let sent = pages
        .submit(&review, &send, &[("choose", "1"), ("seat", seats[0])])
        .await
        .expect(303);
    assert_eq!(
        sent.location.as_deref(),
        Some(&*format!("{review}?sent=1&skipped=0"))
    );
    for person in &people {
        let expected = usize::from(seats[0].ends_with(&person.id));
        assert_eq!(invited(person).await, expected, "{}", person.id);
    }
}

async fn a_plan_whose_volunteers_all_withdrew_is_sent_and_skips_them(app: TestApp) {
    let (pages, _, review, people) = planned(&app, 1, &["甲"]).await;
    let person = &people[0];
    // The volunteer stops letting organizers find them.
    app.put(
        "/api/v1/me/profile",
        Some(&person.token),
        json!({
            "birth_date": "2000-03-15", "home": {"lat": hourbook_tests::SITE.0, "lon": hourbook_tests::SITE.1},
            "travel_radius_km": 10, "skills": [], "availability": [], "discoverable": false
        }),
    )
    .await
    .expect(200);
    let shown = pages.get(&review).await.expect(200);
    assert!(!shown.text.contains("甲"), "{}", shown.text);
    assert!(
        !shown.text.contains("name=\"choose\""),
        "nothing left to choose"
    );
    let sent = pages
        .submit(&review, &format!("{review}/send"), &[])
        .await
        .expect(303);
    assert_eq!(
        sent.location.as_deref(),
        Some(&*format!("{review}?sent=0&skipped=1")),
        "sent whole: the withdrawn seat is skipped and the plan is done"
    );
}

hourbook_tests::backend_tests!(
    a_hazardous_events_insurance_is_recorded_before_the_desk_checks_anyone_in,
    cancelling_a_shift_needs_the_box_ticked_and_tells_everyone,
    the_workspace_offers_what_each_role_allows,
    an_organizer_posts_an_event_and_its_shift_through_the_forms,
    forms_refuse_a_missing_token_and_outsiders,
    the_desk_finds_volunteers_by_name_and_checks_them_in_and_out,
    bulk_verify_writes_each_entry_and_a_refusal_does_not_stop_the_others,
    adjusting_needs_a_reason_and_overdue_records_are_marked,
    roster_planning_runs_and_sends_invitations,
    a_plan_review_explains_each_seat_and_sends_only_those_left_ticked,
    a_plan_whose_volunteers_all_withdrew_is_sent_and_skips_them,
);
