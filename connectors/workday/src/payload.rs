//! The customer invoice message in Workday Web Services XML (`wd:` =
//! `urn:com.workday/bsvc`), read into text records. Matched by namespace URI, never by
//! prefix. The root may be our documented `wd:Customer_Invoice_Events` or a forwarded
//! `wd:Get_Customer_Invoices_Response`: every `wd:Customer_Invoice` inside is read.

use crate::xml::{self, Element};

/// The Workday Web Services namespace.
pub const WD: &str = "urn:com.workday/bsvc";

/// One `wd:Customer_Invoice`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WdInvoice {
    /// `Customer_Invoice_Reference/ID[@wd:type="Customer_Invoice_Reference_ID"]`, else the
    /// `WID`: the invoice key.
    pub id: Option<String>,
    /// `Invoice_Number`.
    pub number: Option<String>,
    /// `Customer_Reference/ID[@wd:type="Customer_ID"]` (else any ID).
    pub customer_id: Option<String>,
    /// `Customer_Reference/@wd:Descriptor`.
    pub customer_name: Option<String>,
    /// `Currency_Reference/ID[@wd:type="Currency_ID"]`.
    pub currency: Option<String>,
    /// `Total_Invoice_Amount` (or `Invoice_Amount`).
    pub total: Option<String>,
    /// `Amount_Due`.
    pub amount_due: Option<String>,
    /// `Amount_Paid`.
    pub amount_paid: Option<String>,
    /// `Due_Date`, else `Due_Date_Override` (xsd:date, possibly with a zone suffix).
    pub due_date: Option<String>,
    /// `Invoice_Status`, else `Document_Status`.
    pub invoice_status: Option<String>,
    /// `Payment_Status`.
    pub payment_status: Option<String>,
    /// `Canceled`.
    pub canceled: Option<String>,
    /// `Dispute_Date`.
    pub dispute_date: Option<String>,
    /// `Dispute_Amount`.
    pub dispute_amount: Option<String>,
    /// `Dispute_Reason_Reference/@wd:Descriptor`.
    pub dispute_reason: Option<String>,
    /// `Last_Updated` (xsd:dateTime), the record version when present.
    pub last_updated: Option<String>,
}

/// A whole delivery.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// `Event_Reference/ID[@wd:type="WID"]` of the business process event, if the
    /// integration sends it.
    pub event_wid: Option<String>,
    /// `Sent_On` (xsd:dateTime).
    pub sent_on: Option<String>,
    /// The invoices.
    pub invoices: Vec<WdInvoice>,
}

fn text(e: Element<'_>, name: &str) -> Option<String> {
    e.child_text(Some(WD), name).map(str::to_owned)
}

/// The `wd:ID` of `reference` with `wd:type` = `id_type`.
pub fn typed_id(reference: Element<'_>, id_type: &str) -> Option<String> {
    reference
        .children_named(Some(WD), "ID")
        .find(|i| i.attr(Some(WD), "type") == Some(id_type))
        .map(Element::text)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The children of a `wd:Customer_Invoice_Data` that are read: the first of each name in
/// the `wd:` namespace (as [`Element::child`] finds it), in one pass over the children.
#[derive(Default)]
struct Data<'d> {
    invoice_id: Option<Element<'d>>,
    number: Option<Element<'d>>,
    customer: Option<Element<'d>>,
    currency: Option<Element<'d>>,
    total: Option<Element<'d>>,
    invoice_amount: Option<Element<'d>>,
    amount_due: Option<Element<'d>>,
    amount_paid: Option<Element<'d>>,
    due_date: Option<Element<'d>>,
    due_date_override: Option<Element<'d>>,
    invoice_status: Option<Element<'d>>,
    document_status: Option<Element<'d>>,
    payment_status: Option<Element<'d>>,
    canceled: Option<Element<'d>>,
    dispute_date: Option<Element<'d>>,
    dispute_amount: Option<Element<'d>>,
    dispute_reason: Option<Element<'d>>,
    last_updated: Option<Element<'d>>,
}

