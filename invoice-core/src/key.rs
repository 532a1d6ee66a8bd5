//! Identities: tenants, invoices, platform events.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Platform;

/// The account an event belongs to on its platform: a QuickBooks realm, a Xero tenant, a
/// Salesforce organization, a Stripe account. Platforms without tenants use `"default"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(pub String);

impl TenantId {
    /// The tenant of platforms that have only one.
    pub fn default_tenant() -> Self {
        TenantId("default".to_owned())
    }
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for TenantId {
    fn from(s: &str) -> Self {
        TenantId(s.to_owned())
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The canonical identity of an invoice: where it was issued, for which tenant, and its id
/// there.
///
/// ```
/// use invoice_core::{InvoiceKey, Platform};
/// let key = InvoiceKey::new(Platform::Stripe, "acct_1", "in_1");
/// assert_eq!(key.to_string(), "stripe:acct_1:in_1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InvoiceKey {
    /// Platform that issued the invoice.
    pub platform: Platform,
    /// Tenant on that platform.
    pub tenant: TenantId,
    /// The platform's own invoice id.
    pub id: String,
}

impl InvoiceKey {
    /// Builds a key.
    pub fn new(platform: Platform, tenant: impl Into<String>, id: impl Into<String>) -> Self {
        InvoiceKey {
            platform,
            tenant: TenantId(tenant.into()),
            id: id.into(),
        }
    }
}

impl fmt::Display for InvoiceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.platform, self.tenant, self.id)
    }
}

/// What makes a delivery unique for deduplication: platform, tenant and the platform's event
/// id (or a content hash where the platform has none).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DedupKey {
    /// Source platform.
    pub platform: Platform,
    /// Tenant on that platform.
    pub tenant: TenantId,
    /// Platform event id or content hash.
    pub event_id: String,
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.platform, self.tenant, self.event_id)
    }
}
