//! Off-platform claims: hours a volunteer served elsewhere, submitted with evidence. They
//! count only once the named organization verifies them, or, when the host is not on
//! Hourbook, once the host's contact confirms them through a signed e-mailed link.

use crate::error::{DomainError, Validator};
use crate::identity::{Email, parse_name};
use crate::text::{category, multi_line, plausible_instant, single_line};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use uuid::Uuid;

/// Most minutes one claim may cover: one day's service.
pub const MAX_CLAIM_MINUTES: i64 = 24 * 60;
/// How far back service may be claimed (the longest requirement window is three school years).
pub const MAX_CLAIM_AGE_DAYS: i64 = 3 * 366;

/// `POST /api/v1/me/hours/claims`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimInput {
    /// The organization on Hourbook that hosted the service; its verifiers decide.
    #[serde(default)]
    pub organization_id: Option<Uuid>,
    /// A host that is not on Hourbook; its contact confirms through an e-mailed link.
    #[serde(default)]
    pub host: Option<HostInput>,
    /// What the service was.
    pub title: String,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub ended_at: DateTime<Utc>,
    /// Service category, e.g. `community_service`.
    pub category: String,
    /// A link to the evidence (a photo, a letter, the host's announcement).
    #[serde(default)]
    pub evidence_url: Option<String>,
    /// What the volunteer did, in their words.
    #[serde(default)]
    pub description: Option<String>,
}

/// A host outside Hourbook and the person there who can confirm the service.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HostInput {
    /// The host's name, e.g. a care home.
    pub name: String,
    /// Who there supervised the service.
    pub contact_name: String,
    /// Their e-mail address; the confirmation link goes there.
    pub contact_email: String,
}

/// Who decides a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decider {
    /// An organization on Hourbook.
    Organization(Uuid),
    /// A host outside it.
    Host {
        /// Host name.
        name: String,
        /// Contact's name.
        contact_name: String,
        /// Contact's address.
        contact_email: Email,
    },
}

/// A checked claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidClaim {
    /// Who decides it.
    pub decider: Decider,
    /// Title.
    pub title: String,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub ended_at: DateTime<Utc>,
    /// The minutes claimed: the whole window.
    pub minutes: i64,
    /// Category.
    pub category: String,
    /// Evidence link.
    pub evidence_url: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// An `http(s)://` link of at most 500 characters without spaces.
fn evidence_url(raw: &str) -> Result<Option<String>, DomainError> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let scheme_ok = ["https://", "http://"]
        .iter()
        .any(|s| url.len() > s.len() && url[..s.len()].eq_ignore_ascii_case(s));
    if !scheme_ok || url.len() > 500 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(DomainError::invalid(
            "evidence_url",
            "must be a web link starting with https:// (at most 500 characters)",
        ));
    }
    Ok(Some(url.to_string()))
}

