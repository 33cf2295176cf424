//! Adding a shift to an event: the form (local date-times, seats, skills, ages), and its
//! submission through the same validation and store call as `POST /api/v1/events/{id}/shifts`.
//! Errors show next to their fields and the values are kept.

use super::{Member, MemberForm, Page, answer, must_organize, show};
use crate::error::{ApiError, ApiResult};
use crate::extract::path_id;
use crate::pages::forms::{Fields, FormErrors};
use crate::pages::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use hourbook_domain::catalogue::Skill;
use hourbook_domain::shift::ShiftInput;
use minijinja::context;
use serde::Serialize;
use strum::IntoEnumIterator;
use uuid::Uuid;

/// The form's values, as shown.
#[derive(Serialize, Default)]
struct Values {
    title: String,
    starts_at: String,
    ends_at: String,
    capacity: String,
    address: String,
    required_skills: Vec<String>,
    preferred_skills: Vec<String>,
    min_age: String,
    max_age: String,
    minors_per_adult: String,
}

/// A `datetime-local` value (`2027-06-04T09:00`) in the district's time zone.
fn local_time(raw: &str, tz: Tz) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    // A time skipped by a daylight-saving change has no local meaning: ask again.
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.fixed_offset())
}

impl Values {
    fn from_fields(f: &Fields) -> Self {
        let list = |name: &str| f.all(name).into_iter().map(str::to_string).collect();
        Values {
            title: f.get("title").into(),
            starts_at: f.get("starts_at").into(),
            ends_at: f.get("ends_at").into(),
            capacity: f.get("capacity").into(),
            address: f.get("address").into(),
            required_skills: list("required_skills"),
            preferred_skills: list("preferred_skills"),
            min_age: f.get("min_age").into(),
            max_age: f.get("max_age").into(),
            minors_per_adult: f.get("minors_per_adult").into(),
        }
    }

    /// The API's input, or the fields that could not be read (with the input built from
    /// harmless stand-ins, so the domain still checks every other field) and whether a time
    /// was among them.
    fn input(
        &self,
        tz: Tz,
        now: DateTime<Utc>,
        lang: Lang,
        errors: &mut FormErrors,
    ) -> (ShiftInput, bool) {
        let time = |name: &str, raw: &str, errors: &mut FormErrors| {
            if raw.is_empty() {
                errors.field(name, lang.text("form.required"));
            } else if let Some(t) = local_time(raw, tz) {
                return Some(t);
            } else {
                errors.field(name, lang.text("org_form.not_a_time"));
            }
            None
        };
        let starts = time("starts_at", &self.starts_at, errors);
        let ends = time("ends_at", &self.ends_at, errors);
        let time_failed = starts.is_none() || ends.is_none();
        let stand_in = (now + Duration::days(1)).fixed_offset();
        let (starts_at, ends_at) = match (starts, ends) {
            (Some(s), Some(e)) => (s, e),
            _ => (stand_in, stand_in + Duration::hours(1)),
        };
        let number = |name: &str, raw: &str, required: bool, errors: &mut FormErrors| {
            if raw.is_empty() {
                if required {
                    errors.field(name, lang.text("form.required"));
                }
                return None;
            }
            match raw.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.field(name, lang.text("form.not_a_number"));
                    None
                }
            }
        };
        let capacity = number("capacity", &self.capacity, true, errors).unwrap_or(1);
        let min_age = number("min_age", &self.min_age, false, errors);
        let max_age = number("max_age", &self.max_age, false, errors);
        let minors_per_adult = number("minors_per_adult", &self.minors_per_adult, false, errors);
        let input = ShiftInput {
            title: self.title.clone(),
            starts_at,
            ends_at,
            capacity,
            location: None,
            address: Some(self.address.clone()).filter(|a| !a.is_empty()),
            required_skills: self.required_skills.clone(),
            preferred_skills: self.preferred_skills.clone(),
            min_age,
            max_age,
            minors_per_adult,
        };
        (input, time_failed)
    }
}

