//! The access matrix (issue 5): every private endpoint of the OpenAPI document, tried by every
//! role against one world, with the exact status each role must get.
//!
//! API.md's convention: a missing or invalid token is a 401; a caller whose roles do not allow
//! the action gets a 403; someone else's private resource is a 404 (its id leaks nothing).
//! Every refusal is `application/problem+json`.
//!
//! The table is checked against `GET /api/openapi.json` both ways: an operation that needs a
//! token (`security`) and has no row fails this test, so a new endpoint must be added here; a
//! public operation must be on [`PUBLIC`].
//!
//! Reads (GET) are also made by the roles allowed to make them, which must get a 2xx (the
//! table cannot pass by refusing everyone); a 2xx to someone unrelated to the volunteer must not
//! carry any of the volunteer's private data. Writes are only tried by roles that must be
//! refused; afterwards the owners' reads and every table's row count are as before.

use chrono::Duration;
use hourbook_tests::{SITE, TestApp, TestResponse, User, backend_tests};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

backend_tests!(every_role_gets_exactly_what_it_may_at_every_private_endpoint);

/// Operations anyone may call without a token, in OpenAPI's spelling.
const PUBLIC: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/api/openapi.json"),
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/certificates/public-key"),
    ("get", "/api/v1/certificates/{code}"),
    ("get", "/api/v1/events"),
    ("get", "/api/v1/events/{id}"),
    ("get", "/api/v1/shifts/{id}"),
    // Volunteers pick their school from this list.
    ("get", "/api/v1/organizations"),
    ("get", "/api/v1/organizations/{org_id}"),
];

/// The keys of an OpenAPI path item that are operations.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The signed-in roles of the table's columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The volunteer who owns the signups, the ledger entry, the certificate, the dispute and
    /// the invitation; a student of the school.
    Volunteer,
    /// Another volunteer with a profile (and an invitation of their own).
    OtherVolunteer,
    /// Organizer of the League committee that runs the event.
    Organizer,
    /// Verifier of that League committee.
    Verifier,
    /// Admin of that League committee.
    OrgAdmin,
    /// Verifier of the volunteer's school.
    SchoolVerifier,
    /// Admin of the volunteer's school.
    SchoolAdmin,
    /// Organizer of another organization (an NGO).
    OtherOrganizer,
    /// Verifier of another school.
    OtherSchoolVerifier,
    /// Platform administrator.
    PlatformAdmin,
}

const COLUMNS: [Role; 10] = [
    Role::Volunteer,
    Role::OtherVolunteer,
    Role::Organizer,
    Role::Verifier,
    Role::OrgAdmin,
    Role::SchoolVerifier,
    Role::SchoolAdmin,
    Role::OtherOrganizer,
    Role::OtherSchoolVerifier,
    Role::PlatformAdmin,
];

impl Role {
    /// Unrelated to the volunteer: nothing they are answered may carry the volunteer's data.
    fn outsider(self) -> bool {
        matches!(
            self,
            Role::OtherVolunteer
                | Role::OtherOrganizer
                | Role::OtherSchoolVerifier
                | Role::PlatformAdmin
        )
    }
}

/// Everything the table refers to.
struct World {
    volunteer: User,
    other_volunteer: User,
    organizer: User,
    verifier: User,
    org_admin: User,
    school_verifier: User,
    school_admin: User,
    other_organizer: User,
    other_school_verifier: User,
    platform_admin: User,
    /// The League committee that runs the events.
    league: String,
    /// The volunteer's school.
    school: String,
    requirement: String,
    event: String,
    /// The shift the volunteer served (checked out, verified).
    served_signup: String,
    /// A shift starting in half an hour, with the volunteer confirmed on it.
    shift: String,
    signup: String,
    /// The verified entry of the served shift.
    entry: String,
    certificate: String,
    /// The volunteer's open dispute of `entry`.
    dispute: String,
    /// A second event, planned and its plan accepted.
    planned_event: String,
    plan: String,
    /// The volunteer's pending invitation from that plan.
    invitation: String,
    /// The volunteer's pending claim, naming the League committee.
    claim: String,
    volunteer_number: String,
    student_number: String,
}

