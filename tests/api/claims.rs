//! Off-platform claims: the named organization's verifiers approve, adjust or reject them;
//! a host outside Hourbook confirms through the one-time link e-mailed to its contact. Hours
//! from claims are told apart from hours recorded on site wherever hours are shown.

use crate::requirements::student;
use chrono::Duration;
use hourbook_tests::mailroom::{deliver, to};
use hourbook_tests::pages::{PageClient, PageResponse};
use hourbook_tests::smtp::SmtpSink;
use hourbook_tests::{TestApp, User, backend_tests, test_start};
use serde_json::{Value, json};

backend_tests!(
    a_verifier_approves_adjusts_or_rejects_claims_naming_their_organization,
    a_host_outside_hourbook_confirms_through_the_e_mailed_link_once,
    host_links_close_when_withdrawn_or_expired_and_hosts_are_not_spammed,
    claims_refuse_bad_input_and_change_nothing,
);

/// Two hours, three days before the test's start.
fn claim(extra: Value) -> Value {
    let start = test_start() - Duration::days(3);
    let mut body = json!({
        "title": "敬老院陪伴老人", "category": "elder_care",
        "started_at": start, "ended_at": start + Duration::hours(2),
        "evidence_url": "https://example.org/photo.jpg", "description": "陪老人聊天、读报",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

fn host(email: &str) -> Value {
    json!({"host": {"name": "长寿敬老院", "contact_name": "王主任", "contact_email": email}})
}

async fn verifier_of(app: &TestApp, org: &str, admin: &User, name: &str) -> User {
    let verifier = app.register(name).await;
    app.post(
        &format!("/api/v1/organizations/{org}/members"),
        Some(&admin.token),
        json!({"email": verifier.email, "role": "verifier"}),
    )
    .await
    .expect(201);
    verifier
}

async fn hours(app: &TestApp, volunteer: &User) -> Value {
    app.get("/api/v1/me/hours", Some(&volunteer.token))
        .await
        .expect(200)
        .json
}

async fn a_verifier_approves_adjusts_or_rejects_claims_naming_their_organization(app: TestApp) {
    let admin = app.platform_admin().await;
    let (school, school_admin) = app.organization_with(&admin, "school", "admin").await;
    let verifier = verifier_of(&app, &school, &admin, "教务处").await;
    let (other, other_admin) = app.organization_with(&admin, "ngo", "admin").await;
    let stranger = verifier_of(&app, &other, &other_admin, "别家审核员").await;
    // A student with two hours recorded on site (check-in and check-out), linked to the school.
    let volunteer = student(&app, "李明", 1, Some((&school, "2027001"))).await;
    let program = app
        .post(
            &format!("/api/v1/organizations/{school}/requirements"),
            Some(&school_admin.token),
            json!({"name": "团员推荐", "min_minutes": 1200, "window_days": 365}),
        )
        .await
        .expect(201)
        .id();

    let first = app
        .post(
            "/api/v1/me/hours/claims",
            Some(&volunteer.token),
            claim(json!({"organization_id": school})),
        )
        .await
        .expect(201);
    assert_eq!(first.json["status"], "pending");
    assert_eq!(first.json["minutes"], 120);
    assert_eq!(first.json["organization"]["id"], school.as_str());
    app.clock.advance(Duration::minutes(1));
    let second = app
        .post(
            "/api/v1/me/hours/claims",
            Some(&volunteer.token),
            claim(json!({"organization_id": school, "title": "并没有的活动"})),
        )
        .await
        .expect(201)
        .id();
    let first = first.id();
    // Pending hours count nowhere.
    assert_eq!(hours(&app, &volunteer).await["total_minutes"], 120);

    // The school's verifiers see both, oldest first; other organizations do not.
    let listed = app
        .get(
            &format!("/api/v1/organizations/{school}/claims"),
            Some(&verifier.token),
        )
        .await
        .expect(200);
    let titles: Vec<&str> = listed.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["敬老院陪伴老人", "并没有的活动"]);
    assert_eq!(listed.json["items"][0]["volunteer_name"], "李明");
    app.get(
        &format!("/api/v1/organizations/{school}/claims"),
        Some(&stranger.token),
    )
    .await
    .problem(403);
    let verify = format!("/api/v1/hours/claims/{first}/verify");
    app.post(&verify, Some(&stranger.token), json!({}))
        .await
        .problem(404);
    // Their own claim: known to them, and not theirs to decide.
    app.post(&verify, Some(&volunteer.token), json!({}))
        .await
        .problem(403);

    // Adjusting needs a note; then the entry is in the ledger as a claim.
    let fields = app
        .post(&verify, Some(&verifier.token), json!({"minutes": 90}))
        .await
        .field_errors();
    assert_eq!(fields, ["note"]);
    let entry = app
        .post(
            &verify,
            Some(&verifier.token),
            json!({"minutes": 90, "note": "证明显示 10:30 离开"}),
        )
        .await
        .expect(201);
    assert_eq!(
        (
            entry.json["kind"].as_str(),
            entry.json["source"].as_str(),
            entry.json["minutes"].as_i64()
        ),
        (Some("claim"), Some("claim"), Some(90))
    );
    app.post(&verify, Some(&verifier.token), json!({}))
        .await
        .problem(409);

    // Rejected with a reason, which the volunteer reads.
    let reject = format!("/api/v1/hours/claims/{second}/reject");
    let fields = app
        .post(&reject, Some(&verifier.token), json!({"reason": " "}))
        .await
        .field_errors();
    assert_eq!(fields, ["reason"]);
    app.post(
        &reject,
        Some(&verifier.token),
        json!({"reason": "学校没有组织过这项活动"}),
    )
    .await
    .expect(200);
    let mine = app
        .get("/api/v1/me/hours/claims", Some(&volunteer.token))
        .await
        .expect(200);
    let by_title = |title: &str| {
        mine.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["title"] == title)
            .cloned()
            .unwrap()
    };
    let approved = by_title("敬老院陪伴老人");
    assert_eq!(approved["status"], "verified");
    assert_eq!(approved["decided_via"], "verifier");
    assert_eq!(approved["ledger_entry_id"], entry.json["id"]);
    let rejected = by_title("并没有的活动");
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["decision_note"], "学校没有组织过这项活动");
    let kinds: Vec<String> = app
        .outbox()
        .await
        .into_iter()
        .filter(|(_, to)| *to == volunteer.email)
        .map(|(kind, _)| kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "claim_decided").count(),
        2,
        "{kinds:?}"
    );

    // Hours recorded on site and hours entered by hand are told apart everywhere.
    let summary = hours(&app, &volunteer).await;
    assert_eq!(
        (
            summary["total_minutes"].as_i64(),
            summary["recorded_minutes"].as_i64(),
            summary["hand_entered_minutes"].as_i64()
        ),
        (Some(210), Some(120), Some(90))
    );
    let students = format!("/api/v1/organizations/{school}/students?requirement_id={program}");
    let listed = app.get(&students, Some(&verifier.token)).await.expect(200);
    let row = &listed.json["items"][0];
    assert_eq!(
        (
            row["total_minutes"].as_i64(),
            row["recorded_minutes"].as_i64(),
            row["hand_entered_minutes"].as_i64()
        ),
        (Some(210), Some(120), Some(90))
    );
    let csv = app
        .get_as(&students, Some(&verifier.token), "text/csv")
        .await
        .expect(200);
    let mut lines = csv.text.lines();
    let header = lines.next().unwrap();
    assert!(
        header.contains("counted_hours,recorded_hours,hand_entered_hours"),
        "{header}"
    );
    assert!(
        lines.next().unwrap().contains(",3.50,2.00,1.50,"),
        "{}",
        csv.text
    );
    let issued = app
        .post("/api/v1/me/certificates", Some(&volunteer.token), json!({}))
        .await
        .expect(201);
    assert_eq!(issued.json["hand_entered_minutes"], 90);
    assert!(
        app.outbox()
            .await
            .contains(&("certificate_issued".to_string(), volunteer.email.clone()))
    );
    let code = issued.json["code"].as_str().unwrap();
    let public = app
        .get(&format!("/api/v1/certificates/{code}"), None)
        .await
        .expect(200);
    assert_eq!(
        (
            public.json["valid"].as_bool(),
            public.json["recorded_minutes"].as_i64(),
            public.json["hand_entered_minutes"].as_i64()
        ),
        (Some(true), Some(120), Some(90))
    );
    // The volunteer's hours page shows their progress toward the school's requirement: 3.5 of
    // 20 hours, claimed hours included.
    let pages = PageClient::new(&app.address);
    pages
        .log_in(&volunteer.email, "correct horse battery")
        .await;
    let page = pages.get("/me/hours").await.expect(200);
    assert!(
        page.text.contains("团员推荐") && page.text.contains("value=\"17\""),
        "{}",
        page.text
    );
    // The printable page says it too.
    let page = app
        .get(&format!("/verify/{code}?lang=en"), None)
        .await
        .expect(200);
    assert!(
        page.text
            .contains("Recorded on site (check-in and check-out): 2 h")
            && page
                .text
                .contains("Entered by hand (adjusted, claimed, corrected): 1 h 30 min"),
        "{}",
        page.text
    );
}

