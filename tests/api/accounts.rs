use hourbook_tests::TestApp;
use serde_json::json;

async fn register_login_and_me(app: TestApp) {
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "Li.Ming@Example.com", "password": "a long password", "name": "李明"}),
        )
        .await
        .expect(201);
    assert_eq!(r.json["email"], "li.ming@example.com");
    assert!(
        r.json["volunteer_number"]
            .as_str()
            .unwrap()
            .starts_with("HB-2027-")
    );
    let token = app.login("li.ming@example.com", "a long password").await;
    let me = app.get("/api/v1/me", Some(&token)).await.expect(200);
    assert_eq!(me.json["name"], "李明");
    assert_eq!(me.json["roles"], json!([]));
    assert!(me.json["profile"].is_null());
    assert!(me.json.get("password_hash").is_none());

    // Same address, any case: 409.
    app.post(
        "/api/v1/auth/register",
        None,
        json!({"email": "LI.MING@example.com", "password": "another password", "name": "x"}),
    )
    .await
    .problem(409);
}

async fn wrong_credentials_get_the_same_401_and_then_429(app: TestApp) {
    let user = app.register("王芳").await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": user.email, "password": "not the password"}),
        )
        .await
        .problem(401);
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": "not the password"}),
        )
        .await
        .problem(401);
    assert_eq!(wrong["detail"], unknown["detail"]);
    for _ in 0..4 {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": user.email, "password": "still wrong!"}),
        )
        .await
        .problem(401);
    }
    // Five failures: even the right password is refused for a while.
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": user.email, "password": "correct horse battery"}),
    )
    .await
    .problem(429);
}

async fn tokens_are_required_and_checked(app: TestApp) {
    app.get("/api/v1/me", None).await.problem(401);
    app.get("/api/v1/me", Some("not-a-token"))
        .await
        .problem(401);
    let user = app.register("张伟").await;
    app.call(
        reqwest::Method::POST,
        "/api/v1/auth/logout",
        Some(&user.token),
        None,
    )
    .await
    .expect(204);
    app.get("/api/v1/me", Some(&user.token)).await.problem(401);
}

async fn tokens_expire(app: TestApp) {
    let user = app.register("赵磊").await;
    app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    app.clock.advance(chrono::Duration::hours(721));
    app.get("/api/v1/me", Some(&user.token)).await.problem(401);
}

async fn profile_is_validated_and_id_numbers_masked(app: TestApp) {
    let user = app.register("陈静").await;
    let profile = json!({
        "birth_date": "2001-05-04", "phone": "13800138000", "home": {"lat": 31.24, "lon": 121.40},
        "travel_radius_km": 5, "skills": [{"skill": "first_aid", "certificate_expires_on": "2028-01-01"}],
        "availability": [{"weekday": 6, "start": "08:00", "end": "12:00"}],
        "id_number": "11010519491231002X", "discoverable": true
    });
    let saved = app
        .put("/api/v1/me/profile", Some(&user.token), profile.clone())
        .await
        .expect(200);
    assert_eq!(saved.json["id_number"], "1101**********002X");
    assert_eq!(saved.json["availability"][0]["start"], "08:00");
    let me = app.get("/api/v1/me", Some(&user.token)).await.expect(200);
    assert_eq!(me.json["profile"]["skills"][0]["skill"], "first_aid");
    assert!(
        !me.text.contains("19491231"),
        "the full ID number must never be returned"
    );

    let mut minor = profile.clone();
    minor["birth_date"] = json!("2012-09-01");
    let fields = app
        .put("/api/v1/me/profile", Some(&user.token), minor.clone())
        .await
        .field_errors();
    assert_eq!(fields, ["guardian"]);
    minor["guardian"] = json!({"name": "陈父", "email": "parent@example.com", "phone": "13900139000", "consent_given": true});
    app.put("/api/v1/me/profile", Some(&user.token), minor)
        .await
        .expect(200);

    let mut child = profile.clone();
    child["birth_date"] = json!("2015-09-01");
    child["guardian"] = json!({"name": "陈父", "email": "parent@example.com", "phone": "13900139000", "consent_given": false});
    assert_eq!(
        app.put("/api/v1/me/profile", Some(&user.token), child)
            .await
            .field_errors(),
        ["guardian.consent_given"]
    );

    let mut bad = profile;
    bad["skills"] = json!([{"skill": "juggling"}]);
    let fields = app
        .put("/api/v1/me/profile", Some(&user.token), bad)
        .await
        .field_errors();
    assert_eq!(fields, ["skills[0].skill"]);
}

async fn a_school_link_must_name_a_school(app: TestApp) {
    let admin = app.platform_admin().await;
    let (ngo, _) = app.organization_with(&admin, "ngo", "organizer").await;
    let user = app.register("刘洋").await;
    let profile = json!({
        "birth_date": "2001-05-04", "home": {"lat": 31.24, "lon": 121.40}, "travel_radius_km": 5,
        "school_organization_id": ngo, "student_number": "2027001", "discoverable": false
    });
    assert_eq!(
        app.put("/api/v1/me/profile", Some(&user.token), profile)
            .await
            .field_errors(),
        ["school_organization_id"]
    );
}

hourbook_tests::backend_tests!(
    register_login_and_me,
    wrong_credentials_get_the_same_401_and_then_429,
    tokens_are_required_and_checked,
    tokens_expire,
    profile_is_validated_and_id_numbers_masked,
    a_school_link_must_name_a_school
);