impl World {
    fn user(&self, role: Role) -> &User {
        match role {
            Role::Volunteer => &self.volunteer,
            Role::OtherVolunteer => &self.other_volunteer,
            Role::Organizer => &self.organizer,
            Role::Verifier => &self.verifier,
            Role::OrgAdmin => &self.org_admin,
            Role::SchoolVerifier => &self.school_verifier,
            Role::SchoolAdmin => &self.school_admin,
            Role::OtherOrganizer => &self.other_organizer,
            Role::OtherSchoolVerifier => &self.other_school_verifier,
            Role::PlatformAdmin => &self.platform_admin,
        }
    }

    /// Strings only the volunteer, their school and the organization that records them may
    /// be shown.
    fn private_markers(&self) -> Vec<&str> {
        vec![
            self.volunteer.id.as_str(),
            self.volunteer.email.as_str(),
            VOLUNTEER_NAME,
            self.volunteer_number.as_str(),
            self.student_number.as_str(),
            self.served_signup.as_str(),
            self.signup.as_str(),
            self.entry.as_str(),
            self.certificate.as_str(),
            self.dispute.as_str(),
            self.invitation.as_str(),
            self.claim.as_str(),
        ]
    }
}

const VOLUNTEER_NAME: &str = "矩阵测试志愿者";

/// `by` grants `user` `role` in `org`.
async fn grant(app: &TestApp, by: &User, org: &str, user: &User, role: &str) {
    app.post(
        &format!("/api/v1/organizations/{org}/members"),
        Some(&by.token),
        json!({"email": user.email, "role": role}),
    )
    .await
    .expect(201);
}

