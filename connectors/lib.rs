//! Every Invoice Relay connector, each behind a cargo feature named by its platform slug
//! (`all` enables all). Nothing is on by default.
//!
//! ```
//! let mut registry = invoice_core::registry::ConnectorRegistry::new();
//! invoice_connectors::register_all(&mut registry);
//! ```
#![forbid(unsafe_code)]

use invoice_core::registry::ConnectorRegistry;

#[cfg(feature = "stripe")]
pub use invoice_connector_stripe as stripe;
#[cfg(feature = "salesforce")]
pub use invoice_connector_salesforce as salesforce;

/// Registers every connector compiled into this build.
pub fn register_all(registry: &mut ConnectorRegistry) {
    #[cfg(feature = "stripe")]
    stripe::register(registry);
    #[cfg(feature = "salesforce")]
    salesforce::register(registry);
    let _ = registry;
}

/// The README's embedding example, compiled and run as a doctest.
#[cfg(all(doctest, feature = "stripe"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
