//! Authenticating a push, on the raw bytes, before anything is parsed.
//!
//! - Basic (what an EIB or Studio HTTP delivery sends with endpoint credentials):
//!   `Authorization: Basic base64(user:password)`, user equal to `basic_user` and the
//!   password equal to a configured secret (constant time). Mutual TLS, where used, is
//!   terminated in front of the relay; Basic is still required behind it.
//! - HMAC (a Studio integration that signs): `X-Relay-Signature: t=<unix seconds>,v1=<hex>`,
//!   the hex being HMAC-SHA256 of `"<t>." + raw body`; any `v1` may match any secret
//!   (rotation); `t` must be within the tolerance of the injected clock.

pub use invoice_connector_support::relay_signature::{
    sign_header, verify_hmac, HEADER as HMAC_HEADER,
};

pub use invoice_connector_support::basic::{basic_header, verify_basic};
