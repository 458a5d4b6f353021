//! [`StoreError`]: what can go wrong below the storage port, in terms the app layer can act on.
//! Backend errors are kept as the source so the whole cause chain can be logged, never shown.

use std::error::Error as StdError;

type Source = Box<dyn StdError + Send + Sync + 'static>;

/// The storage boundary's error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing to change or refer to does not exist.
    #[error("{entity} {key} not found")]
    NotFound { entity: &'static str, key: String },
    /// Optimistic concurrency: the stored version is not the expected one.
    #[error("version conflict: expected {expected}, stored {actual}")]
    Conflict { expected: i32, actual: i32 },
    /// A unique key (bureau code, procedure code, idempotency key) is already taken.
    #[error("{entity} {key} already exists")]
    Duplicate { entity: &'static str, key: String },
    /// The database could not be reached or timed out; retrying later may work.
    #[error("database unavailable")]
    Unavailable(#[source] Source),
    /// Anything else: a bug or corrupt data. Logged with its cause chain, never shown.
    #[error("storage error: {context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Source>,
    },
}

impl StoreError {
    pub fn internal(
        context: impl Into<String>,
        source: impl StdError + Send + Sync + 'static,
    ) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }
    pub fn corrupt(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
    }
}
