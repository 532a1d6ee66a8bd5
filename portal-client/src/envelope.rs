//! The CloudEvents 1.0 structured-mode JSON envelope around a [`PortalUpdate`].

use chrono::{DateTime, Utc};
use invoice_core::{PortalData, PortalUpdate};
use serde::{Deserialize, Serialize};

/// `content-type` of one structured-mode CloudEvent.
pub const CONTENT_TYPE: &str = "application/cloudevents+json";
/// `content-type` of a batch (a JSON array of CloudEvents).
pub const BATCH_CONTENT_TYPE: &str = "application/cloudevents-batch+json";
/// The `specversion` attribute we send and accept.
pub const CLOUDEVENTS_SPEC_VERSION: &str = "1.0";
/// The `datacontenttype` attribute: `data` is a JSON object.
pub const DATA_CONTENT_TYPE: &str = "application/json";

/// One CloudEvent as it travels: the attributes of the portal wire contract and `data`
/// (= [`PortalUpdate::data`]). Unknown extension attributes are ignored when reading.
///
/// ```
/// # use portal_client::CloudEvent;
/// let json = r#"{"specversion":"1.0","id":"upd_1","source":"/platforms/stripe/acct_1",
///   "type":"invoice.paid","subject":"stripe:acct_1:in_1","time":"2026-01-15T10:00:00Z",
///   "datacontenttype":"application/json","data":{"invoice":{"id":"stripe:acct_1:in_1",
///   "number":"A-1","customer":"cus_1","customer_name":null,"currency":"EUR","total":"10.00",
///   "paid":"10.00","balance":"0","due_date":null,"status":"paid","lifecycle":"paid",
///   "overdue":false,"days_past_due":0,"dispute":"none"},"event":{"kind":"paid",
///   "occurred_at":"2026-01-15T09:59:00Z","received_at":"2026-01-15T09:59:01Z",
///   "platform":"stripe","platform_event_id":"evt_1"},"sequence":2}}"#;
/// let ev = CloudEvent::from_json(json.as_bytes()).unwrap();
/// assert_eq!(ev.data.sequence, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudEvent {
    /// Always `"1.0"`.
    pub specversion: String,
    /// Stable per update; equals `webhook-id`; the idempotency key.
    pub id: String,
    /// `/platforms/<slug>/<tenant>`.
    pub source: String,
    /// `invoice.<event kind>`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The canonical invoice id.
    pub subject: String,
    /// When the update was made (RFC 3339, UTC).
    pub time: DateTime<Utc>,
    /// Always `application/json` (optional in CloudEvents: absent reads as JSON).
    #[serde(default = "json_content_type")]
    pub datacontenttype: String,
    /// `{ invoice, event, sequence }`.
    pub data: PortalData,
}

fn json_content_type() -> String {
    DATA_CONTENT_TYPE.to_owned()
}

/// A body that is not a CloudEvent of the portal contract.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// Not JSON of the expected shape.
    #[error("malformed cloudevent: {0}")]
    Malformed(#[from] serde_json::Error),
    /// A `specversion` other than 1.0.
    #[error("unsupported specversion {0:?}")]
    SpecVersion(String),
    /// A `datacontenttype` other than JSON.
    #[error("unsupported datacontenttype {0:?}")]
    DataContentType(String),
    /// An attribute the contract requires is empty.
    #[error("empty attribute {0}")]
    Empty(&'static str),
}

impl CloudEvent {
    /// The envelope of `update`.
    pub fn from_update(update: &PortalUpdate) -> Self {
        CloudEvent {
            specversion: CLOUDEVENTS_SPEC_VERSION.to_owned(),
            id: update.id.clone(),
            source: update.source.clone(),
            event_type: update.event_type.clone(),
            subject: update.subject.clone(),
            time: update.time,
            datacontenttype: DATA_CONTENT_TYPE.to_owned(),
            data: update.data.clone(),
        }
    }

    /// Back to the update the envelope carries.
    pub fn into_update(self) -> PortalUpdate {
        PortalUpdate {
            id: self.id,
            source: self.source,
            event_type: self.event_type,
            subject: self.subject,
            time: self.time,
            data: self.data,
        }
    }

    /// Compact JSON bytes of one event, as signed and sent.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain structs of strings, numbers and dates cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Compact JSON array of several events (batch mode).
    pub fn batch_to_json(events: &[CloudEvent]) -> Vec<u8> {
        serde_json::to_vec(events).unwrap_or_default()
    }

    /// Parses and checks one structured-mode event.
    pub fn from_json(body: &[u8]) -> Result<Self, EnvelopeError> {
        let ev: CloudEvent = serde_json::from_slice(body)?;
        ev.check()?;
        Ok(ev)
    }

    /// Parses and checks a batch (a JSON array of events).
    pub fn batch_from_json(body: &[u8]) -> Result<Vec<Self>, EnvelopeError> {
        let evs: Vec<CloudEvent> = serde_json::from_slice(body)?;
        for ev in &evs {
            ev.check()?;
        }
        Ok(evs)
    }

    fn check(&self) -> Result<(), EnvelopeError> {
        if self.specversion != CLOUDEVENTS_SPEC_VERSION {
            return Err(EnvelopeError::SpecVersion(self.specversion.clone()));
        }
        let dct = self.datacontenttype.as_str();
        if dct != DATA_CONTENT_TYPE && !dct.starts_with("application/json;") {
            return Err(EnvelopeError::DataContentType(self.datacontenttype.clone()));
        }
        for (name, value) in [
            ("id", &self.id),
            ("source", &self.source),
            ("type", &self.event_type),
            ("subject", &self.subject),
        ] {
            if value.is_empty() {
                return Err(EnvelopeError::Empty(name));
            }
        }
        Ok(())
    }
}
