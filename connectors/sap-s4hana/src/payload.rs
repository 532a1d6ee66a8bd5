//! CloudEvents 1.0 structured-mode JSON as SAP Event Mesh delivers S/4HANA business
//! events, and the billing document event type names.
//!
//! ```json
//! {"type":"sap.s4.beh.billingdocument.v1.BillingDocument.Created.v1","specversion":"1.0",
//!  "source":"/default/sap.s4.beh/244572008","id":"42010aef-…","time":"2026-01-14T09:12:44Z",
//!  "datacontenttype":"application/json","data":{"BillingDocument":"90000042"}}
//! ```

use serde::Deserialize;

/// One CloudEvent. Unknown attributes (extensions) are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct CloudEvent {
    /// `specversion`, `"1.0"`.
    #[serde(default)]
    pub specversion: Option<String>,
    /// Event id: the dedup key.
    #[serde(default)]
    pub id: Option<String>,
    /// Event type (`sap.s4.beh.billingdocument.v1.BillingDocument.Created.v1`).
    #[serde(rename = "type", default)]
    pub event_type: Option<String>,
    /// `/default/sap.s4.beh/<system id>`.
    #[serde(default)]
    pub source: Option<String>,
    /// RFC 3339 time.
    #[serde(default)]
    pub time: Option<String>,
    /// The business object key.
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}

/// Type prefix of billing document events.
pub const BILLING_PREFIX: &str = "sap.s4.beh.billingdocument.v1.BillingDocument.";

/// The operation of a billing document event type (`Created`, `Changed`, `Canceled`, or
/// any other operation SAP adds: still a reason to re-read the document), `None` for
/// other business objects.
///
/// ```
/// use invoice_connector_sap_s4hana::payload::billing_operation;
/// assert_eq!(
///     billing_operation("sap.s4.beh.billingdocument.v1.BillingDocument.Canceled.v1"),
///     Some("Canceled")
/// );
/// assert_eq!(billing_operation("sap.s4.beh.salesorder.v1.SalesOrder.Created.v1"), None);
/// ```
pub fn billing_operation(event_type: &str) -> Option<&str> {
    let rest = event_type.strip_prefix(BILLING_PREFIX)?;
    let (op, version) = rest.split_once('.')?;
    let ok_op = !op.is_empty() && op.len() <= 40 && op.bytes().all(|b| b.is_ascii_alphabetic());
    let ok_v = version
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    (ok_op && ok_v).then_some(op)
}

/// The system id of a `source` (`/default/sap.s4.beh/244572008` -> `244572008`).
pub fn system_of(source: &str) -> Option<&str> {
    let last = source.trim_end_matches('/').rsplit('/').next()?;
    let ok = !last.is_empty()
        && last.len() <= 64
        && last
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    ok.then_some(last)
}

/// A billing document number: 1 to 10 ASCII letters or digits (it goes into an OData key).
pub fn valid_document(id: &str) -> bool {
    !id.is_empty() && id.len() <= 10 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}
