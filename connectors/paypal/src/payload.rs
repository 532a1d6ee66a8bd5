//! REST webhook wire types: the event envelope, the Invoicing v2 invoice, the Payments v2
//! capture / refund, and the Disputes dispute. Unknown fields are ignored; statuses and
//! event types are kept as text (an unknown value is skipped, never a parse error).

use serde::Deserialize;
use serde_json::value::RawValue;

/// The webhook event envelope.
#[derive(Debug, Deserialize)]
pub struct Event {
    /// `WH-...`: stable across redeliveries; the dedup key.
    pub id: String,
    /// When PayPal created the event (RFC 3339).
    #[serde(default)]
    pub create_time: Option<String>,
    /// `INVOICING.INVOICE.PAID`, ...
    pub event_type: String,
    /// `invoices`, `capture`, `refund`, `dispute`, ...
    #[serde(default)]
    pub resource_type: Option<String>,
    /// The resource, parsed once the event type is known.
    pub resource: Box<RawValue>,
}

/// `{ "currency_code": "USD", "value": "25.00" }`.
#[derive(Debug, Clone, Deserialize)]
pub struct Amount {
    /// ISO 4217 code.
    pub currency_code: String,
    /// Decimal string in major units.
    pub value: String,
}

/// Invoicing events carry `{"invoice": {...}}`; some older samples carry the invoice
/// itself.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum InvoiceResource {
    /// `resource.invoice`.
    Wrapped {
        /// The invoice.
        invoice: Invoice,
    },
    /// `resource` is the invoice.
    Bare(Invoice),
}

impl InvoiceResource {
    /// The invoice either way.
    pub fn into_invoice(self) -> Invoice {
        match self {
            InvoiceResource::Wrapped { invoice } | InvoiceResource::Bare(invoice) => invoice,
        }
    }
}

/// An Invoicing v2 invoice.
#[derive(Debug, Deserialize)]
pub struct Invoice {
    /// `INV2-....`
    pub id: String,
    /// `DRAFT`, `SENT`, `PAID`, ... (open vocabulary).
    #[serde(default)]
    pub status: String,
    /// Number, dates, currency, metadata.
    #[serde(default)]
    pub detail: Option<InvoiceDetail>,
    /// Who is billed.
    #[serde(default)]
    pub primary_recipients: Vec<Recipient>,
    /// Invoice total.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// Still owed.
    #[serde(default)]
    pub due_amount: Option<Amount>,
    /// Payments so far.
    #[serde(default)]
    pub payments: Option<Payments>,
    /// Refunds so far.
    #[serde(default)]
    pub refunds: Option<Refunds>,
}

/// `invoice.detail`.
#[derive(Debug, Default, Deserialize)]
pub struct InvoiceDetail {
    /// Currency of every amount.
    #[serde(default)]
    pub currency_code: Option<String>,
    /// The merchant's invoice number.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// Due date.
    #[serde(default)]
    pub payment_term: Option<PaymentTerm>,
    /// Create / update times.
    #[serde(default)]
    pub metadata: Option<InvoiceMetadata>,
}

/// `detail.payment_term`.
#[derive(Debug, Default, Deserialize)]
pub struct PaymentTerm {
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
}

/// `detail.metadata`.
#[derive(Debug, Default, Deserialize)]
pub struct InvoiceMetadata {
    /// Last update, RFC 3339: the source version.
    #[serde(default)]
    pub last_update_time: Option<String>,
}

/// One of `primary_recipients`.
#[derive(Debug, Default, Deserialize)]
pub struct Recipient {
    /// Billing contact.
    #[serde(default)]
    pub billing_info: Option<BillingInfo>,
}

/// `billing_info`.
#[derive(Debug, Default, Deserialize)]
pub struct BillingInfo {
    /// E-mail: the customer's id on PayPal invoices.
    #[serde(default)]
    pub email_address: Option<String>,
    /// Company name.
    #[serde(default)]
    pub business_name: Option<String>,
    /// Person name.
    #[serde(default)]
    pub name: Option<PersonName>,
}

