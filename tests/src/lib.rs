//! The black-box test harness: each test starts the real application on a random port against
//! a fresh database and talks HTTP to it.
//!
//! Every test runs twice: on the embedded default (a temporary SQLite file, in-process state)
//! and in production mode (a fresh PostgreSQL database named after a UUID, plus Redis), the
//! latter when `HOURBOOK_TEST_DATABASE_URL` (and `HOURBOOK_TEST_REDIS_URL`) are set. A skipped
//! backend is printed; with `HOURBOOK_REQUIRE_ALL_BACKENDS=1` a skip is a failure instead.

use chrono::{DateTime, Duration, Utc};
use hourbook_api::{AppState, Application, Clock, Settings};
use reqwest::Method;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use std::sync::OnceLock;
use uuid::Uuid;

pub mod browser;
pub mod mailroom;
pub mod pages;
pub mod school;
pub mod smtp;

/// Which deployment mode a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file, in-process state.
    Embedded,
    /// PostgreSQL and Redis.
    Production,
}

/// The moment every test's clock starts at: a Tuesday morning in Shanghai (08:00 local).
pub fn test_start() -> DateTime<Utc> {
    "2027-06-01T00:00:00Z".parse().expect("valid time")
}

/// Where test events take place and test volunteers live unless a test says otherwise.
pub const SITE: (f64, f64) = (31.24, 121.40);

/// A running application.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// The application's clock, which only moves when a test moves it.
    pub clock: Clock,
    /// The application's state (for direct database checks).
    pub state: AppState,
    /// Which backend.
    pub backend: Backend,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// An HTTP answer.
#[derive(Debug)]
pub struct TestResponse {
    /// Status code.
    pub status: u16,
    /// Content-Type header.
    pub content_type: String,
    /// Raw body.
    pub text: String,
    /// Body as JSON (`Null` when it is not JSON).
    pub json: Value,
}

impl TestResponse {
    /// Asserts a status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts an `application/problem+json` answer with this status and returns its body.
    #[track_caller]
    pub fn problem(self, status: u16) -> Value {
        let this = self.expect(status);
        assert_eq!(
            this.content_type, "application/problem+json",
            "body: {}",
            this.text
        );
        for key in ["type", "title", "status", "detail"] {
            assert!(
                this.json.get(key).is_some(),
                "problem without {key}: {}",
                this.text
            );
        }
        assert_eq!(this.json["status"], status);
        this.json
    }

    /// The `id` of the JSON body (of a created resource).
    #[track_caller]
    pub fn id(&self) -> String {
        self.json["id"].as_str().expect("an id").to_string()
    }

    /// The field names of a 422 problem's `errors`.
    #[track_caller]
    pub fn field_errors(self) -> Vec<String> {
        let body = self.problem(422);
        body["errors"]
            .as_array()
            .unwrap_or(&vec![])
            .iter()
            .map(|e| e["field"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct User {
    /// Account id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Bearer token.
    pub token: String,
}

/// A volunteer with a confirmed signup on a shift of a fresh organizer's event.
#[derive(Debug, Clone)]
pub struct Booking {
    /// The event's organizer.
    pub organizer: User,
    /// Event id.
    pub event: String,
    /// Shift id.
    pub shift: String,
    /// The signed-up volunteer.
    pub volunteer: User,
    /// Signup id.
    pub signup: String,
}

fn log_once() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        if std::env::var("TEST_LOG").is_ok() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("info,sqlx=warn")
                .try_init();
        }
    });
}

/// Whether a missing backend must fail the run rather than skip.
fn require_all() -> bool {
    std::env::var("HOURBOOK_REQUIRE_ALL_BACKENDS").is_ok_and(|v| v == "1")
}

/// Skips (returns `None`) or, under `HOURBOOK_REQUIRE_ALL_BACKENDS=1`, fails.
pub fn skip(what: &str, var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(value) if !value.is_empty() => Some(value),
        _ => {
            assert!(
                !require_all(),
                "{what} is required (HOURBOOK_REQUIRE_ALL_BACKENDS=1) but {var} is not set"
            );
            eprintln!("SKIPPED on {what}: set {var} to run this test there too");
            None
        }
    }
}

/// Creates a fresh PostgreSQL database next to the one `admin_url` names and returns its URL.
async fn fresh_postgres(admin_url: &str) -> String {
    let name = format!("hb_test_{}", Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(admin_url)
        .await
        .expect("connect to HOURBOOK_TEST_DATABASE_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let cut = base
        .rfind('/')
        .filter(|i| *i > "postgres://".len())
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..cut])
}

