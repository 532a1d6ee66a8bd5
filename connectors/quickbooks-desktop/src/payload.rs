//! qbXML wire records: `InvoiceRet` from an `InvoiceQueryRs`, and data events from a
//! `QBXMLEvents` message. All values stay text here; [`crate::mapping`] interprets them.

/// A `LinkedTxn` of an invoice (payments and credit memos applied to it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LinkedTxn<'a> {
    /// `TxnID`.
    pub txn_id: &'a str,
    /// `TxnType` (`ReceivePayment`, `CreditMemo`, …).
    pub txn_type: &'a str,
    /// `RefNumber`.
    pub ref_number: Option<&'a str>,
    /// `Amount` (negative for amounts applied to the invoice).
    pub amount: Option<&'a str>,
}

/// An `InvoiceRet`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceRet<'a> {
    /// `TxnID`: the invoice's id.
    pub txn_id: &'a str,
    /// `TimeModified` (local time with offset).
    pub time_modified: Option<&'a str>,
    /// `EditSequence`: the record version.
    pub edit_sequence: Option<&'a str>,
    /// `TxnNumber`.
    pub txn_number: Option<&'a str>,
    /// `CustomerRef/ListID`.
    pub customer_id: Option<&'a str>,
    /// `CustomerRef/FullName`.
    pub customer_name: Option<&'a str>,
    /// `TxnDate`.
    pub txn_date: Option<&'a str>,
    /// `RefNumber`: the invoice number people see.
    pub ref_number: Option<&'a str>,
    /// `DueDate`.
    pub due_date: Option<&'a str>,
    /// `Subtotal`.
    pub subtotal: Option<&'a str>,
    /// `SalesTaxTotal`.
    pub sales_tax_total: Option<&'a str>,
    /// `AppliedAmount`: payments and credits applied, negative.
    pub applied_amount: Option<&'a str>,
    /// `BalanceRemaining`.
    pub balance_remaining: Option<&'a str>,
    /// `IsPaid`.
    pub is_paid: Option<&'a str>,
    /// `IsPending`.
    pub is_pending: Option<&'a str>,
    /// `CurrencyRef/FullName` (a name such as `Euro`).
    pub currency: Option<&'a str>,
    /// `Memo`.
    pub memo: Option<&'a str>,
    /// `LinkedTxn` entries.
    pub linked: Vec<LinkedTxn<'a>>,
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
