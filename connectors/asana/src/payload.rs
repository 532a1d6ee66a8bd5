//! The delivery body `{"events": [...]}`: compact events (ids only). Unknown fields are
//! ignored; actions and resource types stay open text.

use std::borrow::Cow;

use invoice_connector_support::json::opt_text;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The envelope; each event is kept raw too (its bytes are its identity: Asana events
/// have no id).
#[derive(Debug, Deserialize)]
pub struct Envelope<'a> {
    /// The events; empty for a heartbeat.
    #[serde(borrow)]
    pub events: Vec<&'a RawValue>,
}

/// A compact resource reference.
#[derive(Debug, Clone, Deserialize)]
pub struct Compact<'a> {
    /// Globally unique id (a decimal string).
    #[serde(borrow)]
    pub gid: Cow<'a, str>,
    /// `task`, `story`, `project`, ...
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub resource_type: Option<Cow<'a, str>>,
    /// `default_task`, `milestone`, ...
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub resource_subtype: Option<Cow<'a, str>>,
}

/// What changed, for `action: changed`.
#[derive(Debug, Clone, Deserialize)]
pub struct Change<'a> {
    /// `custom_fields`, `completed`, `due_on`, `name`, ...
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub field: Option<Cow<'a, str>>,
    /// `changed`, `added`, `removed`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub action: Option<Cow<'a, str>>,
}

/// One event.
#[derive(Debug, Clone, Deserialize)]
pub struct Event<'a> {
    /// `added | changed | removed | deleted | undeleted`.
    #[serde(borrow)]
    pub action: Cow<'a, str>,
    /// The resource that changed.
    #[serde(borrow)]
    pub resource: Compact<'a>,
    /// Its parent (a project for `added` tasks), if any.
    #[serde(default, borrow)]
    pub parent: Option<Compact<'a>>,
    /// ISO 8601 with milliseconds.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub created_at: Option<Cow<'a, str>>,
    /// The change, for `changed`.
    #[serde(default, borrow)]
    pub change: Option<Change<'a>>,
}

impl Event<'_> {
    /// `task.changed`, `story.added`, ...
    pub fn type_name(&self) -> String {
        format!(
            "{}.{}",
            self.resource.resource_type.as_deref().unwrap_or("unknown"),
            self.action
        )
    }
}
