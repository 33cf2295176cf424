//! The most seats any plan could have filled, kept with each roster plan so an organizer can
//! tell a plan that fills the most possible from one that does not (NULL for older plans).

use crate::columns::{add_column, drop_column};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "roster_plans", big_integer_null("fill_bound")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "roster_plans", "fill_bound").await
    }
}
