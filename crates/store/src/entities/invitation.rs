//! The `invitations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub shift_id: String,
    pub volunteer_id: String,
    pub plan_id: Option<String>,
    pub invited_by: String,
    pub status: String,
    pub score: f64,
    pub distance_km: f64,
    pub reasons: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub responded_at: Option<DateTimeUtc>,
    pub signup_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
