//! One sea-orm entity per table. Only this crate sees them; other crates get domain types
//! or the plain records defined beside each repository.

pub mod account;
pub mod certificate;
pub mod counter;
pub mod dispute;
pub mod event;
pub mod event_insurance;
pub mod hour_claim;
pub mod idempotency_key;
pub mod invitation;
pub mod ledger_correction;
pub mod ledger_entry;
pub mod membership;
pub mod notification_opt_out;
pub mod organization;
pub mod outbox_message;
pub mod record_policy;
pub mod requirement;
pub mod requirement_version;
pub mod roster_plan;
pub mod roster_plan_assignment;
pub mod session;
pub mod shift;
pub mod signup;
pub mod volunteer_profile;
