//! The certificate and school pages from outside: a volunteer issues a certificate from the
//! page and the public page verifies it; a school's staff see their linked students with met
//! or missing hours, filter them and download the same numbers as the API's CSV; outsiders
//! and unknown codes get HTML answers, never JSON.

use chrono::Duration;
use hourbook_tests::{TestApp, backend_tests};

const PASSWORD: &str = "correct horse battery";

backend_tests!(
    a_volunteer_issues_a_certificate_from_the_page_and_it_verifies,
    bad_dates_are_field_errors_and_issue_nothing,
    a_schools_verifier_sees_filters_and_downloads_its_students,
    outsiders_and_unknown_things_get_html_refusals,
    a_certificate_is_looked_up_by_its_code_as_typed,
    a_volunteer_claims_hours_served_elsewhere_and_withdraws_the_claim,
    a_volunteer_reports_an_error_in_an_entry_from_the_hours_page,
);

/// How many certificates the volunteer holds, by the API.
async fn certificates(app: &TestApp, token: &str) -> usize {
    app.get("/api/v1/me/certificates", Some(token))
        .await
        .expect(200)
        .json["items"]
        .as_array()
        .expect("items")
        .len()
}

async fn a_volunteer_issues_a_certificate_from_the_page_and_it_verifies(app: TestApp) {
    let volunteer = app.student_with_hours("李明", 2, None).await;
    let page = app.visitor();
    page.log_in(&volunteer.email, PASSWORD).await;
    let hours = page.get("/me/hours").await.expect(200);
    assert!(
        hours.text.contains("href=\"/me/certificates\""),
        "{}",
        hours.text
    );
    let empty = page.get("/me/certificates").await.expect(200);
    assert!(empty.text.contains("还没有证明"), "{}", empty.text);

    // Both dates left empty: everything up to today.
    let issued = page
        .submit(
            "/me/certificates",
            "/me/certificates",
            &[("from", ""), ("to", "")],
        )
        .await
        .expect(303);
    let location = issued.location.expect("to the printable page");
    let code = location.strip_prefix("/verify/").expect("/verify/{code}");
    let api = app
        .get("/api/v1/me/certificates", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(api.json["items"][0]["code"], code);
    let number = api.json["items"][0]["number"].as_str().expect("number");

    let list = page.get("/me/certificates").await.expect(200);
    for expected in [
        code,
        number,
        "4.0 小时",
        "有效",
        &format!("href=\"/verify/{code}\""),
    ] {
        assert!(list.text.contains(expected), "{expected}: {}", list.text);
    }
    let printable = page.get(&location).await.expect(200);
    assert!(printable.text.contains("真实有效"), "{}", printable.text);
    assert!(printable.text.contains("<svg"), "the QR code");
    // And for anyone, not signed in.
    let public = app.visitor().get(&location).await.expect(200);
    assert!(public.text.contains("真实有效") && public.text.contains("李明"));

    // In English too.
    let en = page.get("/me/certificates?lang=en").await.expect(200);
    assert!(en.text.contains("My certificates") && en.text.contains("Valid"));

    // A form without its CSRF token issues nothing.
    let forged = page
        .post("/me/certificates", &[("from", ""), ("to", "")])
        .await
        .expect(403);
    assert!(forged.content_type.starts_with("text/html"));
    assert_eq!(certificates(&app, &volunteer.token).await, 1);
    // Signed out, the page asks to sign in.
    let r = app.visitor().get("/me/certificates").await.expect(303);
    assert_eq!(r.location.as_deref(), Some("/login?next=/me/certificates"));
}

async fn bad_dates_are_field_errors_and_issue_nothing(app: TestApp) {
    let volunteer = app.student_with_hours("李明", 1, None).await;
    let page = app.visitor();
    page.log_in(&volunteer.email, PASSWORD).await;
    let today = app.clock.now().date_naive();
    let tomorrow = (today + Duration::days(1)).to_string();
    let yesterday = (today - Duration::days(1)).to_string();
    let today = today.to_string();
    let cases: [(&str, &str, &str, &str); 4] = [
        ("2027-13-45", "", "from", "请填写日期"),
        ("", &tomorrow, "to", "不能是将来的时间"),
        (&today, &yesterday, "from", "不能晚于结束日期"),
        // No verified hours in that period.
        ("2001-01-01", "2001-12-31", "from", "没有已认证的时长"),
    ];
    for (from, to, field, message) in cases {
        let r = page
            .submit(
                "/me/certificates",
                "/me/certificates",
                &[("from", from), ("to", to)],
            )
            .await
            .expect(422);
        assert!(r.content_type.starts_with("text/html"));
        assert!(
            r.text.contains(&format!("id=\"{field}-error\"")) && r.text.contains(message),
            "{from}..{to}: {}",
            r.text
        );
        assert!(
            r.text.contains(&format!("value=\"{from}\"")),
            "what was typed is kept"
        );
    }
    assert_eq!(certificates(&app, &volunteer.token).await, 0);
}

async fn a_schools_verifier_sees_filters_and_downloads_its_students(app: TestApp) {
    let school = app.school_with_requirement("团员推荐", 180).await;
    let s = school.id.as_str();
    app.student_with_hours("甲同学", 2, Some((s, "2027001")))
        .await;
    app.student_with_hours("乙同学", 1, Some((s, "2027002")))
        .await;
    app.student_with_hours("丙同学", 2, None).await;
    let page = app.visitor();
    page.log_in(&school.verifier.email, PASSWORD).await;

    let list = page.get(&format!("/org/{s}/students")).await.expect(200);
    let text = &list.text;
    assert!(text.contains("甲同学") && text.contains("乙同学"), "{text}");
    assert!(!text.contains("丙同学"), "not linked: not shown");
    assert!(
        text.contains("已达标") && text.contains("还差 1.0 小时"),
        "{text}"
    );
    assert!(
        text.contains("2027001") && text.contains("4.0 / 3.0 小时"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "<option value=\"{}\" selected>团员推荐",
            school.requirement
        )),
        "the first requirement is chosen: {text}"
    );
    assert!(text.contains(&format!("action=\"/org/{s}/students.csv\"")));

    let req = &school.requirement;
    let shown = |text: &str| -> Vec<&'static str> {
        ["甲同学", "乙同学"]
            .into_iter()
            .filter(|n| text.contains(n))
            .collect()
    };
    for (query, expected) in [
        ("show=met", vec!["甲同学"]),
        ("show=unmet", vec!["乙同学"]),
        ("q=2027002", vec!["乙同学"]),
        ("q=%E7%94%B2", vec!["甲同学"]),
        ("show=met&q=2027002", vec![]),
    ] {
        let r = page
            .get(&format!("/org/{s}/students?requirement={req}&{query}"))
            .await
            .expect(200);
        assert_eq!(shown(&r.text), expected, "{query}");
    }

    // The download has the same numbers as the API's CSV (the same writer), and the filter.
    let api_csv = app
        .get_as(
            &format!("/api/v1/organizations/{s}/students?requirement_id={req}"),
            Some(&school.verifier.token),
            "text/csv",
        )
        .await
        .expect(200)
        .text;
    let csv = page
        .get(&format!(
            "/org/{s}/students.csv?requirement={req}&on=&show=all&q="
        ))
        .await
        .expect(200);
    assert!(
        csv.content_type.starts_with("text/csv"),
        "{}",
        csv.content_type
    );
    assert!(csv.cache_control.contains("no-store"));
    assert_eq!(csv.text, api_csv);
    assert!(
        csv.text.contains("乙同学,2027002,2.00,2.00,0.00,no,1.00"),
        "{}",
        csv.text
    );
    let unmet = page
        .get(&format!(
            "/org/{s}/students.csv?requirement={req}&show=unmet"
        ))
        .await
        .expect(200);
    assert_eq!(unmet.text.lines().count(), 2, "{}", unmet.text);
    assert!(unmet.text.contains("乙同学") && !unmet.text.contains("甲同学"));

    // Dates: unreadable, or before the programme existed.
    let bad = page
        .get(&format!("/org/{s}/students?requirement={req}&on=someday"))
        .await
        .expect(422);
    assert!(bad.text.contains("id=\"on-error\"") && bad.text.contains("请填写日期"));
    let early = page
        .get(&format!(
            "/org/{s}/students?requirement={req}&on=2000-01-01"
        ))
        .await
        .expect(422);
    assert!(
        early.text.contains("该日期不在此要求的有效期内"),
        "{}",
        early.text
    );
    page.get(&format!(
        "/org/{s}/students.csv?requirement={req}&on=someday"
    ))
    .await
    .expect(422);

    // In English.
    let en = page
        .get(&format!("/org/{s}/students?lang=en"))
        .await
        .expect(200);
    assert!(
        en.text.contains("Download CSV") && en.text.contains("1.0 h missing"),
        "{}",
        en.text
    );
}