/// Starts the application on `backend`, or returns `None` when that backend is not configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    log_once();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::load(None).expect("default settings load");
    settings.server.host = "127.0.0.1".into();
    settings.server.port = 0;
    // Cheap hashing keeps hundreds of registrations fast; production cost is in the config.
    settings.auth.argon2_memory_kib = 1024;
    settings.auth.argon2_iterations = 1;
    settings.email.outbox_dir = dir.path().join("outbox").display().to_string();
    match backend {
        Backend::Embedded => {
            settings.database.url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("hourbook.db").display()
            );
        }
        Backend::Production => {
            let admin_url = skip("PostgreSQL", "HOURBOOK_TEST_DATABASE_URL")?;
            settings.database.url = fresh_postgres(&admin_url).await;
            settings.database.max_connections = 16;
            if let Some(redis) = skip("Redis", "HOURBOOK_TEST_REDIS_URL") {
                settings.redis.url = redis;
                settings.redis.key_prefix = format!("hourbook-test:{}:", Uuid::new_v4().simple());
            }
        }
    }
    let clock = Clock::manual(test_start());
    let state = AppState::connect(settings, clock.clone())
        .await
        .expect("application state");
    let app = Application::bind(state.clone()).await.expect("bind");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));
    Some(TestApp {
        address,
        clock,
        state,
        backend,
        client: reqwest::Client::new(),
        _dir: dir,
    })
}

/// Defines each listed `async fn name(app: TestApp)` as two tests: `sqlite::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::spawn_app($crate::Backend::Embedded).await.expect("SQLite is always available");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::spawn_app($crate::Backend::Production).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

impl TestApp {
    /// A fresh visitor of the web pages, with an empty cookie jar.
    pub fn visitor(&self) -> pages::PageClient {
        pages::PageClient::new(&self.address)
    }

