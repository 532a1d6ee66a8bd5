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
    #[serde(rename = "MessageName")]
    pub message_name: String,
    /// The table's logical name.
    #[serde(rename = "PrimaryEntityName")]
    pub primary_entity_name: String,
    /// The record's id.
    #[serde(rename = "PrimaryEntityId", default)]
    pub primary_entity_id: Option<String>,
    /// The environment's organization id: the tenant.
    #[serde(rename = "OrganizationId")]
    pub organization_id: String,
    /// The environment's unique name.
    #[serde(rename = "OrganizationName", default)]
    pub organization_name: Option<String>,
    /// The operation's id (the same on a re-delivery of the same step).
    #[serde(rename = "OperationId", default)]
    pub operation_id: Option<String>,
    /// The correlation id of the whole chain of operations.
    #[serde(rename = "CorrelationId", default)]
    pub correlation_id: Option<String>,
    /// When the operation was created, `/Date(ms)/`.
    #[serde(rename = "OperationCreatedOn", default)]
    pub operation_created_on: Option<String>,
    /// A top-level `source` member: Dataverse sends none; the Power Automate flow's post
    /// carries one (see [`crate::flow`]), so a body naming it is read as that post.
    #[serde(default)]
    pub source: Option<String>,
    /// The message's parameters.
    #[serde(rename = "InputParameters", default, borrow)]
    pub input_parameters: Vec<KeyValue<'a>>,
    /// Registered post-images (the record after the operation).
    #[serde(rename = "PostEntityImages", default, borrow)]
    pub post_entity_images: Vec<KeyValue<'a>>,
    /// Registered pre-images (the record before the operation).
    #[serde(rename = "PreEntityImages", default, borrow)]
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
    #[serde(rename = "Id", default)]
    pub id: Option<String>,
    /// The table.
    #[serde(rename = "LogicalName", default)]
    pub logical_name: Option<String>,
    /// The attributes.
    #[serde(rename = "Attributes", default, borrow)]
    pub attributes: Vec<KeyValue<'a>>,
    /// Labels of option sets and references (`FormattedValues`), `key` -> label.
    #[serde(rename = "FormattedValues", default, borrow)]
    pub formatted_values: Vec<KeyValue<'a>>,
}

/// An `EntityCollection` (`Targets` of the *Multiple messages).
#[derive(Debug, Deserialize)]
pub struct EntityCollection<'a> {
    /// The records.
    #[serde(rename = "Entities", default, borrow)]
    pub entities: Vec<Entity<'a>>,
}
