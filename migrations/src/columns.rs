//! Column and constraint shapes every migration uses alike.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Ids are UUIDs kept as 36-character strings so both databases store and compare them alike.
pub(crate) fn id(name: &'static str) -> ColumnDef {
    string_len(name, 36)
}

pub(crate) fn id_null(name: &'static str) -> ColumnDef {
    string_len_null(name, 36)
}

pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    to: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(to, "id")
        .to_owned()
}

pub(crate) fn index(
    table: &'static str,
    name: &str,
    columns: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(*column);
    }
    if unique {
        index.unique();
    }
    index.to_owned()
}

/// Adds one column to an existing table.
pub(crate) async fn add_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    column: ColumnDef,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).add_column(column).to_owned())
        .await
}

/// Drops one column of a table.
pub(crate) async fn drop_column(
    manager: &SchemaManager<'_>,
    table: &'static str,
    column: &'static str,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}