async fn outsiders_and_unknown_things_get_html_refusals(app: TestApp) {
    let school = app.school_with_requirement("团员推荐", 180).await;
    let other = app.school_with_requirement("志愿者注册", 600).await;
    let s = school.id.as_str();
    app.student_with_hours("甲同学", 1, Some((s, "2027001")))
        .await;
    let volunteer = app.volunteer("路人").await;
    let path = format!("/org/{s}/students");
    let csv = format!("/org/{s}/students.csv?requirement={}", school.requirement);

    for who in [&volunteer, &other.verifier, &other.admin] {
        let page = app.visitor();
        page.log_in(&who.email, PASSWORD).await;
        for p in [&path, &csv] {
            let r = page.get(p).await.expect(403);
            assert!(
                r.content_type.starts_with("text/html"),
                "{p}: {}",
                r.content_type
            );
            assert!(r.text.contains("只有本校教职员工"), "{}", r.text);
            assert!(!r.text.contains("甲同学"));
        }
    }
    let r = app.visitor().get(&path).await.expect(303);
    assert_eq!(r.location, Some(format!("/login?next={path}")));

    let page = app.visitor();
    page.log_in(&school.verifier.email, PASSWORD).await;
    for p in [
        "/org/not-an-id/students".to_string(),
        format!("/org/{}/students", uuid::Uuid::new_v4()),
        format!("/org/{s}/students?requirement={}", other.requirement),
        format!("/org/{s}/students?requirement=nope"),
    ] {
        let r = page.get(&p).await.expect(404);
        assert!(r.content_type.starts_with("text/html"), "{p}");
    }

    // A school without requirements: its staff are told so, outsiders still refused.
    let platform = app.platform_admin().await;
    let (bare, bare_verifier) = app.organization_with(&platform, "school", "verifier").await;
    let staff = app.visitor();
    staff.log_in(&bare_verifier.email, PASSWORD).await;
    let r = staff
        .get(&format!("/org/{bare}/students"))
        .await
        .expect(200);
    assert!(r.text.contains("本校还没有设定时长要求"), "{}", r.text);
    let outsider = app.visitor();
    outsider.log_in(&volunteer.email, PASSWORD).await;
    outsider
        .get(&format!("/org/{bare}/students"))
        .await
        .expect(403);
}