impl ClaimInput {
    /// Checks every field; `claimant_email` is the volunteer's own address, which may not
    /// confirm their own claim.
    pub fn validate(
        self,
        claimant_email: &str,
        now: DateTime<Utc>,
    ) -> Result<ValidClaim, DomainError> {
        let mut v = Validator::new();
        let decider = match (self.organization_id, self.host) {
            (Some(org), None) => Some(Decider::Organization(org)),
            (None, Some(host)) => {
                let name = v.check(single_line(&host.name, "host.name", 200));
                let contact_name = v.check(parse_name(&host.contact_name, "host.contact_name"));
                let contact_email = v.check(Email::parse(&host.contact_email).map_err(|_| {
                    DomainError::invalid(
                        "host.contact_email",
                        "must be an e-mail address like name@example.com",
                    )
                }));
                if contact_email
                    .as_ref()
                    .is_some_and(|e| e.as_str().eq_ignore_ascii_case(claimant_email.trim()))
                {
                    v.error(
                        "host.contact_email",
                        "must be the host's address, not your own",
                    );
                }
                match (name, contact_name, contact_email) {
                    (Some(name), Some(contact_name), Some(contact_email)) => Some(Decider::Host {
                        name,
                        contact_name,
                        contact_email,
                    }),
                    _ => None,
                }
            }
            (Some(_), Some(_)) | (None, None) => {
                v.error(
                    "organization_id",
                    "name the organization on Hourbook, or the host when it is not on Hourbook (one of organization_id and host)",
                );
                None
            }
        };
        let title = v.check(single_line(&self.title, "title", 200));
        let category = v.check(category(&self.category, "category"));
        let started = v.check(plausible_instant(self.started_at, "started_at"));
        let ended = v.check(plausible_instant(self.ended_at, "ended_at"));
        if let (Some(started), Some(ended)) = (started, ended) {
            if ended <= started {
                v.error("ended_at", "must be after started_at");
            } else if ended - started > Duration::minutes(MAX_CLAIM_MINUTES) {
                v.error(
                    "ended_at",
                    "a claim covers at most 24 hours; claim each day on its own",
                );
            }
            if ended > now {
                v.error("ended_at", "must not be in the future");
            }
            if started < now - Duration::days(MAX_CLAIM_AGE_DAYS) {
                v.error("started_at", "must be within the last three years");
            }
        }
        let evidence_url = self
            .evidence_url
            .and_then(|u| v.check(evidence_url(&u)))
            .flatten();
        let description = self
            .description
            .and_then(|d| v.check(multi_line(&d, "description", 2000)))
            .filter(|d| !d.is_empty());
        v.finish()?;
        match (decider, title, category, started, ended) {
            (Some(decider), Some(title), Some(category), Some(started_at), Some(ended_at)) => {
                Ok(ValidClaim {
                    decider,
                    title,
                    minutes: (ended_at - started_at).num_minutes(),
                    started_at,
                    ended_at,
                    category,
                    evidence_url,
                    description,
                })
            }
            _ => Err(DomainError::invalid("", "the claim is incomplete")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        "2027-07-20T12:00:00Z".parse().unwrap()
    }

    fn input(extra: serde_json::Value) -> ClaimInput {
        let mut base = json!({
            "title": "敬老院陪伴", "started_at": "2027-07-18T09:00:00+08:00",
            "ended_at": "2027-07-18T11:30:00+08:00", "category": "Elder_Care",
            "host": {"name": "长寿敬老院", "contact_name": "王主任", "contact_email": "Wang@Care.example"}
        });
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                base.as_object_mut().unwrap().remove(k);
            } else {
                base[k] = v.clone();
            }
        }
        serde_json::from_value(base).unwrap()
    }

    fn fields(result: Result<ValidClaim, DomainError>) -> Vec<String> {
        match result {
            Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_host_claim_is_normalised_and_covers_its_whole_window() {
        let claim = input(json!({"evidence_url": " https://example.org/photo.jpg "}))
            .validate("me@example.com", now())
            .unwrap();
        assert_eq!(claim.minutes, 150);
        assert_eq!(claim.category, "elder_care");
        assert_eq!(
            claim.evidence_url.as_deref(),
            Some("https://example.org/photo.jpg")
        );
        match claim.decider {
            Decider::Host { contact_email, .. } => {
                assert_eq!(contact_email.as_str(), "wang@care.example")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn exactly_one_decider_and_never_the_volunteer_themselves() {
        let org = Uuid::new_v4();
        let both = input(json!({"organization_id": org}));
        assert_eq!(
            fields(both.validate("me@example.com", now())),
            ["organization_id"]
        );
        let neither = input(json!({"host": null}));
        assert_eq!(
            fields(neither.validate("me@example.com", now())),
            ["organization_id"]
        );
        let own = input(json!({}));
        assert_eq!(
            fields(own.validate(" WANG@care.example", now())),
            ["host.contact_email"]
        );
        let org_only = input(json!({"organization_id": org, "host": null}));
        assert_eq!(
            org_only.validate("me@example.com", now()).unwrap().decider,
            Decider::Organization(org)
        );
    }

    #[test]
    fn windows_links_and_text_are_checked_with_field_errors() {
        let cases = [
            (json!({"ended_at": "2027-07-18T08:00:00+08:00"}), "ended_at"),
            (json!({"ended_at": "2027-07-19T10:00:00+08:00"}), "ended_at"),
            (
                json!({"started_at": "2027-07-21T09:00:00+08:00", "ended_at": "2027-07-21T10:00:00+08:00"}),
                "ended_at",
            ),
            (
                json!({"started_at": "2024-01-01T09:00:00+08:00", "ended_at": "2024-01-01T10:00:00+08:00"}),
                "started_at",
            ),
            (
                json!({"evidence_url": "javascript:alert(1)"}),
                "evidence_url",
            ),
            (json!({"evidence_url": "https://a b"}), "evidence_url"),
            (json!({"category": "社区"}), "category"),
            (json!({"title": " "}), "title"),
            (json!({"description": "a\u{0}b"}), "description"),
        ];
        for (change, field) in cases {
            assert_eq!(
                fields(input(change.clone()).validate("me@example.com", now())),
                [field],
                "{change}"
            );
        }
    }
}
