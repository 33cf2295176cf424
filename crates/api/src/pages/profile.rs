//! The volunteer's profile form: birth date, home (from the browser's geolocation or typed
//! coordinates), travel radius, skills with certificate expiry dates, a weekly availability
//! grid, school link, whether organizers may find them, and a guardian for minors. Saved with
//! the same validation and store call as `PUT /api/v1/me/profile`.

use super::auth::{Pending, date_field};
use super::forms::{Fields, FormErrors, Submitted};
use super::i18n::Lang;
use super::visitor::{PENDING_COOKIE, Visitor};
use crate::error::ApiResult;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{NaiveDate, NaiveTime};
use hourbook_domain::OrganizationKind;
use hourbook_domain::catalogue::Skill;
use hourbook_domain::location::Coordinates;
use hourbook_domain::profile::{AvailabilitySlot, Guardian, ProfileInput, SkillHolding};
use hourbook_store::profiles::{MissingIdNumber, Profile};
use minijinja::context;
use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;
use uuid::Uuid;

/// An hour and minute of the day.
type HourMinute = (u32, u32);

/// Parts of the day in the availability grid, in local time.
const PERIODS: [(&str, HourMinute, HourMinute); 3] = [
    ("morning", (8, 0), (12, 0)),
    ("afternoon", (13, 0), (17, 0)),
    ("evening", (18, 0), (21, 0)),
];

fn time((h, m): HourMinute) -> NaiveTime {
    // The constants above are valid times.
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// One skill's row in the form.
#[derive(Serialize)]
struct SkillRow {
    key: &'static str,
    needs_certificate: bool,
    checked: bool,
    expires: String,
}

/// The form's values, as shown (from the saved profile or as just submitted).
#[derive(Serialize, Default)]
struct Values {
    birth_date: String,
    phone: String,
    lat: String,
    lon: String,
    radius: String,
    skills: Vec<SkillRow>,
    /// Ticked grid cells, `"{weekday}-{period}"`.
    slots: Vec<String>,
    /// Saved windows that are not grid cells, kept as `"{weekday},{HH:MM},{HH:MM}"`.
    extra_slots: Vec<String>,
    school: String,
    student_number: String,
    /// The masked ID number on file (the number itself is never stored or shown).
    id_on_file: String,
    discoverable: bool,
    guardian_name: String,
    guardian_email: String,
    guardian_phone: String,
    guardian_consent: bool,
}

fn skill_rows(held: impl Fn(Skill) -> Option<String>) -> Vec<SkillRow> {
    Skill::iter()
        .map(|skill| {
            let expires = held(skill);
            SkillRow {
                key: skill.as_str(),
                needs_certificate: skill.requires_certificate(),
                checked: expires.is_some(),
                expires: expires.unwrap_or_default(),
            }
        })
        .collect()
}

fn from_profile(p: &Profile) -> Values {
    let mut slots = Vec::new();
    let mut extra_slots = Vec::new();
    for s in &p.availability {
        match PERIODS
            .iter()
            .find(|(_, from, to)| time(*from) == s.start && time(*to) == s.end)
        {
            Some((name, _, _)) => slots.push(format!("{}-{name}", s.weekday)),
            None => extra_slots.push(format!(
                "{},{},{}",
                s.weekday,
                s.start.format("%H:%M"),
                s.end.format("%H:%M")
            )),
        }
    }
    let guardian = p.guardian.clone();
    Values {
        birth_date: p.birth_date.to_string(),
        phone: p.phone.clone().unwrap_or_default(),
        lat: p.home.lat.to_string(),
        lon: p.home.lon.to_string(),
        radius: p.travel_radius_km.to_string(),
        skills: skill_rows(|skill| {
            p.skills.iter().find(|h| h.skill == skill).map(|h| {
                h.certificate_expires_on
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            })
        }),
        slots,
        extra_slots,
        school: p
            .school_organization_id
            .map(|id| id.to_string())
            .unwrap_or_default(),
        student_number: p.student_number.clone().unwrap_or_default(),
        id_on_file: p.id_number.clone().unwrap_or_default(),
        discoverable: p.discoverable,
        guardian_name: guardian
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default(),
        guardian_email: guardian
            .as_ref()
            .map(|g| g.email.clone())
            .unwrap_or_default(),
        guardian_phone: guardian
            .as_ref()
            .map(|g| g.phone.clone())
            .unwrap_or_default(),
        guardian_consent: guardian.is_some_and(|g| g.consent_given),
    }
}

fn from_pending(pending: Option<Pending>) -> Values {
    let mut v = Values {
        radius: "5".into(),
        discoverable: true,
        skills: skill_rows(|_| None),
        ..Values::default()
    };
    if let Some(p) = pending {
        v.birth_date = p.birth_date.to_string();
        if let Some(g) = p.guardian {
            v.guardian_name = g.name;
            v.guardian_email = g.email;
            v.guardian_phone = g.phone;
            v.guardian_consent = g.consent_given;
        }
    }
    v
}

fn from_fields(f: &Fields) -> Values {
    Values {
        birth_date: f.get("birth_date").into(),
        phone: f.get("phone").into(),
        lat: f.get("lat").into(),
        lon: f.get("lon").into(),
        radius: f.get("travel_radius_km").into(),
        skills: skill_rows(|skill| {
            f.checked(&format!("skill_{}", skill.as_str()))
                .then(|| f.get(&format!("expires_{}", skill.as_str())).to_string())
        }),
        slots: f.all("slot").into_iter().map(str::to_string).collect(),
        extra_slots: f
            .all("extra_slot")
            .into_iter()
            .map(str::to_string)
            .collect(),
        school: f.get("school").into(),
        student_number: f.get("student_number").into(),
        id_on_file: f.get("id_on_file").into(),
        discoverable: f.checked("discoverable"),
        guardian_name: f.get("guardian_name").into(),
        guardian_email: f.get("guardian_email").into(),
        guardian_phone: f.get("guardian_phone").into(),
        guardian_consent: f.checked("guardian_consent"),
    }
}

#[derive(Deserialize)]
pub(super) struct Notice {
    welcome: Option<String>,
    saved: Option<String>,
}

async fn show(
    state: &AppState,
    visitor: Visitor,
    status: StatusCode,
    values: Values,
    errors: FormErrors,
    notice: Option<&str>,
) -> ApiResult<Response> {
    let schools: Vec<_> = state
        .store
        .organizations()
        .await?
        .into_iter()
        .filter(|o| o.kind == OrganizationKind::School)
        .map(|o| context! { id => o.id.to_string(), name => o.name })
        .collect();
    let periods: Vec<&str> = PERIODS.iter().map(|(name, _, _)| *name).collect();
    visitor.render(
        status,
        "profile.html",
        context! {
            v => values, schools => schools, periods => periods, notice => notice,
            errors => errors.fields, general => errors.general,
        },
    )
}

/// `GET /me/profile`.
pub(super) async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<Notice>,
) -> ApiResult<Response> {
    let account_id = match visitor.require_sign_in() {
        Ok(s) => s.account.id,
        Err(login) => return Ok(*login),
    };
    let values = match state.store.profile(account_id).await? {
        Some(p) => from_profile(&p),
        None => from_pending(
            visitor
                .cookie(PENDING_COOKIE)
                .and_then(Pending::from_cookie),
        ),
    };
    let notice = if q.saved.is_some() {
        Some("saved")
    } else if q.welcome.is_some() {
        Some("welcome")
    } else {
        None
    };
    show(
        &state,
        visitor,
        StatusCode::OK,
        values,
        FormErrors::default(),
        notice,
    )
    .await
}

