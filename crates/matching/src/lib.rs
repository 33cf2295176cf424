//! Matching volunteers and shifts. For now: the geographic index of open shifts that
//! recommendations and roster planning will search; scoring and planning follow.

pub mod geo_index;

pub use geo_index::{RTreeShiftIndex, ShiftIndex};
