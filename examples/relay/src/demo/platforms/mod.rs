//! One module per platform: its `[sources.<slug>]` table and the signed requests of its
//! part of the story. Adding a platform is one module and one line in [`all`].

mod google_sheets;
mod odoo;
mod paypal;
pub mod quickbooks_online;
mod salesforce;
mod stripe;
pub mod xero;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use invoice_core::{Platform, Secret, WebhookRequest};

use super::story::Story;

/// Signs a request the platform's way at a time (each connector's own test signer).
pub type SignFn = fn(&mut WebhookRequest, &Secret, DateTime<Utc>);

/// One request of the scenario.
pub struct Step {
    /// What happens, for people.
    pub label: String,
    /// The request (path, headers, exact body), signed just before sending.
    pub request: WebhookRequest,
}

/// A platform's part of the demo.
pub trait DemoPlatform {
    /// The platform.
    fn platform(&self) -> Platform;
    /// The `[sources.<slug>]` table body (TOML lines) for this secret; `stand_in` is the
    /// base URL of the loopback stand-ins for platform APIs.
    fn config(&self, secret: &str, stand_in: &str) -> String;
    /// Top-level configuration this platform needs (`[[correlation]]` rules).
    fn extra_config(&self) -> String {
        String::new()
    }
    /// The signer.
    fn signer(&self) -> SignFn;
    /// The requests, in the order the platform would send them.
    fn steps(&self, story: &Story) -> Vec<Step>;
}

/// Every platform of the demo; `stand_in` is the base URL of the loopback API stand-ins.
pub fn all(stand_in: &str) -> Vec<Box<dyn DemoPlatform>> {
    vec![
        Box::new(stripe::Stripe),
        Box::new(salesforce::Salesforce),
        Box::new(odoo::Odoo),
        Box::new(google_sheets::GoogleSheets),
        Box::new(paypal::Paypal),
        Box::new(quickbooks_online::QuickbooksOnline),
        Box::new(xero::Xero::at(stand_in)),
    ]
}

/// A request to `path` with a content type and body.
pub fn request(
    path: &str,
    content_type: &str,
    extra: &[(&str, &str)],
    body: String,
) -> WebhookRequest {
    let mut b = http::Request::builder()
        .method(http::Method::POST)
        .uri(path)
        .header(http::header::CONTENT_TYPE, content_type);
    for (k, v) in extra {
        b = b.header(*k, *v);
    }
    b.body(Bytes::from(body)).unwrap_or_else(|_| {
        // Only fixed, valid header names and values are passed in.
        http::Request::new(Bytes::new())
    })
}