async fn a_certificate_is_looked_up_by_its_code_as_typed(app: TestApp) {
    let volunteer = app.student_with_hours("李明", 1, None).await;
    let code = app
        .post(
            "/api/v1/me/certificates",
            Some(&volunteer.token),
            serde_json::json!({}),
        )
        .await
        .expect(201)
        .json["code"]
        .as_str()
        .expect("code")
        .to_string();
    let anyone = app.visitor();
    let form = anyone.get("/verify").await.expect(200);
    assert!(form.text.contains("name=\"code\"") && form.text.contains("<label for=\"code\""));

    let typed = code.to_lowercase().replace('-', " ");
    let r = anyone
        .get(&format!("/verify?code={}", typed.replace(' ', "+")))
        .await
        .expect(303);
    assert_eq!(r.location, Some(format!("/verify/{code}")));

    let unknown = anyone.get("/verify?code=22222-22222").await.expect(404);
    assert!(unknown.content_type.starts_with("text/html"));
    assert!(
        unknown.text.contains("没有使用此验证码的证明"),
        "{}",
        unknown.text
    );
    assert!(
        unknown.text.contains("value=\"22222-22222\""),
        "kept to correct"
    );
    let malformed = anyone.get("/verify?code=abc").await.expect(422);
    assert!(malformed.text.contains("这不是验证码"));
    // Straight to an unknown certificate's page (a mistyped link): the same HTML answer.
    let direct = anyone.get("/verify/22222-22222").await.expect(404);
    assert!(direct.content_type.starts_with("text/html"));
    assert!(direct.text.contains("没有使用此验证码的证明"));
    let en = anyone.get("/verify/22222-22222?lang=en").await.expect(404);
    assert!(en.text.contains("No certificate has this code"));
}

