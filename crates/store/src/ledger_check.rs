//! Walking the ledger's hash chains (`hourbook ledger verify`): every volunteer's entries in
//! order, each checked against its stored hash and its predecessor.

use crate::entities::ledger_entry;
use crate::ledger::content_of;
use crate::{Result, Store, parse_id};
use hourbook_domain::ledger::{BreakKind, ChainBreak, StoredEntry, check_chain};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Volunteers whose chains are read at once.
const CHUNK: usize = 200;

/// What a walk over the chains found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LedgerCheck {
    /// Chains walked.
    pub volunteers: u64,
    /// Entries checked.
    pub entries: u64,
    /// Every break, by volunteer and position.
    pub breaks: Vec<ChainBreak>,
}

impl Store {
    /// Checks the chains of every volunteer (or only `volunteer`'s), calling `progress` with
    /// (chains done, chains in all) as it goes.
    pub async fn check_ledger(
        &self,
        volunteer: Option<Uuid>,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<LedgerCheck> {
        let mut ids: Vec<String> = ledger_entry::Entity::find()
            .select_only()
            .column(ledger_entry::Column::VolunteerId)
            .distinct()
            .into_tuple::<String>()
            .all(self.db())
            .await?;
        if let Some(v) = volunteer {
            ids.retain(|id| *id == v.to_string());
        }
        ids.sort();
        let total = ids.len() as u64;
        let mut check = LedgerCheck::default();
        progress(0, total);
        for chunk in ids.chunks(CHUNK) {
            let rows = ledger_entry::Entity::find()
                .filter(ledger_entry::Column::VolunteerId.is_in(chunk.iter().cloned()))
                .order_by_asc(ledger_entry::Column::VolunteerId)
                .order_by_asc(ledger_entry::Column::ChainIndex)
                .all(self.db())
                .await?;
            let mut chains: BTreeMap<String, Vec<ledger_entry::Model>> = BTreeMap::new();
            for row in rows {
                chains
                    .entry(row.volunteer_id.clone())
                    .or_default()
                    .push(row);
            }
            for (_, rows) in chains {
                check.entries += rows.len() as u64;
                check.breaks.extend(check_rows(rows));
                check.volunteers += 1;
                progress(check.volunteers, total);
            }
        }
        Ok(check)
    }
}

/// One chain's breaks. A row that no longer even parses (an id or a kind edited into
/// nonsense) is a changed entry; the rest of the chain is still checked around it.
fn check_rows(rows: Vec<ledger_entry::Model>) -> Vec<ChainBreak> {
    let mut unreadable = Vec::new();
    let mut stored = Vec::with_capacity(rows.len());
    for row in rows {
        match content_of(&row) {
            Ok(content) => stored.push(StoredEntry {
                content,
                hash: row.hash,
                prev_hash: row.prev_hash,
            }),
            Err(_) => unreadable.push(ChainBreak {
                entry_id: parse_id(&row.id).unwrap_or_default(),
                volunteer_id: parse_id(&row.volunteer_id).unwrap_or_default(),
                chain_index: row.chain_index,
                kind: BreakKind::ContentChanged,
            }),
        }
    }
    let mut breaks = check_chain(&stored);
    breaks.extend(unreadable);
    breaks.sort_by_key(|b| b.chain_index);
    breaks
}
