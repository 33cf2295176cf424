//! Requirement programs of schools and League committees, with every version of their rule.

use crate::columns::{fk, id, index};
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
                    .table("requirements")
                    .col(id("id").primary_key())
                    .col(id("organization_id"))
                    .col(string_len("name", 100))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("requirements", "organization_id", "organizations"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "requirements",
                "idx_requirements_organization",
                &["organization_id"],
                false,
            ))
            .await?;
        // Versions are only ever added: the rule in force on a past date stays answerable.
        manager
            .create_table(
                Table::create()
                    .table("requirement_versions")
                    .col(id("id").primary_key())
                    .col(id("requirement_id"))
                    .col(big_integer("min_minutes"))
                    .col(string_len("window_kind", 16))
                    .col(integer_null("window_days"))
                    // JSON object {category: minutes}.
                    .col(text("category_minimums"))
                    .col(date("effective_from"))
                    .col(id("created_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "requirement_versions",
                        "requirement_id",
                        "requirements",
                    ))
                    .foreign_key(&mut fk("requirement_versions", "created_by", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "requirement_versions",
                "idx_requirement_versions_requirement",
                &["requirement_id", "effective_from"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["requirement_versions", "requirements"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
