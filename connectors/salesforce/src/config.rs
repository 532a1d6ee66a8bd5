//! `[sources.salesforce]` configuration.

use std::collections::BTreeMap;

use invoice_core::registry::ConfigError;
use invoice_core::{Currency, Secret};
use serde::Deserialize;

use crate::mapping::SalesforceStatus;

/// Configuration of the Salesforce source. Unknown keys are refused.
///
/// ```toml
/// [sources.salesforce]
/// org_ids = ["00D5g000004XyZaEAK"]     # organizations allowed to send (15 or 18 chars)
/// secrets = ["env:SF_RELAY_SECRET"]    # X-Relay-Secret values (proxy or Named Credential)
/// event_secrets = ["env:SF_EVENT_KEY"] # HMAC keys of Platform Event callouts
/// tolerance_seconds = 300
/// object = "Invoice__c"
/// default_currency = "USD"             # orgs without multi-currency send no CurrencyIsoCode
/// network_authenticated = false        # true only behind mutual TLS / an IP allowlist
///
/// [sources.salesforce.fields]
/// status = "Status__c"
///
/// [sources.salesforce.statuses]
/// "Sent" = "posted"                    # extra picklist values -> known statuses
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceConfig {
    /// Organization ids allowed to send. A notification from any other org is refused
    /// with `403` (unknown tenant). Compared on the case-sensitive 15-character prefix, so
    /// the 15- and 18-character forms of an id are the same org. The tenant of accepted
    /// requests is the id as written here.
    pub org_ids: Vec<String>,
    /// Shared-secret values of the `X-Relay-Secret` header (several during rotation).
    /// Salesforce Outbound Messages cannot set headers: a TLS proxy that checks
    /// Salesforce's client certificate injects it, or a Named Credential adds it.
    #[serde(default)]
    pub secrets: Vec<Secret>,
    /// HMAC-SHA256 keys of Platform Event callouts (`X-Relay-Signature`), several during
    /// rotation. Kept apart from `secrets`: a key that signs is never sent in clear.
    #[serde(default)]
    pub event_secrets: Vec<Secret>,
    /// Platform Event signature age tolerance, seconds.
    #[serde(default = "default_tolerance")]
    pub tolerance_seconds: u64,
    /// The sObject type that holds invoices (`xsi:type` of each `sObject`).
    #[serde(default = "default_object")]
    pub object: String,
    /// Currency of orgs without multi-currency (no `CurrencyIsoCode` field).
    #[serde(default)]
    pub default_currency: Option<Currency>,
    /// Accept Outbound Messages that carry neither the shared-secret header nor a verified
    /// URL token, on the `OrganizationId` check alone. Only for set-ups where a TLS proxy
    /// verifies Salesforce's client certificate or an IP allowlist is enforced in front of
    /// the relay. Never applies to Platform Event callouts, which must be signed.
    #[serde(default)]
    pub network_authenticated: bool,
    /// Field names on the invoice object.
    #[serde(default)]
    pub fields: FieldNames,
    /// Extra status picklist values, mapped to one of the known statuses
    /// (`draft posted partially_paid paid overdue cancelled disputed credited written_off`).
    #[serde(default)]
    pub statuses: BTreeMap<String, SalesforceStatus>,
}

/// API names of the invoice object's fields. Defaults fit a custom `Invoice__c`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FieldNames {
    /// The record id (`Id`).
    pub id: String,
    /// Invoice number, first present wins (`Invoice_Number__c`, then `Name`).
    pub number: Vec<String>,
    /// The customer's account id.
    pub account: String,
    /// The customer's name, if the object has such a field.
    pub account_name: Option<String>,
    /// Status picklist.
    pub status: String,
    /// Invoiced total.
    pub total: String,
    /// Paid so far.
    pub paid: String,
    /// Still owed.
    pub balance: String,
    /// Credited so far (credit notes), if the object has such a field.
    pub credited: Option<String>,
    /// Due date.
    pub due_date: String,
    /// ISO currency (multi-currency orgs).
    pub currency: String,
    /// Last modification time, the source version of Outbound Messages.
    pub last_modified: String,
    /// How a dispute ended (`Won`/`Resolved`/`Lost`), if the object has such a field. Set
    /// it only when a dispute existed: on a record whose status is no longer Disputed it
    /// closes the dispute on the portal.
    pub dispute_outcome: Option<String>,
}

impl Default for FieldNames {
    fn default() -> Self {
        FieldNames {
            id: "Id".into(),
            number: vec!["Invoice_Number__c".into(), "Name".into()],
            account: "Account__c".into(),
            account_name: None,
            status: "Status__c".into(),
            total: "Total_Amount__c".into(),
            paid: "Amount_Paid__c".into(),
            balance: "Balance__c".into(),
            credited: Some("Credited_Amount__c".into()),
            due_date: "Due_Date__c".into(),
            currency: "CurrencyIsoCode".into(),
            last_modified: "LastModifiedDate".into(),
            dispute_outcome: Some("Dispute_Outcome__c".into()),
        }
    }
}

fn default_tolerance() -> u64 {
    300
}

fn default_object() -> String {
    "Invoice__c".to_owned()
}

impl SalesforceConfig {
    /// A configuration for one org with defaults for the rest (no secrets).
    pub fn for_org(org_id: &str) -> Self {
        SalesforceConfig {
            org_ids: vec![org_id.to_owned()],
            secrets: Vec::new(),
            event_secrets: Vec::new(),
            tolerance_seconds: default_tolerance(),
            object: default_object(),
            default_currency: None,
            network_authenticated: false,
            fields: FieldNames::default(),
            statuses: BTreeMap::new(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: &str| Err(ConfigError::Invalid(format!("sources.salesforce.{m}")));
        if self.org_ids.is_empty() {
            return bad("org_ids: at least one organization id is required");
        }
        if self.org_ids.iter().any(|o| {
            !(o.len() == 15 || o.len() == 18) || !o.bytes().all(|b| b.is_ascii_alphanumeric())
        }) {
            return bad("org_ids: each id must be 15 or 18 letters and digits");
        }
        if self.secrets.iter().any(|s| s.expose().len() < 16) {
            return bad("secrets: each shared secret must be at least 16 bytes");
        }
        if self.event_secrets.iter().any(|s| s.expose().is_empty()) {
            return bad("event_secrets: empty keys are not allowed");
        }
        if self.object.is_empty() {
            return bad("object: must not be empty");
        }
        Ok(())
    }

    /// The configured org id `candidate` belongs to (15-character prefix compare).
    pub fn org(&self, candidate: &str) -> Option<&str> {
        let short = short_org_id(candidate)?;
        self.org_ids
            .iter()
            .find(|o| short_org_id(o) == Some(short))
            .map(String::as_str)
    }
}

/// The case-sensitive 15-character form of a Salesforce id (the 18-character form adds a
/// case-folding checksum suffix).
pub fn short_org_id(id: &str) -> Option<&str> {
    match id.len() {
        15 | 18 => id.get(..15),
        _ => None,
    }
}
