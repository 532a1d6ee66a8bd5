//! Linking a payment seen on one platform (Stripe, PayPal) to the invoice it settles on
//! another (QuickBooks, SAP), by configured rules.

use serde::{Deserialize, Serialize};

use crate::journal::{Journal, JournalError};
use crate::{InvoiceEvent, InvoiceKey, Platform, TenantId};

/// How a rule finds the target invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "field", rename_all = "snake_case")]
pub enum MatchBy {
    /// The invoice number the payment quotes (`correlation.invoice_number`).
    InvoiceNumber,
    /// A metadata field holding the target invoice number.
    MetadataNumber(String),
    /// A metadata field holding the target platform's invoice id.
    MetadataId(String),
}

/// One rule: payments from `from` settle invoices of `to_platform`/`to_tenant`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrelationRule {
    /// Where the payment comes from.
    pub from: Platform,
    /// Where the invoice was issued.
    pub to_platform: Platform,
    /// The issuing tenant.
    pub to_tenant: TenantId,
    /// How to find it.
    pub by: MatchBy,
}

/// Applies [`CorrelationRule`]s in order; the first that finds an invoice wins.
///
/// A correlated event keeps its detail (the payment) and loses its snapshot: the paying
/// platform's view of "the invoice" is not the issuing platform's record.
#[derive(Debug, Clone, Default)]
pub struct Correlator {
    rules: Vec<CorrelationRule>,
}

impl Correlator {
    /// A correlator with these rules.
    pub fn new(rules: Vec<CorrelationRule>) -> Self {
        Correlator { rules }
    }

    /// The rules.
    pub fn rules(&self) -> &[CorrelationRule] {
        &self.rules
    }

    /// Re-keys `event` to the invoice it settles, if a rule finds one; otherwise returns
    /// it unchanged.
    pub async fn correlate(
        &self,
        mut event: InvoiceEvent,
        journal: &dyn Journal,
    ) -> Result<InvoiceEvent, JournalError> {
        for rule in self.rules.iter().filter(|r| r.from == event.platform) {
            if let Some(target) = self.find(rule, &event, journal).await? {
                if target != event.key {
                    event.key = target;
                    event.snapshot = None;
                }
                return Ok(event);
            }
        }
        Ok(event)
    }

    async fn find(
        &self,
        rule: &CorrelationRule,
        event: &InvoiceEvent,
        journal: &dyn Journal,
    ) -> Result<Option<InvoiceKey>, JournalError> {
        let hints = &event.correlation;
        let number = match &rule.by {
            MatchBy::InvoiceNumber => hints.invoice_number.as_deref(),
            MatchBy::MetadataNumber(field) => hints.metadata.get(field).map(String::as_str),
            MatchBy::MetadataId(field) => {
                let Some(id) = hints.metadata.get(field) else {
                    return Ok(None);
                };
                let key = InvoiceKey {
                    platform: rule.to_platform,
                    tenant: rule.to_tenant.clone(),
                    id: id.clone(),
                };
                return Ok(journal.load(&key).await?.map(|_| key));
            }
        };
        match number {
            Some(n) if !n.is_empty() => {
                journal
                    .find_by_number(rule.to_platform, &rule.to_tenant, n)
                    .await
            }
            _ => Ok(None),
        }
    }
}
