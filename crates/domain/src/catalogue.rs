//! Closed vocabularies: skills, campaigns, organization kinds and member roles.
//!
//! Each is stored and sent as its snake_case name, so the database holds portable strings
//! rather than database-specific enum types.

use serde::{Deserialize, Serialize};
use strum::{AsRefStr, EnumIter, EnumString, IntoStaticStr};

/// A skill a volunteer can offer and a shift can require or prefer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Skill {
    /// First aid (needs a valid certificate, e.g. Red Cross).
    FirstAid,
    /// Lifeguard (needs a valid certificate).
    Lifeguard,
    /// Swimming.
    Swimming,
    /// Looking after children.
    Childcare,
    /// Tutoring school subjects.
    Tutoring,
    /// Psychological counselling (needs a valid certificate).
    PsychologicalCounselling,
    /// Sign language.
    SignLanguage,
    /// Photography.
    Photography,
    /// Driving (needs a valid licence).
    Driving,
    /// Traffic guidance at intersections.
    TrafficGuidance,
    /// Elder care.
    ElderCare,
    /// Music, art or sport coaching.
    ArtsAndSports,
}

/// A shift's few skills, kept inline: matching reads them for every volunteer it weighs, and a
/// list on the heap would cost a cache miss each time.
pub type SkillList = smallvec::SmallVec<[Skill; 4]>;

impl Skill {
    /// Whether holding this skill only counts with an unexpired certificate.
    pub fn requires_certificate(self) -> bool {
        matches!(
            self,
            Skill::FirstAid | Skill::Lifeguard | Skill::PsychologicalCounselling | Skill::Driving
        )
    }

    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The kind of campaign an event belongs to.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Campaign {
    /// Civilized-city campaigns (traffic guidance, tidy streets).
    CivilizedCity,
    /// Summer childcare classes for primary-school children.
    SummerChildcare,
    /// Drowning-prevention drives at rivers and ponds.
    DrowningPrevention,
    /// Visiting and helping the elderly.
    ElderCare,
    /// Environmental protection.
    Environment,
    /// Anything else.
    Other,
}

impl Campaign {
    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A language Hourbook speaks: pages and e-mails are in the account's language.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    Deserialize,
    EnumString,
    IntoStaticStr,
    utoipa::ToSchema,
)]
pub enum Locale {
    /// Simplified Chinese, the default.
    #[default]
    #[serde(rename = "zh-CN")]
    #[strum(serialize = "zh-CN")]
    ZhCn,
    /// English.
    #[serde(rename = "en")]
    #[strum(serialize = "en")]
    En,
}

impl Locale {
    /// The BCP 47 tag stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What kind of body an organization is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum OrganizationKind {
    /// A Communist Youth League committee.
    LeagueCommittee,
    /// A school.
    School,
    /// A non-governmental organization.
    Ngo,
    /// A community centre or residents' committee.
    Community,
    /// A host outside Hourbook whose contact confirmed a volunteer's claim through an
    /// e-mailed link: a record of who confirmed, with no members. Never created through the
    /// API.
    ExternalHost,
}

impl OrganizationKind {
    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A member's role inside one organization.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    EnumString,
    AsRefStr,
    IntoStaticStr,
    EnumIter,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MemberRole {
    /// Manages members and may do everything organizers and verifiers do.
    Admin,
    /// Posts events and shifts, runs rosters and check-in.
    Organizer,
    /// Verifies and corrects service hours.
    Verifier,
}

impl MemberRole {
    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether this role lets its holder manage events, shifts and rosters.
    pub fn may_organize(self) -> bool {
        matches!(self, MemberRole::Admin | MemberRole::Organizer)
    }

    /// Whether this role lets its holder verify hours. Organizers record what they organize
    /// ("who organizes, records"), so they may verify too.
    pub fn may_verify(self) -> bool {
        matches!(
            self,
            MemberRole::Admin | MemberRole::Organizer | MemberRole::Verifier
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn names_round_trip_through_strings_and_json() {
        assert_eq!(Skill::from_str("first_aid").unwrap(), Skill::FirstAid);
        assert_eq!(
            Skill::PsychologicalCounselling.as_str(),
            "psychological_counselling"
        );
        assert_eq!(
            serde_json::to_string(&Campaign::DrowningPrevention).unwrap(),
            "\"drowning_prevention\""
        );
        assert!(Campaign::from_str("party").is_err());
        assert_eq!(
            OrganizationKind::from_str("league_committee").unwrap(),
            OrganizationKind::LeagueCommittee
        );
    }
}