fn number(f: &Fields, name: &str, field: &str, errors: &mut FormErrors, lang: Lang) -> f64 {
    match f.get(name).parse::<f64>() {
        Ok(x) if x.is_finite() => x,
        _ => {
            let key = if f.get(name).is_empty() {
                "form.required"
            } else {
                "form.not_a_number"
            };
            errors.field(field, lang.text(key));
            f64::NAN
        }
    }
}

fn slot(weekday: u8, start: NaiveTime, end: NaiveTime) -> AvailabilitySlot {
    AvailabilitySlot {
        weekday,
        start,
        end,
    }
}

/// The availability the grid and the kept windows describe (unknown cells are ignored: they
/// cannot come from our form).
fn availability(f: &Fields) -> Vec<AvailabilitySlot> {
    let mut out = Vec::new();
    for cell in f.all("slot") {
        let Some((day, period)) = cell.split_once('-') else {
            continue;
        };
        let (Ok(day), Some((_, from, to))) = (
            day.parse::<u8>(),
            PERIODS.iter().find(|(name, _, _)| *name == period),
        ) else {
            continue;
        };
        out.push(slot(day, time(*from), time(*to)));
    }
    for kept in f.all("extra_slot") {
        let parts: Vec<&str> = kept.split(',').collect();
        if let [day, start, end] = parts[..]
            && let (Ok(day), Ok(start), Ok(end)) = (
                day.parse::<u8>(),
                NaiveTime::parse_from_str(start, "%H:%M"),
                NaiveTime::parse_from_str(end, "%H:%M"),
            )
        {
            out.push(slot(day, start, end));
        }
    }
    out
}

