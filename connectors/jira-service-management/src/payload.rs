//! The Jira webhook body: `webhookEvent`, `timestamp`, `issue` (with every field, kept
//! raw: field ids are instance-specific) and `changelog`. Unknown fields are ignored.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

/// A webhook event (also the body of an Automation rule sending "Issue data (Jira
/// format)", which may lack `webhookEvent`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    /// `jira:issue_created`, `jira:issue_updated`, `jira:issue_deleted`, ...
    #[serde(default)]
    pub webhook_event: Option<String>,
    /// Epoch milliseconds.
    #[serde(default)]
    pub timestamp: Option<i64>,
    /// `issue_generic`, `issue_updated`, ...
    #[serde(default)]
    pub issue_event_type_name: Option<String>,
    /// The issue.
    #[serde(default, borrow)]
    pub issue: Option<Issue<'a>>,
    /// What changed.
    #[serde(default)]
    pub changelog: Option<Changelog>,
}

/// An issue.
#[derive(Debug, Deserialize)]
pub struct Issue<'a> {
    /// Numeric id (a string): the invoice id.
    pub id: String,
    /// `INV-42`.
    #[serde(default)]
    pub key: Option<String>,
    /// `https://acme.atlassian.net/rest/api/2/issue/10001`.
    #[serde(rename = "self", default)]
    pub self_url: Option<String>,
    /// Every field, raw.
    #[serde(default, borrow)]
    pub fields: BTreeMap<String, &'a RawValue>,
}

/// `changelog`.
#[derive(Debug, Default, Deserialize)]
pub struct Changelog {
    /// Changed items.
    #[serde(default)]
    pub items: Vec<ChangeItem>,
}

/// One changed field.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeItem {
    /// `status`, `duedate`, `Amount`, ...
    #[serde(default)]
    pub field: Option<String>,
    /// `customfield_10050`, `status`, ...
    #[serde(default)]
    pub field_id: Option<String>,
    /// Old display value.
    #[serde(default)]
    pub from_string: Option<String>,
    /// New display value.
    #[serde(default)]
    pub to_string: Option<String>,
}

/// `fields.status`.
#[derive(Debug, Deserialize)]
pub struct Status {
    /// `Paid`.
    #[serde(default)]
    pub name: Option<String>,
    /// `10003`.
    #[serde(default)]
    pub id: Option<String>,
}

impl Changelog {
    /// True when the status changed.
    pub fn status_changed(&self) -> bool {
        self.items.iter().any(|i| {
            i.field.as_deref() == Some("status") || i.field_id.as_deref() == Some("status")
        })
    }
}
