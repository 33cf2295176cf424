//! The `roster_plan_assignments` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_plan_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub plan_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub shift_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub volunteer_id: String,
    pub score: f64,
    pub distance_km: f64,
    pub reasons: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
