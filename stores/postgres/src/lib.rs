#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod batch;
mod chain;
mod convert;
mod journal;
mod options;
mod outbox;
mod read;
pub mod schema;
pub mod scratch;
mod writer;

pub use journal::{MigrationReport, PostgresJournal};
pub use options::PostgresOptions;
pub use schema::SCHEMA_VERSION;
pub use scratch::ScratchDatabase;
pub use writer::CommitStats;
