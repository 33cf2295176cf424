//! The `events` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organization_id: String,
    pub title: String,
    pub description: String,
    pub risks: Option<String>,
    pub hazardous: bool,
    pub campaign: String,
    pub category: String,
    pub lat: f64,
    pub lon: f64,
    pub address: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
    pub what_to_bring: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
