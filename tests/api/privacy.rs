//! A volunteer's own data: exported whole, and erased without breaking the ledger.

use chrono::Duration;
use hourbook_tests::{TestApp, backend_tests};
use sea_orm::ConnectionTrait;
use serde_json::json;

backend_tests!(
    a_volunteer_exports_everything_and_erasure_keeps_the_ledger_whole,
    erasure_needs_the_password_and_no_pending_commitments,
);

const PASSWORD: &str = "correct horse battery";

async fn a_volunteer_exports_everything_and_erasure_keeps_the_ledger_whole(app: TestApp) {
    let (organizer, volunteer, signups) = app.attended("李明", 1).await;
    let entry = app
        .post(
            &format!("/api/v1/signups/{}/verify", signups[0]),
            Some(&organizer.token),
            json!({}),
        )
        .await
        .expect(201)
        .id();
    let code = app
        .post("/api/v1/me/certificates", Some(&volunteer.token), json!({}))
        .await
        .expect(201)
        .json["code"]
        .as_str()
        .unwrap()
        .to_string();

    let export = app
        .get("/api/v1/me/export", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(export.json["account"]["email"], volunteer.email.as_str());
    assert_eq!(export.json["profile"]["birth_date"], "2000-03-15");
    assert_eq!(export.json["signups"].as_array().unwrap().len(), 1);
    assert_eq!(export.json["hours"]["total_minutes"], 120);
    assert_eq!(export.json["certificates"][0]["code"], code.as_str());
    assert!(export.json["notifications"].as_array().unwrap().len() > 5);
    assert!(
        !export.text.contains("argon2"),
        "no password hash in an export"
    );
    app.get("/api/v1/me/export", None).await.problem(401);

    app.call(
        reqwest::Method::DELETE,
        "/api/v1/me",
        Some(&volunteer.token),
        Some(&json!({"password": PASSWORD})),
    )
    .await
    .expect(200);
    // Gone: the login, the session, the certificate, the name.
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": volunteer.email, "password": PASSWORD}),
    )
    .await
    .problem(401);
    app.get("/api/v1/me", Some(&volunteer.token))
        .await
        .problem(401);
    app.get(&format!("/api/v1/certificates/{code}"), None)
        .await
        .problem(404);
    // The organization keeps its record, naming nobody, and the chain still verifies.
    let history = app
        .get(&format!("/api/v1/ledger/{entry}"), Some(&organizer.token))
        .await
        .expect(200);
    assert_eq!(history.json["entry"]["minutes"], 120);
    let db = app.state.store.connection();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT name, email FROM accounts WHERE id = '{}'",
                volunteer.id
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    let name: String = row.try_get("", "name").unwrap();
    let email: String = row.try_get("", "email").unwrap();
    assert!(
        name.contains("已注销") && email.ends_with("@deleted.invalid"),
        "{name} {email}"
    );
    let check = app.state.store.check_ledger(None, |_, _| {}).await.unwrap();
    assert_eq!((check.entries, check.breaks.len()), (1, 0));
}

async fn erasure_needs_the_password_and_no_pending_commitments(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let volunteer = app.volunteer("李明").await;
    let signup = app.signup_id(&shift, &volunteer).await;
    let erase = |token: String, password: &'static str| {
        let app = &app;
        async move {
            app.call(
                reqwest::Method::DELETE,
                "/api/v1/me",
                Some(&token),
                Some(&json!({"password": password})),
            )
            .await
        }
    };
    assert_eq!(
        erase(volunteer.token.clone(), "wrong password")
            .await
            .field_errors(),
        ["password"]
    );
    erase(volunteer.token.clone(), PASSWORD).await.problem(409);
    app.delete(&format!("/api/v1/signups/{signup}"), Some(&volunteer.token))
        .await
        .expect(200);
    // Staff leave their organization first.
    erase(organizer.token.clone(), PASSWORD).await.problem(409);
    erase(volunteer.token.clone(), PASSWORD).await.expect(200);
}
