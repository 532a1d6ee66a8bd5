//! The conformance kit: behaviour suites every connector and every journal runs, each case
//! a named test. Enabled by the `testing` feature.
//!
//! - [`journal`]: the shared `Journal` behaviour suite (in-memory, SQLite, PostgreSQL).
//! - [`connector`]: the connector suite, driven by a connector's fixtures.
//! - [`bench`]: realistic commit batches for the journals' benches.

pub mod bench;
pub mod connector;
pub mod fixture;
pub mod journal;