async fn build_world(app: &TestApp) -> World {
    let platform_admin = app.platform_admin().await;
    let (league, organizer) = app
        .organization_with(&platform_admin, "league_committee", "organizer")
        .await;
    let verifier = app.register("团委审核员").await;
    grant(app, &platform_admin, &league, &verifier, "verifier").await;
    let org_admin = app.register("团委管理员").await;
    grant(app, &platform_admin, &league, &org_admin, "admin").await;
    let (school, school_verifier) = app
        .organization_with(&platform_admin, "school", "verifier")
        .await;
    let school_admin = app.register("学校管理员").await;
    grant(app, &platform_admin, &school, &school_admin, "admin").await;
    let (_, other_organizer) = app
        .organization_with(&platform_admin, "ngo", "organizer")
        .await;
    let (_, other_school_verifier) = app
        .organization_with(&platform_admin, "school", "verifier")
        .await;
    let requirement = app
        .post(
            &format!("/api/v1/organizations/{school}/requirements"),
            Some(&school_admin.token),
            json!({"name": "志愿服务学分", "min_minutes": 600}),
        )
        .await
        .expect(201)
        .id();

    // The volunteer links the school; the other volunteer is an ordinary adult.
    let volunteer = app.register(VOLUNTEER_NAME).await;
    let student_number = "MATRIX-2027-0042".to_string();
    app.put(
        "/api/v1/me/profile",
        Some(&volunteer.token),
        json!({
            "birth_date": "2000-03-15", "home": {"lat": SITE.0, "lon": SITE.1}, "travel_radius_km": 10,
            "skills": [], "availability": [], "discoverable": true,
            "school_organization_id": school, "student_number": student_number
        }),
    )
    .await
    .expect(200);
    let volunteer_number = app
        .get("/api/v1/me", Some(&volunteer.token))
        .await
        .expect(200)
        .json["volunteer_number"]
        .as_str()
        .expect("volunteer number")
        .to_string();
    let other_volunteer = app.volunteer("另一位志愿者").await;

    // A served, verified shift; a certificate; a dispute of the entry.
    let event = app.event(&organizer, &league, SITE, false).await;
    let served = app
        .shift(&organizer, &event, Duration::hours(1), 2, 5, json!({}))
        .await;
    let served_signup = app.signup_id(&served, &volunteer).await;
    let start = app.clock.now() + Duration::hours(1);
    app.clock.set(start + Duration::minutes(1));
    app.desk_check_in(&served_signup, &organizer, Some(start))
        .await
        .expect(200);
    app.clock.set(start + Duration::hours(2));
    app.desk_check_out(&served_signup, &organizer, None)
        .await
        .expect(200);
    let entry = app
        .post(
            &format!("/api/v1/signups/{served_signup}/verify"),
            Some(&verifier.token),
            json!({}),
        )
        .await
        .expect(201)
        .id();
    let certificate = app
        .post("/api/v1/me/certificates", Some(&volunteer.token), json!({}))
        .await
        .expect(201)
        .json["code"]
        .as_str()
        .expect("certificate code")
        .to_string();
    let dispute = app
        .post(
            &format!("/api/v1/ledger/{entry}/disputes"),
            Some(&volunteer.token),
            json!({"reason": "签退时间记错了半小时"}),
        )
        .await
        .expect(201)
        .id();

    // A shift in half an hour (its check-in code is showing) with the volunteer confirmed.
    let shift = app
        .shift(&organizer, &event, Duration::minutes(30), 2, 5, json!({}))
        .await;
    let signup = app.signup_id(&shift, &volunteer).await;

    // A planned event: both volunteers are invited, nobody has answered.
    let planned_event = app.event(&organizer, &league, SITE, false).await;
    app.shift(
        &organizer,
        &planned_event,
        Duration::days(5),
        3,
        2,
        json!({}),
    )
    .await;
    let plan = app
        .post(
            &format!("/api/v1/events/{planned_event}/roster-plans"),
            Some(&organizer.token),
            json!({"volunteer_pool": "eligible"}),
        )
        .await
        .expect(201);
    assert!(
        plan.text.contains(&volunteer.id),
        "the volunteer is in the plan: {}",
        plan.text
    );
    let plan = plan.id();
    app.post(
        &format!("/api/v1/roster-plans/{plan}/accept"),
        Some(&organizer.token),
        json!({}),
    )
    .await
    .expect(200);
    let invitations = app
        .get("/api/v1/me/invitations", Some(&volunteer.token))
        .await
        .expect(200);
    assert_eq!(invitations.json["items"][0]["status"], "pending");
    let invitation = invitations.json["items"][0]["id"]
        .as_str()
        .expect("an invitation")
        .to_string();

    // Hours served elsewhere, claimed from the League committee.
    let started = hourbook_tests::test_start() - Duration::days(2);
    let claim = app
        .post(
            "/api/v1/me/hours/claims",
            Some(&volunteer.token),
            json!({
                "organization_id": league, "title": "矩阵申报", "category": "community",
                "started_at": started, "ended_at": started + Duration::hours(2)
            }),
        )
        .await
        .expect(201)
        .id();

    World {
        claim,
        volunteer,
        other_volunteer,
        organizer,
        verifier,
        org_admin,
        school_verifier,
        school_admin,
        other_organizer,
        other_school_verifier,
        platform_admin,
        league,
        school,
        requirement,
        event,
        served_signup,
        shift,
        signup,
        entry,
        certificate,
        dispute,
        planned_event,
        plan,
        invitation,
        volunteer_number,
        student_number,
    }
}

/// One private operation: where to send it, and what each role of [`COLUMNS`] must get.
struct Row {
    /// OpenAPI's method name.
    method: &'static str,
    /// OpenAPI's path template.
    path: &'static str,
    /// The template filled in with the world's ids (and a query, if any).
    url: String,
    body: Option<Value>,
    /// One entry per column: `ok` (allowed: a read must answer 2xx, a write is not sent) or
    /// the exact status.
    expect: &'static str,
}

fn row(
    expect: &'static str,
    method: &'static str,
    path: &'static str,
    url: impl Into<String>,
    body: Option<Value>,
) -> Row {
    Row {
        method,
        path,
        url: url.into(),
        body,
        expect,
    }
}

