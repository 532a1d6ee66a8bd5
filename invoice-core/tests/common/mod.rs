//! Helpers shared by the integration tests.
#![allow(dead_code, missing_docs)]

pub mod history;
