//! Matching volunteers and shifts: who may be proposed what (the hard filters, shared with
//! signups through `hourbook_domain::eligibility::assess`), how well they fit (a score
//! explained term by term), the geographic index of open shifts, and roster planning as an
//! exact minimum-cost maximum flow. Pure and in memory, except the Redis-backed index.

pub mod catalog;
pub mod compare;
pub mod district;
pub mod flow;
pub mod geo_index;
pub mod model;
pub mod open_shifts;
pub mod rank;
pub mod roster;
pub mod score;
#[cfg(test)]
mod testing;

pub use catalog::ShiftCatalog;
pub use geo_index::{RTreeShiftIndex, ShiftIndex};
pub use model::{Audience, MatchContext, OpenShift, RequirementGoal, Volunteer, Weights};
pub use rank::{Ranked, rank_shifts, rank_volunteers};
pub use roster::{
    Assignment, PlanOptions, Progress, RosterPlan, Unfilled, plan_roster, roster_network,
};
pub use score::{Reason, Scored, proposable, score};