/// Every private operation. Columns:
/// V = the volunteer, W = another volunteer, LO/LV/LA = organizer/verifier/admin of the League
/// committee that runs the events, SV/SA = verifier/admin of the volunteer's school,
/// OO = organizer of another organization, S2V = verifier of another school,
/// P = platform administrator. Without a token, or with a bad one, every row is a 401.
#[rustfmt::skip]
fn table(w: &World) -> Vec<Row> {
    let (league, school, requirement) = (&w.league, &w.school, &w.requirement);
    let (event, shift, signup) = (&w.event, &w.shift, &w.signup);
    let (entry, dispute, plan, invitation) = (&w.entry, &w.dispute, &w.plan, &w.invitation);
    let claim = &w.claim;
    let later = |hours: i64| {
        (hourbook_tests::test_start() + Duration::days(3) + Duration::hours(hours)).to_rfc3339()
    };
    let profile = json!({
        "birth_date": "1999-01-01", "home": {"lat": SITE.0, "lon": SITE.1},
        "travel_radius_km": 5, "discoverable": false
    });
    let new_event = json!({
        "organization_id": league, "title": "矩阵活动", "description": "x",
        "campaign": "civilized_city", "category": "community",
        "location": {"lat": SITE.0, "lon": SITE.1}, "address": "长风新村"
    });
    let new_shift = json!({"title": "矩阵班", "starts_at": later(0), "ends_at": later(2), "capacity": 3});
    let insurance = json!({
        "insurer": "平安保险", "policy_number": "PA-1", "covers_from": "2027-06-01", "covers_to": "2027-12-31"
    });
    let policy = json!({"rounding": "half_hours", "max_minutes_per_day": 240, "deadline_working_days": 5});
    let member = json!({"email": w.other_volunteer.email, "role": "organizer"});
    let reason = || Some(json!({"reason": "matrix"}));
    let no_message = uuid::Uuid::new_v4();
    vec![
        // The caller's own account and data: anyone signed in. Staff accounts have no
        // volunteer profile, so there is nothing to recommend to them (409).
        //   V   W   LO  LV  LA  SV  SA  OO  S2V P
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "post",   "/api/v1/auth/logout", "/api/v1/auth/logout", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me", "/api/v1/me", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "patch",  "/api/v1/me", "/api/v1/me", Some(json!({"name": "改名"}))),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "delete", "/api/v1/me", "/api/v1/me", Some(json!({"password": "correct horse battery"}))),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "put",    "/api/v1/me/profile", "/api/v1/me/profile", Some(profile)),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me/signups", "/api/v1/me/signups", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me/signups.ics", "/api/v1/me/signups.ics", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me/hours", "/api/v1/me/hours", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me/export", "/api/v1/me/export", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me/certificates", "/api/v1/me/certificates", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "post",   "/api/v1/me/certificates", "/api/v1/me/certificates", Some(json!({}))),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me/notifications", "/api/v1/me/notifications", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "put",    "/api/v1/me/notifications", "/api/v1/me/notifications", Some(json!({"kinds": {"reminder_24h": false}}))),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me/invitations", "/api/v1/me/invitations", None),
        row("ok  ok  409 409 409 409 409 409 409 409", "get",    "/api/v1/me/recommendations", "/api/v1/me/recommendations", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",    "/api/v1/me/hours/claims", "/api/v1/me/hours/claims", None),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "post",   "/api/v1/me/hours/claims", "/api/v1/me/hours/claims", Some(json!({"organization_id": league, "title": "x", "category": "community", "started_at": later(-100), "ended_at": later(-99)}))),

        // Organizations: platform admins create them and appoint members, as do their own
        // admins; only an organization's own admins set its rules and requirements.
        //   V   W   LO  LV  LA  SV  SA  OO  S2V P
        row("403 403 403 403 403 403 403 403 403 ok ", "post", "/api/v1/organizations", "/api/v1/organizations", Some(json!({"name": "矩阵组织", "kind": "ngo"}))),
        row("403 403 403 403 ok  403 403 403 403 ok ", "post", "/api/v1/organizations/{org_id}/members", format!("/api/v1/organizations/{league}/members"), Some(member)),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",  "/api/v1/organizations/{org_id}/record-policy", format!("/api/v1/organizations/{league}/record-policy"), None),
        row("403 403 403 403 ok  403 403 403 403 403", "put",  "/api/v1/organizations/{org_id}/record-policy", format!("/api/v1/organizations/{league}/record-policy"), Some(policy)),
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "get",  "/api/v1/organizations/{org_id}/requirements", format!("/api/v1/organizations/{school}/requirements"), None),
        row("403 403 403 403 403 403 ok  403 403 403", "post", "/api/v1/organizations/{org_id}/requirements", format!("/api/v1/organizations/{school}/requirements"), Some(json!({"name": "矩阵要求", "min_minutes": 60}))),
        row("403 403 403 403 403 403 ok  403 403 403", "put",  "/api/v1/organizations/{org_id}/requirements/{id}", format!("/api/v1/organizations/{school}/requirements/{requirement}"), Some(json!({"name": "矩阵要求", "min_minutes": 1200}))),
        row("403 403 403 403 403 ok  ok  403 403 403", "get",  "/api/v1/organizations/{org_id}/students", format!("/api/v1/organizations/{school}/students?requirement_id={requirement}"), None),
        row("403 403 ok  ok  ok  403 403 403 403 403", "get",  "/api/v1/organizations/{org_id}/pending-records", format!("/api/v1/organizations/{league}/pending-records"), None),
        row("403 403 ok  ok  ok  403 403 403 403 403", "get",  "/api/v1/organizations/{org_id}/disputes", format!("/api/v1/organizations/{league}/disputes?status=all"), None),

        // The ledger: the volunteer and the recording organization see an entry; only the
        // organization corrects it and answers disputes (never the volunteer's own: 403),
        // only the volunteer disputes it. To everyone else the entry names nothing (404).
        //   V   W   LO  LV  LA  SV  SA  OO  S2V P
        row("ok  404 ok  ok  ok  404 404 404 404 404", "get",  "/api/v1/ledger/{entry_id}", format!("/api/v1/ledger/{entry}"), None),
        row("403 404 ok  ok  ok  404 404 404 404 404", "post", "/api/v1/ledger/{entry_id}/corrections", format!("/api/v1/ledger/{entry}/corrections"), Some(json!({"minutes_delta": 30, "reason": "matrix"}))),
        row("ok  404 404 404 404 404 404 404 404 404", "post", "/api/v1/ledger/{entry_id}/disputes", format!("/api/v1/ledger/{entry}/disputes"), reason()),
        row("403 404 ok  ok  ok  404 404 404 404 404", "post", "/api/v1/disputes/{id}/reject", format!("/api/v1/disputes/{dispute}/reject"), reason()),

        // Claims: the volunteer's own; the named organization's staff decide them (never
        // their own claims: 403); to everyone else a claim names nothing (404).
        //   V   W   LO  LV  LA  SV  SA  OO  S2V P
        row("ok  404 404 404 404 404 404 404 404 404", "delete", "/api/v1/me/hours/claims/{id}", format!("/api/v1/me/hours/claims/{claim}"), None),
        row("403 403 ok  ok  ok  403 403 403 403 403", "get",    "/api/v1/organizations/{org_id}/claims", format!("/api/v1/organizations/{league}/claims?status=all"), None),
        row("403 404 ok  ok  ok  404 404 404 404 404", "post",   "/api/v1/hours/claims/{id}/verify", format!("/api/v1/hours/claims/{claim}/verify"), Some(json!({}))),
        row("403 404 ok  ok  ok  404 404 404 404 404", "post",   "/api/v1/hours/claims/{id}/reject", format!("/api/v1/hours/claims/{claim}/reject"), reason()),

        // Events and shifts: the organization's organizers and admins.
        //   V   W   LO  LV  LA  SV  SA  OO  S2V P
        row("403 403 ok  403 ok  403 403 403 403 403", "post",   "/api/v1/events", "/api/v1/events", Some(new_event)),
        row("403 403 ok  403 ok  403 403 403 403 403", "post",   "/api/v1/events/{id}/shifts", format!("/api/v1/events/{event}/shifts"), Some(new_shift)),
        row("403 403 ok  403 ok  403 403 403 403 403", "post",   "/api/v1/events/{id}/insurance", format!("/api/v1/events/{event}/insurance"), Some(insurance)),
        row("403 403 ok  403 ok  403 403 403 403 403", "patch",  "/api/v1/shifts/{id}", format!("/api/v1/shifts/{shift}"), Some(json!({"address": "别处"}))),
        row("403 403 ok  403 ok  403 403 403 403 403", "delete", "/api/v1/shifts/{id}", format!("/api/v1/shifts/{shift}"), None),
        row("403 403 ok  403 ok  403 403 403 403 403", "get",    "/api/v1/shifts/{id}/check-in-code", format!("/api/v1/shifts/{shift}/check-in-code"), None),
        row("403 403 ok  403 ok  403 403 403 403 403", "get",    "/api/v1/shifts/{id}/candidates", format!("/api/v1/shifts/{shift}/candidates"), None),

        // Signups: anyone signs themselves up. Someone else's signup is not found, except
        // to staff of the event's organization, whose roles then decide (and only the
        // volunteer withdraws it).
        //   V   W   LO  LV  LA  SV  SA  OO  S2V P
        row("ok  ok  ok  ok  ok  ok  ok  ok  ok  ok ", "post",   "/api/v1/shifts/{id}/signups", format!("/api/v1/shifts/{shift}/signups"), None),
        row("403 403 ok  ok  ok  403 403 403 403 403", "get",    "/api/v1/shifts/{id}/signups", format!("/api/v1/shifts/{shift}/signups"), None),
        row("ok  404 404 404 404 404 404 404 404 404", "delete", "/api/v1/signups/{id}", format!("/api/v1/signups/{signup}"), None),
        row("ok  404 ok  403 ok  404 404 404 404 404", "post",   "/api/v1/signups/{id}/check-in", format!("/api/v1/signups/{signup}/check-in"), Some(json!({}))),
        row("ok  404 ok  403 ok  404 404 404 404 404", "post",   "/api/v1/signups/{id}/check-out", format!("/api/v1/signups/{signup}/check-out"), Some(json!({}))),
        row("403 404 ok  403 ok  404 404 404 404 404", "post",   "/api/v1/signups/{id}/no-show", format!("/api/v1/signups/{signup}/no-show"), None),
        row("403 404 ok  ok  ok  404 404 404 404 404", "post",   "/api/v1/signups/{id}/verify", format!("/api/v1/signups/{signup}/verify"), Some(json!({}))),

        // Roster plans are the organizers'; an invitation is its volunteer's alone.
        //   V   W   LO  LV  LA  SV  SA  OO  S2V P
        row("403 403 ok  403 ok  403 403 403 403 403", "post", "/api/v1/events/{id}/roster-plans", format!("/api/v1/events/{}/roster-plans", w.planned_event), Some(json!({"volunteer_pool": "eligible"}))),
        row("403 403 ok  403 ok  403 403 403 403 403", "get",  "/api/v1/roster-plans/{id}", format!("/api/v1/roster-plans/{plan}"), None),
        row("403 403 ok  403 ok  403 403 403 403 403", "post", "/api/v1/roster-plans/{id}/accept", format!("/api/v1/roster-plans/{plan}/accept"), Some(json!({}))),
        row("ok  404 404 404 404 404 404 404 404 404", "post", "/api/v1/invitations/{id}/accept", format!("/api/v1/invitations/{invitation}/accept"), None),
        row("ok  404 404 404 404 404 404 404 404 404", "post", "/api/v1/invitations/{id}/decline", format!("/api/v1/invitations/{invitation}/decline"), None),

        // The platform's outbox (nothing has failed in this world: a retry names nothing).
        //   V   W   LO  LV  LA  SV  SA  OO  S2V P
        row("403 403 403 403 403 403 403 403 403 ok ", "get",  "/api/v1/admin/outbox/failed", "/api/v1/admin/outbox/failed", None),
        row("403 403 403 403 403 403 403 403 403 404", "post", "/api/v1/admin/outbox/{id}/retry", format!("/api/v1/admin/outbox/{no_message}/retry"), None),
    ]
}