    /// Sends a request; `token` signs it in, `body` is sent as JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        self.finish(request).await
    }

    /// Sends a raw body with a content type (for malformed-input tests).
    pub async fn call_raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> TestResponse {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .header("content-type", content_type)
            .body(body.to_string());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.finish(request).await
    }

    async fn finish(&self, request: reqwest::RequestBuilder) -> TestResponse {
        let response = request.send().await.expect("request reaches the server");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        TestResponse {
            status,
            content_type,
            text,
            json,
        }
    }

    /// GET asking for a content type (`Accept`).
    pub async fn get_as(&self, path: &str, token: Option<&str>, accept: &str) -> TestResponse {
        let mut request = self
            .client
            .get(format!("{}{path}", self.address))
            .header("accept", accept);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.finish(request).await
    }

    /// GET.
    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.call(Method::GET, path, token, None).await
    }

    /// POST with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> TestResponse {
        self.call(Method::POST, path, token, Some(&body)).await
    }

    /// PUT with a JSON body.
    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> TestResponse {
        self.call(Method::PUT, path, token, Some(&body)).await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.call(Method::DELETE, path, token, None).await
    }

    /// Registers and logs in a new account.
    pub async fn register(&self, name: &str) -> User {
        let email = format!("{}@example.com", Uuid::new_v4().simple());
        let password = "correct horse battery";
        let created = self
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": email, "password": password, "name": name}),
            )
            .await
            .expect(201);
        let token = self.login(&email, password).await;
        User {
            id: created.json["id"].as_str().expect("id").to_string(),
            email,
            token,
        }
    }

    /// Logs in and returns the token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await
            .expect(200);
        r.json["token"].as_str().expect("token").to_string()
    }

    /// A volunteer with a complete adult profile at `home`.
    pub async fn volunteer_at(&self, name: &str, home: (f64, f64), skills: Value) -> User {
        let user = self.register(name).await;
        self.put(
            "/api/v1/me/profile",
            Some(&user.token),
            json!({
                "birth_date": "2000-03-15", "home": {"lat": home.0, "lon": home.1}, "travel_radius_km": 10,
                "skills": skills, "availability": [], "discoverable": true
            }),
        )
        .await
        .expect(200);
        user
    }

    /// A volunteer with a complete adult profile and no skills, living at [`SITE`].
    pub async fn volunteer(&self, name: &str) -> User {
        self.volunteer_at(name, SITE, json!([])).await
    }

    /// A platform administrator, created the way `hourbook admin create` does it.
    pub async fn platform_admin(&self) -> User {
        let email = format!("admin-{}@example.com", Uuid::new_v4().simple());
        let password = "admin password 123";
        let hash = self
            .state
            .hash_password(password.into())
            .await
            .expect("hash");
        let parsed = hourbook_domain_email(&email);
        let account = self
            .state
            .store
            .ensure_platform_admin(&parsed, "Admin", &hash, self.clock.now())
            .await
            .expect("admin");
        let token = self.login(&email, password).await;
        User {
            id: account.id.to_string(),
            email,
            token,
        }
    }

    /// An organization of `kind` with a fresh member holding `role`; returns (org id, member).
    pub async fn organization_with(&self, admin: &User, kind: &str, role: &str) -> (String, User) {
        let org = self
            .post(
                "/api/v1/organizations",
                Some(&admin.token),
                json!({"name": format!("{kind} org"), "kind": kind}),
            )
            .await
            .expect(201);
        let org_id = org.json["id"].as_str().expect("org id").to_string();
        let member = self.register(&format!("{role} of {kind}")).await;
        self.post(
            &format!("/api/v1/organizations/{org_id}/members"),
            Some(&admin.token),
            json!({"email": member.email, "role": role}),
        )
        .await
        .expect(201);
        (org_id, member)
    }

    /// An event of `org_id` at `at` posted by `organizer`; returns its id.
    pub async fn event(
        &self,
        organizer: &User,
        org_id: &str,
        at: (f64, f64),
        hazardous: bool,
    ) -> String {
        let r = self
            .post(
                "/api/v1/events",
                Some(&organizer.token),
                json!({
                    "organization_id": org_id, "title": "暑期爱心暑托班", "description": "Summer classes",
                    "risks": if hazardous { json!("Water") } else { Value::Null }, "hazardous": hazardous,
                    "campaign": "summer_childcare", "category": "childcare",
                    "location": {"lat": at.0, "lon": at.1}, "address": "长风新村活动室"
                }),
            )
            .await
            .expect(201);
        r.json["id"].as_str().expect("event id").to_string()
    }

    /// A shift `starts_in` from the clock's now, lasting `hours`; returns its id.
    pub async fn shift(
        &self,
        organizer: &User,
        event_id: &str,
        starts_in: Duration,
        hours: i64,
        capacity: u32,
        extra: Value,
    ) -> String {
        let starts = self.clock.now() + starts_in;
        let mut body = json!({
            "title": "上午班", "starts_at": starts.to_rfc3339(), "ends_at": (starts + Duration::hours(hours)).to_rfc3339(),
            "capacity": capacity
        });
        if let (Some(map), Some(more)) = (body.as_object_mut(), extra.as_object()) {
            map.extend(more.clone());
        }
        let r = self
            .post(
                &format!("/api/v1/events/{event_id}/shifts"),
                Some(&organizer.token),
                body,
            )
            .await
            .expect(201);
        r.json["id"].as_str().expect("shift id").to_string()
    }

    /// Sets up (org, organizer, event): a `kind` organization, its organizer, an event at [`SITE`].
    pub async fn organizer_with_event(
        &self,
        kind: &str,
        hazardous: bool,
    ) -> (String, User, String) {
        let admin = self.platform_admin().await;
        let (org, organizer) = self.organization_with(&admin, kind, "organizer").await;
        let event = self.event(&organizer, &org, SITE, hazardous).await;
        (org, organizer, event)
    }

    /// Sets up a [`Booking`]: `name` confirmed on a 5-seat shift of a new `kind` organizer's event.
    pub async fn booking(
        &self,
        kind: &str,
        hazardous: bool,
        starts_in: Duration,
        hours: i64,
        name: &str,
    ) -> Booking {
        let (_, organizer, event) = self.organizer_with_event(kind, hazardous).await;
        let shift = self
            .shift(&organizer, &event, starts_in, hours, 5, json!({}))
            .await;
        let volunteer = self.volunteer(name).await;
        let signup = self.signup_id(&shift, &volunteer).await;
        Booking {
            organizer,
            event,
            shift,
            volunteer,
            signup,
        }
    }

    /// `count` back-to-back two-hour shifts of one event, the first starting in an hour, each
    /// attended by the new volunteer `name` (checked in and out at the desk); returns the
    /// organizer, the volunteer and the signups.
    pub async fn attended(&self, name: &str, count: i64) -> (User, User, Vec<String>) {
        let (_, organizer, event) = self.organizer_with_event("community", false).await;
        let volunteer = self.volunteer(name).await;
        let start = self.clock.now() + Duration::hours(1);
        let mut signups = Vec::new();
        for i in 0..count {
            let shift = self
                .shift(
                    &organizer,
                    &event,
                    Duration::hours(1 + 2 * i),
                    2,
                    5,
                    json!({}),
                )
                .await;
            signups.push(self.signup_id(&shift, &volunteer).await);
        }
        for (i, signup) in signups.iter().enumerate() {
            let begins = start + Duration::hours(2 * i as i64);
            self.clock.set(begins + Duration::minutes(1));
            self.desk_check_in(signup, &organizer, Some(begins))
                .await
                .expect(200);
            self.clock.set(begins + Duration::hours(2));
            self.desk_check_out(signup, &organizer, None)
                .await
                .expect(200);
        }
        (organizer, volunteer, signups)
    }

    /// `user` signs up for `shift` (no checks: the caller asserts the answer).
    pub async fn sign_up(&self, shift: &str, user: &User) -> TestResponse {
        self.post(
            &format!("/api/v1/shifts/{shift}/signups"),
            Some(&user.token),
            json!({}),
        )
        .await
    }

    /// Signs `user` up for `shift`, asserts the 201 and returns the signup id.
    pub async fn signup_id(&self, shift: &str, user: &User) -> String {
        self.sign_up(shift, user).await.expect(201).id()
    }

    /// `organizer` checks `signup` in at the desk, at `at` or (with `None`) now.
    pub async fn desk_check_in(
        &self,
        signup: &str,
        organizer: &User,
        at: Option<DateTime<Utc>>,
    ) -> TestResponse {
        self.desk(signup, "check-in", organizer, at).await
    }

    /// `organizer` checks `signup` out at the desk, at `at` or (with `None`) now.
    pub async fn desk_check_out(
        &self,
        signup: &str,
        organizer: &User,
        at: Option<DateTime<Utc>>,
    ) -> TestResponse {
        self.desk(signup, "check-out", organizer, at).await
    }

    /// `organizer` posts `action` (check-in or check-out) for `signup`, at `at` or now.
    async fn desk(
        &self,
        signup: &str,
        action: &str,
        organizer: &User,
        at: Option<DateTime<Utc>>,
    ) -> TestResponse {
        let body = match at {
            Some(at) => json!({"at": at.to_rfc3339()}),
            None => json!({}),
        };
        self.post(
            &format!("/api/v1/signups/{signup}/{action}"),
            Some(&organizer.token),
            body,
        )
        .await
    }

    /// Every queued message as (kind, recipient), oldest first.
    pub async fn outbox(&self) -> Vec<(String, String)> {
        let db = self.state.store.connection();
        let sql = "SELECT kind, recipient_email FROM outbox ORDER BY created_at, id";
        db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("outbox")
            .iter()
            .map(|row| {
                (
                    row.try_get::<String>("", "kind").expect("kind"),
                    row.try_get::<String>("", "recipient_email")
                        .expect("recipient"),
                )
            })
            .collect()
    }

    /// Row counts of every table: equal snapshots mean a request changed nothing.
    pub async fn snapshot(&self) -> Vec<(String, i64)> {
        let db = self.state.store.connection();
        let backend = db.get_database_backend();
        let mut counts = Vec::new();
        for table in [
            "accounts",
            "sessions",
            "organizations",
            "memberships",
            "volunteer_profiles",
            "events",
            "event_insurance",
            "shifts",
            "signups",
            "ledger_entries",
            "outbox",
            "idempotency_keys",
            "roster_plans",
            "roster_plan_assignments",
            "invitations",
            "notification_opt_outs",
            "certificates",
            "requirements",
            "requirement_versions",
            "disputes",
            "ledger_corrections",
            "record_policies",
            "hour_claims",
        ] {
            let row = db
                .query_one_raw(Statement::from_string(
                    backend,
                    format!("SELECT COUNT(*) AS n FROM {table}"),
                ))
                .await
                .expect("count")
                .expect("a row");
            counts.push((table.to_string(), row.try_get::<i64>("", "n").expect("n")));
        }
        counts
    }
}

fn hourbook_domain_email(raw: &str) -> hourbook_domain::identity::Email {
    hourbook_domain::identity::Email::parse(raw).expect("valid e-mail")
}
