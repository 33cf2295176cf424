use hourbook_tests::TestApp;

async fn health_and_readiness_answer(app: TestApp) {
    let r = app.get("/healthz", None).await.expect(200);
    assert_eq!(r.json["status"], "ok");
    app.get("/readyz", None).await.expect(200);
}

async fn unknown_paths_and_methods_are_problems(app: TestApp) {
    app.get("/api/v1/nothing-here", None).await.problem(404);
    app.delete("/api/v1/auth/register", None).await.problem(405);
}

async fn landing_page_lists_upcoming_shifts(app: TestApp) {
    let (_, organizer, event) = app.organizer_with_event("community", false).await;
    app.shift(
        &organizer,
        &event,
        chrono::Duration::days(2),
        3,
        5,
        serde_json::json!({}),
    )
    .await;
    let page = app.get("/", None).await.expect(200);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.text.contains("暑期爱心暑托班"), "{}", page.text);
    assert!(page.text.contains("5 / 5"));
    let english = app.get("/?lang=en", None).await.expect(200);
    assert!(english.text.contains("Seats left"));
}

hourbook_tests::backend_tests!(
    health_and_readiness_answer,
    unknown_paths_and_methods_are_problems,
    landing_page_lists_upcoming_shifts
);
