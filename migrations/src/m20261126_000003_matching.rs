//! Roster plans (proposals an organizer reviews) and invitations (what a volunteer accepts or
//! declines: nobody is signed up without consent).

use crate::columns::{fk, id, id_null, index};
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
                    .table("roster_plans")
                    .col(id("id").primary_key())
                    .col(id("event_id"))
                    .col(id("created_by"))
                    .col(string_len("volunteer_pool", 16))
                    // `proposed`, then `accepted` once invitations went out.
                    .col(string_len("status", 16))
                    .col(double("total_score"))
                    // JSON list of {shift_id, missing}.
                    .col(text("unfilled"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("accepted_at"))
                    .foreign_key(&mut fk("roster_plans", "event_id", "events"))
                    .foreign_key(&mut fk("roster_plans", "created_by", "accounts"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "roster_plans",
                "idx_roster_plans_event",
                &["event_id"],
                false,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("roster_plan_assignments")
                    .col(id("plan_id"))
                    .col(id("shift_id"))
                    .col(id("volunteer_id"))
                    .col(double("score"))
                    .col(double("distance_km"))
                    // JSON list of {code, detail, points}.
                    .col(text("reasons"))
                    .primary_key(
                        Index::create()
                            .col("plan_id")
                            .col("shift_id")
                            .col("volunteer_id"),
                    )
                    .foreign_key(&mut fk(
                        "roster_plan_assignments",
                        "plan_id",
                        "roster_plans",
                    ))
                    .foreign_key(&mut fk("roster_plan_assignments", "shift_id", "shifts"))
                    .foreign_key(&mut fk(
                        "roster_plan_assignments",
                        "volunteer_id",
                        "accounts",
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("invitations")
                    .col(id("id").primary_key())
                    .col(id("shift_id"))
                    .col(id("volunteer_id"))
                    .col(id_null("plan_id"))
                    .col(id("invited_by"))
                    // pending -> accepted | declined | expired | withdrawn
                    .col(string_len("status", 16))
                    .col(double("score"))
                    .col(double("distance_km"))
                    .col(text("reasons"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("responded_at"))
                    .col(id_null("signup_id"))
                    .foreign_key(&mut fk("invitations", "shift_id", "shifts"))
                    .foreign_key(&mut fk("invitations", "volunteer_id", "accounts"))
                    .foreign_key(&mut fk("invitations", "plan_id", "roster_plans"))
                    .foreign_key(&mut fk("invitations", "invited_by", "accounts"))
                    .foreign_key(&mut fk("invitations", "signup_id", "signups"))
                    .to_owned(),
            )
            .await?;
        // One invitation per volunteer and shift, ever: a volunteer who declined is not asked
        // again for the same shift, and two organizers cannot invite the same person twice.
        manager
            .create_index(index(
                "invitations",
                "uq_invitations_shift_volunteer",
                &["shift_id", "volunteer_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(
                "invitations",
                "idx_invitations_volunteer",
                &["volunteer_id"],
                false,
            ))
            .await?;
        manager
            .create_index(index(
                "invitations",
                "idx_invitations_status_expires",
                &["status", "expires_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["invitations", "roster_plan_assignments", "roster_plans"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
