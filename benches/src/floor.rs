//! The floor of each platform's ingest path: HMAC-SHA256 of the body (verified in
//! constant time against a precomputed tag) plus a minimal typed parse of the same bytes,
//! borrowing every string, reading only the fields the connector maps. Nothing a real
//! connector could do on the same bytes is cheaper; nothing here checks what a connector
//! must (timestamps, tenants, vocabularies), so a connector cannot reach it exactly.

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use serde::de::IgnoredAny;
use serde::Deserialize;
use sha2::Sha256;

/// The floor of one payload: its MAC key, the expected tag and the parser for its format.
#[derive(Debug, Clone)]
pub struct Floor {
    key: Vec<u8>,
    tag: [u8; 32],
    parse: fn(&[u8]) -> usize,
}

impl Floor {
    /// A floor for `body` under `key`, parsed by `parse` (returns a value so the work
    /// cannot be optimised away; 0 when the parse failed).
    pub fn new(key: &[u8], body: &[u8], parse: fn(&[u8]) -> usize) -> Floor {
        let tag = mac(key, body).finalize().into_bytes().into();
        Floor {
            key: key.to_vec(),
            tag,
            parse,
        }
    }

    /// Verifies then parses `body`; 0 when the tag does not match or the parse failed.
    pub fn run(&self, body: &[u8]) -> usize {
        if mac(&self.key, body).verify_slice(&self.tag).is_err() {
            return 0;
        }
        (self.parse)(body)
    }
}

fn mac(key: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut m = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => <Hmac<Sha256> as Mac>::new(&Default::default()),
    };
    m.update(body);
    m
}

fn json<'a, T: Deserialize<'a>>(body: &'a [u8], size: impl Fn(&T) -> usize) -> usize {
    serde_json::from_slice::<T>(body).map_or(0, |t| size(&t))
}

/// The floor parser for `platform`'s chosen fixture.
pub fn parser(platform: &str) -> Option<fn(&[u8]) -> usize> {
    Some(match platform {
        "stripe" => stripe,
        "salesforce" => salesforce,
        "quickbooks-online" => quickbooks,
        "xero" => xero,
        "paypal" => paypal,
        "hubspot" => hubspot,
        "asana" => asana,
        "monday" => monday,
        "odoo" => odoo,
        "google-sheets" => sheets,
        "netsuite" => netsuite,
        "sage-intacct" => sage,
        _ => return None,
    })
}

#[derive(Deserialize)]
struct StripeEvent<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    created: i64,
    #[serde(borrow)]
    data: StripeData<'a>,
}
#[derive(Deserialize)]
struct StripeData<'a> {
    #[serde(borrow)]
    object: StripeInvoice<'a>,
}
#[derive(Deserialize)]
struct StripeInvoice<'a> {
    id: &'a str,
    currency: &'a str,
    total: i64,
    amount_paid: i64,
    status: Option<&'a str>,
    customer: Option<&'a str>,
    due_date: Option<i64>,
}

fn stripe(body: &[u8]) -> usize {
    json(body, |e: &StripeEvent<'_>| {
        let o = &e.data.object;
        e.id.len()
            + e.ty.len()
            + e.created as usize
            + o.id.len()
            + o.currency.len()
            + (o.total + o.amount_paid) as usize
            + o.status.map_or(0, str::len)
            + o.customer.map_or(0, str::len)
            + o.due_date.unwrap_or(0) as usize
    })
}

/// Salesforce outbound message: the organization id and each sObject's fields, by a
/// streaming scan (no DOM), borrowing every text node.
fn salesforce(body: &[u8]) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut n = 0usize;
    let mut in_field = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name();
                in_field = matches!(
                    name.as_ref(),
                    b"OrganizationId"
                        | b"Id"
                        | b"Status__c"
                        | b"Total_Amount__c"
                        | b"Amount_Paid__c"
                        | b"CurrencyIsoCode"
                        | b"Due_Date__c"
                        | b"Invoice_Number__c"
                        | b"LastModifiedDate"
                        | b"Account__c"
                );
            }
            Ok(Event::Text(t)) if in_field => {
                n += t.len();
                in_field = false;
            }
            Ok(Event::End(_)) => in_field = false,
            Ok(Event::Eof) => return n,
            Err(_) => return 0,
            _ => {}
        }
    }
}

#[derive(Deserialize)]
struct QboCloudEvent<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    ty: &'a str,
    time: &'a str,
    intuitentityid: &'a str,
    intuitaccountid: &'a str,
}

