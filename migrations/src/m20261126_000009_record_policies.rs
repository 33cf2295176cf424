//! Each organization's recording rules (rounding, daily maximum, verification deadline);
//! organizations without a row use the configured defaults.

use crate::columns::{fk, id};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("record_policies")
                    .col(id("organization_id").primary_key())
                    .col(string_len("rounding", 16))
                    .col(big_integer_null("max_minutes_per_day"))
                    .col(integer("deadline_working_days"))
                    .col(id("updated_by"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk(
                        "record_policies",
                        "organization_id",
                        "organizations",
                    ))
                    .foreign_key(&mut fk("record_policies", "updated_by", "accounts"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("record_policies").to_owned())
            .await
    }
}
