//! Posting an event: the form, and its submission through the same validation and store call
//! as `POST /api/v1/events`. Errors show next to their fields and the values are kept.

use super::{Member, MemberForm, Page, answer, must_organize, show};
use crate::error::{ApiError, ApiResult};
use crate::extract::path_id;
use crate::pages::forms::{Fields, FormErrors};
use crate::pages::i18n::Lang;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use hourbook_domain::event::{EventContact, EventInput};
use hourbook_domain::{Campaign, Coordinates};
use minijinja::context;
use serde::Serialize;
use std::str::FromStr;
use strum::IntoEnumIterator;
use uuid::Uuid;

/// The form's values, as shown.
#[derive(Serialize, Default)]
struct Values {
    title: String,
    description: String,
    campaign: String,
    category: String,
    address: String,
    lat: String,
    lon: String,
    risks: String,
    hazardous: bool,
    what_to_bring: String,
    contact_name: String,
    contact_phone: String,
    contact_email: String,
}

impl Values {
    fn from_fields(f: &Fields) -> Self {
        Values {
            title: f.get("title").into(),
            description: f.get("description").into(),
            campaign: f.get("campaign").into(),
            category: f.get("category").into(),
            address: f.get("address").into(),
            lat: f.get("lat").into(),
            lon: f.get("lon").into(),
            risks: f.get("risks").into(),
            hazardous: f.checked("hazardous"),
            what_to_bring: f.get("what_to_bring").into(),
            contact_name: f.get("contact_name").into(),
            contact_phone: f.get("contact_phone").into(),
            contact_email: f.get("contact_email").into(),
        }
    }

    /// The API's input; what cannot be read is an error on its field (and a harmless
    /// stand-in, so the domain still checks every other field).
    fn input(&self, organization_id: Uuid, lang: Lang, errors: &mut FormErrors) -> EventInput {
        let campaign = Campaign::from_str(&self.campaign).unwrap_or_else(|_| {
            errors.field("campaign", lang.text("form.required"));
            Campaign::Other
        });
        let coordinate = |raw: &str, errors: &mut FormErrors| match raw.parse::<f64>() {
            Ok(v) => v,
            Err(_) => {
                if !errors.fields.contains_key("location") {
                    errors.field("location", lang.text("form.not_a_number"));
                }
                0.0
            }
        };
        let lat = coordinate(&self.lat, errors);
        let lon = coordinate(&self.lon, errors);
        let blank = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let contact = (!self.contact_name.is_empty()
            || !self.contact_phone.is_empty()
            || !self.contact_email.is_empty())
        .then(|| EventContact {
            name: self.contact_name.clone(),
            phone: blank(&self.contact_phone),
            email: blank(&self.contact_email),
        });
        EventInput {
            organization_id,
            title: self.title.clone(),
            description: self.description.clone(),
            risks: blank(&self.risks),
            hazardous: self.hazardous,
            campaign,
            category: self.category.clone(),
            location: Coordinates { lat, lon },
            address: self.address.clone(),
            what_to_bring: blank(&self.what_to_bring),
            contact,
        }
    }
}

fn form_page(org_id: Uuid, org_name: String, v: Values, errors: FormErrors) -> Page {
    let campaigns: Vec<&str> = Campaign::iter().map(Campaign::as_str).collect();
    Page {
        status: StatusCode::OK,
        template: "org_event_form.html",
        context: context! {
            org_id => org_id.to_string(), org_name => org_name, campaigns => campaigns,
            v => v, errors => errors.fields, general => errors.general,
        },
    }
}

/// `GET /org/{org_id}/events/new`.
pub(super) async fn form(
    State(state): State<AppState>,
    Path(org_id): Path<String>,
    Member { visitor, actor }: Member,
) -> ApiResult<Response> {
    let page = async {
        let org_id = path_id(&org_id, "organization")?;
        let org = state.store.organization(org_id).await?;
        must_organize(
            &actor,
            org_id,
            "only the organization's organizers post events",
        )?;
        let v = Values {
            campaign: Campaign::Other.as_str().into(),
            lat: org.location.map(|l| l.lat.to_string()).unwrap_or_default(),
            lon: org.location.map(|l| l.lon.to_string()).unwrap_or_default(),
            ..Values::default()
        };
        Ok(form_page(org_id, org.name, v, FormErrors::default()))
    }
    .await;
    show(visitor, page)
}

/// `POST /org/{org_id}/events/new`: on success, on to adding its first shift.
pub(super) async fn create(
    State(state): State<AppState>,
    Path(org_id): Path<String>,
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
        let org_id = path_id(&org_id, "organization")?;
        let org = state.store.organization(org_id).await?;
        let mut errors = FormErrors::default();
        let input = values.input(org_id, lang, &mut errors);
        let refusal = if errors.is_empty() {
            match state
                .store
                .create_event(&actor, input, state.clock.now())
                .await
            {
                Ok(event) => return Ok(Ok(format!("/org/events/{}/shifts/new", event.id))),
                Err(e) => Some(ApiError::from(e)),
            }
        } else {
            // Nothing is saved; the domain's checks still run so every field's error shows.
            input.validate().err().map(ApiError::from)
        };
        let mut status = StatusCode::UNPROCESSABLE_ENTITY;
        if let Some(e) = refusal {
            status = errors.add_refusal(e, lang, str::to_string)?;
        }
        let mut page = form_page(org_id, org.name, values, errors);
        page.status = status;
        Ok(Err(page))
    }
    .await;
    answer(visitor, outcome)
}
