//! qbXML wire records: `InvoiceRet` from an `InvoiceQueryRs`, and data events from a
//! `QBXMLEvents` message. All values stay text here; [`crate::mapping`] interprets them.

/// A `LinkedTxn` of an invoice (payments and credit memos applied to it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkedTxn {
    /// `TxnID`.
    pub txn_id: String,
    /// `TxnType` (`ReceivePayment`, `CreditMemo`, …).
    pub txn_type: String,
    /// `RefNumber`.
    pub ref_number: Option<String>,
    /// `Amount` (negative for amounts applied to the invoice).
    pub amount: Option<String>,
}

/// An `InvoiceRet`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceRet {
    /// `TxnID`: the invoice's id.
    pub txn_id: String,
    /// `TimeModified` (local time with offset).
    pub time_modified: Option<String>,
    /// `EditSequence`: the record version.
    pub edit_sequence: Option<String>,
    /// `TxnNumber`.
    pub txn_number: Option<String>,
    /// `CustomerRef/ListID`.
    pub customer_id: Option<String>,
    /// `CustomerRef/FullName`.
    pub customer_name: Option<String>,
    /// `TxnDate`.
    pub txn_date: Option<String>,
    /// `RefNumber`: the invoice number people see.
    pub ref_number: Option<String>,
    /// `DueDate`.
    pub due_date: Option<String>,
    /// `Subtotal`.
    pub subtotal: Option<String>,
    /// `SalesTaxTotal`.
    pub sales_tax_total: Option<String>,
    /// `AppliedAmount`: payments and credits applied, negative.
    pub applied_amount: Option<String>,
    /// `BalanceRemaining`.
    pub balance_remaining: Option<String>,
    /// `IsPaid`.
    pub is_paid: Option<String>,
    /// `IsPending`.
    pub is_pending: Option<String>,
    /// `CurrencyRef/FullName` (a name such as `Euro`).
    pub currency: Option<String>,
    /// `Memo`.
    pub memo: Option<String>,
    /// `LinkedTxn` entries.
    pub linked: Vec<LinkedTxn>,
}

/// One data event of a `QBXMLEvents` message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxnEvent {
    /// The transaction type (`Invoice`, `ReceivePayment`, …).
    pub txn_type: String,
    /// `Add`, `Modify` or `Delete` (kept as text: open vocabulary).
    pub operation: String,
    /// `TxnID`.
    pub txn_id: String,
    /// `RefNumber`, where sent.
    pub ref_number: Option<String>,
}
