//! Every Invoice Relay connector, each behind a cargo feature named by its platform slug
//! (`all` enables all). Nothing is on by default.
#![forbid(unsafe_code)]

#[cfg(feature = "stripe")]
pub use invoice_connector_stripe as stripe;
