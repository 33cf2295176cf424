//! `/org/{org_id}/students`: the students who linked the school, against one of its
//! requirements on a check date, with met or missing hours; filtered by met / not met and by
//! a name or number; and the same list as CSV (`students.csv`, the API's own writer).
//!
//! What a school may see is the store's rule (`Store::students`: its staff only, linked
//! students only); the page only chooses the requirement and narrows the list.

use super::super::hours::hours;
use super::super::visitor::Visitor;
use super::refused::refused;
use crate::error::ApiResult;
use crate::routes::requirements::students_csv;
use crate::state::AppState;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use hourbook_domain::DomainError;
use hourbook_domain::access::Actor;
use hourbook_domain::requirement::in_force;
use hourbook_store::StoreError;
use hourbook_store::requirements::{Requirement, StudentProgress};
use minijinja::context;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The filter form's fields (all optional; what does not parse is reported, not rejected).
#[derive(Deserialize, Default)]
pub(super) struct Filter {
    #[serde(default)]
    requirement: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    show: String,
    #[serde(default)]
    q: String,
}

impl Filter {
    /// Whether a student passes the met / not met choice and the search.
    fn keeps(&self, s: &StudentProgress) -> bool {
        let shown = match self.show.as_str() {
            "met" => s.met,
            "unmet" => !s.met,
            _ => true,
        };
        let q = self.q.trim().to_lowercase();
        let v = &s.volunteer;
        shown
            && (q.is_empty()
                || v.name.to_lowercase().contains(&q)
                || v.volunteer_number.to_lowercase().contains(&q)
                || v.student_number
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(&q)))
    }
}

/// What the page shows when the visitor may see it.
struct Listing {
    school: String,
    requirements: Vec<Requirement>,
    chosen: Option<Uuid>,
    on: NaiveDate,
    /// Every linked student (before the page's filter).
    students: Vec<StudentProgress>,
    /// Field errors of the filter form (an unreadable or out-of-range date).
    errors: BTreeMap<String, Vec<String>>,
}

