//! The most seats any plan could have filled, kept with each roster plan so an organizer can
//! tell a plan that fills the most possible from one that does not (NULL for older plans).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("roster_plans")
                    .add_column(big_integer_null("fill_bound"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("roster_plans")
                    .drop_column("fill_bound")
                    .to_owned(),
            )
            .await
    }
}
