//! # invoice-core
//!
//! The canonical invoice model, the state machine, the traits every connector, store and
//! portal sink implements, and the [`Relay`] pipeline that ties them together.
//!
//! ```text
//! platform -> InvoiceSource -> Correlator -> state machine -> Journal (one txn) -> OutboxWorker -> PortalSink -> portal
//! ```
//!
//! - Model: [`Money`], [`Currency`], [`InvoiceKey`], [`InvoiceEvent`], [`InvoiceState`],
//!   [`PortalStatus`].
//! - Logic: [`apply`] (pure state machine), [`OverduePolicy`], [`RetryPolicy`],
//!   [`audit`] (hash chain).
//! - Traits: [`InvoiceSource`], [`Enricher`], [`PortalSink`], [`journal::Journal`].
//! - Pipeline: [`Relay`], [`OutboxWorker`], [`Correlator`], [`journal::MemoryJournal`].
//! - Helpers for connectors: [`verify`], [`Secret`], [`Clock`].
//! - `testing` feature: [`testing`], the conformance kit connectors and journals run.
#![forbid(unsafe_code)]

pub mod audit;
mod backoff;
mod clock;
mod correlate;
mod enrich;
mod error;
mod event;
pub mod journal;
mod key;
mod machine;
mod money;
mod overdue;
mod platform;
pub mod registry;
pub mod relay;
mod secret;
mod serde_time;
mod sink;
mod source;
mod state;
pub mod verify;
mod worker;

#[cfg(feature = "fuzzing")]
pub mod fuzzing;
#[cfg(feature = "testing")]
pub mod testing;

pub use backoff::RetryPolicy;
pub use clock::{Clock, ManualClock, OffsetClock, SimulatedClock, SystemClock};
pub use correlate::{CorrelationRule, Correlator, MatchBy};
pub use enrich::{EnrichError, Enricher, ThinReference};
pub use error::{ErrorKind, SourceError};
pub use event::{
    Adjustment, AdjustmentKind, CorrelationHints, Customer, DisputeOutcome, EventDetail, EventKind,
    InvoiceEvent, InvoiceSnapshot,
};
pub use key::{DedupKey, InvoiceKey, TenantId};
pub use machine::{apply, AnomalyReason, IgnoreReason, Outcome, Transition};
pub use money::{Currency, Money, MoneyError};
pub use overdue::OverduePolicy;
pub use platform::{Platform, UnknownPlatform};
pub use relay::{IngestOutcome, IngestReport, Relay, RelayError, Route};
pub use secret::Secret;
pub use sink::{
    DeliveryError, PortalData, PortalEventInfo, PortalInvoice, PortalSink, PortalUpdate, Receipt,
};
pub use source::{
    ConnectorInfo, CursorReader, Handshake, IngestContext, Ingested, InvoiceSource, Reply,
    SignatureScheme, Skipped, WebhookRequest,
};
pub use state::{
    Delta, DeltaKind, DisputeStatus, EventOrder, InvoiceState, Lifecycle, OverdueStatus,
    PortalStatus, StateBasis,
};
pub use worker::{DeliveryAttempt, DeliveryObserver, OutboxWorker, WorkerReport};

/// Re-exports for connector crates, so they build on the same versions.
pub mod reexports {
    pub use async_trait::async_trait;
    pub use bytes;
    pub use chrono;
    pub use http;
    pub use rust_decimal;
}
