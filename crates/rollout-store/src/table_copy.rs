//! The neutral form of a table's rows while `rollout migrate-data` copies a whole database from
//! one backend to the other: the SQLite store reads rows into [`Cell`]s, the PostgreSQL store
//! loads them, each converting with its own knowledge of how it stores a type. Deliberately not
//! part of the [`Store`](crate::Store) trait: it speaks tables and columns, not use cases, and
//! only that one command (and no request) uses it.

/// One stored value, as SQLite's storage classes hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    /// Text: also UUIDs, instants, dates, enum keys and JSON, in their stored text form.
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    /// The value as text for a typed cast on the receiving side (`NULL` stays `None`). Reals
    /// use Rust's shortest round-trip form, so no digit is lost; blobs are PostgreSQL's hex
    /// `bytea` form.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Self::Null => None,
            Self::Integer(i) => Some(i.to_string()),
            Self::Real(r) => Some(r.to_string()),
            Self::Text(t) => Some(t.clone()),
            Self::Blob(b) => {
                let mut hex = String::with_capacity(2 + b.len() * 2);
                hex.push_str("\\x");
                for byte in b {
                    hex.push_str(&format!("{byte:02x}"));
                }
                Some(hex)
            }
        }
    }
}

/// A slice of one table: its copied columns (generated ones left out: the target computes
/// them) and rows in those columns' order.
#[derive(Debug, Clone, PartialEq)]
pub struct TableChunk {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_as_text() {
        assert_eq!(Cell::Null.to_text(), None);
        assert_eq!(Cell::Integer(-7).to_text().as_deref(), Some("-7"));
        assert_eq!(Cell::Real(72.5).to_text().as_deref(), Some("72.5"));
        assert_eq!(
            Cell::Real(0.1 + 0.2).to_text().as_deref(),
            Some("0.30000000000000004")
        );
        assert_eq!(
            Cell::Blob(vec![0, 255]).to_text().as_deref(),
            Some("\\x00ff")
        );
    }
}
