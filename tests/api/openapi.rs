//! `GET /api/openapi.json`: OpenAPI 3.1, complete for API.md's contract, and in step with the
//! router in both directions: every documented operation is served (and guarded as documented),
//! and every route `routes::router()` registers is documented.
use hourbook_tests::{TestApp, TestResponse};
use reqwest::Method;
use serde_json::Value;
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

/// API.md's fixed contract, as (method, path) in OpenAPI's spelling.
const CONTRACT: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/me"),
    ("put", "/api/v1/me/profile"),
    ("post", "/api/v1/organizations"),
    ("post", "/api/v1/organizations/{org_id}/members"),
    ("get", "/api/v1/events"),
    ("post", "/api/v1/events"),
    ("get", "/api/v1/events/{id}"),
    ("post", "/api/v1/events/{id}/shifts"),
    ("post", "/api/v1/events/{id}/insurance"),
    ("get", "/api/v1/shifts/{id}"),
    ("delete", "/api/v1/shifts/{id}"),
    ("get", "/api/v1/shifts/{id}/signups"),
    ("post", "/api/v1/shifts/{id}/signups"),
    ("get", "/api/v1/me/signups"),
    ("get", "/api/v1/me/signups.ics"),
    ("delete", "/api/v1/signups/{id}"),
    ("post", "/api/v1/signups/{id}/check-in"),
    ("post", "/api/v1/signups/{id}/check-out"),
    ("post", "/api/v1/signups/{id}/no-show"),
    ("post", "/api/v1/signups/{id}/verify"),
    ("get", "/api/v1/me/hours"),
    ("get", "/api/openapi.json"),
];

/// The methods probed on every served path (HEAD and OPTIONS follow GET and CORS, not routes).
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

async fn document(app: &TestApp) -> Value {
    let r = app.get("/api/openapi.json", None).await.expect(200);
    assert!(
        r.content_type.starts_with("application/json"),
        "content type {}",
        r.content_type
    );
    r.json
}

/// Every (method, path, operation) of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            if METHODS.contains(&method.as_str())
                || ["head", "options", "trace"].contains(&method.as_str())
            {
                out.push((method.clone(), path.clone(), operation.clone()));
            }
        }
    }
    out
}

fn documented(doc: &Value, method: &str, path: &str) -> bool {
    doc["paths"][path][method].is_object()
}

/// The path with every `{parameter}` replaced by a fresh UUID.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').expect("closing brace") + open;
        out.push_str(&rest[..open]);
        out.push_str(&Uuid::new_v4().to_string());
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

fn http_method(name: &str) -> Method {
    Method::from_bytes(name.to_uppercase().as_bytes()).expect("an HTTP method")
}

/// No route answered: the router's 404 fallback or its 405.
fn unrouted(r: &TestResponse) -> bool {
    r.status == 405 || (r.status == 404 && r.json["detail"] == "no such resource")
}

/// The paths `routes::router()` registers. axum has no public route listing, so they are read
/// from the router's `Debug` output; should that format change, the contract check below fails
/// loudly instead of this test passing on an empty set.
fn served_paths() -> BTreeSet<String> {
    let debug = format!("{:?}", hourbook_api::routes::router());
    // The fallback router that follows holds axum's own catch-all paths (`/`, `/{*...}`).
    let (routes, _fallback) = debug
        .split_once("fallback_router")
        .expect("axum's Router Debug output names its fallback_router");
    let paths: BTreeSet<String> = routes
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/'))
        .map(str::to_string)
        .collect();
    for (_, path) in CONTRACT {
        assert!(
            paths.contains(*path),
            "contract route {path} is not among the router's paths (removed, or axum's Debug format changed): {paths:?}"
        );
    }
    paths
}

async fn the_document_is_openapi_3_1_and_covers_the_contract(app: TestApp) {
    let doc = document(&app).await;
    let version = doc["openapi"].as_str().expect("openapi version");
    assert!(version.starts_with("3.1"), "openapi {version}");
    assert_eq!(doc["info"]["title"], "Hourbook");
    assert!(doc["info"]["version"].is_string());
    let missing: Vec<_> = CONTRACT
        .iter()
        .filter(|(method, path)| !documented(&doc, method, path))
        .collect();
    assert!(missing.is_empty(), "not documented: {missing:?}");
}

async fn every_documented_operation_is_served_and_guarded_as_documented(app: TestApp) {
    let doc = document(&app).await;
    let schemes = &doc["components"]["securitySchemes"];
    for (method, path, operation) in operations(&doc) {
        let r = app
            .call(http_method(&method), &concrete(&path), None, None)
            .await;
        assert!(
            !unrouted(&r),
            "{method} {path} is documented but not served: {} {}",
            r.status,
            r.text
        );
        let secured = operation["security"]
            .as_array()
            .is_some_and(|requirements| !requirements.is_empty());
        if secured {
            for requirement in operation["security"].as_array().into_iter().flatten() {
                for scheme in requirement.as_object().expect("requirement").keys() {
                    assert!(
                        schemes[scheme].is_object(),
                        "{method} {path}: unknown scheme {scheme}"
                    );
                }
            }
            assert_eq!(
                r.status, 401,
                "{method} {path} is documented as needing a token but answered without one: {}",
                r.text
            );
            assert!(
                operation["responses"]["401"].is_object(),
                "{method} {path} needs a token but does not document 401"
            );
        } else {
            assert_ne!(
                r.status, 401,
                "{method} {path} needs a token but does not document `security`"
            );
        }
    }
}

async fn every_served_route_is_documented(app: TestApp) {
    let doc = document(&app).await;
    let served = served_paths();
    let documented_paths: BTreeSet<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect();
    assert_eq!(served, documented_paths, "served paths vs documented paths");
    let mut undocumented = Vec::new();
    for path in served {
        for method in METHODS {
            let r = app
                .call(http_method(method), &concrete(&path), None, None)
                .await;
            if r.status != 405 && !documented(&doc, method, &path) {
                undocumented.push(format!("{method} {path} ({})", r.status));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
}

/// Collects every `$ref` in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

async fn the_document_is_self_consistent(app: TestApp) {
    let doc = document(&app).await;
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').expect("local reference");
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    let mut ids = HashSet::new();
    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"].as_str().expect("operationId");
        assert!(ids.insert(id.to_string()), "operationId {id} twice");
        let responses = operation["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|status| status.starts_with('2')),
            "{method} {path} documents no success"
        );
        for param in path.split('{').skip(1) {
            let name = param.split('}').next().expect("parameter name");
            let declared = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "path" && p["name"] == name);
            assert!(
                declared,
                "{method} {path}: path parameter {name} undeclared"
            );
        }
    }
    // Problems are documented with the very type that serialises them.
    let problem = &doc["components"]["schemas"]["Problem"];
    for field in ["type", "title", "status", "detail"] {
        assert!(
            problem["required"]
                .as_array()
                .expect("required")
                .contains(&Value::from(field)),
            "Problem.{field} not required"
        );
    }
    for field in ["errors", "reasons"] {
        assert!(problem["properties"][field].is_object(), "Problem.{field}");
    }
    let answer = app
        .get("/api/v1/events/not-a-uuid", None)
        .await
        .problem(404);
    for key in answer.as_object().expect("problem").keys() {
        assert!(
            problem["properties"][key].is_object(),
            "problem field {key} is not documented"
        );
    }
}

hourbook_tests::backend_tests!(
    the_document_is_openapi_3_1_and_covers_the_contract,
    every_documented_operation_is_served_and_guarded_as_documented,
    every_served_route_is_documented,
    the_document_is_self_consistent
);
