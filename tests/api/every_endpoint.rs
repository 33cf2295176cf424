//! Bad input at every endpoint that takes a body, walked from the OpenAPI document so that a
//! new endpoint is covered the day it is documented: malformed JSON is a 400, a body of the
//! wrong shape or with an unknown field is a 422 naming it, and nothing is written.

use chrono::Duration;
use hourbook_tests::TestApp;
use reqwest::Method;

async fn every_body_taking_endpoint_refuses_bad_bodies_and_writes_nothing(app: TestApp) {
    let b = app
        .booking("community", false, Duration::days(2), 3, "志愿者")
        .await;
    let event = app
        .get(&format!("/api/v1/events/{}", b.event), None)
        .await
        .expect(200);
    let org = event.json["organization_id"]
        .as_str()
        .expect("organization id")
        .to_string();
    let doc = app.get("/api/openapi.json", None).await.expect(200).json;
    let before = app.snapshot().await;

    let mut probed = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if operation.get("requestBody").is_none() {
                continue;
            }
            let id = if path.starts_with("/api/v1/events/") {
                &b.event
            } else if path.starts_with("/api/v1/shifts/") {
                &b.shift
            } else {
                &b.signup
            };
            let url = path.replace("{org_id}", &org).replace("{id}", id);
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let token = Some(b.organizer.token.as_str());
            let json = "application/json";
            let malformed = app
                .call_raw(method.clone(), &url, token, json, "{\"a\": ")
                .await;
            assert_eq!(malformed.status, 400, "{method} {path}: {}", malformed.text);
            malformed.problem(400);
            let wrong_shape = app
                .call_raw(method.clone(), &url, token, json, "[1, 2]")
                .await;
            assert_eq!(
                wrong_shape.status, 422,
                "{method} {path}: {}",
                wrong_shape.text
            );
            wrong_shape.problem(422);
            let unknown = app
                .call_raw(
                    method.clone(),
                    &url,
                    token,
                    json,
                    "{\"no_such_field\": true}",
                )
                .await;
            assert_eq!(unknown.status, 422, "{method} {path}: {}", unknown.text);
            let fields = unknown.field_errors();
            assert!(
                fields.iter().any(|f| f == "no_such_field" || f.is_empty()),
                "{method} {path}: {fields:?}"
            );
            probed += 1;
        }
    }
    // Register, login, profile, organizations, members, events, shifts, insurance,
    // check-in, check-out, verify: the walk must not silently find nothing.
    assert!(probed >= 10, "only {probed} endpoints take a body");
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused request wrote something"
    );
}

hourbook_tests::backend_tests!(every_body_taking_endpoint_refuses_bad_bodies_and_writes_nothing);