async fn a_volunteer_claims_hours_served_elsewhere_and_withdraws_the_claim(app: TestApp) {
    let platform = app.platform_admin().await;
    let (org, _) = app
        .organization_with(&platform, "community", "verifier")
        .await;
    let volunteer = app.volunteer("李明").await;
    let page = app.visitor();
    page.log_in(&volunteer.email, PASSWORD).await;
    let hours = page.get("/me/hours").await.expect(200);
    assert!(hours.text.contains("href=\"/me/hours/claims\""));
    let form = page.get("/me/hours/claims").await.expect(200);
    assert!(
        form.text.contains(&format!("<option value=\"{org}\"")),
        "{}",
        form.text
    );

    let yesterday = (app.clock.now().date_naive() - Duration::days(1)).to_string();
    let claim =
        |by: &'static str, org: &str, email: &str, category: &str, start: &str, end: &str| {
            vec![
                ("by", by.to_string()),
                ("organization_id", org.to_string()),
                ("host_name", "幸福养老院".to_string()),
                ("contact_name", "王主任".to_string()),
                ("contact_email", email.to_string()),
                ("title", "陪伴老人".to_string()),
                ("category", category.to_string()),
                ("day", yesterday.clone()),
                ("start", start.to_string()),
                ("end", end.to_string()),
                ("evidence_url", "".to_string()),
                ("description", "".to_string()),
            ]
        };
    let send = |fields: Vec<(&'static str, String)>| {
        let page = &page;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            page.submit("/me/hours/claims", "/me/hours/claims", &pairs)
                .await
        }
    };
    // Field errors, from the page's reading and from the API's own rules; nothing is saved.
    for (fields, field) in [
        (
            claim("organization", "", "", "elder_care", "09:00", "11:00"),
            "organization_id",
        ),
        (
            claim("organization", &org, "", "elder_care", "11:00", "09:00"),
            "end",
        ),
        (
            claim("organization", &org, "", "Elder care!", "09:00", "11:00"),
            "category",
        ),
        (
            claim("organization", &org, "", "elder_care", "9 o'clock", "11:00"),
            "start",
        ),
        (
            claim("host", "", &volunteer.email, "elder_care", "09:00", "11:00"),
            "contact_email",
        ),
    ] {
        let r = send(fields).await.expect(422);
        assert!(
            r.text.contains(&format!("id=\"{field}-error\"")),
            "{field}: {}",
            r.text
        );
        assert!(r.text.contains("陪伴老人"), "what was typed is kept");
    }
    let mine = || async {
        app.get("/api/v1/me/hours/claims", Some(&volunteer.token))
            .await
            .expect(200)
            .json["items"]
            .as_array()
            .expect("items")
            .clone()
    };
    assert!(mine().await.is_empty());

    let r = send(claim(
        "organization",
        &org,
        "",
        "elder_care",
        "09:00",
        "11:00",
    ))
    .await
    .expect(303);
    assert_eq!(r.location.as_deref(), Some("/me/hours/claims?sent=1"));
    let items = mine().await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        (items[0]["minutes"].as_i64(), items[0]["status"].as_str()),
        (Some(120), Some("pending"))
    );
    let list = page.get("/me/hours/claims?sent=1").await.expect(200);
    assert!(
        list.text.contains("申报已提交") && list.text.contains("待确认"),
        "{}",
        list.text
    );
    assert!(list.text.contains("09:00–11:00") && list.text.contains("2.0 小时"));

    // Withdraw: without the token refused, then with it.
    let id = items[0]["id"].as_str().expect("id");
    let action = format!("/me/hours/claims/{id}/withdraw");
    page.post(&action, &[]).await.expect(403);
    let r = page
        .submit("/me/hours/claims", &action, &[])
        .await
        .expect(303);
    assert_eq!(r.location.as_deref(), Some("/me/hours/claims"));
    assert_eq!(mine().await[0]["status"], "withdrawn");
    assert!(page.get("/me/hours/claims").await.text.contains("已撤回"));
    // Twice, or someone else's: an HTML answer.
    let again = page.submit("/me/hours/claims", &action, &[]).await;
    assert!(
        again.status == 409 && again.content_type.starts_with("text/html"),
        "{}",
        again.status
    );
    let stranger = app.visitor();
    let other = app.volunteer("路人").await;
    stranger.log_in(&other.email, PASSWORD).await;
    let r = stranger
        .submit("/me/hours/claims", &action, &[])
        .await
        .expect(404);
    assert!(r.content_type.starts_with("text/html"));
    stranger
        .submit("/me/hours/claims", "/me/hours/claims/nope/withdraw", &[])
        .await
        .expect(404);
}

