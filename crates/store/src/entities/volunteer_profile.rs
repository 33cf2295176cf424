//! The `volunteer_profiles` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_profiles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: String,
    pub birth_date: Date,
    pub phone: Option<String>,
    pub home_lat: f64,
    pub home_lon: f64,
    pub travel_radius_km: f64,
    pub skills: String,
    pub availability: String,
    pub school_organization_id: Option<String>,
    pub student_number: Option<String>,
    pub id_number_masked: Option<String>,
    pub id_number_hash: Option<String>,
    pub discoverable: bool,
    pub guardian: Option<String>,
    pub guardian_consent_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
