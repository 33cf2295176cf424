//! How a volunteer checked in (`location`, `code` or `desk`), so the ledger can say where the
//! time came from, and whether the check-out was closed automatically (a forgotten one).

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
                    .table("signups")
                    .add_column(string_len_null("checked_in_with", 16))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("signups")
                    .add_column(boolean("checked_out_automatically").default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("signups")
                    .drop_column("checked_in_with")
                    .drop_column("checked_out_automatically")
                    .to_owned(),
            )
            .await
    }
}
