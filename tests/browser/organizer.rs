//! The organizer's day in a phone-sized browser: sign in, find the event, check a volunteer
//! in and out at the desk by searching their name, verify the hours, plan a roster. Each
//! main page is checked for sideways scrolling and small buttons, with a screenshot.

use chrono::Duration;
use hourbook_tests::browser::Browser;
use hourbook_tests::{Backend, spawn_app};
use serde_json::json;

/// Waits (up to 5 s) until the browser's path starts with `prefix`.
async fn wait_path(browser: &Browser, prefix: &str) -> String {
    for _ in 0..50 {
        let path = browser.path().await;
        if path.starts_with(prefix) {
            return path;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "not at {prefix} but {}: {}",
        browser.path().await,
        browser.text().await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_checks_a_volunteer_in_and_out_at_the_desk_and_verifies_the_hours() {
    let Some(browser) = Browser::start("org").await else {
        return;
    };
    let app = spawn_app(Backend::Embedded).await.expect("SQLite app");
    let base = app.address.clone();
    let admin = app.platform_admin().await;
    let (org, organizer) = app
        .organization_with(&admin, "community", "organizer")
        .await;
    let event = app
        .event(&organizer, &org, hourbook_tests::SITE, false)
        .await;
    // Starts in five minutes and lasts two hours: the desk is open.
    let shift = app
        .shift(&organizer, &event, Duration::minutes(5), 2, 3, json!({}))
        .await;
    let wang = app.volunteer("王小明").await;
    let li = app.volunteer("李华").await;
    app.signup_id(&shift, &wang).await;
    app.signup_id(&shift, &li).await;

    // Sign in through the login page, straight to the workspace.
    browser.open(&base, "/login?next=/org").await;
    browser.fill("email", &organizer.email).await;
    browser.fill("password", "correct horse battery").await;
    browser.click_to("form button[type=submit]", "/org").await;
    assert!(browser.text().await.contains("community org"));
    browser.check_page("workspace").await;

    let events = format!("/org/{org}/events");
    browser
        .click_to(&format!("a[href='{events}']"), &events)
        .await;
    let text = browser.text().await;
    assert!(
        text.contains("暑期爱心暑托班") && text.contains("已确认 2/3"),
        "{text}"
    );
    browser.check_page("events").await;

    // The event form refuses an empty event, with the errors next to the fields.
    browser
        .click_to(
            &format!("a[href='/org/{org}/events/new']"),
            &format!("/org/{org}/events/new"),
        )
        .await;
    browser.fill("category", "Not valid").await;
    browser.click("form.stack > button[type=submit]").await;
    browser.wait_for("#title-error").await;
    browser.check_page("event-form-errors").await;

    browser
        .open(&base, &format!("/org/shifts/{shift}/roster"))
        .await;
    browser.check_page("roster").await;

    // The desk: search by name, check in.
    let desk = format!("/org/shifts/{shift}/desk");
    browser.open(&base, &desk).await;
    browser.fill("q", "小明").await;
    browser.click(".org-search button[type=submit]").await;
    wait_path(&browser, &format!("{desk}?q=")).await;
    browser.wait_for(".org-desk-row").await;
    let found = browser.text().await;
    assert!(
        found.contains("王小明") && !found.contains("李华"),
        "{found}"
    );
    browser.check_page("desk").await;
    browser
        .js("document.getElementById('code').scrollIntoView()", vec![])
        .await;
    browser.check_page("desk-code").await;
    // With scripts, the list narrows as the organizer types (htmx), no button needed.
    browser.open(&base, &desk).await;
    browser.fill("q", "李").await;
    let mut narrowed = false;
    for _ in 0..50 {
        let text = browser.text().await;
        if text.contains("李华") && !text.contains("王小明") {
            narrowed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(narrowed, "{}", browser.text().await);
    browser
        .open(&base, &format!("{desk}?q=%E5%B0%8F%E6%98%8E"))
        .await;
    browser.click("form[action$='/check-in'] button").await;
    browser.wait_for(".notice.ok").await;
    assert_eq!(
        browser.path().await.split("&done=").next(),
        Some(&*format!("{desk}?q=%E5%B0%8F%E6%98%8E"))
    );
    assert!(
        browser.text().await.contains("王小明：已签到") || browser.text().await.contains("王小明")
    );
    browser.check_page("desk-checked-in").await;

    // Two hours later, check out.
    app.clock.advance(Duration::hours(2));
    browser.click("form[action$='/check-out'] button").await;
    browser.wait_for(".status.checked_out").await;
    browser.check_page("desk-checked-out").await;

    // After the shift: verify the hours on the records page.
    app.clock.advance(Duration::hours(1));
    let records = format!("/org/{org}/records");
    browser.open(&base, &records).await;
    assert!(browser.text().await.contains("王小明"));
    browser.check_page("records").await;
    browser.click("input[data-select-all]").await;
    assert_eq!(
        browser
            .js(
                "return document.querySelector('input[name=signup]').checked",
                vec![]
            )
            .await,
        json!(true),
        "select all ticks the rows"
    );
    browser.click("#bulk button[type=submit]").await;
    browser.wait_for(".notice.ok").await;
    let verified = browser.text().await;
    assert!(
        verified.contains("已审核") && verified.contains("2.0 小时"),
        "{verified}"
    );
    browser.check_page("records-verified").await;

    let hours = app
        .get("/api/v1/me/hours", Some(&wang.token))
        .await
        .expect(200);
    assert_eq!(hours.json["total_minutes"], 120, "{}", hours.text);
    assert_eq!(hours.json["entries"].as_array().map(Vec::len), Some(1));
    let none = app
        .get("/api/v1/me/hours", Some(&li.token))
        .await
        .expect(200);
    assert_eq!(none.json["total_minutes"], 0);

    // Roster planning for a later shift of the same event.
    app.shift(&organizer, &event, Duration::days(3), 3, 2, json!({}))
        .await;
    let planning = format!("/org/events/{event}/plan");
    browser.open(&base, &planning).await;
    browser.check_page("planning").await;
    browser.click("form.stack > button[type=submit]").await;
    wait_path(&browser, "/org/plans/").await;
    browser.wait_for("#proposal-title").await;
    browser.check_page("plan-review").await;
    browser.click("form[action$='/send'] button").await;
    wait_path(&browser, "/org/plans/").await;
    browser.wait_for(".notice.ok").await;
    browser.check_page("plan-sent").await;

    // The desk in English, by the switch link.
    browser.open(&base, &desk).await;
    browser.click_to("a.lang", &format!("{desk}?lang=en")).await;
    let english = browser.text().await;
    assert!(
        english.contains("Check-in desk") && english.contains("Search by name"),
        "{english}"
    );
    browser.check_page("desk-en").await;
    browser.close().await;
}