fn quickbooks(body: &[u8]) -> usize {
    json(body, |v: &Vec<QboCloudEvent<'_>>| {
        v.iter()
            .map(|e| {
                e.id.len()
                    + e.ty.len()
                    + e.time.len()
                    + e.intuitentityid.len()
                    + e.intuitaccountid.len()
            })
            .sum()
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct XeroBody<'a> {
    #[serde(borrow)]
    events: Vec<XeroEvent<'a>>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct XeroEvent<'a> {
    resource_url: &'a str,
    resource_id: &'a str,
    event_date_utc: &'a str,
    event_type: &'a str,
    event_category: &'a str,
    tenant_id: &'a str,
}

fn xero(body: &[u8]) -> usize {
    json(body, |b: &XeroBody<'_>| {
        b.events
            .iter()
            .map(|e| {
                e.resource_url.len()
                    + e.resource_id.len()
                    + e.event_date_utc.len()
                    + e.event_type.len()
                    + e.event_category.len()
                    + e.tenant_id.len()
            })
            .sum()
    })
}

#[derive(Deserialize)]
struct PaypalEvent<'a> {
    id: &'a str,
    event_type: &'a str,
    create_time: &'a str,
    #[serde(borrow)]
    resource: PaypalResource<'a>,
}
#[derive(Deserialize)]
struct PaypalResource<'a> {
    #[serde(borrow)]
    invoice: PaypalInvoice<'a>,
}
#[derive(Deserialize)]
struct PaypalInvoice<'a> {
    id: &'a str,
    status: &'a str,
    #[serde(borrow)]
    detail: PaypalDetail<'a>,
    #[serde(borrow)]
    amount: PaypalAmount<'a>,
    #[serde(borrow)]
    due_amount: Option<PaypalAmount<'a>>,
}
#[derive(Deserialize)]
struct PaypalDetail<'a> {
    currency_code: &'a str,
    invoice_number: Option<&'a str>,
}
#[derive(Deserialize)]
struct PaypalAmount<'a> {
    currency_code: &'a str,
    value: &'a str,
    #[serde(default)]
    breakdown: Option<IgnoredAny>,
}

fn paypal(body: &[u8]) -> usize {
    json(body, |e: &PaypalEvent<'_>| {
        let i = &e.resource.invoice;
        e.id.len()
            + e.event_type.len()
            + e.create_time.len()
            + i.id.len()
            + i.status.len()
            + i.detail.currency_code.len()
            + i.detail.invoice_number.map_or(0, str::len)
            + i.amount.currency_code.len()
            + i.amount.value.len()
            + usize::from(i.amount.breakdown.is_some())
            + i.due_amount.as_ref().map_or(0, |a| a.value.len())
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HubspotEvent<'a> {
    event_id: u64,
    portal_id: u64,
    occurred_at: u64,
    subscription_type: &'a str,
    object_id: u64,
    property_name: Option<&'a str>,
    property_value: Option<&'a str>,
}

fn hubspot(body: &[u8]) -> usize {
    json(body, |v: &Vec<HubspotEvent<'_>>| {
        v.iter()
            .map(|e| {
                (e.event_id + e.portal_id + e.occurred_at + e.object_id) as usize
                    + e.subscription_type.len()
                    + e.property_name.map_or(0, str::len)
                    + e.property_value.map_or(0, str::len)
            })
            .sum()
    })
}

#[derive(Deserialize)]
struct AsanaBody<'a> {
    #[serde(borrow)]
    events: Vec<AsanaEvent<'a>>,
}
#[derive(Deserialize)]
struct AsanaEvent<'a> {
    created_at: &'a str,
    action: &'a str,
    #[serde(borrow)]
    resource: AsanaRef<'a>,
    #[serde(borrow, default)]
    change: Option<AsanaChange<'a>>,
}
#[derive(Deserialize)]
struct AsanaRef<'a> {
    gid: &'a str,
    resource_type: &'a str,
}
#[derive(Deserialize)]
struct AsanaChange<'a> {
    field: &'a str,
}

fn asana(body: &[u8]) -> usize {
    json(body, |b: &AsanaBody<'_>| {
        b.events
            .iter()
            .map(|e| {
                e.created_at.len()
                    + e.action.len()
                    + e.resource.gid.len()
                    + e.resource.resource_type.len()
                    + e.change.as_ref().map_or(0, |c| c.field.len())
            })
            .sum()
    })
}

#[derive(Deserialize)]
struct MondayBody<'a> {
    #[serde(borrow)]
    event: MondayEvent<'a>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MondayEvent<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    trigger_time: &'a str,
    board_id: u64,
    pulse_id: u64,
    pulse_name: Option<&'a str>,
    column_id: Option<&'a str>,
    #[serde(borrow)]
    value: Option<MondayValue<'a>>,
    trigger_uuid: &'a str,
}
#[derive(Deserialize)]
struct MondayValue<'a> {
    #[serde(borrow)]
    label: Option<MondayLabel<'a>>,
}
#[derive(Deserialize)]
struct MondayLabel<'a> {
    text: &'a str,
}

