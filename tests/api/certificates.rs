//! Certificates: issued from the ledger, verified by anyone, and honest about later changes.

use chrono::Duration;
use hourbook_domain::certificate::{SignedCertificate, public_key_from_base64};
use hourbook_tests::{Backend, TestApp, backend_tests};
use sea_orm::ConnectionTrait;
use serde_json::json;

backend_tests!(
    a_certificate_stays_valid_until_the_ledger_says_otherwise,
    certificates_refuse_bad_periods_and_unknown_codes,
);

/// Verifies `signups` (one request each) and returns the entry ids.
async fn verify_all(
    app: &TestApp,
    organizer: &hourbook_tests::User,
    signups: &[String],
) -> Vec<String> {
    let mut entries = Vec::new();
    for s in signups {
        let r = app
            .post(
                &format!("/api/v1/signups/{s}/verify"),
                Some(&organizer.token),
                json!({}),
            )
            .await
            .expect(201);
        entries.push(r.id());
    }
    entries
}

async fn a_certificate_stays_valid_until_the_ledger_says_otherwise(app: TestApp) {
    let (organizer, volunteer, signups) = app.attended("李明", 3).await;
    let entries = verify_all(&app, &organizer, &signups[..2]).await;
    let token = volunteer.token.clone();

    let issued = app
        .post("/api/v1/me/certificates", Some(&token), json!({}))
        .await
        .expect(201);
    let code = issued.json["code"].as_str().unwrap().to_string();
    assert_eq!(issued.json["total_minutes"], 240);
    assert!(issued.json["number"].as_str().unwrap().starts_with("HBC-"));
    assert!(
        issued.json["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/verify/{code}"))
    );
    let mine = app
        .get("/api/v1/me/certificates", Some(&token))
        .await
        .expect(200);
    assert_eq!(mine.json["items"][0]["code"], code.as_str());

    // Anyone can check it, however they type the code.
    let check = app
        .get(&format!("/api/v1/certificates/{code}"), None)
        .await
        .expect(200);
    for field in [
        "valid",
        "signature_valid",
        "matches_ledger",
        "ledger_intact",
    ] {
        assert_eq!(check.json[field], true, "{field}: {}", check.text);
    }
    assert_eq!(check.json["status"], "valid");
    assert_eq!(check.json["volunteer"]["name"], "李明");
    assert_eq!(check.json["total_minutes"], 240);
    let typed = code.to_lowercase().replace('-', "");
    app.get(&format!("/api/v1/certificates/{typed}"), None)
        .await
        .expect(200);
    let page = app.get(&format!("/verify/{code}"), None).await.expect(200);
    assert!(
        page.text.contains("李明") && page.text.contains("<svg") && page.text.contains("真实有效")
    );

    // Offline: the certificate and the published key are enough.
    let key = app
        .get("/api/v1/certificates/public-key", None)
        .await
        .expect(200);
    let key = public_key_from_base64(key.json["public_key"].as_str().unwrap()).unwrap();
    let signed: SignedCertificate =
        serde_json::from_value(check.json["certificate"].clone()).unwrap();
    assert!(signed.signature_valid(&key));
    let forged = SignedCertificate {
        document: signed
            .document
            .replace("\"total_minutes\":240", "\"total_minutes\":2400"),
        ..signed.clone()
    };
    assert_ne!(forged.document, signed.document);
    assert!(!forged.signature_valid(&key));

    // More hours in the period are verified later: the certificate was true, but is superseded.
    verify_all(&app, &organizer, &signups[2..]).await;
    let later = app
        .get(&format!("/api/v1/certificates/{code}"), None)
        .await
        .expect(200);
    assert_eq!(
        (later.json["status"].as_str(), later.json["valid"].as_bool()),
        (Some("superseded"), Some(false))
    );
    assert_eq!(later.json["signature_valid"], true);
    let fresh = app
        .post("/api/v1/me/certificates", Some(&token), json!({}))
        .await
        .expect(201);
    assert_eq!(fresh.json["total_minutes"], 360);
    let fresh = fresh.json["code"].as_str().unwrap().to_string();

    // An entry edited in SQL: both certificates say so, and so does the page.
    let db = app.state.store.connection();
    let disable = match app.backend {
        Backend::Embedded => "DROP TRIGGER ledger_entries_no_update",
        Backend::Production => {
            "ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only"
        }
    };
    db.execute_unprepared(disable).await.unwrap();
    db.execute_unprepared(&format!(
        "UPDATE ledger_entries SET minutes = 600 WHERE id = '{}'",
        entries[0]
    ))
    .await
    .unwrap();
    let altered = app
        .get(&format!("/api/v1/certificates/{fresh}"), None)
        .await
        .expect(200);
    assert_eq!(altered.json["status"], "ledger_altered");
    assert_eq!(
        (
            altered.json["ledger_intact"].as_bool(),
            altered.json["matches_ledger"].as_bool()
        ),
        (Some(false), Some(false))
    );
    let page = app
        .get(&format!("/verify/{fresh}?lang=en"), None)
        .await
        .expect(200);
    assert!(page.text.contains("tampered"), "{}", page.text);

    // A certificate edited in the database no longer carries our signature.
    db.execute_unprepared(&format!(
        "UPDATE certificates SET document = REPLACE(document, '\"total_minutes\":360', '\"total_minutes\":3600') WHERE code = '{fresh}'"
    ))
    .await
    .unwrap();
    let edited = app
        .get(&format!("/api/v1/certificates/{fresh}"), None)
        .await
        .expect(200);
    assert_eq!(edited.json["status"], "signature_invalid");
    assert_eq!(edited.json["total_minutes"], 3600);
}

async fn certificates_refuse_bad_periods_and_unknown_codes(app: TestApp) {
    let newcomer = app.volunteer("新人").await;
    app.post("/api/v1/me/certificates", None, json!({}))
        .await
        .problem(401);
    // Nothing verified yet.
    assert_eq!(
        app.post("/api/v1/me/certificates", Some(&newcomer.token), json!({}))
            .await
            .field_errors(),
        ["from"]
    );
    let today = app.clock.now().date_naive();
    let tomorrow = today + Duration::days(1);
    let fields = app
        .post(
            "/api/v1/me/certificates",
            Some(&newcomer.token),
            json!({"from": tomorrow, "to": tomorrow}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["to"]);
    let fields = app
        .post(
            "/api/v1/me/certificates",
            Some(&newcomer.token),
            json!({"from": today, "to": today - Duration::days(3)}),
        )
        .await
        .field_errors();
    assert_eq!(fields, ["from"]);
    app.post(
        "/api/v1/me/certificates",
        Some(&newcomer.token),
        json!({"from": "yesterday"}),
    )
    .await
    .problem(422);
    for code in ["ZZZZZ-ZZZZZ", "not-a-code", "%E4%B8%AD"] {
        app.get(&format!("/api/v1/certificates/{code}"), None)
            .await
            .problem(404);
        app.get(&format!("/verify/{code}"), None).await.expect(404);
    }
}
