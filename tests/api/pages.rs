//! The web pages' forms from outside: CSRF protection, session cookie flags, field errors
//! from the API's own rules, the guardian step of registration, and the language choice.

use chrono::Duration;
use hourbook_tests::{SITE, TestApp};
use serde_json::json;

const PASSWORD: &str = "correct horse battery";

async fn anonymous_forms_need_the_double_submit_token(app: TestApp) {
    let visitor = app.visitor();
    let page = visitor.get("/login").await.expect(200);
    let cookie = page
        .set_cookie("hb_csrf")
        .expect("a CSRF cookie")
        .to_string();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    // The page writes the cookie's token masked, differently each time (so compressed pages
    // do not give it away), and the cookie's bare value is not accepted in its place.
    let again = visitor.get("/login").await.expect(200);
    assert_ne!(page.csrf(), again.csrf());
    let bare = visitor.cookie("hb_csrf").expect("the cookie");
    assert!(!page.csrf().contains(&bare));
    let user = app.register("Li Wei").await;
    visitor
        .post(
            "/login",
            &[
                ("csrf", &bare),
                ("email", &user.email),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect(403);
    // No token in the form.
    let r = visitor
        .post("/login", &[("email", &user.email), ("password", PASSWORD)])
        .await
        .expect(403);
    assert!(r.text.contains("此表单已过期"), "{}", r.text);
    assert!(visitor.cookie("hb_session").is_none());
    // A token, but not the one in this browser's cookie (as a forged cross-site form has).
    let stranger = app.visitor();
    let forged = stranger.get("/login").await.csrf();
    visitor
        .post(
            "/login",
            &[
                ("csrf", &forged),
                ("email", &user.email),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect(403);
    assert!(visitor.cookie("hb_session").is_none());
}

async fn signing_in_sets_a_safe_session_cookie_and_signing_out_ends_it(app: TestApp) {
    let user = app.register("Li Wei").await;
    let visitor = app.visitor();
    let wrong = visitor
        .submit(
            "/login",
            "/login",
            &[("email", &user.email), ("password", "not the password")],
        )
        .await
        .expect(401);
    assert!(wrong.text.contains("邮箱或密码不正确"), "{}", wrong.text);
    assert!(wrong.text.contains(&user.email), "the address is kept");

    let r = visitor
        .submit(
            "/login",
            "/login",
            &[
                ("email", &user.email),
                ("password", PASSWORD),
                ("next", "/me/shifts"),
            ],
        )
        .await
        .expect(303);
    assert_eq!(r.location.as_deref(), Some("/me/shifts"));
    let cookie = r.set_cookie("hb_session").expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");
    let token = visitor.cookie("hb_session").expect("token");
    // The cookie holds a real session: the API accepts it as a bearer token too.
    app.get("/api/v1/me", Some(&token)).await.expect(200);
    let mine = visitor.get("/me/shifts").await.expect(200);
    assert!(mine.text.contains("我的岗位"));

    // Somewhere to go after signing in: only our own paths.
    let elsewhere = app.visitor();
    let r = elsewhere
        .submit(
            "/login",
            "/login",
            &[
                ("email", &user.email),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await
        .expect(303);
    assert_eq!(r.location.as_deref(), Some("/me/near"));

    // Behind an HTTPS proxy the cookie is Secure.
    let https = app.visitor().with_header("x-forwarded-proto", "https");
    let r = https
        .submit(
            "/login",
            "/login",
            &[("email", &user.email), ("password", PASSWORD)],
        )
        .await
        .expect(303);
    assert!(
        r.set_cookie("hb_session")
            .expect("cookie")
            .contains("Secure")
    );

    let csrf = visitor.get("/me/shifts").await.csrf();
    let out = visitor
        .post("/logout", &[("csrf", &csrf)])
        .await
        .expect(303);
    assert!(
        out.set_cookie("hb_session")
            .expect("cleared")
            .contains("Max-Age=0")
    );
    app.get("/api/v1/me", Some(&token)).await.expect(401);
    let r = visitor.get("/me/shifts").await.expect(303);
    assert_eq!(r.location.as_deref(), Some("/login?next=/me/shifts"));
}

async fn signed_in_forms_reject_a_missing_or_foreign_csrf_token(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let user = app.volunteer("Li Wei").await;
    let visitor = app.visitor();
    visitor.log_in(&user.email, PASSWORD).await;
    let path = format!("/shifts/{shift}/signup");
    visitor.post(&path, &[]).await.expect(403);
    // The token of an anonymous form is no good once signed in, nor another session's.
    let anonymous = app.visitor().get("/login").await.csrf();
    visitor
        .post(&path, &[("csrf", &anonymous)])
        .await
        .expect(403);
    let other = app.visitor();
    other.log_in(&organizer.email, PASSWORD).await;
    let foreign = other.get("/me/shifts").await.csrf();
    visitor.post(&path, &[("csrf", &foreign)]).await.expect(403);
    let signups = app.get("/api/v1/me/signups", Some(&user.token)).await;
    assert_eq!(signups.json["items"].as_array().map(Vec::len), Some(0));

    let r = visitor
        .submit(&format!("/shifts/{shift}"), &path, &[])
        .await
        .expect(303);
    assert_eq!(r.location, Some(format!("/shifts/{shift}")));
    let page = visitor.get(&format!("/shifts/{shift}")).await.expect(200);
    assert!(page.text.contains("已确认"), "{}", page.text);
    let signups = app.get("/api/v1/me/signups", Some(&user.token)).await;
    assert_eq!(signups.json["items"][0]["status"], "confirmed");
}

async fn registration_checks_fields_and_asks_minors_for_a_guardian(app: TestApp) {
    let visitor = app.visitor();
    let before = app.snapshot().await;
    // Step 1: the birth date, checked by the domain's rules.
    let r = visitor
        .submit(
            "/register",
            "/register",
            &[("step", "age"), ("birth_date", "soon")],
        )
        .await
        .expect(422);
    assert!(r.text.contains("请填写日期"), "{}", r.text);
    let r = visitor
        .submit(
            "/register",
            "/register",
            &[("step", "age"), ("birth_date", "2030-01-01")],
        )
        .await
        .expect(422);
    assert!(r.text.contains("须为过去的日期"), "{}", r.text);
    assert!(r.text.contains("aria-invalid=\"true\""));

    // An adult goes straight to the account fields.
    let adult = visitor
        .submit(
            "/register",
            "/register",
            &[("step", "age"), ("birth_date", "2000-03-15")],
        )
        .await
        .expect(200);
    assert!(adult.text.contains("name=\"password\""));
    assert!(!adult.text.contains("name=\"guardian_name\""));
    // 15 on the test clock's day (2027-06-01): a guardian step without the processing consent.
    let teen = visitor
        .submit(
            "/register",
            "/register",
            &[("step", "age"), ("birth_date", "2012-01-10")],
        )
        .await
        .expect(200);
    assert!(teen.text.contains("name=\"guardian_name\""));
    assert!(!teen.text.contains("name=\"consent_processing\""));
    // 12: the guardian must consent, and separately to the processing of personal data.
    let child = visitor
        .submit(
            "/register",
            "/register",
            &[("step", "age"), ("birth_date", "2015-02-01")],
        )
        .await
        .expect(200);
    assert!(child.text.contains("name=\"consent_processing\""));
    let csrf = child.csrf();
    let account = |email: &'static str, password: &'static str| {
        vec![
            ("step", "account"),
            ("birth_date", "2015-02-01"),
            ("name", "小明"),
            ("email", email),
            ("password", password),
            ("guardian_name", "王芳"),
            ("guardian_email", "wang.fang@example.com"),
            ("guardian_phone", "13800138000"),
        ]
    };
    let mut fields = account("not-an-address", "short");
    fields.push(("csrf", &csrf));
    fields.push(("consent", "yes"));
    let r = visitor.post("/register", &fields).await.expect(422);
    assert!(r.text.contains("至少 10 个字符"), "{}", r.text);
    assert!(r.text.contains("id=\"email-error\""), "{}", r.text);
    assert!(
        r.text.contains("id=\"guardian.consent_given-error\""),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("id=\"guardian.consent_processing-error\""),
        "{}",
        r.text
    );
    assert!(r.text.contains("value=\"王芳\""), "values are kept");
    assert!(
        !r.text.contains("value=\"short\""),
        "passwords are never sent back"
    );
    assert_eq!(app.snapshot().await, before, "nothing was stored");

    let mut fields = account("xiaoming@example.com", PASSWORD);
    fields.extend([
        ("csrf", csrf.as_str()),
        ("consent", "yes"),
        ("consent_processing", "yes"),
    ]);
    let r = visitor.post("/register", &fields).await.expect(303);
    assert_eq!(r.location.as_deref(), Some("/me/profile?welcome=1"));
    assert!(visitor.cookie("hb_session").is_some());
    // The profile form starts with what registration learnt.
    let profile = visitor.get("/me/profile?welcome=1").await.expect(200);
    assert!(
        profile.text.contains("value=\"2015-02-01\""),
        "{}",
        profile.text
    );
    assert!(profile.text.contains("value=\"王芳\""));

    // The same address again: the API's conflict, shown on the e-mail field.
    let again = app.visitor();
    let csrf = again
        .submit(
            "/register",
            "/register",
            &[("step", "age"), ("birth_date", "2000-03-15")],
        )
        .await
        .csrf();
    let r = again
        .post(
            "/register",
            &[
                ("csrf", &csrf),
                ("step", "account"),
                ("birth_date", "2000-03-15"),
                ("name", "Someone"),
                ("email", "xiaoming@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await
        .expect(409);
    assert!(r.text.contains("该邮箱已注册"), "{}", r.text);
}

async fn profile_form_shows_the_apis_field_errors_and_saves(app: TestApp) {
    let user = app.register("Li Wei").await;
    let visitor = app.visitor().with_header("accept-language", "en");
    visitor.log_in(&user.email, PASSWORD).await;
    let base = [
        ("birth_date", "2000-03-15"),
        ("lat", "31.24"),
        ("lon", "121.40"),
        ("travel_radius_km", "500"),
        ("skill_first_aid", "yes"),
        ("expires_first_aid", "2028-01-31"),
        ("slot", "6-morning"),
        ("slot", "7-afternoon"),
        ("discoverable", "yes"),
    ];
    let r = visitor
        .submit("/me/profile", "/me/profile", &base)
        .await
        .expect(422);
    assert!(
        r.text.contains("id=\"travel_radius_km-error\""),
        "{}",
        r.text
    );
    assert!(r.text.contains("must be between 0.1 and 200"), "{}", r.text);
    assert!(
        r.text.contains("value=\"6-morning\" checked"),
        "ticks are kept"
    );
    let mut bad_home = base.to_vec();
    bad_home[1] = ("lat", "north");
    bad_home[3] = ("travel_radius_km", "8");
    let r = visitor
        .submit("/me/profile", "/me/profile", &bad_home)
        .await
        .expect(422);
    assert!(r.text.contains("Please give a number."), "{}", r.text);
    assert!(app.get("/api/v1/me", Some(&user.token)).await.json["profile"].is_null());

    let mut good = base.to_vec();
    good[3] = ("travel_radius_km", "8");
    let r = visitor
        .submit("/me/profile", "/me/profile", &good)
        .await
        .expect(303);
    assert_eq!(r.location.as_deref(), Some("/me/profile?saved=1"));
    let me = app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    let profile = &me.json["profile"];
    assert_eq!(profile["travel_radius_km"], 8.0);
    assert_eq!(profile["skills"][0]["skill"], "first_aid");
    assert_eq!(profile["skills"][0]["certificate_expires_on"], "2028-01-31");
    assert_eq!(
        profile["availability"],
        json!([{"weekday": 6, "start": "08:00", "end": "12:00"}, {"weekday": 7, "start": "13:00", "end": "17:00"}])
    );
    let page = visitor.get("/me/profile?saved=1").await.expect(200);
    assert!(page.text.contains("Profile saved."));
    assert!(page.text.contains("value=\"7-afternoon\" checked"));

    // The ID number: given once, shown only masked; a blank field keeps it, the box removes it.
    let mut with_id = good.clone();
    with_id.push(("id_number", "11010519491231002X"));
    visitor
        .submit("/me/profile", "/me/profile", &with_id)
        .await
        .expect(303);
    let page = visitor.get("/me/profile").await.expect(200);
    assert!(page.text.contains("1101**********002X"), "{}", page.text);
    assert!(!page.text.contains("11010519491231002X"));
    let mut blank = good.clone();
    blank.push(("id_number", ""));
    visitor
        .submit("/me/profile", "/me/profile", &blank)
        .await
        .expect(303);
    let me = app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    assert_eq!(me.json["profile"]["id_number"], "1101**********002X");
    let mut remove = good.clone();
    remove.push(("remove_id_number", "yes"));
    visitor
        .submit("/me/profile", "/me/profile", &remove)
        .await
        .expect(303);
    let me = app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    assert!(me.json["profile"]["id_number"].is_null(), "{}", me.json);
}

async fn the_language_comes_from_the_query_then_the_cookie_then_the_browser(app: TestApp) {
    let visitor = app.visitor();
    let zh = visitor.get("/").await.expect(200);
    assert!(zh.text.contains("<html lang=\"zh-CN\">"));
    assert!(zh.text.contains("href=\"/?lang=en\""), "a switch link");
    let en = visitor.get("/?lang=en").await.expect(200);
    assert!(en.text.contains("<html lang=\"en\">"));
    assert!(
        en.set_cookie("hb_lang")
            .expect("remembered")
            .starts_with("hb_lang=en;")
    );
    let again = visitor.get("/login").await.expect(200);
    assert!(
        again.text.contains("<html lang=\"en\">"),
        "the cookie remembers"
    );
    let back = visitor.get("/login?lang=zh-CN").await.expect(200);
    assert!(back.text.contains("<html lang=\"zh-CN\">"));

    let english_browser = app
        .visitor()
        .with_header("accept-language", "en-GB,en;q=0.9,zh;q=0.5");
    assert!(
        english_browser
            .get("/")
            .await
            .text
            .contains("<html lang=\"en\">")
    );
    let chinese_first = app
        .visitor()
        .with_header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8");
    assert!(
        chinese_first
            .get("/")
            .await
            .text
            .contains("<html lang=\"zh-CN\">")
    );
    let neither = app.visitor().with_header("accept-language", "fr-FR");
    assert!(
        neither
            .get("/")
            .await
            .text
            .contains("<html lang=\"zh-CN\">")
    );
}

async fn a_volunteer_finds_a_shift_near_home_signs_up_and_cancels(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(3), 3, 1, json!({}))
        .await;
    let user = app.register("Li Wei").await;
    let visitor = app.visitor().with_header("accept-language", "en");
    visitor.log_in(&user.email, PASSWORD).await;
    // Without a profile: a prompt, and upcoming shifts anyway.
    let near = visitor.get("/me/near").await.expect(200);
    assert!(near.text.contains("Fill in my profile"), "{}", near.text);
    assert!(near.text.contains(&format!("/shifts/{shift}")));

    let (lat, lon) = (SITE.0.to_string(), SITE.1.to_string());
    let mut fields = vec![
        ("birth_date", "2000-03-15"),
        ("lat", lat.as_str()),
        ("lon", lon.as_str()),
        ("travel_radius_km", "5"),
        ("discoverable", "yes"),
    ];
    let days = ["1", "2", "3", "4", "5", "6", "7"];
    let cells: Vec<String> = days
        .iter()
        .flat_map(|d| ["morning", "afternoon", "evening"].map(|p| format!("{d}-{p}")))
        .collect();
    fields.extend(cells.iter().map(|c| ("slot", c.as_str())));
    visitor
        .submit("/me/profile", "/me/profile", &fields)
        .await
        .expect(303);
    // The test shift starts at 08:00 local for 3 hours: inside the morning cell.
    let near = visitor.get("/me/near").await.expect(200);
    assert!(near.text.contains("Matched for you"), "{}", near.text);
    assert!(near.text.contains("km away"));
    assert!(near.text.contains("1 of 1 seats left"), "{}", near.text);
    assert!(
        near.text.contains("0 verified hours so far"),
        "{}",
        near.text
    );
    // In Chinese the reasons are worded from their values, not shown in matching's English.
    let chinese = app.visitor();
    chinese.log_in(&user.email, PASSWORD).await;
    let near_zh = chinese.get("/me/near").await.expect(200).text;
    assert!(near_zh.contains("已认证 0 小时"), "{near_zh}");
    assert!(near_zh.contains("0 公里"), "{near_zh}");
    assert!(!near_zh.contains("verified hours so far"), "{near_zh}");
    // So are the reasons a signup is refused.
    let rescue = app
        .shift(
            &organizer,
            &event,
            Duration::days(3),
            3,
            2,
            json!({"required_skills": ["first_aid"]}),
        )
        .await;
    let refused = chinese
        .submit(
            &format!("/shifts/{rescue}"),
            &format!("/shifts/{rescue}/signup"),
            &[],
        )
        .await
        .expect(422);
    assert!(refused.text.contains("需要技能：急救"), "{}", refused.text);

    visitor
        .submit(
            &format!("/shifts/{shift}"),
            &format!("/shifts/{shift}/signup"),
            &[],
        )
        .await
        .expect(303);
    let mine = visitor.get("/me/shifts").await.expect(200);
    assert!(mine.text.contains("Confirmed"), "{}", mine.text);
    assert!(mine.text.contains("/me/shifts.ics"));
    let ics = visitor.get("/me/shifts.ics").await.expect(200);
    assert!(ics.content_type.starts_with("text/calendar"));
    assert!(ics.text.contains("BEGIN:VEVENT"));

    // Signing up twice: the API's conflict, shown in the page.
    let page = visitor.get(&format!("/shifts/{shift}")).await;
    let csrf = page.csrf();
    let twice = visitor
        .post(&format!("/shifts/{shift}/signup"), &[("csrf", &csrf)])
        .await
        .expect(409);
    assert!(twice.text.contains("This did not work"), "{}", twice.text);

    // The shift is full for the next volunteer, who joins the waitlist.
    let second = app.volunteer("Zhang San").await;
    let other = app.visitor().with_header("accept-language", "en");
    other.log_in(&second.email, PASSWORD).await;
    let page = other.get(&format!("/shifts/{shift}")).await.expect(200);
    assert!(page.text.contains("Join the waitlist"), "{}", page.text);
    other
        .post(
            &format!("/shifts/{shift}/signup"),
            &[("csrf", &page.csrf())],
        )
        .await
        .expect(303);
    assert!(
        other
            .get("/me/shifts")
            .await
            .text
            .contains("Place 1 on the waitlist")
    );

    // Cancelling frees the seat for the waitlist.
    let page = visitor.get(&format!("/shifts/{shift}")).await.expect(200);
    let signup_id = app.get("/api/v1/me/signups", Some(&user.token)).await.json["items"][0]["id"]
        .as_str()
        .expect("signup")
        .to_string();
    visitor
        .post(
            &format!("/signups/{signup_id}/cancel"),
            &[("csrf", &page.csrf()), ("shift", &shift)],
        )
        .await
        .expect(303);
    assert!(visitor.get("/me/shifts").await.text.contains("Cancelled"));
    assert!(other.get("/me/shifts").await.text.contains("Confirmed"));
}

async fn static_files_are_served_under_a_content_hash(app: TestApp) {
    let page = app.visitor().get("/").await.expect(200);
    for (file, kind) in [
        ("app.css", "text/css"),
        ("htmx.min.js", "text/javascript"),
        ("app.js", "text/javascript"),
    ] {
        let start = page.text.find("/static/").expect("an asset link");
        let version = &page.text[start + "/static/".len()..][..12];
        let r = app
            .visitor()
            .get(&format!("/static/{version}/{file}"))
            .await
            .expect(200);
        assert!(
            r.content_type.starts_with(kind),
            "{file}: {}",
            r.content_type
        );
        assert!(r.cache_control.contains("immutable"), "{}", r.cache_control);
    }
    let old = app
        .visitor()
        .get("/static/000000000000/app.css")
        .await
        .expect(200);
    assert_eq!(old.cache_control, "no-cache");
    app.visitor()
        .get("/static/000000000000/secret.txt")
        .await
        .expect(404);
    assert!(
        page.cache_control.contains("no-store"),
        "pages are not cached"
    );
}

async fn invitations_are_answered_and_verified_hours_add_up(app: TestApp) {
    let booking = app
        .booking("community", false, Duration::days(2), 3, "Li Wei")
        .await;
    let later = app
        .shift(
            &booking.organizer,
            &booking.event,
            Duration::days(5),
            3,
            2,
            json!({}),
        )
        .await;
    // A second volunteer, free at any time, whom the roster plan invites.
    let invited = app.register("Zhang San").await;
    let every_day: Vec<_> = (1..=7)
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "23:59"}))
        .collect();
    app.put(
        "/api/v1/me/profile",
        Some(&invited.token),
        json!({"birth_date": "2001-01-01", "home": {"lat": SITE.0, "lon": SITE.1},
               "travel_radius_km": 10, "availability": every_day, "discoverable": true}),
    )
    .await
    .expect(200);
    let plan = app
        .post(
            &format!("/api/v1/events/{}/roster-plans", booking.event),
            Some(&booking.organizer.token),
            json!({"volunteer_pool": "eligible"}),
        )
        .await
        .expect(201)
        .id();
    app.post(
        &format!("/api/v1/roster-plans/{plan}/accept"),
        Some(&booking.organizer.token),
        json!({}),
    )
    .await
    .expect(200);
    let visitor = app.visitor().with_header("accept-language", "en");
    visitor.log_in(&invited.email, PASSWORD).await;
    let page = visitor.get("/me/invitations").await.expect(200);
    assert!(
        page.text.contains("Waiting for your answer"),
        "{}",
        page.text
    );
    let start = page.text.find("/invitations/").expect("an invitation form");
    let action = page.text[start..]
        .split('"')
        .next()
        .expect("action")
        .to_string();
    assert!(action.ends_with("/accept"), "{action}");
    let r = visitor
        .post(&action, &[("csrf", &page.csrf())])
        .await
        .expect(303);
    let shift = r
        .location
        .expect("to the shift")
        .trim_start_matches("/shifts/")
        .to_string();
    assert!(shift == later || shift == booking.shift);
    assert!(
        visitor
            .get("/me/invitations")
            .await
            .text
            .contains("Accepted")
    );
    // Answering twice: the API's refusal, in the page.
    visitor
        .post(&action, &[("csrf", &page.csrf())])
        .await
        .expect(409);

    // Hours: none yet, then the verified three hours of the first shift.
    let hours = app.visitor().with_header("accept-language", "en");
    hours.log_in(&booking.volunteer.email, PASSWORD).await;
    assert!(
        hours
            .get("/me/hours")
            .await
            .expect(200)
            .text
            .contains("No verified hours yet")
    );
    let begins = hourbook_tests::test_start() + Duration::days(2);
    app.clock.set(begins + Duration::hours(4));
    app.desk_check_in(&booking.signup, &booking.organizer, Some(begins))
        .await
        .expect(200);
    app.desk_check_out(
        &booking.signup,
        &booking.organizer,
        Some(begins + Duration::hours(3)),
    )
    .await
    .expect(200);
    app.clock.set(begins + Duration::hours(4));
    app.post(
        &format!("/api/v1/signups/{}/verify", booking.signup),
        Some(&booking.organizer.token),
        json!({}),
    )
    .await
    .expect(201);
    let page = hours.get("/me/hours").await.expect(200);
    assert!(page.text.contains("3.0 h"), "{}", page.text);
    assert!(page.text.contains("childcare: 3.0 h"), "{}", page.text);
    assert!(page.text.contains("Link your school"), "{}", page.text);
}

async fn a_volunteer_checks_in_and_out_on_the_shift_page(app: TestApp) {
    let b = app
        .booking("community", false, Duration::hours(2), 3, "王芳")
        .await;
    let page = app.visitor();
    page.log_in(&b.volunteer.email, PASSWORD).await;
    let shift_page = format!("/shifts/{}", b.shift);
    let check_in = format!("/signups/{}/check-in", b.signup);
    let check_out = format!("/signups/{}/check-out", b.signup);
    // Two hours before the start there is nothing to check in to yet.
    let early = page.get(&shift_page).await.expect(200).text;
    assert!(!early.contains(&check_in), "{early}");
    assert!(
        !page
            .get("/me/shifts")
            .await
            .expect(200)
            .text
            .contains("#presence")
    );
    app.clock.advance(Duration::minutes(90));
    // "My shifts" points to the check-in once it is open.
    let mine = page.get("/me/shifts").await.expect(200).text;
    assert!(mine.contains(&format!("{shift_page}#presence")), "{mine}");
    let open = page.get(&shift_page).await.expect(200).text;
    assert!(open.contains(&format!("action=\"{check_in}\"")), "{open}");
    assert!(open.contains("data-geolocate"), "{open}");

    // Without JavaScript the location form sends none: the answer asks for it or the code.
    let none = page
        .submit(
            &shift_page,
            &check_in,
            &[("shift", &b.shift), ("lat", ""), ("lon", "")],
        )
        .await
        .expect(422);
    assert!(none.text.contains("id=\"location-error\""), "{}", none.text);
    assert!(none.text.contains("id=\"code\""), "{}", none.text);
    // About 1.1 km away: outside the geofence; a wrong code; an unreadable location.
    let far = (SITE.0 + 0.01).to_string();
    let lon = SITE.1.to_string();
    let r = page
        .submit(
            &shift_page,
            &check_in,
            &[("shift", &b.shift), ("lat", &far), ("lon", &lon)],
        )
        .await
        .expect(422);
    assert!(r.text.contains("id=\"location-error\""), "{}", r.text);
    let shown = app
        .get(
            &format!("/api/v1/shifts/{}/check-in-code", b.shift),
            Some(&b.organizer.token),
        )
        .await
        .expect(200);
    let code = shown.json["code"].as_str().expect("a code").to_string();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = page
        .submit(
            &shift_page,
            &check_in,
            &[("shift", &b.shift), ("code", wrong)],
        )
        .await
        .expect(422);
    assert!(r.text.contains("id=\"code-error\""), "{}", r.text);
    assert!(r.text.contains(&format!("value=\"{wrong}\"")), "{}", r.text);
    page.submit(
        &shift_page,
        &check_in,
        &[("shift", &b.shift), ("lat", "north"), ("lon", &lon)],
    )
    .await
    .expect(422);
    let still = app
        .get("/api/v1/me/signups", Some(&b.volunteer.token))
        .await;
    assert_eq!(
        still.json["items"][0]["status"], "confirmed",
        "{}",
        still.json
    );

    // The organizer's QR opens the shift page with the code already typed in.
    let scanned = page
        .get(&format!("{shift_page}?code={code}"))
        .await
        .expect(200)
        .text;
    assert!(scanned.contains(&format!("value=\"{code}\"")), "{scanned}");
    page.submit(
        &shift_page,
        &check_in,
        &[("shift", &b.shift), ("code", &code)],
    )
    .await
    .expect(303);
    let inside = page.get(&shift_page).await.expect(200).text;
    assert!(inside.contains("已签到"), "{inside}");
    assert!(
        inside.contains(&format!("action=\"{check_out}\"")),
        "{inside}"
    );
    assert!(
        !inside.contains(&format!("action=\"{check_in}\"")),
        "{inside}"
    );

    // Checking out needs the location on site; codes are for checking in only.
    app.clock.advance(Duration::hours(3));
    page.submit(
        &shift_page,
        &check_out,
        &[("shift", &b.shift), ("lat", &far), ("lon", &lon)],
    )
    .await
    .expect(422);
    let site = SITE.0.to_string();
    page.submit(
        &shift_page,
        &check_out,
        &[("shift", &b.shift), ("lat", &site), ("lon", &lon)],
    )
    .await
    .expect(303);
    let after = app
        .get("/api/v1/me/signups", Some(&b.volunteer.token))
        .await;
    assert_eq!(
        after.json["items"][0]["status"], "checked_out",
        "{}",
        after.json
    );
    // Another volunteer cannot check this signup in or out.
    let other = app.visitor();
    let stranger = app.volunteer("路人").await;
    other.log_in(&stranger.email, PASSWORD).await;
    other
        .submit(
            &shift_page,
            &check_out,
            &[("shift", &b.shift), ("lat", &site), ("lon", &lon)],
        )
        .await
        .expect(404);
}

async fn failures_outside_the_api_are_pages_in_the_visitors_language(app: TestApp) {
    let visitor = app.visitor();
    // An id that is not one, an id of nothing, a path of nothing: pages, not JSON.
    for (path, status) in [
        ("/shifts/not-an-id", 404),
        ("/shifts/00000000-0000-4000-8000-000000000000", 404),
        ("/no/such/page", 404),
    ] {
        let r = visitor.get(path).await.expect(status);
        assert!(
            r.content_type.starts_with("text/html"),
            "{path}: {}",
            r.content_type
        );
        assert!(r.text.contains("<html lang=\"zh-CN\">"), "{}", r.text);
    }
    let r = visitor.get("/no/such/page?lang=en").await.expect(404);
    assert!(r.text.contains("This page does not exist"), "{}", r.text);
    // The page's links back to itself (the language switch) never lead to another site.
    let r = visitor.get("//evil.example").await.expect(404);
    assert!(!r.text.contains("href=\"//evil"), "{}", r.text);
    assert!(r.text.contains("href=\"/?lang=en\""), "{}", r.text);
    // A query string the page cannot read (axum answers those in plain text): a page too.
    let r = visitor.get("/login?next=/a&next=/b").await.expect(400);
    assert!(
        r.content_type.starts_with("text/html"),
        "{}",
        r.content_type
    );
    // The API and the health checks keep answering problem+json.
    let api = app.get("/api/v1/shifts/not-an-id", None).await;
    assert_eq!(api.status, 404);
    assert!(api.json["type"].is_string(), "{}", api.json);
}

async fn e_mail_settings_turn_kinds_off_but_not_safety_and_set_the_language(app: TestApp) {
    let user = app.register("Li Wei").await;
    let visitor = app.visitor();
    visitor.log_in(&user.email, PASSWORD).await;
    let page = visitor.get("/me/notifications").await.expect(200);
    assert!(page.text.contains("岗位取消通知"), "{}", page.text);
    assert!(
        page.text.contains("value=\"reminder_24h\" checked"),
        "{}",
        page.text
    );
    // Everything listed, only signup confirmations ticked, English e-mails.
    let mut fields = vec![("locale", "en"), ("on", "signup_confirmed")];
    for kind in [
        "signup_confirmed",
        "reminder_24h",
        "hours_verified",
        "shift_cancelled",
    ] {
        fields.push(("kind", kind));
    }
    let r = visitor
        .submit("/me/notifications", "/me/notifications", &fields)
        .await
        .expect(303);
    assert_eq!(r.location.as_deref(), Some("/me/notifications?saved=1"));
    let kinds = app
        .get("/api/v1/me/notifications", Some(&user.token))
        .await
        .expect(200);
    let enabled = |kind: &str| {
        kinds.json["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["kind"] == kind)
            .map(|i| i["enabled"].as_bool().expect("enabled"))
            .expect("listed")
    };
    assert!(enabled("signup_confirmed"));
    assert!(!enabled("reminder_24h"));
    assert!(!enabled("hours_verified"));
    assert!(enabled("shift_cancelled"), "safety messages stay on");
    // Kinds the form did not list keep their setting.
    assert!(enabled("invitation"));
    let me = app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    assert_eq!(me.json["locale"], "en");
    // Signed out: to the login page.
    let stranger = app.visitor();
    let r = stranger.get("/me/notifications").await.expect(303);
    assert!(r.location.unwrap_or_default().starts_with("/login"));
}

async fn pages_and_the_api_answer_compressed_to_clients_that_accept_it(app: TestApp) {
    use std::io::Read;
    for path in ["/?lang=en", "/api/openapi.json"] {
        let plain = app.visitor().get(path).await.expect(200);
        let answer = reqwest::Client::new()
            .get(format!("{}{path}", app.address))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(
            answer
                .headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some("gzip"),
            "{path}"
        );
        let squeezed = answer.bytes().await.unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&squeezed[..])
            .read_to_string(&mut text)
            .unwrap();
        assert!(
            squeezed.len() < text.len(),
            "{path}: {} bytes for {}",
            squeezed.len(),
            text.len()
        );
        // The same document either way (pages carry a fresh CSRF token, so compare a prefix).
        let same = text.len().min(plain.text.len()).min(200);
        assert_eq!(text[..same], plain.text[..same], "{path}");
    }
}

hourbook_tests::backend_tests!(
    pages_and_the_api_answer_compressed_to_clients_that_accept_it,
    e_mail_settings_turn_kinds_off_but_not_safety_and_set_the_language,
    failures_outside_the_api_are_pages_in_the_visitors_language,
    a_volunteer_checks_in_and_out_on_the_shift_page,
    invitations_are_answered_and_verified_hours_add_up,
    anonymous_forms_need_the_double_submit_token,
    signing_in_sets_a_safe_session_cookie_and_signing_out_ends_it,
    signed_in_forms_reject_a_missing_or_foreign_csrf_token,
    registration_checks_fields_and_asks_minors_for_a_guardian,
    profile_form_shows_the_apis_field_errors_and_saves,
    the_language_comes_from_the_query_then_the_cookie_then_the_browser,
    a_volunteer_finds_a_shift_near_home_signs_up_and_cancels,
    static_files_are_served_under_a_content_hash,
);
