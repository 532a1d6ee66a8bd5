//! # invoice-relay-integration
//!
//! Cross-crate reliability and security tests of Invoice Relay, and the harness they share:
//!
//! - [`source`]: a test [`InvoiceSource`](invoice_core::InvoiceSource) that takes canonical
//!   events as JSON bodies, so a model-based test controls every event exactly;
//! - [`sink`]: a scripted [`PortalSink`](invoice_core::PortalSink) that records what a
//!   portal applies and fails on command;
//! - [`portal`]: a loopback portal over HTTP that verifies Standard Webhooks signatures and
//!   flaps (timeouts, 503 with Retry-After, connection resets, slow answers) on command;
//! - [`relay_bin`]: the real `invoice-relay` binary as a child process (start, SIGKILL,
//!   restart, CLI commands);
//! - [`stripe`]: Stripe webhook bodies, signed with the connector's own test signer.
//!
//! The tests are in `tests/`: `model.rs` (Relay + Journal against a reference model, on
//! `MemoryJournal` and SQLite on disk), `chaos.rs` (the binary killed and restarted while
//! the portal flaps), `bad_input.rs` and `bad_input_ingest.rs` (hostile requests).
#![forbid(unsafe_code)]

pub mod portal;
pub mod relay_bin;
pub mod sink;
pub mod source;
pub mod stripe;
