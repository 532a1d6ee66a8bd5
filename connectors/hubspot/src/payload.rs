//! The webhooks API body: a JSON array of subscription events. Unknown fields are
//! ignored; subscription types and property values stay open text.

use std::borrow::Cow;

use invoice_connector_support::json::opt_text;
use serde::Deserialize;

/// The invoice object type id (`0-53`).
pub const INVOICE_OBJECT_TYPE: &str = "0-53";

/// One subscription event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    /// Event id: the dedup key (stable across retries; `attemptNumber` counts them).
    pub event_id: u64,
    /// The subscription that fired.
    #[serde(default)]
    pub subscription_id: Option<u64>,
    /// The HubSpot account: the tenant.
    pub portal_id: u64,
    /// The app.
    #[serde(default)]
    pub app_id: Option<u64>,
    /// Epoch milliseconds; also the source version.
    pub occurred_at: i64,
    /// `object.propertyChange`, `object.creation`, `invoice.propertyChange`,
    /// `contact.creation`, ...
    #[serde(borrow)]
    pub subscription_type: Cow<'a, str>,
    /// Delivery attempt, from 0.
    #[serde(default)]
    pub attempt_number: Option<u32>,
    /// The record id.
    pub object_id: u64,
    /// `0-53` for invoices on generic `object.*` subscriptions.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub object_type_id: Option<Cow<'a, str>>,
    /// The changed property (`hs_invoice_status`).
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub property_name: Option<Cow<'a, str>>,
    /// Its new value, always a string.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub property_value: Option<Cow<'a, str>>,
    /// `CRM_UI`, `INTEGRATION`, ...
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub change_source: Option<Cow<'a, str>>,
}

impl Event<'_> {
    /// True for events about invoices.
    pub fn is_invoice(&self) -> bool {
        self.subscription_type.starts_with("invoice.")
            || self.object_type_id.as_deref() == Some(INVOICE_OBJECT_TYPE)
    }

    /// The part after the dot: `propertyChange`, `creation`, `deletion`, ...
    pub fn operation(&self) -> &str {
        self.subscription_type
            .split_once('.')
            .map(|(_, op)| op)
            .unwrap_or(&self.subscription_type)
    }
}

/// Parses a batch (a JSON array; an empty array is a valid, empty batch).
pub fn parse(body: &[u8]) -> Result<Vec<Event<'_>>, serde_json::Error> {
    invoice_connector_support::json::from_body(body)
}
