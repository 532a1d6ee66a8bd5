//! The Jira webhook body: `webhookEvent`, `timestamp`, `issue` (with every field, kept
//! raw: field ids are instance-specific) and `changelog`. Unknown fields are ignored.

use std::borrow::Cow;
use std::collections::BTreeMap;

use invoice_connector_support::json::{keyed_map, opt_text};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A webhook event (also the body of an Automation rule sending "Issue data (Jira
/// format)", which may lack `webhookEvent`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    /// `jira:issue_created`, `jira:issue_updated`, `jira:issue_deleted`, ...
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub webhook_event: Option<Cow<'a, str>>,
    /// Epoch milliseconds.
    #[serde(default)]
    pub timestamp: Option<i64>,
    /// `issue_generic`, `issue_updated`, ...
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub issue_event_type_name: Option<Cow<'a, str>>,
    /// The issue.
    #[serde(default, borrow)]
    pub issue: Option<Issue<'a>>,
    /// What changed.
    #[serde(default, borrow)]
    pub changelog: Option<Changelog<'a>>,
}

/// An issue.
#[derive(Debug, Deserialize)]
pub struct Issue<'a> {
    /// Numeric id (a string): the invoice id.
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    /// `INV-42`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub key: Option<Cow<'a, str>>,
    /// `https://acme.atlassian.net/rest/api/2/issue/10001`.
    #[serde(rename = "self", default, borrow, deserialize_with = "opt_text")]
    pub self_url: Option<Cow<'a, str>>,
    /// Every field, raw.
    #[serde(default, borrow, deserialize_with = "keyed_map")]
    pub fields: BTreeMap<Cow<'a, str>, &'a RawValue>,
}

/// `changelog`.
#[derive(Debug, Default, Deserialize)]
pub struct Changelog<'a> {
    /// Changed items.
    #[serde(default, borrow)]
    pub items: Vec<ChangeItem<'a>>,
}

/// One changed field.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangeItem<'a> {
    /// `status`, `duedate`, `Amount`, ...
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub field: Option<Cow<'a, str>>,
    /// `customfield_10050`, `status`, ...
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub field_id: Option<Cow<'a, str>>,
    /// Old display value.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub from_string: Option<Cow<'a, str>>,
    /// New display value.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub to_string: Option<Cow<'a, str>>,
}

/// `fields.status`.
#[derive(Debug, Deserialize)]
pub struct Status<'a> {
    /// `Paid`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub name: Option<Cow<'a, str>>,
    /// `10003`.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub id: Option<Cow<'a, str>>,
}

impl Changelog<'_> {
    /// True when the status changed.
    pub fn status_changed(&self) -> bool {
        self.items.iter().any(|i| {
            i.field.as_deref() == Some("status") || i.field_id.as_deref() == Some("status")
        })
    }
}
