//! The web pages in a real browser: headless Chromium at a 360 x 740 phone viewport. Each
//! page is checked for sideways scrolling and small buttons, and saved as a screenshot under
//! `<target dir>/screenshots/`. Skipped (with a note) when no chromedriver is installed,
//! unless `HOURBOOK_REQUIRE_ALL_BACKENDS=1`.

mod organizer;
mod school;

use chrono::Duration;
use hourbook_tests::browser::Browser;
use hourbook_tests::{Backend, SITE, spawn_app};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_registers_sets_a_profile_and_signs_up_near_home() {
    let Some(browser) = Browser::start("volunteer").await else {
        return;
    };
    let app = spawn_app(Backend::Embedded).await.expect("SQLite app");
    let base = app.address.clone();
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    // The test clock's day is a Tuesday; this shift is on Friday morning, 08:00-11:00.
    let shift = app
        .shift(&organizer, &event, Duration::days(3), 3, 4, json!({}))
        .await;

    // The landing page, in the default language.
    browser.open(&base, "/").await;
    assert!(browser.text().await.contains("近期岗位"));
    browser.check_page("home").await;

    // Register: first the date of birth, then the account.
    browser
        .click_to("a.button[href='/register']", "/register")
        .await;
    browser.set("birth_date", "2000-03-15").await;
    browser.check_page("register-age").await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#name").await;
    browser.fill("name", "李伟").await;
    browser.fill("email", "li.wei@example.com").await;
    browser.fill("password", "correct horse battery").await;
    browser.check_page("register-account").await;
    browser
        .click_to("form.stack button[type=submit]", "/me/profile?welcome=1")
        .await;

    // The profile: home by typed coordinates (the geolocation button fills the same
    // inputs), free on Friday mornings.
    assert!(browser.text().await.contains("欢迎"));
    browser.check_page("profile").await;
    browser.fill("lat", &SITE.0.to_string()).await;
    browser.fill("lon", &SITE.1.to_string()).await;
    browser.fill("travel_radius_km", "8").await;
    browser.click("input[name=slot][value='5-morning']").await;
    browser.click("input[name=skill_first_aid]").await;
    browser.set("expires_first_aid", "2028-05-31").await;
    browser
        .js(
            "document.querySelector('table.week').scrollIntoView()",
            vec![],
        )
        .await;
    browser.check_page("profile-week").await;
    browser
        .click_to("form.stack > button[type=submit]", "/me/profile?saved=1")
        .await;
    browser.check_page("profile-saved").await;

    // Near me: the shift, recommended with its distance and reasons.
    browser.open(&base, "/me/near").await;
    let near = browser.text().await;
    assert!(near.contains("为你推荐"), "{near}");
    assert!(near.contains("公里"), "{near}");
    browser.check_page("near").await;
    let page = format!("/shifts/{shift}");
    browser
        .click_to(&format!("a.button[href='{page}']"), &page)
        .await;
    browser.check_page("shift").await;

    // Sign up, and see it on the shift page and in "my shifts".
    browser
        .click(&format!("form[action='/shifts/{shift}/signup'] button"))
        .await;
    browser.wait_for("form[action$='/cancel']").await;
    assert!(browser.text().await.contains("已确认"));
    browser.check_page("shift-signed-up").await;
    browser.open(&base, "/me/shifts").await;
    let mine = browser.text().await;
    assert!(mine.contains("暑期爱心暑托班"), "{mine}");
    assert!(mine.contains("已确认"), "{mine}");
    browser.check_page("my-shifts").await;

    // On the day, at the site: check in with the phone's location, and out again.
    let starts = hourbook_tests::test_start() + Duration::days(3);
    app.clock.set(starts - Duration::minutes(20));
    browser.place_phone_at(&base, SITE).await;
    browser.open(&base, &page).await;
    browser.check_page("shift-check-in").await;
    browser.click("form[data-geolocate] button").await;
    browser.wait_for("form[action$='/check-out']").await;
    browser.wait_for_text("已签到").await;
    app.clock.set(starts + Duration::hours(3));
    browser.open(&base, &page).await;
    browser.click("form[data-geolocate] button").await;
    browser.wait_for_text("已签退").await;
    browser.check_page("shift-checked-out").await;

    // Hours (none verified yet) and invitations (none yet).
    browser.open(&base, "/me/hours").await;
    browser.check_page("hours").await;
    browser.open(&base, "/me/invitations").await;
    browser.check_page("invitations").await;
    browser.open(&base, "/me/shifts").await;

    // The same in English, by the switch link.
    browser.click_to("a.lang", "/me/shifts?lang=en").await;
    assert!(browser.text().await.contains("My shifts"));
    browser.check_page("my-shifts-en").await;
    browser.close().await;
}
