//! # demo-portal
//!
//! A reference customer portal for Invoice Relay: it receives the relay's signed
//! CloudEvents at `POST /invoice-events`, verifies them with
//! [`portal_client::verify::Verifier`], applies them idempotently (by id) and in order
//! (by `sequence` per invoice; stale updates are kept in the timeline but never regress the
//! invoice), stores them in SQLite, and shows each client its invoices as server-rendered
//! HTML that refreshes itself when something changes.
//!
//! Routes:
//! - `POST /invoice-events`: one CloudEvent (`application/cloudevents+json`) or a batch
//!   (`application/cloudevents-batch+json`). 200 applied or stale, 409 already have this
//!   id, 400 malformed, 401 bad signature, 413 too large, 415 other content types.
//! - `GET /`: the customers; `GET /customers/{id}?status=...`: that client's invoices;
//!   `GET /invoices/{id}`: one invoice and its timeline; `GET /live`: Server-Sent Events
//!   the pages listen to; `GET /healthz`.
//!
//! It is a demo: pages have no login, so every visitor sees every customer, and `/live`
//! announces customer ids. A real portal puts its own authentication in front and shows
//! each client only its own account.
//!
//! In-process start (the relay's `demo` command does this):
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use demo_portal::{DemoPortalConfig, spawn};
//! use invoice_core::Secret;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let portal = spawn(listener, DemoPortalConfig::new(
//!     "demo-portal.db",
//!     vec![Secret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")],
//! ))?;
//! println!("portal at {}, events to {}", portal.base_url(), portal.events_url());
//! portal.shutdown().await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod config;
mod error;
mod ingest;
mod live;
mod pages;
mod server;
pub mod store;

pub use config::DemoPortalConfig;
pub use error::DemoPortalError;
pub use server::{router, serve, serve_with_shutdown, spawn, DemoPortalHandle};
pub use store::{ApplyOutcome, Store};
