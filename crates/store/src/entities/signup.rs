//! The `signups` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "signups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub shift_id: String,
    pub volunteer_id: String,
    pub status: String,
    pub seq: i64,
    pub minor: bool,
    pub wait_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checked_in_by: Option<String>,
    pub checked_out_at: Option<DateTimeUtc>,
    pub checked_out_by: Option<String>,
    pub checked_in_with: Option<String>,
    pub checked_out_automatically: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
