//! The school and certificate flows in a phone-sized Chromium: the volunteer sees
//! their hours and issues a certificate; the public page shows it valid and the lookup form
//! finds it by its code; the school's verifier sees the student and downloads the CSV.

use hourbook_tests::browser::{Browser, screenshot_dir};
use hourbook_tests::{Backend, spawn_app};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

/// Signs in through the login page.
async fn log_in(browser: &Browser, base: &str, email: &str) {
    browser.open(base, "/login").await;
    browser.fill("email", email).await;
    browser.fill("password", PASSWORD).await;
    browser
        .click_to("form[action='/login'] button[type=submit]", "/me/near")
        .await;
}

/// Signs out with the menu's button.
async fn log_out(browser: &Browser) {
    browser.click("form[action='/logout'] button").await;
    browser.wait_for("a[href='/login']").await;
}

/// Waits until the browser has left `path` (a form whose target we cannot know in advance).
async fn wait_until_not_at(browser: &Browser, path: &str) -> String {
    for _ in 0..50 {
        let now = browser.path().await;
        if now != path {
            return now;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("still at {path}: {}", browser.text().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_certifies_hours_and_the_school_sees_the_student() {
    let Some(browser) = Browser::start("school").await else {
        return;
    };
    let app = spawn_app(Backend::Embedded).await.expect("SQLite app");
    let base = app.address.clone();
    let school = app.school_with_requirement("团员推荐", 180).await;
    let volunteer = app
        .student_with_hours("李明", 2, Some((&school.id, "2027001")))
        .await;

    // The volunteer: hours met, then a certificate from the hours page.
    log_in(&browser, &base, &volunteer.email).await;
    browser.open(&base, "/me/hours").await;
    let hours = browser.text().await;
    assert!(
        hours.contains("4.0 小时") && hours.contains("已达标"),
        "{hours}"
    );
    browser
        .click_to("a[href='/me/certificates']", "/me/certificates")
        .await;
    browser.check_page("certificates-empty").await;
    browser
        .click("form[action='/me/certificates'] button[type=submit]")
        .await;
    let printable = wait_until_not_at(&browser, "/me/certificates").await;
    let code = printable
        .strip_prefix("/verify/")
        .unwrap_or_else(|| panic!("at {printable}"))
        .to_string();
    browser.wait_for(".verdict.ok").await;
    browser.check_page("certificate-printable").await;
    browser.open(&base, "/me/certificates").await;
    let list = browser.text().await;
    assert!(list.contains(&code) && list.contains("有效"), "{list}");
    browser.check_page("certificates").await;

    // An error in a record, reported from its page; hours served elsewhere, claimed.
    browser.open(&base, "/me/hours").await;
    browser.check_page("hours").await;
    browser.click("a[href^='/me/hours/entries/']").await;
    browser.wait_for("textarea#reason").await;
    browser.fill("reason", "我 10 点才离开").await;
    browser.check_page("entry").await;
    browser
        .click("form[action$='/dispute'] button[type=submit]")
        .await;
    browser.wait_for(".status.open").await;
    browser.check_page("entry-disputed").await;
    browser.open(&base, "/me/hours/claims").await;
    browser.check_page("claims").await;
    browser.click("input[name=by][value=host]").await;
    browser.fill("host_name", "幸福养老院").await;
    browser.fill("contact_name", "王主任").await;
    browser.fill("contact_email", "wang@example.com").await;
    browser.fill("title", "陪伴老人").await;
    browser.fill("category", "elder_care").await;
    let yesterday = (app.clock.now().date_naive() - chrono::Duration::days(1)).to_string();
    browser.set("day", &yesterday).await;
    browser.set("start", "09:00").await;
    browser.set("end", "11:00").await;
    browser
        .click_to(
            "form[action='/me/hours/claims'] button[type=submit]",
            "/me/hours/claims?sent=1",
        )
        .await;
    let claims = browser.text().await;
    assert!(
        claims.contains("陪伴老人") && claims.contains("待确认"),
        "{claims}"
    );
    browser.check_page("claims-sent").await;

    // Anyone: the public page says valid; the lookup form finds it however it is typed.
    log_out(&browser).await;
    browser.open(&base, &printable).await;
    let public = browser.text().await;
    assert!(
        public.contains("真实有效") && public.contains("李明"),
        "{public}"
    );
    browser.check_page("verify-public").await;
    browser.open(&base, "/verify").await;
    browser.check_page("lookup").await;
    browser
        .fill("code", &code.to_lowercase().replace('-', " "))
        .await;
    browser
        .click_to("form[action='/verify'] button", &printable)
        .await;
    browser.open(&base, "/verify?code=22222-22222").await;
    assert!(browser.text().await.contains("没有使用此验证码的证明"));
    browser.check_page("lookup-unknown").await;

    // The school's verifier: the student, met; filtered; the CSV.
    log_in(&browser, &base, &school.verifier.email).await;
    let students = format!("/org/{}/students", school.id);
    browser.open(&base, &students).await;
    let text = browser.text().await;
    assert!(
        text.contains("李明") && text.contains("2027001") && text.contains("已达标"),
        "{text}"
    );
    browser.check_page("students").await;
    browser.click("details.filter > summary").await;
    browser.check_page("students-filter").await;
    browser.click("input[name=show][value=unmet]").await;
    browser
        .click("form.school-filter button[type=submit]")
        .await;
    wait_until_not_at(&browser, &students).await;
    assert!(browser.text().await.contains("没有符合筛选条件的学生"));
    browser.check_page("students-unmet").await;
    browser.open(&base, &students).await;
    // What the download button fetches, fetched in the page with the page's cookies.
    let csv = browser
        .js(
            "const f = document.querySelector('form.csv');
             const url = f.action + '?' + new URLSearchParams(new FormData(f));
             return fetch(url, {credentials: 'same-origin'})
               .then(r => r.text().then(t => [r.status, r.headers.get('content-type'), t]));",
            vec![],
        )
        .await;
    assert_eq!(csv[0], json!(200), "{csv}");
    assert!(
        csv[1].as_str().unwrap_or_default().starts_with("text/csv"),
        "{csv}"
    );
    let body = csv[2].as_str().unwrap_or_default();
    assert!(
        body.contains("李明,2027001,4.00,4.00,0.00,yes,0.00"),
        "{body}"
    );
    browser.open(&base, &format!("{students}?lang=en")).await;
    assert!(browser.text().await.contains("Download CSV"));
    browser.check_page("students-en").await;

    // The same page at a laptop's width, looked at in a frame 1280 px wide scaled down to
    // the phone (the phone emulation fixes the window's own viewport).
    browser
        .js(
            "document.body.innerHTML = '<iframe id=laptop style=\"border:0;width:1280px;height:2600px;transform:scale(0.28125);transform-origin:0 0\"></iframe>';
             document.getElementById('laptop').src = arguments[0];
             return new Promise(done => document.getElementById('laptop').onload = () => done(true));",
            vec![json!(students)],
        )
        .await;
    let width = browser
        .js(
            "return document.getElementById('laptop').contentWindow.innerWidth",
            vec![],
        )
        .await;
    assert_eq!(width, json!(1280), "the laptop's viewport");
    let png = browser.client.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(screenshot_dir()).expect("dir");
    std::fs::write(screenshot_dir().join("school-students-laptop.png"), png).expect("write");
    browser.close().await;
}
