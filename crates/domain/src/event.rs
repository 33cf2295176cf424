//! Events (campaigns made of shifts) and their accident insurance.

use crate::catalogue::Campaign;
use crate::error::{DomainError, Validator};
use crate::identity::{Email, parse_name};
use crate::location::Coordinates;
use crate::text::{category, multi_line, plausible_date, single_line};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An event as the organizer sends it (`POST /api/v1/events`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// The organizing organization.
    pub organization_id: Uuid,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Risks, shown before signup.
    #[serde(default)]
    pub risks: Option<String>,
    /// Personally dangerous (e.g. patrols at water): check-in needs recorded insurance.
    #[serde(default)]
    pub hazardous: bool,
    /// Campaign kind.
    pub campaign: Campaign,
    /// Service category counted toward requirements, e.g. `community_service`.
    pub category: String,
    /// Main location.
    pub location: Coordinates,
    /// Street address.
    pub address: String,
    /// What volunteers should bring (water, a hat, ID card...), shown on the shift page and
    /// in e-mails.
    #[serde(default)]
    pub what_to_bring: Option<String>,
    /// Whom volunteers call about the event.
    #[serde(default)]
    pub contact: Option<EventContact>,
}

/// The organizer's contact for an event, as volunteers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventContact {
    /// Name (a person or a desk).
    pub name: String,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// E-mail address (also the Reply-To of the event's e-mails).
    #[serde(default)]
    pub email: Option<String>,
}

impl EventContact {
    fn validate(self, v: &mut Validator) -> Option<Self> {
        let name = v.check(parse_name(&self.name, "contact.name"));
        let phone = match self.phone.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p)
                if p.len() <= 32
                    && p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) =>
            {
                Some(Some(p.to_string()))
            }
            Some(_) => {
                v.error(
                    "contact.phone",
                    "must be a phone number (digits, spaces, + - ( ))",
                );
                None
            }
        };
        let email = match self.email.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(e) => v
                .check(Email::parse(e).map_err(|_| {
                    DomainError::invalid("contact.email", "must be an e-mail address")
                }))
                .map(|e| Some(e.as_str().to_string())),
        };
        Some(Self {
            name: name?,
            phone: phone?,
            email: email?,
        })
    }
}

impl EventInput {
    /// Checks every field.
    pub fn validate(mut self) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        if let Some(title) = v.check(parse_name(&self.title, "title")) {
            self.title = title;
        }
        if let Some(description) = v.check(multi_line(&self.description, "description", 5000)) {
            self.description = description;
        }
        self.risks = self
            .risks
            .and_then(|r| v.check(multi_line(&r, "risks", 2000)))
            .filter(|r| !r.is_empty());
        if self.hazardous && self.risks.is_none() {
            v.error("risks", "a hazardous event must state its risks");
        }
        if let Some(category) = v.check(category(&self.category, "category")) {
            self.category = category;
        }
        v.check(Coordinates::parse(
            self.location.lat,
            self.location.lon,
            "location",
        ));
        if let Some(address) = v.check(single_line(&self.address, "address", 200)) {
            self.address = address;
        }
        self.what_to_bring = self
            .what_to_bring
            .and_then(|w| v.check(multi_line(&w, "what_to_bring", 1000)))
            .filter(|w| !w.is_empty());
        self.contact = self.contact.and_then(|c| c.validate(&mut v));
        v.finish().map(|()| self)
    }
}

/// Accident insurance for an event (`POST /api/v1/events/{id}/insurance`).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsuranceInput {
    /// Insurer.
    pub insurer: String,
    /// Policy number.
    pub policy_number: String,
    /// First day covered.
    pub covers_from: NaiveDate,
    /// Last day covered.
    pub covers_to: NaiveDate,
}

impl InsuranceInput {
    /// Checks every field.
    pub fn validate(mut self) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        if let Some(insurer) = v.check(parse_name(&self.insurer, "insurer")) {
            self.insurer = insurer;
        }
        if let Some(policy) = v.check(parse_name(&self.policy_number, "policy_number")) {
            self.policy_number = policy;
        }
        v.check(plausible_date(self.covers_from, "covers_from"));
        v.check(plausible_date(self.covers_to, "covers_to"));
        if self.covers_to < self.covers_from {
            v.error("covers_to", "must not be before covers_from");
        }
        v.finish().map(|()| self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hazardous_events_must_state_risks() {
        let input: EventInput = serde_json::from_value(json!({
            "organization_id": Uuid::nil(), "title": "防溺水巡查", "description": "", "hazardous": true,
            "campaign": "drowning_prevention", "category": "Safety", "location": {"lat": 31.2, "lon": 121.4},
            "address": "苏州河岸"
        }))
        .unwrap();
        let DomainError::Invalid(fields) = input.clone().validate().unwrap_err() else {
            panic!()
        };
        assert_eq!(fields[0].field, "risks");
        let ok = EventInput {
            risks: Some("水边滑倒".into()),
            ..input
        }
        .validate()
        .unwrap();
        assert_eq!(ok.category, "safety");
    }
}
