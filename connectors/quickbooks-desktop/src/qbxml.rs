//! qbXML: the `InvoiceQueryRq` we send through the Web Connector, the `InvoiceQueryRs` it
//! brings back, and the `QBXMLEvents` data-event messages the forwarder posts.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};

use crate::error::QbdError;
use crate::payload::{InvoiceRet, LinkedTxn, TxnEvent};
use crate::soap::escape;
use crate::xml::{self, Element};

/// True for a qbXML date-time (`2026-01-14T09:12:44`, with `-08:00` or `Z`) or date.
pub fn valid_datetime(s: &str) -> bool {
    parse_datetime(s).is_some()
        || NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").is_ok()
        || NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// A qbXML date-time with an offset (`TimeModified`), if it has one.
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s.trim()).ok()
}

/// The `InvoiceQueryRq` of one sync: invoices modified since `from` (inclusive; none:
/// every invoice), with linked transactions.
///
/// ```
/// use invoice_connector_quickbooks_desktop::qbxml::invoice_query;
/// let q = invoice_query("13.0", Some("2026-01-14T09:12:44-08:00"));
/// assert!(q.contains("<FromModifiedDate>2026-01-14T09:12:44-08:00</FromModifiedDate>"));
/// assert!(q.contains("<IncludeLinkedTxns>true</IncludeLinkedTxns>"));
/// ```
pub fn invoice_query(version: &str, from: Option<&str>) -> String {
    let filter = from
        .map(|f| {
            format!(
                "<ModifiedDateRangeFilter><FromModifiedDate>{}</FromModifiedDate></ModifiedDateRangeFilter>",
                escape(f)
            )
        })
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><?qbxml version=\"{version}\"?>\
<QBXML><QBXMLMsgsRq onError=\"stopOnError\"><InvoiceQueryRq requestID=\"1\">{filter}\
<IncludeLinkedTxns>true</IncludeLinkedTxns></InvoiceQueryRq></QBXMLMsgsRq></QBXML>"
    )
}

fn text(e: Element<'_>, name: &str) -> Option<String> {
    e.child_text(None, name).map(str::to_owned)
}

/// The children of an `InvoiceRet` that are read: the first of each name outside any
/// namespace (as [`Element::child`] finds it), in one pass over the children.
#[derive(Default)]
struct Ret<'d> {
    txn_id: Option<Element<'d>>,
    time_modified: Option<Element<'d>>,
    edit_sequence: Option<Element<'d>>,
    txn_number: Option<Element<'d>>,
    customer: Option<Element<'d>>,
    txn_date: Option<Element<'d>>,
    ref_number: Option<Element<'d>>,
    due_date: Option<Element<'d>>,
    subtotal: Option<Element<'d>>,
    sales_tax_total: Option<Element<'d>>,
    applied_amount: Option<Element<'d>>,
    balance_remaining: Option<Element<'d>>,
    is_paid: Option<Element<'d>>,
    is_pending: Option<Element<'d>>,
    currency: Option<Element<'d>>,
    memo: Option<Element<'d>>,
}

impl<'d> Ret<'d> {
    fn read(e: Element<'d>) -> Self {
        let mut f = Ret::default();
        for c in e.children() {
            let slot = match c.name() {
                "TxnID" => &mut f.txn_id,
                "TimeModified" => &mut f.time_modified,
                "EditSequence" => &mut f.edit_sequence,
                "TxnNumber" => &mut f.txn_number,
                "CustomerRef" => &mut f.customer,
                "TxnDate" => &mut f.txn_date,
                "RefNumber" => &mut f.ref_number,
                "DueDate" => &mut f.due_date,
                "Subtotal" => &mut f.subtotal,
                "SalesTaxTotal" => &mut f.sales_tax_total,
                "AppliedAmount" => &mut f.applied_amount,
                "BalanceRemaining" => &mut f.balance_remaining,
                "IsPaid" => &mut f.is_paid,
                "IsPending" => &mut f.is_pending,
                "CurrencyRef" => &mut f.currency,
                "Memo" => &mut f.memo,
                _ => continue,
            };
            if slot.is_none() && c.ns().is_none() {
                *slot = Some(c);
            }
        }
        f
    }
}

/// The text of `e`, if present and not blank.
fn present(e: Option<Element<'_>>) -> Option<&str> {
    e.map(Element::text).filter(|t| !t.is_empty())
}

/// The text of `e`'s first child `name` outside any namespace.
fn child<'d>(e: Element<'d>, name: &str) -> Option<&'d str> {
    e.child_text(None, name)
}

