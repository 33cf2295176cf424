//! Signing in and out, and registering: a first step asks the date of birth, and a minor's
//! second step names the guardian (under 14, the guardian's consent and a separate consent to
//! processing are required before anything is stored, as DESIGN.md's PIPL rule says).
//!
//! The account is created with the API's own rules; the birth date and guardian wait in a
//! short-lived cookie until the profile page saves them with the rest of the profile.

use super::forms::{Fields, FormErrors, Submitted};
use super::visitor::{PENDING_COOKIE, SESSION_COOKIE, Visitor, safe_next};
use crate::auth::log_in;
use crate::error::{ApiError, ApiResult};
use crate::registration::{check_account_fields, create_account};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use chrono::NaiveDate;
use hourbook_domain::DomainError;
use hourbook_domain::error::Validator;
use hourbook_domain::profile::{Guardian, check_birth_date, check_guardian};
use hourbook_store::StoreError;
use hourbook_store::accounts::token_hash;
use minijinja::context;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub(super) struct NextQuery {
    next: Option<String>,
}

pub(super) async fn login_form(
    visitor: Visitor,
    Query(q): Query<NextQuery>,
) -> ApiResult<Response> {
    let next = safe_next(q.next.as_deref().unwrap_or("")).to_string();
    show_login(visitor, StatusCode::OK, "", &next, FormErrors::default())
}

fn show_login(
    visitor: Visitor,
    status: StatusCode,
    email: &str,
    next: &str,
    errors: FormErrors,
) -> ApiResult<Response> {
    visitor.render(
        status,
        "login.html",
        context! { email => email, next => next, errors => errors.fields, general => errors.general },
    )
}

/// `POST /login`: the same check as `POST /api/v1/auth/login` (rate limits included).
pub(super) async fn login(State(state): State<AppState>, form: Submitted) -> ApiResult<Response> {
    let Submitted {
        mut visitor,
        fields,
    } = form;
    let email = fields.get("email");
    let next = safe_next(fields.get("next")).to_string();
    match log_in(&state, email, fields.raw("password").to_string()).await {
        Ok(session) => {
            let ttl = state.settings.auth.token_ttl_hours * 3600;
            visitor.start_session(&session, ttl);
            Ok(visitor.redirect(&next))
        }
        Err(ApiError::Unauthorized) => {
            let mut errors = FormErrors::default();
            errors.general.push(visitor.lang.text("login.wrong"));
            show_login(visitor, StatusCode::UNAUTHORIZED, email, &next, errors)
        }
        Err(e) => {
            let mut errors = FormErrors::default();
            let status = errors.add_refusal(e, visitor.lang, str::to_string)?;
            show_login(visitor, status, email, &next, errors)
        }
    }
}

/// `POST /logout`: ends the session on the server, not only in the browser.
pub(super) async fn logout(State(state): State<AppState>, form: Submitted) -> ApiResult<Response> {
    let mut visitor = form.visitor;
    if let Some(token) = visitor.session_token() {
        state.store.delete_session(&token_hash(token)).await?;
    }
    visitor.clear_cookie(SESSION_COOKIE);
    visitor.clear_cookie(PENDING_COOKIE);
    Ok(visitor.redirect("/"))
}

/// What registration learnt that belongs in the profile.
#[derive(Serialize, Deserialize)]
pub(super) struct Pending {
    pub birth_date: NaiveDate,
    pub guardian: Option<Guardian>,
}

impl Pending {
    /// Read back from the cookie (anything unreadable is simply ignored: the profile form
    /// asks again and checks everything on save).
    pub fn from_cookie(raw: &str) -> Option<Pending> {
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(raw)
            .ok()?;
        serde_json::from_slice(&json).ok()
    }

    fn to_cookie(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }
}

pub(super) async fn register_form(visitor: Visitor) -> ApiResult<Response> {
    visitor.render(
        StatusCode::OK,
        "register.html",
        context! { step => "age", v => context! { birth_date => "" }, errors => context! {}, general => Vec::<String>::new() },
    )
}

