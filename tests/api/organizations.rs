use hourbook_tests::TestApp;
use serde_json::json;

async fn only_platform_admins_create_organizations(app: TestApp) {
    let body =
        json!({"name": "共青团普陀区委", "kind": "league_committee", "region_code": "310107"});
    app.post("/api/v1/organizations", None, body.clone())
        .await
        .problem(401);
    let volunteer = app.register("志愿者").await;
    app.post(
        "/api/v1/organizations",
        Some(&volunteer.token),
        body.clone(),
    )
    .await
    .problem(403);
    let admin = app.platform_admin().await;
    let org = app
        .post("/api/v1/organizations", Some(&admin.token), body)
        .await
        .expect(201);
    assert_eq!(org.json["kind"], "league_committee");
    let fields = app
        .post(
            "/api/v1/organizations",
            Some(&admin.token),
            json!({"name": "", "kind": "club"}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["kind"]);
}

async fn org_admins_manage_members(app: TestApp) {
    let admin = app.platform_admin().await;
    let (org, org_admin) = app.organization_with(&admin, "community", "admin").await;
    let members = format!("/api/v1/organizations/{org}/members");
    let newcomer = app.register("新成员").await;
    app.post(
        &members,
        Some(&org_admin.token),
        json!({"email": newcomer.email, "role": "verifier"}),
    )
    .await
    .expect(201);
    app.post(
        &members,
        Some(&org_admin.token),
        json!({"email": newcomer.email, "role": "verifier"}),
    )
    .await
    .problem(409);
    let me = app
        .get("/api/v1/me", Some(&newcomer.token))
        .await
        .expect(200);
    assert_eq!(
        me.json["roles"],
        json!([{"organization_id": org, "role": "verifier"}])
    );
    // A verifier is not an admin.
    let other = app.register("其他人").await;
    app.post(
        &members,
        Some(&newcomer.token),
        json!({"email": other.email, "role": "organizer"}),
    )
    .await
    .problem(403);
    // Unknown accounts and roles are field errors; unknown organizations are 404.
    let fields = app
        .post(
            &members,
            Some(&org_admin.token),
            json!({"email": "ghost@example.com", "role": "organizer"}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["email"]);
    assert_eq!(
        app.post(
            &members,
            Some(&org_admin.token),
            json!({"email": other.email, "role": "boss"})
        )
        .await
        .field_errors(),
        ["role"]
    );
    app.post(
        &format!("/api/v1/organizations/{}/members", uuid::Uuid::new_v4()),
        Some(&org_admin.token),
        json!({"email": other.email, "role": "organizer"}),
    )
    .await
    .problem(404);
}

hourbook_tests::backend_tests!(
    only_platform_admins_create_organizations,
    org_admins_manage_members
);