fn invoice(e: Element<'_>) -> Result<InvoiceRet<'_>, QbdError> {
    let f = Ret::read(e);
    let txn_id =
        present(f.txn_id).ok_or_else(|| QbdError::QbXml("InvoiceRet without TxnID".into()))?;
    Ok(InvoiceRet {
        txn_id,
        time_modified: present(f.time_modified),
        edit_sequence: present(f.edit_sequence),
        txn_number: present(f.txn_number),
        customer_id: f.customer.and_then(|r| child(r, "ListID")),
        customer_name: f.customer.and_then(|r| child(r, "FullName")),
        txn_date: present(f.txn_date),
        ref_number: present(f.ref_number),
        due_date: present(f.due_date),
        subtotal: present(f.subtotal),
        sales_tax_total: present(f.sales_tax_total),
        applied_amount: present(f.applied_amount),
        balance_remaining: present(f.balance_remaining),
        is_paid: present(f.is_paid),
        is_pending: present(f.is_pending),
        currency: f.currency.and_then(|r| child(r, "FullName")),
        memo: present(f.memo),
        linked: e
            .children_named(None, "LinkedTxn")
            .map(|l| LinkedTxn {
                txn_id: child(l, "TxnID").unwrap_or_default(),
                txn_type: child(l, "TxnType").unwrap_or_default(),
                ref_number: child(l, "RefNumber"),
                amount: child(l, "Amount"),
            })
            .collect(),
    })
}

/// What an `InvoiceQueryRs` said, its texts borrowed from the parsed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryAnswer<'d> {
    /// The invoices (none when QuickBooks found no match, status 1).
    Invoices(Vec<InvoiceRet<'d>>),
    /// QuickBooks refused the request: status code and message.
    Failed(String, String),
}

/// Parses the qbXML text of a `receiveResponseXML` call, for [`invoice_query_answer`].
pub fn parse_document(response: &str) -> Result<xml::Document<'_>, QbdError> {
    xml::parse(response.as_bytes()).map_err(|e| QbdError::QbXml(e.0))
}

/// Reads the `InvoiceQueryRs` of a parsed `receiveResponseXML` qbXML text (see
/// [`parse_document`]); the invoices borrow their texts from `doc`.
pub fn invoice_query_answer<'d>(doc: &'d xml::Document<'_>) -> Result<QueryAnswer<'d>, QbdError> {
    let root = doc.root();
    if !root.is(None, "QBXML") {
        return Err(QbdError::QbXml("not a QBXML document".into()));
    }
    let rs = root
        .child(None, "QBXMLMsgsRs")
        .and_then(|m| m.child(None, "InvoiceQueryRs"))
        .ok_or_else(|| QbdError::QbXml("no InvoiceQueryRs".into()))?;
    let code = rs.attr(None, "statusCode").unwrap_or("0").to_owned();
    match code.as_str() {
        "0" | "1" => {}
        _ => {
            let message = rs.attr(None, "statusMessage").unwrap_or_default();
            return Ok(QueryAnswer::Failed(
                code.chars().take(12).collect(),
                message.chars().take(200).collect(),
            ));
        }
    }
    rs.children_named(None, "InvoiceRet")
        .map(invoice)
        .collect::<Result<Vec<_>, _>>()
        .map(QueryAnswer::Invoices)
}

fn collect_events<'a>(e: Element<'a>, out: &mut Vec<Element<'a>>) {
    for c in e.children() {
        if c.is(None, "TxnEvent") || c.is(None, "TxnDataEvent") {
            out.push(c);
        } else {
            collect_events(c, out);
        }
    }
}

/// Reads a `QBXMLEvents` message: every `TxnEvent` (also under `DataEventList`). The type
/// is `TxnEventType` (or `TxnDataEventType`), the operation `TxnEventOperation`.
pub fn parse_events(body: &[u8]) -> Result<Vec<TxnEvent>, QbdError> {
    let doc = xml::parse(body).map_err(|e| QbdError::QbXml(e.0))?;
    let root = doc.root();
    if !root.is(None, "QBXML") {
        return Err(QbdError::QbXml("not a QBXML document".into()));
    }
    let events = root
        .child(None, "QBXMLEvents")
        .ok_or_else(|| QbdError::QbXml("no QBXMLEvents".into()))?;
    let mut found = Vec::new();
    collect_events(events, &mut found);
    found
        .into_iter()
        .map(|e| {
            let (txn_type, operation) = match text(e, "TxnDataEventType") {
                Some(t) => (
                    Some(t),
                    text(e, "TxnEventOperation").or_else(|| text(e, "TxnEventType")),
                ),
                None => (text(e, "TxnEventType"), text(e, "TxnEventOperation")),
            };
            Ok(TxnEvent {
                txn_type: txn_type.ok_or_else(|| QbdError::QbXml("event without type".into()))?,
                operation: operation
                    .ok_or_else(|| QbdError::QbXml("event without operation".into()))?,
                txn_id: text(e, "TxnID")
                    .ok_or_else(|| QbdError::QbXml("event without TxnID".into()))?,
                ref_number: text(e, "RefNumber"),
            })
        })
        .collect()
}
