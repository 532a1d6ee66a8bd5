//! Wire types: the Outbound Messaging `notifications` call (filled by [`crate::soap`]) and
//! the JSON body of a Platform Event callout (defined by this project, built by the Apex
//! in `docs/platforms/salesforce.md`).
//!
//! Both carry an invoice record as an [`SObject`]: its type and its fields as text, so
//! unknown fields and picklist values never fail a parse.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

/// The Outbound Messaging SOAP namespace of `notifications` and its children.
pub const OUTBOUND_NS: &str = "http://soap.sforce.com/2005/09/outbound";
/// The enterprise sObject namespace of `sObject` fields and `xsi:type` values.
pub const SOBJECT_NS: &str = "urn:sobject.enterprise.soap.sforce.com";
/// SOAP 1.1 envelope namespace.
pub const SOAP_ENV_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// XML Schema instance namespace (`xsi:type`, `xsi:nil`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// One `notifications` call: up to 100 notifications from one org and one
/// outbound-message definition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutboundMessage {
    /// `OrganizationId` (18 characters).
    pub organization_id: String,
    /// `ActionId`: the outbound-message definition.
    pub action_id: String,
    /// True when `SessionId` carried a value ("Send Session ID" ticked). The value itself
    /// is a credential and is not kept.
    pub session_id_sent: bool,
    /// `EnterpriseUrl`.
    pub enterprise_url: String,
    /// `PartnerUrl`.
    pub partner_url: String,
    /// The notifications, in document order.
    pub notifications: Vec<Notification>,
}

/// One `Notification`: its id (the dedup key) and the record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Notification {
    /// The notification `Id`, unique per notification (retries reuse it).
    pub id: String,
    /// The record's current field values.
    pub object: SObject,
}

/// A record: its type and the fields the message definition selected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SObject {
    /// The type's API name (`Invoice__c`), from `xsi:type` in the sObject namespace or the
    /// JSON `attributes.type`.
    pub type_name: Option<String>,
    /// Field API name -> value. Relationship (nested) fields are not kept.
    pub fields: BTreeMap<String, FieldValue>,
}

/// A field value as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A value, as text (numbers keep their exact digits).
    Text(String),
    /// `xsi:nil="true"` or JSON `null`.
    Nil,
}

impl SObject {
    /// The field's text, if present and not nil; blank text counts as absent.
    pub fn text(&self, name: &str) -> Option<&str> {
        match self.fields.get(name) {
            Some(FieldValue::Text(t)) if !t.trim().is_empty() => Some(t.trim()),
            _ => None,
        }
    }
}

/// The JSON a Platform Event callout posts (see the Apex in the docs).
///
/// ```json
/// {"organizationId":"00D...","eventType":"Invoice_Status__e","replayId":"48213",
///  "eventUuid":"2ec0e371-...","createdDate":"2026-03-05T09:15:02.000Z",
///  "sObject":{"attributes":{"type":"Invoice__c"},"Id":"a0B...","Status__c":"Paid"}}
/// ```
#[derive(Debug, Deserialize)]
pub struct PlatformEventCallout<'a> {
    /// The org that published the event (`UserInfo.getOrganizationId()`).
    #[serde(rename = "organizationId")]
    pub organization_id: String,
    /// The platform event's API name (`Invoice_Status__e`).
    #[serde(rename = "eventType", default)]
    pub event_type: Option<String>,
    /// The event's `ReplayId` (a string of digits in Apex; a number is accepted too).
    #[serde(rename = "replayId", borrow)]
    pub replay_id: &'a RawValue,
    /// The event's `EventUuid` (API 52+), the dedup key when present.
    #[serde(rename = "eventUuid", default)]
    pub event_uuid: Option<String>,
    /// The event's `CreatedDate`.
    #[serde(rename = "createdDate")]
    pub created_date: String,
    /// The invoice record as `JSON.serialize(record)` writes it.
    #[serde(rename = "sObject", borrow)]
    pub sobject: BTreeMap<String, &'a RawValue>,
}

#[derive(Deserialize)]
struct Attributes {
    #[serde(rename = "type", default)]
    type_name: Option<String>,
}

/// A JSON scalar as text: strings unquoted, numbers with their exact digits, booleans
/// as `true`/`false`; `None` for objects and arrays, `Some(Nil)` for `null`.
pub fn raw_to_field(raw: &RawValue) -> Option<FieldValue> {
    let s = raw.get().trim();
    match s.as_bytes().first()? {
        b'"' => serde_json::from_str::<String>(s).ok().map(FieldValue::Text),
        b'n' => Some(FieldValue::Nil),
        b'{' | b'[' => None,
        _ => Some(FieldValue::Text(s.to_owned())),
    }
}

impl PlatformEventCallout<'_> {
    /// The record as an [`SObject`].
    pub fn record(&self) -> SObject {
        let mut out = SObject::default();
        for (name, raw) in &self.sobject {
            if name == "attributes" {
                out.type_name = serde_json::from_str::<Attributes>(raw.get())
                    .ok()
                    .and_then(|a| a.type_name);
                continue;
            }
            if let Some(v) = raw_to_field(raw) {
                out.fields.insert(name.clone(), v);
            }
        }
        out
    }

    /// The replay id as text (digits), whether sent as a string or a number.
    pub fn replay_id_text(&self) -> Option<String> {
        match raw_to_field(self.replay_id)? {
            FieldValue::Text(t) => Some(t),
            FieldValue::Nil => None,
        }
    }
}