/// A form's date (`YYYY-MM-DD`, as `<input type=date>` sends it).
pub(super) fn date_field(
    fields: &Fields,
    name: &str,
    errors: &mut FormErrors,
    lang: super::Lang,
) -> Option<NaiveDate> {
    let raw = fields.get(name);
    if raw.is_empty() {
        errors.field(name, lang.text("form.required"));
        return None;
    }
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.field(name, lang.text("form.not_a_date"));
            None
        }
    }
}

/// Collects the domain's field errors into the form's.
fn merge(errors: &mut FormErrors, v: Validator, lang: super::Lang) -> Result<(), ApiError> {
    if let Err(e) = v.finish() {
        errors.add_refusal(e.into(), lang, str::to_string)?;
    }
    Ok(())
}

/// `POST /register`, both steps.
pub(super) async fn register(
    State(state): State<AppState>,
    form: Submitted,
) -> ApiResult<Response> {
    let Submitted {
        mut visitor,
        fields,
    } = form;
    let lang = visitor.lang;
    let policy = state.rules.ages;
    let today = state
        .clock
        .now()
        .with_timezone(&state.rules.timezone)
        .date_naive();
    let mut errors = FormErrors::default();
    let birth_date = date_field(&fields, "birth_date", &mut errors, lang);
    let mut v = Validator::new();
    let age = birth_date.map(|d| check_birth_date(&mut v, d, today, &policy));
    merge(&mut errors, v, lang)?;
    let (Some(birth_date), Some(age), true) = (birth_date, age, errors.is_empty()) else {
        return visitor.render(
            StatusCode::UNPROCESSABLE_ENTITY,
            "register.html",
            context! { step => "age", v => context! { birth_date => fields.get("birth_date") }, errors => errors.fields, general => errors.general },
        );
    };
    let minor = age < policy.adult_age;
    let child = age < policy.sensitive_under;
    let values = context! {
        birth_date => birth_date.to_string(),
        email => fields.get("email"),
        name => fields.get("name"),
        guardian_name => fields.get("guardian_name"),
        guardian_email => fields.get("guardian_email"),
        guardian_phone => fields.get("guardian_phone"),
        consent => fields.checked("consent"),
        consent_processing => fields.checked("consent_processing"),
    };
    let account_step = |visitor: Visitor, status: StatusCode, errors: FormErrors| {
        visitor.render(
            status,
            "register.html",
            context! {
                step => "account", minor => minor, child => child, v => values.clone(),
                errors => errors.fields, general => errors.general,
            },
        )
    };
    if fields.get("step") != "account" {
        return account_step(visitor, StatusCode::OK, errors);
    }
    let mut v = Validator::new();
    let account = check_account_fields(
        &mut v,
        fields.get("email"),
        fields.raw("password"),
        fields.get("name"),
    );
    let guardian = minor.then(|| Guardian {
        name: fields.get("guardian_name").to_string(),
        email: fields.get("guardian_email").to_string(),
        phone: fields.get("guardian_phone").to_string(),
        // Under the sensitive age the consent counts only together with the separate
        // consent to processing.
        consent_given: fields.checked("consent")
            && (!child || fields.checked("consent_processing")),
    });
    let guardian = check_guardian(&mut v, guardian, age, &policy);
    merge(&mut errors, v, lang)?;
    if child && !fields.checked("consent_processing") {
        errors.field(
            "guardian.consent_processing",
            lang.text("register.consent_processing_required"),
        );
    }
    let Some(account) = account.filter(|_| errors.is_empty()) else {
        return account_step(visitor, StatusCode::UNPROCESSABLE_ENTITY, errors);
    };
    match create_account(&state, account).await {
        Ok(_) => {}
        Err(ApiError::Store(StoreError::Domain(DomainError::Conflict(_)))) => {
            errors.field("email", lang.text("register.email_taken"));
            return account_step(visitor, StatusCode::CONFLICT, errors);
        }
        Err(e) => return Err(e),
    }
    let session = log_in(
        &state,
        fields.get("email"),
        fields.raw("password").to_string(),
    )
    .await?;
    visitor.start_session(&session, state.settings.auth.token_ttl_hours * 3600);
    let pending = Pending {
        birth_date,
        guardian,
    };
    visitor.set_cookie(PENDING_COOKIE, &pending.to_cookie(), Some(24 * 3600));
    Ok(visitor.redirect("/me/profile?welcome=1"))
}