impl<'d> Data<'d> {
    fn read(d: Element<'d>) -> Self {
        let mut f = Data::default();
        for c in d.children() {
            let slot = match c.name() {
                "Customer_Invoice_ID" => &mut f.invoice_id,
                "Invoice_Number" => &mut f.number,
                "Customer_Reference" => &mut f.customer,
                "Currency_Reference" => &mut f.currency,
                "Total_Invoice_Amount" => &mut f.total,
                "Invoice_Amount" => &mut f.invoice_amount,
                "Amount_Due" => &mut f.amount_due,
                "Amount_Paid" => &mut f.amount_paid,
                "Due_Date" => &mut f.due_date,
                "Due_Date_Override" => &mut f.due_date_override,
                "Invoice_Status" => &mut f.invoice_status,
                "Document_Status" => &mut f.document_status,
                "Payment_Status" => &mut f.payment_status,
                "Canceled" => &mut f.canceled,
                "Dispute_Date" => &mut f.dispute_date,
                "Dispute_Amount" => &mut f.dispute_amount,
                "Dispute_Reason_Reference" => &mut f.dispute_reason,
                "Last_Updated" => &mut f.last_updated,
                _ => continue,
            };
            if slot.is_none() && c.ns() == Some(WD) {
                *slot = Some(c);
            }
        }
        f
    }
}

/// The text of `e`, if present and not blank.
fn owned(e: Option<Element<'_>>) -> Option<String> {
    e.map(Element::text)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn invoice(ci: Element<'_>) -> WdInvoice {
    let reference = ci.child(Some(WD), "Customer_Invoice_Reference");
    let data = ci.child(Some(WD), "Customer_Invoice_Data");
    let id = reference
        .and_then(|r| typed_id(r, "Customer_Invoice_Reference_ID").or_else(|| typed_id(r, "WID")));
    let Some(d) = data else {
        return WdInvoice {
            id,
            ..WdInvoice::default()
        };
    };
    let f = Data::read(d);
    WdInvoice {
        id: id.or_else(|| owned(f.invoice_id)),
        number: owned(f.number),
        customer_id: f.customer.and_then(|c| {
            typed_id(c, "Customer_ID").or_else(|| {
                c.children_named(Some(WD), "ID")
                    .map(Element::text)
                    .find(|t| !t.is_empty())
                    .map(str::to_owned)
            })
        }),
        customer_name: f
            .customer
            .and_then(|c| c.attr(Some(WD), "Descriptor"))
            .map(str::to_owned),
        currency: f.currency.and_then(|c| typed_id(c, "Currency_ID")),
        total: owned(f.total).or_else(|| owned(f.invoice_amount)),
        amount_due: owned(f.amount_due),
        amount_paid: owned(f.amount_paid),
        due_date: owned(f.due_date).or_else(|| owned(f.due_date_override)),
        invoice_status: owned(f.invoice_status).or_else(|| owned(f.document_status)),
        payment_status: owned(f.payment_status),
        canceled: owned(f.canceled),
        dispute_date: owned(f.dispute_date),
        dispute_amount: owned(f.dispute_amount),
        dispute_reason: f
            .dispute_reason
            .and_then(|r| r.attr(Some(WD), "Descriptor"))
            .map(str::to_owned),
        last_updated: owned(f.last_updated),
    }
}

fn collect<'a>(e: Element<'a>, out: &mut Vec<Element<'a>>) {
    for c in e.children() {
        if c.is(Some(WD), "Customer_Invoice") {
            out.push(c);
        } else {
            collect(c, out);
        }
    }
}

/// SOAP 1.1 envelope namespace (a Studio integration may forward a whole WWS answer).
pub const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";

/// Reads a delivery. The root (or the only child of a SOAP envelope's `Body`) must be in
/// the `wd:` namespace.
pub fn parse(body: &[u8]) -> Result<Message, String> {
    let tree = xml::parse(body).map_err(|e| e.0)?;
    let doc = tree.root();
    let root = if doc.is(Some(SOAP_ENV), "Envelope") {
        let body = doc
            .child(Some(SOAP_ENV), "Body")
            .ok_or("SOAP envelope without Body")?;
        let mut children = body.children();
        match (children.next(), children.next()) {
            (Some(only), None) => only,
            _ => return Err("SOAP Body must hold exactly one element".into()),
        }
    } else {
        doc
    };
    if root.ns() != Some(WD) {
        return Err("root element is not in urn:com.workday/bsvc".into());
    }
    let mut found = Vec::new();
    collect(root, &mut found);
    Ok(Message {
        event_wid: root
            .child(Some(WD), "Event_Reference")
            .and_then(|r| typed_id(r, "WID")),
        sent_on: text(root, "Sent_On"),
        invoices: found.into_iter().map(invoice).collect(),
    })
}