/// `required_skills[2]` is the skills group's error.
fn field_of(field: &str) -> String {
    field.split('[').next().unwrap_or(field).to_string()
}

#[derive(Serialize)]
struct EventHead {
    id: String,
    title: String,
    organization_id: Uuid,
    organization_name: String,
}

fn form_page(event: EventHead, v: Values, errors: FormErrors, created: bool) -> Page {
    let skills: Vec<&str> = Skill::iter().map(Skill::as_str).collect();
    Page {
        status: StatusCode::OK,
        template: "org_shift_form.html",
        context: context! {
            event => event, skills => skills, v => v, created => created,
            errors => errors.fields, general => errors.general,
        },
    }
}

async fn event_head(state: &AppState, event_id: Uuid) -> ApiResult<EventHead> {
    let event = state.store.event(event_id).await?.event;
    Ok(EventHead {
        id: event.id.to_string(),
        title: event.title,
        organization_id: event.organization_id,
        organization_name: event.organization_name,
    })
}

#[derive(serde::Deserialize)]
pub(super) struct Created {
    created: Option<String>,
}

/// `GET /org/events/{event_id}/shifts/new` (`?created=1` right after posting the event).
pub(super) async fn form(
    State(state): State<AppState>,
    Path(event_id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Created>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let event_id = path_id(&event_id, "event")?;
        let head = event_head(&state, event_id).await?;
        must_organize(
            &actor,
            head.organization_id,
            "only the event's organizers add shifts",
        )?;
        let v = Values {
            capacity: "10".into(),
            ..Values::default()
        };
        Ok(form_page(
            head,
            v,
            FormErrors::default(),
            q.created.is_some(),
        ))
    }
    .await;
    show(visitor, page)
}

/// `POST /org/events/{event_id}/shifts/new`: on success, back to the organization's events.
pub(super) async fn create(
    State(state): State<AppState>,
    Path(event_id): Path<String>,
    form: MemberForm,
) -> ApiResult<Response> {
    let MemberForm {
        visitor,
        actor,
        fields,
    } = form;
    let lang = visitor.lang;
    let values = Values::from_fields(&fields);
    let outcome: ApiResult<Result<String, Page>> = async {
        let event_id = path_id(&event_id, "event")?;
        let head = event_head(&state, event_id).await?;
        let now = state.clock.now();
        let mut errors = FormErrors::default();
        let (input, time_failed) = values.input(state.rules.timezone, now, lang, &mut errors);
        let refusal = if errors.is_empty() {
            let added = match input.validate(now) {
                Ok(new) => state.store.add_shift(&actor, event_id, new, now).await,
                Err(e) => Err(e.into()),
            };
            match added {
                Ok(shift) => {
                    state.refresh_shift_index(shift.id).await;
                    // Back to the events, on the new shift's day.
                    let day = shift.starts_at.with_timezone(&state.rules.timezone);
                    return Ok(Ok(format!(
                        "/org/{}/events?day={}#event-{event_id}",
                        head.organization_id,
                        day.format("%Y-%m-%d")
                    )));
                }
                Err(e) => Some(ApiError::from(e)),
            }
        } else {
            // Nothing is saved; the domain's checks still run so every field's error shows,
            // except on times that could not be read (those ran on stand-ins).
            let mut more = FormErrors::default();
            if let Err(e) = input.validate(now) {
                more.add_refusal(e.into(), lang, field_of)?;
            }
            for (field, messages) in more.fields {
                let stood_in = time_failed && (field == "starts_at" || field == "ends_at");
                if !stood_in && !errors.fields.contains_key(&field) {
                    errors.fields.insert(field, messages);
                }
            }
            None
        };
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        if let Some(e) = refusal {
            status = errors.add_refusal(e, lang, field_of)?;
        }
        let mut page = form_page(head, values, errors, false);
        page.status = status;
        Ok(Err(page))
    }
    .await;
    answer(visitor, outcome)
}
