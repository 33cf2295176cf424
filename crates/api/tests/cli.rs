//! The `hourbook` command, run as a user would: clear one-line errors, never a panic.

use std::process::{Command, Output};

fn hourbook(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hourbook"));
    command.args(args).env_remove("HOURBOOK_CONFIG");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

fn assert_user_error(output: &Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(
        stderr.contains(expected),
        "expected {expected:?} in {stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
}

#[test]
fn bad_configuration_is_a_clear_error() {
    assert_user_error(
        &hourbook(&["--config", "/nonexistent/hourbook.toml", "migrate"], &[]),
        "does not exist",
    );
    assert_user_error(
        &hourbook(&["migrate"], &[("HOURBOOK__SERVER__PORT", "eighty")]),
        "server.port",
    );
    assert_user_error(
        &hourbook(
            &["migrate"],
            &[("HOURBOOK__RULES__TIMEZONE", "Mars/Olympus")],
        ),
        "time zone",
    );
    assert_user_error(
        &hourbook(&["migrate"], &[("HOURBOOK__EMAIL__TRANSPORT", "pigeon")]),
        "email.transport",
    );
    assert_user_error(
        &hourbook(
            &["migrate"],
            &[("HOURBOOK__CERTIFICATES__SIGNING_KEY", "CHANGE-ME")],
        ),
        "certificates.signing_key",
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/h.db?mode=rwc", dir.path().display());
    let weak = [
        ("HOURBOOK__DATABASE__URL", url.as_str()),
        ("HOURBOOK__AUTH__ARGON2_ITERATIONS", "0"),
    ];
    assert_user_error(
        &hourbook(&["migrate"], &weak),
        "auth.argon2_memory_kib / argon2_iterations",
    );
}

#[test]
fn an_unreachable_database_is_a_clear_error() {
    let output = hourbook(
        &["migrate"],
        &[
            (
                "HOURBOOK__DATABASE__URL",
                "postgres://nobody@127.0.0.1:1/hourbook",
            ),
            ("HOURBOOK__DATABASE__ACQUIRE_TIMEOUT_SECONDS", "1"),
        ],
    );
    assert_user_error(
        &output,
        "cannot open the database at postgres://nobody@127.0.0.1:1/hourbook",
    );
}

#[test]
fn migrate_admin_and_demo_on_a_fresh_sqlite_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/hourbook.db?mode=rwc", dir.path().display());
    let outbox = dir.path().join("outbox").display().to_string();
    let env = [
        ("HOURBOOK__DATABASE__URL", url.as_str()),
        ("HOURBOOK__EMAIL__OUTBOX_DIR", outbox.as_str()),
        ("HOURBOOK__DEMO__VOLUNTEERS", "40"),
    ];
    let migrate = hourbook(&["migrate"], &env);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    assert_user_error(
        &hourbook(
            &[
                "admin",
                "create",
                "--email",
                "root@example.com",
                "--password",
                "short",
            ],
            &env,
        ),
        "--password",
    );
    let admin = hourbook(
        &[
            "admin",
            "create",
            "--email",
            "root@example.com",
            "--password",
            "long enough password",
        ],
        &env,
    );
    assert!(String::from_utf8_lossy(&admin.stdout).contains("platform admin root@example.com"));
    // Running it again promotes the same account rather than failing.
    assert!(
        hourbook(
            &[
                "admin",
                "create",
                "--email",
                "ROOT@example.com",
                "--password",
                "another long password"
            ],
            &env
        )
        .status
        .success()
    );

    let first = hourbook(&["demo", "load"], &env);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        stdout.contains("demo district loaded: 4 organizations, 40 volunteers, 3 events"),
        "{stdout}"
    );
    assert!(stdout.contains("volunteer@demo.hourbook.cn"));
    let second = hourbook(&["demo", "load"], &env);
    assert!(String::from_utf8_lossy(&second.stdout).contains("already loaded"));
}

#[test]
fn outbox_read_decodes_the_newest_messages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outbox = dir.path().join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    // As lettre writes them: encoded subject, base64 UTF-8 body.
    let eml = "From: Hourbook <noreply@hourbook.localhost>\r\nTo: li@example.com\r\n\
        Subject: =?utf-8?b?5oql5ZCN5oiQ5Yqf?=\r\nContent-Type: text/plain; charset=utf-8\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n5p2O5piO77yM5oKo5aW977ya\r\n";
    std::fs::write(outbox.join("a.eml"), eml).unwrap();
    let dir_env = outbox.display().to_string();
    let env = [("HOURBOOK__EMAIL__OUTBOX_DIR", dir_env.as_str())];
    let output = hourbook(&["outbox", "read", "--last", "5"], &env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("Subject: 报名成功"), "{stdout}");
    assert!(stdout.contains("李明，您好："), "{stdout}");
    assert!(stdout.contains("To:      li@example.com"), "{stdout}");

    let missing = [("HOURBOOK__EMAIL__OUTBOX_DIR", "/nonexistent/outbox")];
    assert_user_error(&hourbook(&["outbox", "read"], &missing), "cannot read");
    assert_user_error(
        &hourbook(&["migrate"], &[("HOURBOOK__EMAIL__SMTP_TLS", "maybe")]),
        "email.smtp_tls",
    );
}

