#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod batch;
mod checkpoint;
mod convert;
pub mod export;
mod hot;
mod journal;
mod options;
mod outbox;
mod read;
pub mod retention;
pub mod schema;
mod syncer;
mod writer;

pub use export::{export_audit, ExportError, ExportFormat};
pub use journal::SqliteJournal;
pub use options::{SqliteOptions, Synchronous};
pub use retention::RetentionReport;
pub use schema::SCHEMA_VERSION;
pub use writer::CommitStats;
