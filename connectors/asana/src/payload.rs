//! The delivery body `{"events": [...]}`: compact events (ids only). Unknown fields are
//! ignored; actions and resource types stay open text.

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
pub struct Compact {
    /// Globally unique id (a decimal string).
    pub gid: String,
    /// `task`, `story`, `project`, ...
    #[serde(default)]
    pub resource_type: Option<String>,
    /// `default_task`, `milestone`, ...
    #[serde(default)]
    pub resource_subtype: Option<String>,
}

/// What changed, for `action: changed`.
#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    /// `custom_fields`, `completed`, `due_on`, `name`, ...
    #[serde(default)]
    pub field: Option<String>,
    /// `changed`, `added`, `removed`.
    #[serde(default)]
    pub action: Option<String>,
}

/// One event.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// `added | changed | removed | deleted | undeleted`.
    pub action: String,
    /// The resource that changed.
    pub resource: Compact,
    /// Its parent (a project for `added` tasks), if any.
    #[serde(default)]
    pub parent: Option<Compact>,
    /// ISO 8601 with milliseconds.
    #[serde(default)]
    pub created_at: Option<String>,
    /// The change, for `changed`.
    #[serde(default)]
    pub change: Option<Change>,
}

impl Event {
    /// `task.changed`, `story.added`, ...
    pub fn type_name(&self) -> String {
        format!(
            "{}.{}",
            self.resource.resource_type.as_deref().unwrap_or("unknown"),
            self.action
        )
    }
}
