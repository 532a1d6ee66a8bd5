//! The body of Odoo's "Send Webhook Notification" action (and of the shipped module,
//! which adds `_db`):
//!
//! ```python
//! vals = {'_model': model, '_id': record.id, '_action': f'{action.name}(#{action.id})'}
//! vals.update(record.read(webhook_field_ids)[0])
//! json.dumps(vals, sort_keys=True, default=str)
//! ```
//!
//! Odoo conventions: unset fields are `false`, not `null`; many2one fields are
//! `[id, "display name"]` (or a bare id when read with `load=None`); money is a float;
//! dates are `YYYY-MM-DD`; datetimes are `YYYY-MM-DD HH:MM:SS`, naive UTC. Unknown fields
//! are ignored, unknown selection values are kept as text.

use std::borrow::Cow;

use invoice_connector_support::json::opt_text;
use serde::Deserialize;
use serde_json::value::RawValue;

/// One notification about one record.
#[derive(Debug, Deserialize)]
pub struct Notification<'a> {
    /// The record id.
    #[serde(rename = "_id")]
    pub id: i64,
    /// `account.move`.
    #[serde(rename = "_model", borrow)]
    pub model: Cow<'a, str>,
    /// `"<action name>(#<action id>)"`.
    #[serde(rename = "_action", default, borrow, deserialize_with = "opt_text")]
    pub action: Option<Cow<'a, str>>,
    /// The database (the shipped module adds it; the native action does not).
    #[serde(rename = "_db", default)]
    pub db: Option<Text>,
    /// `INV/2025/00042`; `/` or `false` on drafts.
    #[serde(default)]
    pub name: Option<Text>,
    /// `out_invoice | out_refund | in_invoice | in_refund | entry | ...`.
    #[serde(default)]
    pub move_type: Option<Text>,
    /// `draft | posted | cancel`.
    #[serde(default)]
    pub state: Option<Text>,
    /// `not_paid | in_payment | paid | partial | reversed | invoicing_legacy`.
    #[serde(default)]
    pub payment_state: Option<Text>,
    /// Float token.
    #[serde(default, borrow)]
    pub amount_total: Option<&'a RawValue>,
    /// Float token: what is still owed.
    #[serde(default, borrow)]
    pub amount_residual: Option<&'a RawValue>,
    /// `[id, "EUR"]` or a bare id.
    #[serde(default)]
    pub currency_id: Option<Many2one>,
    /// `[id, "Acme Coatings GmbH"]` or a bare id.
    #[serde(default)]
    pub partner_id: Option<Many2one>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub invoice_date_due: Option<Text>,
    /// `YYYY-MM-DD HH:MM:SS` (UTC): the source version.
    #[serde(default)]
    pub write_date: Option<Text>,
    /// The invoice a credit note reverses.
    #[serde(default)]
    pub reversed_entry_id: Option<Many2one>,
}

/// A char/selection/date field: text, or `false` when unset.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Text {
    /// Set.
    Set(String),
    /// `false` (or `true`, which no text field sends).
    Unset(bool),
}

impl Text {
    /// The text when set and not blank.
    pub fn get(&self) -> Option<&str> {
        match self {
            Text::Set(s) if !s.trim().is_empty() => Some(s.trim()),
            _ => None,
        }
    }
}

/// A many2one field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Many2one {
    /// `[id, "display name"]`.
    Pair(i64, String),
    /// A bare id (`load=None`).
    Id(i64),
    /// `false`.
    Unset(bool),
}

impl Many2one {
    /// The id, when set.
    pub fn id(&self) -> Option<i64> {
        match self {
            Many2one::Pair(id, _) | Many2one::Id(id) => Some(*id),
            Many2one::Unset(_) => None,
        }
    }

    /// The display name, when the pair form was sent.
    pub fn name(&self) -> Option<&str> {
        match self {
            Many2one::Pair(_, name) => Some(name.as_str()),
            _ => None,
        }
    }
}

/// Reads an optional text field.
pub fn text(field: &Option<Text>) -> Option<&str> {
    field.as_ref().and_then(Text::get)
}

/// A float field's token, `None` when absent or `false`.
pub fn number<'a>(field: &Option<&'a RawValue>) -> Option<&'a str> {
    field
        .map(|r| r.get().trim())
        .filter(|t| *t != "false" && *t != "null")
}
