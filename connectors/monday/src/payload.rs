//! The event body `{"event": {...}}` and the challenge `{"challenge": "..."}`. Unknown
//! fields are ignored; event types and labels stay open text.

use std::borrow::Cow;

use invoice_connector_support::json::opt_text;
use serde::Deserialize;
use serde_json::value::RawValue;

/// `{"challenge": "..."}`, sent once when a webhook is created.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// The value to echo.
    pub challenge: String,
}

/// The envelope.
#[derive(Debug, Deserialize)]
pub struct Envelope<'a> {
    /// The event.
    #[serde(borrow)]
    pub event: Event<'a>,
}

/// One event (column change, item created, ...).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    /// `update_column_value`, `change_column_value`, `change_status_column_value`,
    /// `create_pulse`, ...
    #[serde(rename = "type", borrow)]
    pub event_type: Cow<'a, str>,
    /// Board id.
    #[serde(default)]
    pub board_id: Option<u64>,
    /// Item id: the invoice id.
    #[serde(default)]
    pub pulse_id: Option<u64>,
    /// Item name.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub pulse_name: Option<Cow<'a, str>>,
    /// Column id (`status`, `numbers`, ...).
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub column_id: Option<Cow<'a, str>>,
    /// Column type (`color` for status columns).
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub column_type: Option<Cow<'a, str>>,
    /// The new value (shape depends on the column type).
    #[serde(default, borrow)]
    pub value: Option<&'a RawValue>,
    /// The previous value.
    #[serde(default, borrow)]
    pub previous_value: Option<&'a RawValue>,
    /// `2021-10-11T09:20:18.022Z`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub trigger_time: Option<Cow<'a, str>>,
    /// Unix seconds with microseconds.
    #[serde(default)]
    pub changed_at: Option<f64>,
    /// The dedup key.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub trigger_uuid: Option<Cow<'a, str>>,
    /// Set on redeliveries (newer payloads).
    #[serde(default)]
    pub is_retry: Option<bool>,
}

/// A status label inside `value` / `previousValue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Label text (`Paid`).
    pub text: Option<String>,
    /// Label index (stable across renames).
    pub index: Option<i64>,
}

/// The status label of a column value, if it has one.
pub fn label(value: Option<&RawValue>) -> Option<Label> {
    // Read as a `Value` (raw text is valid JSON), only when a status is mapped.
    let value: serde_json::Value = serde_json::from_str(value?.get()).ok()?;
    let l = value.get("label")?;
    let text = l.get("text").and_then(|t| t.as_str()).map(str::to_owned);
    let index = l.get("index").and_then(serde_json::Value::as_i64);
    (text.is_some() || index.is_some()).then_some(Label { text, index })
}
