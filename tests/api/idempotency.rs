use chrono::Duration;
use hourbook_tests::TestApp;
use serde_json::json;

async fn a_repeated_signup_with_the_same_key_is_answered_once(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    let shift = app
        .shift(&organizer, &event, Duration::days(2), 3, 5, json!({}))
        .await;
    let v = app.volunteer("重发").await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/shifts/{shift}/signups", app.address);
    let send = |key: &'static str, body: &'static str| {
        client
            .post(&url)
            .bearer_auth(&v.token)
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let first = send("k-1", "{}").await.unwrap();
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: serde_json::Value = first.json().await.unwrap();
    let before = app.snapshot().await;
    let again = send("k-1", "{}").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["content-type"], "application/json");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(app.snapshot().await, before, "a replay must do nothing");
    // The same key with another body is refused; a new key is a new request (here: a 409).
    assert_eq!(send("k-1", "{\"x\": 1}").await.unwrap().status(), 422);
    assert_eq!(send("k-2", "{}").await.unwrap().status(), 409);
    // The key belongs to the account, not to one session of it.
    let again_elsewhere = client
        .post(&url)
        .bearer_auth(app.login(&v.email, "correct horse battery").await)
        .header("idempotency-key", "k-1")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(again_elsewhere.headers()["idempotent-replayed"], "true");
    // Other callers' keys are their own.
    let w = app.volunteer("别人").await;
    let other = client
        .post(&url)
        .bearer_auth(&w.token)
        .header("idempotency-key", "k-1")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 201);
    let other: serde_json::Value = other.json().await.unwrap();
    assert_ne!(other["id"], first["id"]);
}

/// A registration resent after a lost answer gets the first answer, not a 409.
async fn a_repeated_registration_is_answered_once(app: TestApp) {
    let register = || {
        reqwest::Client::new()
            .post(format!("{}/api/v1/auth/register", app.address))
            .header("idempotency-key", "signup-form-1")
            .json(
                &json!({"email": "twice@example.com", "password": "long enough!", "name": "两次"}),
            )
            .send()
    };
    let first = register().await.unwrap();
    assert_eq!(first.status(), 201);
    let second = register().await.unwrap();
    assert_eq!(second.status(), 201);
    let (a, b): (serde_json::Value, serde_json::Value) =
        (first.json().await.unwrap(), second.json().await.unwrap());
    assert_eq!(a["id"], b["id"]);
}

/// Answers that carry credentials are never stored, so a login is never replayed.
async fn logins_are_never_remembered(app: TestApp) {
    let user = app.register("登录").await;
    let login = |key: &'static str| {
        reqwest::Client::new()
            .post(format!("{}/api/v1/auth/login", app.address))
            .header("idempotency-key", key)
            .json(&json!({"email": user.email, "password": "correct horse battery"}))
            .send()
    };
    let first: serde_json::Value = login("same").await.unwrap().json().await.unwrap();
    let second: serde_json::Value = login("same").await.unwrap().json().await.unwrap();
    assert_ne!(first["token"], second["token"]);
    let stored = app.snapshot().await;
    assert!(
        stored.contains(&("idempotency_keys".to_string(), 0)),
        "{stored:?}"
    );
}

hourbook_tests::backend_tests!(
    a_repeated_registration_is_answered_once,
    a_repeated_signup_with_the_same_key_is_answered_once,
    logins_are_never_remembered
);