/// `ok` or an exact status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Allowed,
    Status(u16),
}

fn parse_expect(row: &Row) -> Vec<Want> {
    let wants: Vec<Want> = row
        .expect
        .split_whitespace()
        .map(|cell| match cell {
            "ok" => Want::Allowed,
            n => Want::Status(n.parse().expect("a status or ok")),
        })
        .collect();
    assert_eq!(
        wants.len(),
        COLUMNS.len(),
        "{} {}: one cell per column",
        row.method,
        row.path
    );
    wants
}

/// Whether `url` (without its query) is `template` filled in.
fn fills(template: &str, url: &str) -> bool {
    let url = url.split('?').next().unwrap_or_default();
    let (t, u): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), url.split('/').collect());
    t.len() == u.len()
        && t.iter()
            .zip(&u)
            .all(|(t, u)| t == u || (t.starts_with('{') && t.ends_with('}') && !u.is_empty()))
}

fn http_method(name: &str) -> Method {
    Method::from_bytes(name.to_uppercase().as_bytes()).expect("an HTTP method")
}

/// What is wrong with a refusal's body, if anything.
fn problem_flaw(r: &TestResponse, status: u16) -> Option<String> {
    if r.content_type != "application/problem+json" {
        return Some(format!("content type {:?}", r.content_type));
    }
    for key in ["type", "title", "status", "detail"] {
        if r.json.get(key).is_none() {
            return Some(format!("problem without {key}"));
        }
    }
    (r.json["status"] != status).then(|| format!("problem status {}", r.json["status"]))
}

