//! The body the shipped Apps Script posts. Unknown fields are ignored, so the script can
//! grow without breaking older relays.
//!
//! ```json
//! {"source":"google-sheets","version":1,"spreadsheetId":"1AbC...","sheet":"Invoices",
//!  "locale":"en_US","timeZone":"Europe/Berlin","trigger":"edit","sentAt":1768471198123,
//!  "rows":[{"row":14,"values":{"Invoice No.":"INV-1042","Customer":"Acme Coatings GmbH",
//!   "Amount":"$4,250.00","Currency":"USD","Due Date":"2026-01-10","Status":"Paid",
//!   "Paid":"$4,250.00"}}]}
//! ```
//!
//! Cells are the sheet's displayed text (`getDisplayValues`), except date-typed cells,
//! which the script writes as ISO dates. Numbers and booleans are accepted too.

use std::borrow::Cow;
use std::collections::BTreeMap;

use invoice_connector_support::json::{keyed_map, opt_text, Text};
use serde::Deserialize;
use serde_json::value::RawValue;

/// One post: one or more rows of one sheet.
#[derive(Debug, Deserialize)]
pub struct Post<'a> {
    /// The spreadsheet's id: the tenant.
    #[serde(rename = "spreadsheetId", borrow)]
    pub spreadsheet_id: Cow<'a, str>,
    /// The sheet (tab) name.
    #[serde(borrow)]
    pub sheet: Cow<'a, str>,
    /// When the script read the rows, unix milliseconds: occurred-at and source version.
    #[serde(rename = "sentAt")]
    pub sent_at: i64,
    /// The spreadsheet's locale (`SpreadsheetApp.getSpreadsheetLocale()`).
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub locale: Option<Cow<'a, str>>,
    /// What made the script post (`edit`, `change`, `retry`, `rescan`).
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub trigger: Option<Cow<'a, str>>,
    /// The rows.
    #[serde(borrow)]
    pub rows: Vec<Row<'a>>,
}

/// One sheet row.
#[derive(Debug, Deserialize)]
pub struct Row<'a> {
    /// 1-based row number in the sheet.
    pub row: u32,
    /// Cells by header name, kept raw: their exact text is hashed into the event id.
    #[serde(borrow)]
    pub values: &'a RawValue,
}

/// A cell value as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Displayed text (or an ISO date).
    Text(Cow<'a, str>),
    /// A JSON number, as its exact token.
    Number(&'a str),
    /// A checkbox.
    Bool(bool),
    /// Nothing.
    Empty,
}

impl Cell<'_> {
    /// The cell as text (`""` for empty, `TRUE`/`FALSE` for booleans).
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(t) => Cow::Borrowed(t.as_ref()),
            Cell::Number(n) => Cow::Borrowed(n),
            Cell::Bool(true) => Cow::Borrowed("TRUE"),
            Cell::Bool(false) => Cow::Borrowed("FALSE"),
            Cell::Empty => Cow::Borrowed(""),
        }
    }

    /// True for an empty cell or blank text.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Text(t) => t.trim().is_empty(),
            Cell::Empty => true,
            _ => false,
        }
    }
}

/// Parses a row's `values` object into cells by header name.
pub fn cells(values: &RawValue) -> Result<BTreeMap<Cow<'_, str>, Cell<'_>>, String> {
    // Names and text borrowed from the body where they have no escapes.
    let mut de = serde_json::Deserializer::from_str(values.get());
    let raw: BTreeMap<Cow<'_, str>, &RawValue> = keyed_map(&mut de)
        .and_then(|m| de.end().map(|()| m))
        .map_err(|e| format!("row values: {e}"))?;
    let mut out = BTreeMap::new();
    for (name, value) in raw {
        let token = value.get().trim();
        let cell = match token.as_bytes().first() {
            Some(b'"') => Cell::Text(
                serde_json::from_str::<Text<'_>>(token)
                    .map_err(|e| format!("cell `{name}`: {e}"))?
                    .0,
            ),
            Some(b't') => Cell::Bool(true),
            Some(b'f') => Cell::Bool(false),
            Some(b'n') => Cell::Empty,
            Some(b'-' | b'0'..=b'9') => Cell::Number(token),
            _ => return Err(format!("cell `{name}` is not text, a number or a boolean")),
        };
        out.insert(name, cell);
    }
    Ok(out)
}