#[test]
fn ledger_verify_finds_a_row_edited_in_sql() {
    use sea_orm::{ConnectionTrait, Database};
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/hourbook.db?mode=rwc", dir.path().display());
    let env = [
        ("HOURBOOK__DATABASE__URL", url.as_str()),
        ("HOURBOOK__DEMO__VOLUNTEERS", "40"),
    ];
    assert!(hourbook(&["demo", "load"], &env).status.success());
    let clean = hourbook(&["ledger", "verify"], &env);
    let stdout = String::from_utf8_lossy(&clean.stdout);
    assert!(clean.status.success(), "{stdout}");
    assert!(stdout.contains(": 0 breaks"), "{stdout}");

    // Someone with full access to the database drops the append-only trigger and adds ten
    // hours to one entry.
    let edited: String = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = Database::connect(url.as_str()).await.unwrap();
        db.execute_unprepared("DROP TRIGGER ledger_entries_no_update")
            .await
            .unwrap();
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM ledger_entries ORDER BY id LIMIT 1",
            ))
            .await
            .unwrap()
            .unwrap();
        let id: String = row.try_get("", "id").unwrap();
        db.execute_unprepared(&format!(
            "UPDATE ledger_entries SET minutes = minutes + 600 WHERE id = '{id}'"
        ))
        .await
        .unwrap();
        id
    });
    let broken = hourbook(&["ledger", "verify"], &env);
    let stdout = String::from_utf8_lossy(&broken.stdout);
    assert!(
        stdout.contains(&format!("BREAK entry {edited}")) && stdout.contains(": 1 breaks"),
        "{stdout}"
    );
    assert_user_error(&broken, "hash chains are broken at 1 entries");
    assert_user_error(
        &hourbook(
            &["ledger", "verify", "--volunteer", "nobody@example.com"],
            &env,
        ),
        "no account",
    );
}

#[test]
fn keys_generate_and_certificates_verify_offline() {
    use hourbook_domain::certificate::{
        CertificateDocument, CertificateSigner, CertifiedVolunteer, FORMAT, Period,
    };
    let keys = hourbook(&["keys", "generate"], &[]);
    let stdout = String::from_utf8_lossy(&keys.stdout);
    let value = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} = \"")))
            .and_then(|rest| rest.strip_suffix('"'))
            .unwrap_or_else(|| panic!("no {name} in {stdout}"))
            .to_string()
    };
    let (secret, public) = (value("signing_key"), value("public_key"));
    let signer = CertificateSigner::from_base64(&secret).expect("a usable key");
    assert_eq!(signer.public_base64(), public);

    let signed = signer.sign(CertificateDocument {
        format: FORMAT.into(),
        number: "HBC-2027-000007".into(),
        code: "7KQ4M-2XD9P".into(),
        volunteer: CertifiedVolunteer {
            name: "李明".into(),
            volunteer_number: "HB-2027-000123".into(),
            masked_id: None,
        },
        period: Period {
            from: "2027-01-01".parse().unwrap(),
            to: "2027-06-30".parse().unwrap(),
        },
        total_minutes: 1260,
        by_category: [("childcare".to_string(), 1260)].into(),
        provenance: Default::default(),
        organizations: vec!["长风社区服务中心".into()],
        events: vec!["暑期爱心暑托班".into()],
        entries: 7,
        issued_at: "2027-07-01T02:00:00Z".parse().unwrap(),
        key_id: String::new(),
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("certificate.json");
    // As GET /api/v1/certificates/{code} answers it: the envelope under `certificate`.
    let answer = serde_json::json!({"valid": true, "certificate": signed});
    std::fs::write(&file, answer.to_string()).unwrap();
    let path = file.display().to_string();
    let ok = hourbook(
        &["certificate", "verify", &path, "--public-key", &public],
        &[],
    );
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        out.contains("signature valid")
            && out.contains("HBC-2027-000007")
            && out.contains("1260 minutes"),
        "{out}"
    );

    // After a rotation the configured ring still checks it, for as long as the old public key
    // is listed as retired.
    let rotated = CertificateSigner::generate();
    let config = dir.path().join("rotated.toml");
    for (retired, valid) in [(format!("[\"{public}\"]"), true), ("[]".to_string(), false)] {
        std::fs::write(
            &config,
            format!(
                "[certificates]\nsigning_key = \"{}\"\nretired_public_keys = {retired}\n",
                rotated.secret_base64()
            ),
        )
        .unwrap();
        let config = config.display().to_string();
        let run = hourbook(&["--config", &config, "certificate", "verify", &path], &[]);
        if valid {
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
        } else {
            assert_user_error(&run, "NOT valid");
        }
    }

    let other = CertificateSigner::generate().public_base64();
    assert_user_error(
        &hourbook(
            &["certificate", "verify", &path, "--public-key", &other],
            &[],
        ),
        "NOT valid",
    );
    let forged = answer.to_string().replace("1260", "9260");
    std::fs::write(&file, forged).unwrap();
    assert_user_error(
        &hourbook(
            &["certificate", "verify", &path, "--public-key", &public],
            &[],
        ),
        "NOT valid",
    );
    std::fs::write(&file, "{}").unwrap();
    assert_user_error(
        &hourbook(
            &["certificate", "verify", &path, "--public-key", &public],
            &[],
        ),
        "holds no certificate",
    );
    assert_user_error(
        &hourbook(
            &["certificate", "verify", &path, "--public-key", "nope"],
            &[],
        ),
        "--public-key",
    );
}