/// The confirmation link in the one e-mail to `host_email`, as a path on this server.
fn host_link(
    app: &TestApp,
    received: &[hourbook_tests::smtp::Received],
    host_email: &str,
) -> String {
    let mails = to(received, host_email);
    assert_eq!(mails.len(), 1, "one e-mail to the host");
    let text = mails[0].text();
    let start = text.find("/claims/host/").expect("a link in the e-mail");
    let token: String = text[start + "/claims/host/".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    assert!(text.contains(&app.address), "{text}");
    format!("/claims/host/{token}")
}

/// Answers on the host's page as a browser would: with the CSRF cookie and the masked token a
/// page of ours gave this browser (forged links have no page of their own to give them).
async fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> PageResponse {
    let pages = PageClient::new(&app.address);
    let csrf = pages.get("/login").await.expect(200).csrf();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    pages.post(path, &all).await
}

async fn a_host_outside_hourbook_confirms_through_the_e_mailed_link_once(app: TestApp) {
    let sink = SmtpSink::start();
    let volunteer = app.volunteer("李明").await;
    let submitted = app
        .post(
            "/api/v1/me/hours/claims",
            Some(&volunteer.token),
            claim(host("director@care.example")),
        )
        .await
        .expect(201);
    assert_eq!(
        submitted.json["host"]["contact_email"],
        "director@care.example"
    );
    assert!(submitted.json["link_expires_at"].is_string());
    let received = deliver(&app, &sink).await;
    let mail = &to(&received, "director@care.example")[0];
    assert_eq!(
        mail.subject().as_deref(),
        Some("Hourbook · 请确认 李明 的志愿服务时长")
    );
    let link = host_link(&app, &received, "director@care.example");

    // The page shows the claim and asks; opening it changes nothing.
    let page = app.get(&link, None).await.expect(200);
    for shown in [
        "李明",
        "敬老院陪伴老人",
        "长寿敬老院",
        "陪老人聊天、读报",
        "120",
    ] {
        assert!(page.text.contains(shown), "{shown} missing:\n{}", page.text);
    }
    assert!(page.text.contains("<form"), "{}", page.text);
    let english = app.get(&format!("{link}?lang=en"), None).await.expect(200);
    assert!(
        english.text.contains("Confirm these hours"),
        "{}",
        english.text
    );
    // A forged or mangled link opens nothing.
    let forged = format!("{}x", &link[..link.len() - 1]);
    app.get(&forged, None).await.expect(404);
    form(&app, &forged, &[("answer", "confirm")])
        .await
        .expect(404);
    app.get("/claims/host/garbage", None).await.expect(404);

    // Other minutes need a note: the page says so and nothing is recorded.
    let again = form(
        &app,
        &link,
        &[("answer", "confirm"), ("minutes", "100"), ("note", "")],
    )
    .await;
    assert_eq!(again.status, 422);
    assert!(again.text.contains("role=\"alert\""), "{}", again.text);
    assert_eq!(hours(&app, &volunteer).await["total_minutes"], 0);
    // Without the form's CSRF token nothing happens.
    app.call_raw(
        reqwest::Method::POST,
        &link,
        None,
        "application/x-www-form-urlencoded",
        "answer=confirm",
    )
    .await
    .expect(403);
    let done = form(
        &app,
        &link,
        &[
            ("answer", "confirm"),
            ("minutes", "100"),
            ("note", "提前离开"),
        ],
    )
    .await
    .expect(200);
    assert!(done.text.contains("已确认"), "{}", done.text);

    // In the ledger as confirmed by the host through the link, recorded by its record.
    let summary = hours(&app, &volunteer).await;
    let entry = &summary["entries"][0];
    assert_eq!(
        (
            entry["kind"].as_str(),
            entry["source"].as_str(),
            entry["minutes"].as_i64(),
            entry["organization"]["name"].as_str(),
            entry["note"].as_str()
        ),
        (
            Some("claim"),
            Some("host_link"),
            Some(100),
            Some("长寿敬老院"),
            Some("提前离开")
        )
    );
    assert_eq!(summary["hand_entered_minutes"], 100);
    let check = app
        .state
        .store
        .check_ledger(None, |_, _| {})
        .await
        .expect("ledger check");
    assert!(check.breaks.is_empty(), "{:?}", check.breaks);
    let mine = app
        .get("/api/v1/me/hours/claims", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(mine.json["items"][0]["status"], "verified");
    assert_eq!(mine.json["items"][0]["decided_via"], "host_link");

    // One time only: the link now only says it is answered.
    let closed = form(&app, &link, &[("answer", "reject"), ("reason", "no")]).await;
    assert_eq!(closed.status, 409);
    let page = app.get(&link, None).await.expect(200);
    assert!(!page.text.contains("<form"), "{}", page.text);
    assert_eq!(hours(&app, &volunteer).await["total_minutes"], 100);
    // The volunteer hears about it; the host's record is no organization on Hourbook.
    let received = deliver(&app, &sink).await;
    let decided = to(&received, &volunteer.email);
    assert!(
        decided
            .iter()
            .any(|m| m.subject().is_some_and(|s| s.contains("服务时长已记录"))),
        "{:?}",
        decided.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    let admin = app.platform_admin().await;
    let fields = app
        .post(
            "/api/v1/organizations",
            Some(&admin.token),
            json!({"name": "冒充的外部单位", "kind": "external_host"}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["kind"]);
    // Nobody can become a member of the host's record and verify in its name.
    let record = entry["organization"]["id"].as_str().unwrap().to_string();
    let someone = app.register("冒名者").await;
    app.post(
        &format!("/api/v1/organizations/{record}/members"),
        Some(&admin.token),
        json!({"email": someone.email, "role": "verifier"}),
    )
    .await
    .problem(409);
}

async fn host_links_close_when_withdrawn_or_expired_and_hosts_are_not_spammed(app: TestApp) {
    let sink = SmtpSink::start();
    let volunteer = app.volunteer("李明").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = app
            .post(
                "/api/v1/me/hours/claims",
                Some(&volunteer.token),
                claim(host(&format!("host{i}@care.example"))),
            )
            .await
            .expect(201);
        ids.push(r.id());
    }
    // A sixth waiting for a host is refused until one is answered or withdrawn.
    app.post(
        "/api/v1/me/hours/claims",
        Some(&volunteer.token),
        claim(host("host5@care.example")),
    )
    .await
    .problem(409);
    // Nor may the volunteer confirm their own claim.
    let fields = app
        .post(
            "/api/v1/me/hours/claims",
            Some(&volunteer.token),
            claim(host(&volunteer.email.to_uppercase())),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["host.contact_email"]);

    // Withdrawn before the worker got to it: that host gets no e-mail at all.
    let other = app.volunteer("别人").await;
    app.delete(
        &format!("/api/v1/me/hours/claims/{}", ids[0]),
        Some(&other.token),
    )
    .await
    .problem(404);
    let withdrawn = app
        .delete(
            &format!("/api/v1/me/hours/claims/{}", ids[0]),
            Some(&volunteer.token),
        )
        .await
        .expect(200);
    assert_eq!(withdrawn.json["status"], "withdrawn");
    let received = deliver(&app, &sink).await;
    assert!(to(&received, "host0@care.example").is_empty());
    assert_eq!(received.len(), 4);
    // Room again, but not the same day: withdrawing and resubmitting mails nobody more.
    app.post(
        "/api/v1/me/hours/claims",
        Some(&volunteer.token),
        claim(host("host5@care.example")),
    )
    .await
    .problem(409);
    app.clock.advance(Duration::days(1));
    app.post(
        "/api/v1/me/hours/claims",
        Some(&volunteer.token),
        claim(host("host5@care.example")),
    )
    .await
    .expect(201);

    // Withdrawn after it was sent: the link closes.
    let link = host_link(&app, &received, "host1@care.example");
    app.delete(
        &format!("/api/v1/me/hours/claims/{}", ids[1]),
        Some(&volunteer.token),
    )
    .await
    .expect(200);
    let page = app.get(&link, None).await.expect(200);
    assert!(!page.text.contains("<form"), "{}", page.text);
    form(&app, &link, &[("answer", "confirm")])
        .await
        .expect(409);

    // After 30 days the link has expired.
    let link = host_link(&app, &received, "host2@care.example");
    app.get(&link, None).await.expect(200);
    assert_eq!(hours(&app, &volunteer).await["total_minutes"], 0);
    app.clock.advance(Duration::days(31));
    let page = app.get(&link, None).await.expect(200);
    assert!(page.text.contains("过期"), "{}", page.text);
    form(&app, &link, &[("answer", "confirm")])
        .await
        .expect(409);
    let check = app
        .state
        .store
        .hours(volunteer_id(&volunteer), None, None)
        .await;
    assert_eq!(check.expect("hours").total_minutes, 0);
}

fn volunteer_id(user: &User) -> uuid::Uuid {
    user.id.parse().expect("account id")
}

async fn claims_refuse_bad_input_and_change_nothing(app: TestApp) {
    let volunteer = app.volunteer("李明").await;
    let admin = app.platform_admin().await;
    let (org, _) = app.organization_with(&admin, "ngo", "admin").await;
    let before = app.snapshot().await;
    let start = test_start() - Duration::days(1);
    let cases = [
        (json!({}), vec!["organization_id"]),
        (
            json!({"organization_id": org, "host": {"name": "x", "contact_name": "y", "contact_email": "z@z.example"}}),
            vec!["organization_id"],
        ),
        (
            json!({"organization_id": org, "ended_at": start - Duration::hours(1), "started_at": start}),
            vec!["ended_at"],
        ),
        (
            json!({"organization_id": org, "started_at": test_start() + Duration::hours(1), "ended_at": test_start() + Duration::hours(2)}),
            vec!["ended_at"],
        ),
        (
            json!({"organization_id": org, "evidence_url": "javascript:alert(1)", "category": "社区"}),
            vec!["category", "evidence_url"],
        ),
        (
            json!({"host": {"name": "", "contact_name": "王主任", "contact_email": "not-an-address"}}),
            vec!["host.contact_email", "host.name"],
        ),
    ];
    for (change, expected) in cases {
        let mut fields = app
            .post(
                "/api/v1/me/hours/claims",
                Some(&volunteer.token),
                claim(change.clone()),
            )
            .await
            .field_errors();
        fields.sort();
        assert_eq!(fields, expected, "{change}");
    }
    // An organization that does not exist, and a malformed body.
    app.post(
        "/api/v1/me/hours/claims",
        Some(&volunteer.token),
        claim(json!({"organization_id": uuid::Uuid::new_v4()})),
    )
    .await
    .problem(404);
    app.call_raw(
        reqwest::Method::POST,
        "/api/v1/me/hours/claims",
        Some(&volunteer.token),
        "application/json",
        "{\"title\":",
    )
    .await
    .problem(400);
    app.post(
        "/api/v1/me/hours/claims",
        None,
        claim(json!({"organization_id": org})),
    )
    .await
    .problem(401);
    app.post(
        &format!("/api/v1/hours/claims/{}/verify", uuid::Uuid::new_v4()),
        Some(&volunteer.token),
        json!({}),
    )
    .await
    .problem(404);
    app.get("/api/v1/me/hours/claims", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(app.snapshot().await, before);
}
