//! The `ledger_entries` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub volunteer_id: String,
    pub chain_index: i64,
    pub kind: String,
    pub source: String,
    pub minutes: i64,
    pub category: String,
    pub organization_id: String,
    pub event_id: Option<String>,
    pub shift_id: Option<String>,
    pub signup_id: Option<String>,
    pub started_at: DateTimeUtc,
    pub ended_at: DateTimeUtc,
    pub note: Option<String>,
    pub verified_by: String,
    pub verified_at: DateTimeUtc,
    pub hash: String,
    pub prev_hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