/// What the owners see of their resources: equal before and after the matrix means no
/// refused write changed anything.
async fn owners_view(app: &TestApp, w: &World) -> Vec<(String, Value)> {
    let (league, school) = (&w.league, &w.school);
    let reads: Vec<(&User, String)> = vec![
        (&w.volunteer, "/api/v1/me".into()),
        (&w.volunteer, "/api/v1/me/signups".into()),
        (&w.volunteer, "/api/v1/me/hours".into()),
        (&w.volunteer, "/api/v1/me/certificates".into()),
        (&w.volunteer, "/api/v1/me/invitations".into()),
        (&w.volunteer, "/api/v1/me/notifications".into()),
        (&w.volunteer, format!("/api/v1/ledger/{}", w.entry)),
        (&w.other_volunteer, "/api/v1/me".into()),
        (&w.organizer, format!("/api/v1/events/{}", w.event)),
        (&w.organizer, format!("/api/v1/events/{}", w.planned_event)),
        (&w.organizer, format!("/api/v1/shifts/{}/signups", w.shift)),
        (&w.organizer, format!("/api/v1/roster-plans/{}", w.plan)),
        (
            &w.organizer,
            format!("/api/v1/organizations/{league}/disputes?status=all"),
        ),
        (
            &w.org_admin,
            format!("/api/v1/organizations/{league}/record-policy"),
        ),
        (
            &w.school_admin,
            format!("/api/v1/organizations/{school}/requirements"),
        ),
        (
            &w.school_verifier,
            format!(
                "/api/v1/organizations/{school}/students?requirement_id={}",
                w.requirement
            ),
        ),
        (&w.platform_admin, "/api/v1/organizations".into()),
        (&w.platform_admin, "/api/v1/admin/outbox/failed".into()),
    ];
    let mut out = Vec::new();
    for (user, url) in reads {
        let r = app.get(&url, Some(&user.token)).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        out.push((url, r.json));
    }
    out
}