/// The API's field names of profile errors, as the form names its fields.
fn form_field(api_field: &str, skills: &[Skill]) -> String {
    if api_field.starts_with("home") {
        return "home".into();
    }
    if api_field.starts_with("availability") {
        return "availability".into();
    }
    if let Some(rest) = api_field.strip_prefix("skills[") {
        let index = rest.split(']').next().and_then(|i| i.parse::<usize>().ok());
        return match index.and_then(|i| skills.get(i)) {
            Some(skill) => format!("skills.{}", skill.as_str()),
            None => "skills".into(),
        };
    }
    api_field.to_string()
}

/// `POST /me/profile`.
pub(super) async fn save(State(state): State<AppState>, form: Submitted) -> ApiResult<Response> {
    let Submitted {
        mut visitor,
        fields: f,
    } = form;
    let account_id = match visitor.require_sign_in() {
        Ok(s) => s.account.id,
        Err(login) => return Ok(*login),
    };
    let lang = visitor.lang;
    let mut errors = FormErrors::default();
    let birth_date = date_field(&f, "birth_date", &mut errors, lang);
    let lat = number(&f, "lat", "home", &mut errors, lang);
    let lon = number(&f, "lon", "home", &mut errors, lang);
    let radius = number(
        &f,
        "travel_radius_km",
        "travel_radius_km",
        &mut errors,
        lang,
    );
    let mut skills = Vec::new();
    for skill in Skill::iter() {
        if !f.checked(&format!("skill_{}", skill.as_str())) {
            continue;
        }
        let expires_name = format!("expires_{}", skill.as_str());
        let expires = match f.optional(&expires_name) {
            None => None,
            Some(raw) => match NaiveDate::parse_from_str(&raw, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.field(
                        &format!("skills.{}", skill.as_str()),
                        lang.text("form.not_a_date"),
                    );
                    None
                }
            },
        };
        skills.push(SkillHolding {
            skill,
            certificate_expires_on: expires,
        });
    }
    let school = match f.optional("school") {
        None => None,
        Some(raw) => match Uuid::parse_str(&raw) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.field("school_organization_id", lang.text("form.required"));
                None
            }
        },
    };
    let guardian_named = ["guardian_name", "guardian_email", "guardian_phone"]
        .iter()
        .any(|n| !f.get(n).is_empty())
        || f.checked("guardian_consent");
    let guardian = guardian_named.then(|| Guardian {
        name: f.get("guardian_name").into(),
        email: f.get("guardian_email").into(),
        phone: f.get("guardian_phone").into(),
        consent_given: f.checked("guardian_consent"),
    });
    let order: Vec<Skill> = skills.iter().map(|h| h.skill).collect();
    let result: Option<Result<Profile, crate::error::ApiError>> =
        match birth_date.filter(|_| errors.is_empty()) {
            None => None,
            Some(birth_date) => {
                let input = ProfileInput {
                    birth_date,
                    phone: f.optional("phone"),
                    home: Coordinates { lat, lon },
                    travel_radius_km: radius,
                    skills,
                    availability: availability(&f),
                    school_organization_id: school,
                    student_number: f.optional("student_number"),
                    id_number: f.optional("id_number"),
                    discoverable: f.checked("discoverable"),
                    guardian,
                };
                // A blank ID number field keeps the one on file (the form cannot show it
                // back); the box below it removes it.
                let missing_id = if f.checked("remove_id_number") {
                    MissingIdNumber::Clears
                } else {
                    MissingIdNumber::Keeps
                };
                let now = state.clock.now();
                let today = now.with_timezone(&state.rules.timezone).date_naive();
                Some(match input.validate(today, &state.rules.ages) {
                    Ok(profile) => {
                        let key = state.settings.privacy.id_hash_key.as_bytes();
                        state
                            .store
                            .save_profile(account_id, profile, missing_id, key, &state.rules, now)
                            .await
                            .map_err(Into::into)
                    }
                    Err(e) => Err(e.into()),
                })
            }
        };
    let status = match result {
        Some(Ok(_)) => {
            visitor.clear_cookie(PENDING_COOKIE);
            return Ok(visitor.redirect("/me/profile?saved=1"));
        }
        Some(Err(e)) => errors.add_refusal(e, lang, |field| form_field(field, &order))?,
        None => StatusCode::UNPROCESSABLE_ENTITY,
    };
    show(&state, visitor, status, from_fields(&f), errors, None).await
}
