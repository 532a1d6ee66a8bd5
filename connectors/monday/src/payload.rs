//! The event body `{"event": {...}}` and the challenge `{"challenge": "..."}`. Unknown
//! fields are ignored; event types and labels stay open text.

use serde::Deserialize;

/// `{"challenge": "..."}`, sent once when a webhook is created.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// The value to echo.
    pub challenge: String,
}

/// The envelope.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    /// The event.
    pub event: Event,
}

/// One event (column change, item created, ...).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `update_column_value`, `change_column_value`, `change_status_column_value`,
    /// `create_pulse`, ...
    #[serde(rename = "type")]
    pub event_type: String,
    /// Board id.
    #[serde(default)]
    pub board_id: Option<u64>,
    /// Item id: the invoice id.
    #[serde(default)]
    pub pulse_id: Option<u64>,
    /// Item name.
    #[serde(default)]
    pub pulse_name: Option<String>,
    /// Column id (`status`, `numbers`, ...).
    #[serde(default)]
    pub column_id: Option<String>,
    /// Column type (`color` for status columns).
    #[serde(default)]
    pub column_type: Option<String>,
    /// The new value (shape depends on the column type).
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    /// The previous value.
    #[serde(default)]
    pub previous_value: Option<serde_json::Value>,
    /// `2021-10-11T09:20:18.022Z`.
    #[serde(default)]
    pub trigger_time: Option<String>,
    /// Unix seconds with microseconds.
    #[serde(default)]
    pub changed_at: Option<f64>,
    /// The dedup key.
    #[serde(default)]
    pub trigger_uuid: Option<String>,
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
pub fn label(value: Option<&serde_json::Value>) -> Option<Label> {
    let l = value?.get("label")?;
    let text = l.get("text").and_then(|t| t.as_str()).map(str::to_owned);
    let index = l.get("index").and_then(serde_json::Value::as_i64);
    (text.is_some() || index.is_some()).then_some(Label { text, index })
}
