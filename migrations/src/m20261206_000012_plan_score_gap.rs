//! How far, at most, each roster plan's score lies from the best plan of its size, kept with
//! the plan so an organizer can tell a plan proven best from one proven close (NULL for older
//! plans).

use crate::columns::{add_column, drop_column};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add_column(manager, "roster_plans", double_null("score_gap")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_column(manager, "roster_plans", "score_gap").await
    }
}