/// Why the page is not shown.
enum Refusal {
    SignIn(Box<Response>),
    Page(StatusCode, &'static str),
}

/// Who may see what: the store decides (`students`); this only picks the requirement
/// (the chosen one, else the school's first) and reads the check date.
async fn load(
    state: &AppState,
    visitor: &Visitor,
    org_id: &str,
    filter: &Filter,
) -> ApiResult<Result<Listing, Refusal>> {
    let actor: Actor = match visitor.require_sign_in() {
        Ok(s) => s.actor.clone(),
        Err(login) => return Ok(Err(Refusal::SignIn(login))),
    };
    let not_found = Ok(Err(Refusal::Page(StatusCode::NOT_FOUND, "not_found")));
    let Ok(org) = Uuid::parse_str(org_id) else {
        return not_found;
    };
    let (tz, now) = (state.rules.timezone, state.clock.now());
    let school = match state.store.organization(org).await {
        Ok(o) => o.name,
        Err(StoreError::NotFound(_)) => return not_found,
        Err(e) => return Err(e.into()),
    };
    let requirements = state.store.requirements(org, tz, now).await?;
    let today = now.with_timezone(&tz).date_naive();
    let mut errors = BTreeMap::new();
    let on = if filter.on.trim().is_empty() {
        None
    } else {
        let parsed = NaiveDate::parse_from_str(filter.on.trim(), "%Y-%m-%d").ok();
        if parsed.is_none() {
            errors.insert("on".to_string(), vec![visitor.lang.text("form.not_a_date")]);
        }
        parsed
    };
    let chosen = if filter.requirement.is_empty() {
        requirements.first().map(|r| r.id)
    } else {
        match Uuid::parse_str(filter.requirement.trim()) {
            Ok(id) => Some(id),
            Err(_) => return Ok(Err(Refusal::Page(StatusCode::NOT_FOUND, "no_requirement"))),
        }
    };
    let Some(requirement) = chosen else {
        // No programme to check against yet: the staff still get the page (it says so),
        // by the same role rule the store applies to the list.
        if !actor.may_verify(org) {
            return Ok(Err(Refusal::Page(StatusCode::FORBIDDEN, "forbidden")));
        }
        return Ok(Ok(Listing {
            school,
            requirements,
            chosen,
            on: on.unwrap_or(today),
            students: Vec::new(),
            errors,
        }));
    };
    let students = match state
        .store
        .students(&actor, org, requirement, on, tz, now)
        .await
    {
        Ok(list) => list,
        Err(StoreError::Forbidden(_)) => {
            return Ok(Err(Refusal::Page(StatusCode::FORBIDDEN, "forbidden")));
        }
        Err(StoreError::NotFound(_)) => {
            return Ok(Err(Refusal::Page(StatusCode::NOT_FOUND, "no_requirement")));
        }
        // The programme was not in force on that date: said next to the date.
        Err(StoreError::Domain(DomainError::Invalid(found))) => {
            for e in found {
                errors
                    .entry(e.field)
                    .or_insert_with(Vec::new)
                    .push(visitor.lang.api_message(&e.message));
            }
            Vec::new()
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Ok(Listing {
        school,
        requirements,
        chosen,
        on: on.unwrap_or(today),
        students,
        errors,
    }))
}

#[derive(Serialize)]
struct Row {
    name: String,
    student_number: String,
    volunteer_number: String,
    counted: String,
    missing: String,
    met: bool,
    percent: i64,
    stars: usize,
}

fn refuse(visitor: Visitor, refusal: Refusal) -> ApiResult<Response> {
    match refusal {
        Refusal::SignIn(login) => Ok(*login),
        Refusal::Page(status, reason) => refused(visitor, status, reason),
    }
}

fn filter_of(query: Result<Query<Filter>, QueryRejection>) -> Filter {
    // An unreadable query string is the unfiltered page, not an error page.
    query.map(|Query(f)| f).unwrap_or_default()
}

/// `GET /org/{org_id}/students`.
pub(super) async fn page(
    State(state): State<AppState>,
    Path(org_id): Path<String>,
    query: Result<Query<Filter>, QueryRejection>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let filter = filter_of(query);
    let listing = match load(&state, &visitor, &org_id, &filter).await? {
        Ok(l) => l,
        Err(r) => return refuse(visitor, r),
    };
    let chosen = listing
        .chosen
        .and_then(|id| listing.requirements.iter().find(|r| r.id == id));
    let rule = chosen.and_then(|r| in_force(&r.versions, listing.on));
    let required = rule.map_or(0, |r| r.min_minutes);
    let met_count = listing.students.iter().filter(|s| s.met).count();
    let rows: Vec<Row> = listing
        .students
        .iter()
        .filter(|s| filter.keeps(s))
        .map(|s| Row {
            name: s.volunteer.name.clone(),
            student_number: s.volunteer.student_number.clone().unwrap_or_default(),
            volunteer_number: s.volunteer.volunteer_number.clone(),
            counted: hours(s.total_minutes),
            missing: hours(s.missing_minutes),
            met: s.met,
            percent: if required > 0 {
                (s.total_minutes * 100 / required).clamp(0, 100)
            } else {
                100
            },
            stars: s.stars,
        })
        .collect();
    let choices: Vec<(String, String)> = listing
        .requirements
        .iter()
        .map(|r| (r.id.to_string(), r.name.clone()))
        .collect();
    let status = if listing.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    visitor.render(
        status,
        "school_students.html",
        context! {
            org_id => org_id,
            school => listing.school,
            choices => choices,
            chosen => listing.chosen.map(|id| id.to_string()),
            requirement => chosen.map(|r| r.name.clone()),
            required => hours(required),
            window_from => rule.and_then(|r| r.window_start(listing.on)).map(|d| d.to_string()),
            on => listing.on.to_string(),
            show => match filter.show.as_str() { "met" | "unmet" => filter.show.as_str(), _ => "all" },
            q => filter.q.trim(),
            any_students => !listing.students.is_empty(),
            total_count => listing.students.len().to_string(),
            met_count => met_count.to_string(),
            shown => rows.len().to_string(),
            rows => rows,
            errors => listing.errors,
        },
    )
}

/// `GET /org/{org_id}/students.csv`: the rows the page shows, as the API's CSV.
pub(super) async fn csv(
    State(state): State<AppState>,
    Path(org_id): Path<String>,
    query: Result<Query<Filter>, QueryRejection>,
    visitor: Visitor,
) -> ApiResult<Response> {
    let filter = filter_of(query);
    let listing = match load(&state, &visitor, &org_id, &filter).await? {
        Ok(l) if l.errors.is_empty() => l,
        // A bad date: the page, which says what is wrong with it.
        Ok(_) => return page(State(state), Path(org_id), Ok(Query(filter)), visitor).await,
        Err(r) => return refuse(visitor, r),
    };
    let rows: Vec<StudentProgress> = listing
        .students
        .into_iter()
        .filter(|s| filter.keeps(s))
        .collect();
    let mut response = students_csv(&rows)?;
    // Personal data: kept out of shared caches, as the pages are.
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
