//! Helpers shared by the integration tests.
#![allow(dead_code, missing_docs, clippy::unwrap_used)]

pub mod history;