/// `name`.
#[derive(Debug, Default, Deserialize)]
pub struct PersonName {
    /// First name.
    #[serde(default)]
    pub given_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub surname: Option<String>,
}

/// `invoice.payments`.
#[derive(Debug, Default, Deserialize)]
pub struct Payments {
    /// Total paid.
    #[serde(default)]
    pub paid_amount: Option<Amount>,
    /// Each payment.
    #[serde(default)]
    pub transactions: Vec<InvoiceTransaction>,
}

/// One payment or refund of an invoice.
#[derive(Debug, Default, Deserialize)]
pub struct InvoiceTransaction {
    /// PayPal payment id (payments).
    #[serde(default)]
    pub payment_id: Option<String>,
    /// PayPal refund id (refunds).
    #[serde(default)]
    pub refund_id: Option<String>,
    /// Amount.
    #[serde(default)]
    pub amount: Option<Amount>,
}

/// `invoice.refunds`.
#[derive(Debug, Default, Deserialize)]
pub struct Refunds {
    /// Total refunded.
    #[serde(default)]
    pub refund_amount: Option<Amount>,
    /// Each refund.
    #[serde(default)]
    pub transactions: Vec<InvoiceTransaction>,
}

/// A Payments v2 capture, or a refund / reversal of one (same fields).
#[derive(Debug, Deserialize)]
pub struct PaymentResource {
    /// Capture or refund id.
    pub id: String,
    /// `COMPLETED`, `DECLINED`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// Amount.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// The merchant's invoice number given at checkout.
    #[serde(default)]
    pub invoice_id: Option<String>,
    /// The merchant's reference given at checkout.
    #[serde(default)]
    pub custom_id: Option<String>,
    /// Last update, RFC 3339.
    #[serde(default)]
    pub update_time: Option<String>,
    /// HATEOAS links (`up` points from a refund to its capture).
    #[serde(default)]
    pub links: Vec<Link>,
    /// Why a capture is pending or denied.
    #[serde(default)]
    pub status_details: Option<StatusDetails>,
}

/// `status_details`.
#[derive(Debug, Default, Deserialize)]
pub struct StatusDetails {
    /// Reason code.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A HATEOAS link.
#[derive(Debug, Default, Deserialize)]
pub struct Link {
    /// URL.
    #[serde(default)]
    pub href: String,
    /// Relation (`self`, `up`).
    #[serde(default)]
    pub rel: String,
}

/// A customer dispute.
#[derive(Debug, Deserialize)]
pub struct Dispute {
    /// `PP-D-...` / `PP-000-...`.
    pub dispute_id: String,
    /// Last update, RFC 3339.
    #[serde(default)]
    pub update_time: Option<String>,
    /// Reason code.
    #[serde(default)]
    pub reason: Option<String>,
    /// Disputed amount.
    #[serde(default)]
    pub dispute_amount: Option<Amount>,
    /// The transactions in dispute.
    #[serde(default)]
    pub disputed_transactions: Vec<DisputedTransaction>,
    /// How it ended (resolved disputes).
    #[serde(default)]
    pub dispute_outcome: Option<DisputeOutcomeWire>,
}

/// One of `disputed_transactions`.
#[derive(Debug, Default, Deserialize)]
pub struct DisputedTransaction {
    /// The merchant-side transaction (capture) id.
    #[serde(default)]
    pub seller_transaction_id: Option<String>,
    /// The merchant's invoice number of that transaction.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// The merchant's custom field.
    #[serde(default)]
    pub custom: Option<String>,
}

/// `dispute_outcome`.
#[derive(Debug, Default, Deserialize)]
pub struct DisputeOutcomeWire {
    /// `RESOLVED_BUYER_FAVOUR`, `RESOLVED_SELLER_FAVOUR`, ... (open vocabulary).
    #[serde(default)]
    pub outcome_code: Option<String>,
}
