//! Code that several Invoice Relay connectors need in the same form.
//!
//! - [`oauth`]: bearer tokens for API enrichers: a fixed token, or one obtained at an
//!   OAuth 2.0 token endpoint (refresh-token or client-credentials grant), cached,
//!   exchanged again before it expires and once after the API answers 401.
//! - [`http`]: small HTTP helpers the enrichers share.
//! - [`json`]: optional JSON strings borrowed from the body.
//! - [`xml`]: a bounded, namespace-aware XML reader that refuses DTDs.
//! - [`basic`], [`relay_signature`]: HTTP Basic credentials and the `X-Relay-Signature`
//!   HMAC header, as the pushing connectors check them.
//! - `testing` (feature `testing`): helpers for the connectors' no-panic property tests.
#![forbid(unsafe_code)]

pub mod basic;
pub mod http;
pub mod json;
pub mod oauth;
pub mod relay_signature;
#[cfg(feature = "testing")]
pub mod testing;
pub mod xml;