async fn every_role_gets_exactly_what_it_may_at_every_private_endpoint(app: TestApp) {
    let w = build_world(&app).await;
    let rows = table(&w);

    // The table covers exactly the operations the document says need a token.
    let doc = app.get("/api/openapi.json", None).await.expect(200).json;
    let mut private = BTreeSet::new();
    let mut public = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            let op = (method.clone(), path.clone());
            if secured {
                private.insert(op);
            } else {
                public.insert(op);
            }
        }
    }
    let allow_listed: BTreeSet<(String, String)> = PUBLIC
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(
        public, allow_listed,
        "operations the document serves without a token vs the PUBLIC allow-list"
    );
    let mut covered = BTreeSet::new();
    for r in &rows {
        assert!(
            covered.insert((r.method.to_string(), r.path.to_string())),
            "{} {} is in the table twice",
            r.method,
            r.path
        );
        assert!(fills(r.path, &r.url), "{} does not fill {}", r.url, r.path);
    }
    let uncovered: Vec<_> = private.difference(&covered).collect();
    assert!(
        uncovered.is_empty(),
        "private operations missing from the access matrix (add a row for each): {uncovered:?}"
    );
    let stale: Vec<_> = covered.difference(&private).collect();
    assert!(
        stale.is_empty(),
        "rows for operations the document does not list as private: {stale:?}"
    );

    let before = (app.snapshot().await, owners_view(&app, &w).await);
    let markers = w.private_markers();
    let mut failures = Vec::new();
    let (mut refused, mut answered, mut not_sent) = (0, 0, 0);
    for r in &rows {
        let method = http_method(r.method);
        let label = format!("{} {}", r.method.to_uppercase(), r.path);
        let body = r.body.as_ref();
        // Without a token, and with one that names no session.
        for token in [None, Some("not-a-session-token")] {
            let resp = app.call(method.clone(), &r.url, token, body).await;
            let who = if token.is_some() {
                "bad token"
            } else {
                "anonymous"
            };
            if resp.status != 401 {
                failures.push(format!(
                    "{label} as {who}: {} (want 401) {}",
                    resp.status, resp.text
                ));
            } else if let Some(flaw) = problem_flaw(&resp, 401) {
                failures.push(format!("{label} as {who}: {flaw}"));
            }
            refused += 1;
        }
        for (role, want) in COLUMNS.into_iter().zip(parse_expect(r)) {
            let is_read = method == Method::GET;
            if want == Want::Allowed && !is_read {
                not_sent += 1;
                continue;
            }
            let token = Some(w.user(role).token.as_str());
            let resp = app.call(method.clone(), &r.url, token, body).await;
            match want {
                Want::Allowed => {
                    answered += 1;
                    if !(200..300).contains(&resp.status) {
                        failures.push(format!(
                            "{label} as {role:?}: {} (want 2xx) {}",
                            resp.status, resp.text
                        ));
                    } else if role.outsider() {
                        for m in markers.iter().filter(|m| resp.text.contains(**m)) {
                            failures
                                .push(format!("{label} as {role:?} shows the volunteer's {m:?}"));
                        }
                    }
                }
                Want::Status(status) => {
                    if status >= 400 {
                        refused += 1;
                    } else {
                        answered += 1;
                    }
                    if resp.status != status {
                        failures.push(format!(
                            "{label} as {role:?}: {} (want {status}) {}",
                            resp.status, resp.text
                        ));
                    } else if status >= 400
                        && let Some(flaw) = problem_flaw(&resp, status)
                    {
                        failures.push(format!("{label} as {role:?}: {flaw}"));
                    }
                }
            }
        }
    }
    eprintln!(
        "access matrix: {} private operations x {} roles (+ anonymous and a bad token): \
         {refused} refusals and {answered} allowed reads checked, {not_sent} allowed writes not sent",
        rows.len(),
        COLUMNS.len()
    );
    assert!(
        failures.is_empty(),
        "{} cells of the access matrix are wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let after = (app.snapshot().await, owners_view(&app, &w).await);
    assert_eq!(before.0, after.0, "a refused request wrote something");
    for ((url, was), (_, is)) in before.1.iter().zip(&after.1) {
        assert_eq!(was, is, "{url} changed under refused requests");
    }

    // The public operations and pages answer anyone, and never with the volunteer's private
    // data (a certificate shows its holder's name and volunteer number by design).
    let public_reads = [
        ("/healthz".to_string(), false),
        ("/api/v1/certificates/public-key".into(), false),
        (format!("/api/v1/certificates/{}", w.certificate), true),
        ("/api/v1/events".into(), false),
        (format!("/api/v1/events/{}", w.event), false),
        (format!("/api/v1/shifts/{}", w.shift), false),
        ("/api/v1/organizations".into(), false),
        (format!("/api/v1/organizations/{}", w.school), false),
        // The pages anyone may open.
        (format!("/shifts/{}", w.shift), false),
        (format!("/verify/{}", w.certificate), true),
    ];
    for (url, certificate) in public_reads {
        let r = app.get(&url, None).await;
        assert_eq!(r.status, 200, "{url}: {}", r.text);
        let shown: &[&str] = if certificate {
            &[
                w.volunteer.id.as_str(),
                w.volunteer.email.as_str(),
                w.student_number.as_str(),
                w.signup.as_str(),
            ]
        } else {
            &markers
        };
        let leaked: Vec<&&str> = shown.iter().filter(|m| r.text.contains(**m)).collect();
        assert!(
            leaked.is_empty(),
            "public {url} shows the volunteer's {leaked:?}: {}",
            r.text
        );
    }
}
