//! Cursor pagination for lists: `?limit=` (default 20, at most 100) and `?cursor=`.

use hourbook_domain::DomainError;
use serde::Serialize;

/// Default page size.
pub const DEFAULT_LIMIT: u64 = 20;
/// Largest page size.
pub const MAX_LIMIT: u64 = 100;

/// Which slice of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// How many items.
    pub limit: u64,
    /// How many to skip (decoded from the cursor).
    pub offset: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl PageRequest {
    /// Validates the query parameters.
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, DomainError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => n as u64,
            Some(_) => {
                return Err(DomainError::invalid(
                    "limit",
                    format!("must be between 1 and {MAX_LIMIT}"),
                ));
            }
        };
        let offset = match cursor {
            None | Some("") => 0,
            Some(c) => c
                .strip_prefix("o")
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| {
                    DomainError::invalid("cursor", "is not a cursor this server issued")
                })?,
        };
        Ok(Self { limit, offset })
    }

    /// Cuts a page out of an already ordered list.
    pub fn slice<T>(&self, all: Vec<T>) -> Page<T> {
        let total = all.len() as u64;
        let items: Vec<T> = all
            .into_iter()
            .skip(self.offset as usize)
            .take(self.limit as usize)
            .collect();
        let end = self.offset + items.len() as u64;
        Page {
            items,
            next_cursor: (end < total).then(|| format!("o{end}")),
        }
    }

    /// Builds a page from a query that fetched `limit + 1` rows (the extra one says "more").
    pub fn from_fetched<T>(&self, mut fetched: Vec<T>) -> Page<T> {
        let more = fetched.len() as u64 > self.limit;
        fetched.truncate(self.limit as usize);
        let end = self.offset + fetched.len() as u64;
        Page {
            items: fetched,
            next_cursor: more.then(|| format!("o{end}")),
        }
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; null on the last one.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_walk_the_whole_list() {
        let first = PageRequest::parse(Some(2), None)
            .unwrap()
            .slice(vec![1, 2, 3]);
        assert_eq!(first.items, [1, 2]);
        let next = PageRequest::parse(Some(2), first.next_cursor.as_deref())
            .unwrap()
            .slice(vec![1, 2, 3]);
        assert_eq!(next.items, [3]);
        assert_eq!(next.next_cursor, None);
        assert!(PageRequest::parse(Some(0), None).is_err());
        assert!(PageRequest::parse(Some(101), None).is_err());
        assert!(PageRequest::parse(None, Some("garbage")).is_err());
    }
}
