//! The `ledger_corrections` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_corrections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub correction_entry_id: String,
    pub corrected_entry_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