/// monday.com: the JWT is in a header, so the floor's HMAC over the body stands in for
/// the JWT's HMAC over its (shorter) signing input.
fn monday(body: &[u8]) -> usize {
    json(body, |b: &MondayBody<'_>| {
        let e = &b.event;
        e.ty.len()
            + e.trigger_time.len()
            + (e.board_id + e.pulse_id) as usize
            + e.pulse_name.map_or(0, str::len)
            + e.column_id.map_or(0, str::len)
            + e.value
                .as_ref()
                .and_then(|v| v.label.as_ref())
                .map_or(0, |l| l.text.len())
            + e.trigger_uuid.len()
    })
}

#[derive(Deserialize)]
struct OdooMove<'a> {
    id: u64,
    amount_residual: f64,
    amount_total: f64,
    #[serde(borrow)]
    currency_id: (u64, Cow<'a, str>),
    invoice_date_due: Option<&'a str>,
    move_type: &'a str,
    name: &'a str,
    #[serde(borrow)]
    partner_id: (u64, Cow<'a, str>),
    payment_state: &'a str,
    state: &'a str,
    write_date: &'a str,
}

fn odoo(body: &[u8]) -> usize {
    json(body, |m: &OdooMove<'_>| {
        m.id as usize
            + (m.amount_residual + m.amount_total) as usize
            + m.currency_id.1.len()
            + m.invoice_date_due.map_or(0, str::len)
            + m.move_type.len()
            + m.name.len()
            + m.partner_id.1.len()
            + m.payment_state.len()
            + m.state.len()
            + m.write_date.len()
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SheetsBody<'a> {
    spreadsheet_id: &'a str,
    sheet: &'a str,
    sent_at: u64,
    #[serde(borrow)]
    rows: Vec<SheetsRow<'a>>,
}
#[derive(Deserialize)]
struct SheetsRow<'a> {
    row: u64,
    #[serde(borrow)]
    values: std::collections::BTreeMap<&'a str, &'a str>,
}

fn sheets(body: &[u8]) -> usize {
    json(body, |b: &SheetsBody<'_>| {
        b.spreadsheet_id.len()
            + b.sheet.len()
            + b.sent_at as usize
            + b.rows
                .iter()
                .map(|r| r.row as usize + r.values.values().map(|v| v.len()).sum::<usize>())
                .sum::<usize>()
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetsuiteBody<'a> {
    account: &'a str,
    record_type: &'a str,
    event_type: &'a str,
    #[serde(borrow)]
    invoices: Vec<NetsuiteInvoice<'a>>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NetsuiteInvoice<'a> {
    id: &'a str,
    tran_id: &'a str,
    status_ref: &'a str,
    entity_id: &'a str,
    currency: &'a str,
    total: f64,
    amount_paid: f64,
    due_date: Option<&'a str>,
    last_modified: &'a str,
}

fn netsuite(body: &[u8]) -> usize {
    json(body, |b: &NetsuiteBody<'_>| {
        b.account.len()
            + b.record_type.len()
            + b.event_type.len()
            + b.invoices
                .iter()
                .map(|i| {
                    i.id.len()
                        + i.tran_id.len()
                        + i.status_ref.len()
                        + i.entity_id.len()
                        + i.currency.len()
                        + (i.total + i.amount_paid) as usize
                        + i.due_date.map_or(0, str::len)
                        + i.last_modified.len()
                })
                .sum::<usize>()
    })
}

#[derive(Deserialize)]
struct SageEvent<'a> {
    object: &'a str,
    event: &'a str,
    companyid: &'a str,
    recordno: &'a str,
    recordid: &'a str,
    state: &'a str,
    customerid: &'a str,
    totalentered: &'a str,
    totalpaid: &'a str,
    whendue: &'a str,
    whenmodified: &'a str,
}

/// Sage Intacct authenticates by URL token (compared, not hashed): the HMAC in the floor
/// is more work than the connector's check.
fn sage(body: &[u8]) -> usize {
    json(body, |e: &SageEvent<'_>| {
        e.object.len()
            + e.event.len()
            + e.companyid.len()
            + e.recordno.len()
            + e.recordid.len()
            + e.state.len()
            + e.customerid.len()
            + e.totalentered.len()
            + e.totalpaid.len()
            + e.whendue.len()
            + e.whenmodified.len()
    })
}