async fn a_volunteer_reports_an_error_in_an_entry_from_the_hours_page(app: TestApp) {
    let volunteer = app.student_with_hours("李明", 1, None).await;
    let entry = app
        .get("/api/v1/me/hours", Some(&volunteer.token))
        .await
        .expect(200)
        .json["entries"][0]["id"]
        .as_str()
        .expect("entry id")
        .to_string();
    let page = app.visitor();
    page.log_in(&volunteer.email, PASSWORD).await;
    let path = format!("/me/hours/entries/{entry}");
    let action = format!("{path}/dispute");
    let hours = page.get("/me/hours").await.expect(200);
    assert!(
        hours.text.contains(&format!("href=\"{path}\"")),
        "{}",
        hours.text
    );
    let detail = page.get(&path).await.expect(200);
    assert!(detail.text.contains("报告此记录有误") && detail.text.contains("2.0 小时"));

    let disputes = || async {
        app.get(&format!("/api/v1/ledger/{entry}"), Some(&volunteer.token))
            .await
            .expect(200)
            .json["disputes"]
            .as_array()
            .expect("disputes")
            .len()
    };
    let r = page
        .submit(&path, &action, &[("reason", "")])
        .await
        .expect(422);
    assert!(r.text.contains("id=\"reason-error\""), "{}", r.text);
    page.post(&action, &[("reason", "forged")])
        .await
        .expect(403);
    assert_eq!(disputes().await, 0);

    let r = page
        .submit(&path, &action, &[("reason", "我是 10 点才离开的")])
        .await
        .expect(303);
    assert_eq!(r.location.as_deref(), Some(path.as_str()));
    assert_eq!(disputes().await, 1);
    let after = page.get(&path).await.expect(200);
    assert!(after.text.contains("等待答复") && after.text.contains("我是 10 点才离开的"));
    assert!(
        !after.text.contains(&format!("action=\"{action}\"")),
        "one open dispute at a time"
    );
    let csrf = after.csrf();
    let again = page
        .post(&action, &[("csrf", &csrf), ("reason", "again")])
        .await
        .expect(409);
    assert!(again.content_type.starts_with("text/html"));

    // Someone else's entry, or no entry: an HTML 404.
    let other = app.volunteer("路人").await;
    let stranger = app.visitor();
    stranger.log_in(&other.email, PASSWORD).await;
    for p in [path.as_str(), "/me/hours/entries/nope"] {
        let r = stranger.get(p).await.expect(404);
        assert!(r.content_type.starts_with("text/html") && r.text.contains("没有这条服务记录"));
    }
    stranger
        .submit("/me/hours", &action, &[("reason", "not mine")])
        .await
        .expect(404);
    assert_eq!(disputes().await, 1);
}
