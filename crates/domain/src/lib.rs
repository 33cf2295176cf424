//! Hourbook's domain: the types and rules of volunteer service, free of IO.
//!
//! Everything that decides something (who may sign up, where a new signup lands,
//! how many minutes a check-in/check-out pair is worth) is a pure function here,
//! so the store, the API and matching all apply the same rules.

pub mod access;
pub mod catalogue;
pub mod certificate;
pub mod check_in_code;
pub mod claim;
pub mod deadline;
pub mod demo;
pub mod eligibility;
pub mod error;
pub mod event;
pub mod identity;
pub mod ledger;
pub mod location;
pub mod policy;
pub mod profile;
pub mod requirement;
pub mod roster;
pub mod service_time;
pub mod shift;
pub mod text;

pub use catalogue::{Campaign, Locale, MemberRole, OrganizationKind, Skill, SkillList};
pub use error::{DomainError, FieldError, Ineligibility};
pub use location::{Coordinates, UnitVector};
