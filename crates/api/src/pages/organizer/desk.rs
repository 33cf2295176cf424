//! The check-in desk of a shift, for a tablet or a phone at the door: a name search (a plain
//! GET `?q=`, which htmx runs as the organizer types), one large check-in or check-out button
//! per volunteer, and the shift's rotating code with its QR code for volunteers to check
//! themselves in. Buttons post to the same store calls as `POST /api/v1/signups/{id}/check-in`
//! and `/check-out` and come back to the desk with the search kept.

use super::roster::{Person, ShiftHead, shift_with_roster};
use super::{Member, MemberForm, Page, answer, query_value, show};
use crate::error::{ApiError, ApiResult};
use crate::extract::path_id;
use crate::pages::forms::FormErrors;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hourbook_domain::DomainError;
use hourbook_domain::access::Actor;
use hourbook_domain::roster::SignupStatus;
use hourbook_store::StoreError;
use hourbook_store::signups::PresenceInput;
use minijinja::context;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Deserialize, Default)]
pub(super) struct DeskQuery {
    /// Part of a name or volunteer number.
    #[serde(default)]
    q: String,
    /// The signup just checked in or out, to confirm it at the top.
    #[serde(default)]
    done: String,
}

#[derive(Serialize)]
struct Code {
    digits: String,
    qr_svg: String,
    valid_until: String,
}

/// Whether a roster line belongs at the desk: people holding a seat, and those already done.
fn at_desk(status: SignupStatus) -> bool {
    matches!(
        status,
        SignupStatus::Confirmed
            | SignupStatus::CheckedIn
            | SignupStatus::CheckedOut
            | SignupStatus::Verified
            | SignupStatus::NoShow
    )
}

fn matches(person: &Person, q: &str) -> bool {
    let q = q.trim().to_lowercase();
    q.is_empty()
        || person.name.to_lowercase().contains(&q)
        || person.number.to_lowercase().contains(&q)
}

/// The desk; `base` is the site's address as the organizer's device reached it, for the QR
/// code that volunteers' phones open.
async fn desk_page(
    state: &AppState,
    base: &str,
    actor: &Actor,
    shift_id: Uuid,
    query: &DeskQuery,
    status: StatusCode,
    general: Vec<String>,
) -> ApiResult<Page> {
    let (head, lines): (ShiftHead, _) = shift_with_roster(state, actor, shift_id).await?;
    let now = state.clock.now();
    // The code is the organizers' (the store refuses anyone else the desk); outside the
    // check-in window there is none to show yet.
    let code = match state
        .store
        .check_in_code(actor, shift_id, &state.rules, now)
        .await
    {
        Ok(code) => Some(Code {
            // A phone's camera opens the shift page with the code already in its check-in
            // form; the digits beside it are for typing.
            qr_svg: crate::qr::svg(&format!("{base}/shifts/{shift_id}?code={}", code.code), 200)?,
            digits: code.code,
            // Codes change every 30 seconds: the seconds matter.
            valid_until: code
                .valid_until
                .with_timezone(&state.rules.timezone)
                .format("%H:%M:%S")
                .to_string(),
        }),
        Err(StoreError::Domain(DomainError::Conflict(_))) => None,
        Err(e) => return Err(ApiError::from(e)),
    };
    let everyone: Vec<Person> = lines
        .iter()
        .filter(|l| at_desk(l.signup.status))
        .map(|l| Person::of(l, state))
        .collect();
    let total = everyone.len();
    let present = everyone.iter().filter(|p| p.status == "checked_in").count();
    let done = everyone
        .iter()
        .find(|p| !query.done.is_empty() && p.signup_id == query.done)
        .map(|p| (p.name.clone(), p.status));
    let people: Vec<Person> = everyone
        .into_iter()
        .filter(|p| matches(p, &query.q))
        .collect();
    Ok(Page {
        status,
        template: "org_desk.html",
        context: context! {
            shift => head, people => people, q => query.q.trim(), total => total, present => present,
            code => code, done => done, general => general,
        },
    })
}

/// `GET /org/shifts/{shift_id}/desk?q=`.
pub(super) async fn page(
    State(state): State<AppState>,
    Path(shift_id): Path<String>,
    Query(query): Query<DeskQuery>,
    headers: HeaderMap,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let shift_id = path_id(&shift_id, "shift")?;
        let base = state.base_url(&headers);
        desk_page(
            &state,
            &base,
            &actor,
            shift_id,
            &query,
            StatusCode::OK,
            Vec::new(),
        )
        .await
    }
    .await;
    show(visitor, page)
}

#[derive(Clone, Copy)]
enum Direction {
    In,
    Out,
}

async fn presence(
    state: AppState,
    signup_id: String,
    headers: HeaderMap,
    form: MemberForm,
    direction: Direction,
) -> ApiResult<Response> {
    let MemberForm {
        visitor,
        actor,
        fields,
    } = form;
    let query = DeskQuery {
        q: fields.get("q").to_string(),
        done: String::new(),
    };
    let outcome: ApiResult<Result<String, Page>> = async {
        let signup_id = path_id(&signup_id, "signup")?;
        let now = state.clock.now();
        let input = PresenceInput::default();
        let result = match direction {
            Direction::In => {
                state
                    .store
                    .check_in(&actor, signup_id, input, &state.rules, now)
                    .await
            }
            Direction::Out => {
                state
                    .store
                    .check_out(&actor, signup_id, input, &state.rules, now)
                    .await
            }
        };
        match result {
            Ok(signup) => Ok(Ok(format!(
                "/org/shifts/{}/desk?q={}&done={}",
                signup.shift_id,
                query_value(&query.q),
                signup.id
            ))),
            Err(e) => {
                let mut errors = FormErrors::default();
                let status = errors.add_refusal(e.into(), visitor.lang, str::to_string)?;
                // The form names its desk, to show it again with the reason.
                let shift_id = path_id(fields.get("shift"), "shift")?;
                // The desk refuses, in turn, whoever may not see it.
                let base = state.base_url(&headers);
                desk_page(
                    &state,
                    &base,
                    &actor,
                    shift_id,
                    &query,
                    status,
                    errors.general,
                )
                .await
                .map(Err)
            }
        }
    }
    .await;
    answer(visitor, outcome)
}

/// `POST /org/signups/{signup_id}/check-in` (fields `shift` and the search `q`).
pub(super) async fn check_in(
    State(state): State<AppState>,
    Path(signup_id): Path<String>,
    headers: HeaderMap,
    form: MemberForm,
) -> ApiResult<Response> {
    presence(state, signup_id, headers, form, Direction::In).await
}

/// `POST /org/signups/{signup_id}/check-out` (fields `shift` and the search `q`).
pub(super) async fn check_out(
    State(state): State<AppState>,
    Path(signup_id): Path<String>,
    headers: HeaderMap,
    form: MemberForm,
) -> ApiResult<Response> {
    presence(state, signup_id, headers, form, Direction::Out).await
}
