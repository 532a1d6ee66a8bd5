//! Wire types: the Smart Event HTTP Post body this project defines (JSON, XML or form
//! fields, filled by Intacct's `{!ARINVOICE.FIELD!}` injections) and the ARINVOICE record
//! the Web Services API returns.

use std::collections::BTreeMap;

/// Namespace of the XML Smart Event template.
pub const EVENT_NS: &str = "urn:invoice-relay:sage-intacct:smart-event:1";

/// What a Smart Event says: which record changed. Everything else in it is a hint; state
/// comes only from reading the record back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SmartEvent {
    /// The owner object (`ARINVOICE`).
    pub object: String,
    /// The trigger (`Add`, `Set`, `Delete`), if the template sends it.
    pub event: Option<String>,
    /// The company id, if the template sends it (`{!COMPANY.ID!}` or literal text).
    pub company_id: Option<String>,
    /// `RECORDNO`: the key to read.
    pub record_no: String,
    /// `RECORDID`: the invoice number.
    pub record_id: Option<String>,
    /// `STATE` at the time of the event (not trusted; logged only).
    pub state: Option<String>,
    /// `WHENMODIFIED` (`MM/DD/YYYY HH:MM:SS`).
    pub when_modified: Option<String>,
}

/// One record of a `read` / `readByQuery` answer: upper-case field name -> text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiRecord {
    /// The object element's name (`ARINVOICE`).
    pub object: String,
    /// Fields by name.
    pub fields: BTreeMap<String, String>,
}

impl ApiRecord {
    /// A field's text, if present and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}
