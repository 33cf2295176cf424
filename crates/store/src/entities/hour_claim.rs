//! The `hour_claims` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "hour_claims")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub volunteer_id: String,
    pub organization_id: Option<String>,
    pub host_name: Option<String>,
    pub host_contact_name: Option<String>,
    pub host_contact_email: Option<String>,
    pub title: String,
    pub category: String,
    pub started_at: DateTimeUtc,
    pub ended_at: DateTimeUtc,
    pub minutes: i64,
    pub evidence_url: Option<String>,
    pub description: Option<String>,
    pub status: String,
    pub decided_via: Option<String>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub ledger_entry_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
    pub link_expires_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
