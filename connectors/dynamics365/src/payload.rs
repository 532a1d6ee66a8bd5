//! The `RemoteExecutionContext` JSON a Dataverse service-endpoint webhook posts
//! (`use-webhooks.md`, "Request Body"). Unknown fields are ignored; attribute values are
//! kept raw and read by [`crate::values`] only when needed.
//!
//! ```json
//! {"CorrelationId":"...","Depth":1,"InputParameters":[{"key":"Target","value":{
//!   "__type":"Entity:http:\/\/schemas.microsoft.com\/xrm\/2011\/Contracts",
//!   "Attributes":[{"key":"statecode","value":{"__type":"OptionSetValue:...","Value":2}}],
//!   "Id":"...","LogicalName":"invoice"}}],
//!  "MessageName":"Update","Mode":1,"OperationCreatedOn":"\/Date(1768471198000)\/",
//!  "OperationId":"...","OrganizationId":"...","OrganizationName":"anodizeworks",
//!  "PostEntityImages":[{"key":"PostImage","value":{"Attributes":[...],...}}],
//!  "PrimaryEntityId":"...","PrimaryEntityName":"invoice","Stage":40}
//! ```
//!
//! `Target` is an `Entity` (Create, Update), an `EntityReference` (Delete); SetState
//! carries `EntityMoniker`, `State`, `Status`; `UpdateMultiple` / `CreateMultiple`
//! carry `Targets`, an `EntityCollection` with `Entities`. When the post would exceed
//! 256 KB Dataverse strips `InputParameters` and the images and says so in
//! `x-ms-dynamics-msg-size-exceeded`.

use std::borrow::Cow;
use std::fmt;

use invoice_connector_support::json::opt_text;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// A `{"key":..,"value":..}` pair (parameters, images, attributes).
#[derive(Debug, Deserialize)]
pub struct KeyValue<'a> {
    /// The key.
    #[serde(borrow)]
    pub key: Cow<'a, str>,
    /// The value, raw.
    #[serde(borrow)]
    pub value: &'a RawValue,
}

/// The execution context.
#[derive(Debug, Deserialize)]
pub struct RemoteExecutionContext<'a> {
    /// `Create`, `Update`, `SetState`, `Delete`, `UpdateMultiple`, ...
    #[serde(rename = "MessageName", borrow)]
    pub message_name: Cow<'a, str>,
    /// The table's logical name.
    #[serde(rename = "PrimaryEntityName", borrow)]
    pub primary_entity_name: Cow<'a, str>,
    /// The record's id.
    #[serde(
        rename = "PrimaryEntityId",
        default,
        borrow,
        deserialize_with = "opt_text"
    )]
    pub primary_entity_id: Option<Cow<'a, str>>,
    /// The environment's organization id: the tenant.
    #[serde(rename = "OrganizationId", borrow)]
    pub organization_id: Cow<'a, str>,
    /// The environment's unique name.
    #[serde(
        rename = "OrganizationName",
        default,
        borrow,
        deserialize_with = "opt_text"
    )]
    pub organization_name: Option<Cow<'a, str>>,
    /// The operation's id (the same on a re-delivery of the same step).
    #[serde(rename = "OperationId", default, borrow, deserialize_with = "opt_text")]
    pub operation_id: Option<Cow<'a, str>>,
    /// The correlation id of the whole chain of operations.
    #[serde(
        rename = "CorrelationId",
        default,
        borrow,
        deserialize_with = "opt_text"
    )]
    pub correlation_id: Option<Cow<'a, str>>,
    /// When the operation was created, `/Date(ms)/`.
    #[serde(
        rename = "OperationCreatedOn",
        default,
        borrow,
        deserialize_with = "opt_text"
    )]
    pub operation_created_on: Option<Cow<'a, str>>,
    /// A top-level `source` member: Dataverse sends none; the Power Automate flow's post
    /// carries one (see [`crate::flow`]), so a body naming it is read as that post.
    #[serde(default, borrow, deserialize_with = "opt_text")]
    pub source: Option<Cow<'a, str>>,
    /// The message's parameters.
    #[serde(
        rename = "InputParameters",
        default,
        borrow,
        deserialize_with = "pairs"
    )]
    pub input_parameters: Vec<KeyValue<'a>>,
    /// Registered post-images (the record after the operation).
    #[serde(
        rename = "PostEntityImages",
        default,
        borrow,
        deserialize_with = "pairs"
    )]
    pub post_entity_images: Vec<KeyValue<'a>>,
    /// Registered pre-images (the record before the operation).
    #[serde(
        rename = "PreEntityImages",
        default,
        borrow,
        deserialize_with = "pairs"
    )]
    pub pre_entity_images: Vec<KeyValue<'a>>,
}

impl<'a> RemoteExecutionContext<'a> {
    /// An input parameter's raw value.
    pub fn input(&self, key: &str) -> Option<&'a RawValue> {
        find(&self.input_parameters, key)
    }
}

/// The value for `key`.
pub fn find<'a>(pairs: &[KeyValue<'a>], key: &str) -> Option<&'a RawValue> {
    pairs.iter().find(|p| p.key == key).map(|p| p.value)
}

/// An `Entity`: a record's attributes (all, or the changed ones on Update).
#[derive(Debug, Deserialize)]
pub struct Entity<'a> {
    /// The record id.
    #[serde(rename = "Id", default, borrow, deserialize_with = "opt_text")]
    pub id: Option<Cow<'a, str>>,
    /// The table.
    #[serde(rename = "LogicalName", default, borrow, deserialize_with = "opt_text")]
    pub logical_name: Option<Cow<'a, str>>,
    /// The attributes.
    #[serde(rename = "Attributes", default, borrow, deserialize_with = "pairs")]
    pub attributes: Vec<KeyValue<'a>>,
    /// Labels of option sets and references (`FormattedValues`), `key` -> label.
    #[serde(
        rename = "FormattedValues",
        default,
        borrow,
        deserialize_with = "pairs"
    )]
    pub formatted_values: Vec<KeyValue<'a>>,
}

/// An `EntityCollection` (`Targets` of the *Multiple messages).
#[derive(Debug, Deserialize)]
pub struct EntityCollection<'a> {
    /// The records.
    #[serde(rename = "Entities", default, borrow)]
    pub entities: Vec<Entity<'a>>,
}

/// A list of `{"key":..,"value":..}` pairs, read as `Vec<KeyValue>` reads it (same errors)
/// into a vector reserved for a usual attribute list, not grown from empty one push at a
/// time.
fn pairs<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Vec<KeyValue<'a>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<KeyValue<'de>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a sequence")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).clamp(16, 64));
            while let Some(kv) = seq.next_element()? {
                out.push(kv);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(V)
}
