//! The floor of each platform's ingest path: the least that platform's authentication
//! scheme needs on the same request (an HMAC-SHA256 verified in constant time against a
//! precomputed tag, a constant-time token or Basic-credential compare, or one RSA
//! SHA256withRSA verification, see [`Auth`]) plus a minimal typed parse of the same bytes,
//! borrowing every string, reading only the fields the connector maps. Nothing a real
//! connector could do on the same bytes is cheaper; nothing here checks what a connector
//! must (timestamps, tenants, vocabularies), so a connector cannot reach it exactly.

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use invoice_core::verify::constant_time_eq;
use invoice_core::{Secret, WebhookRequest};
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

/// Feeds the bytes a platform signs (taken from the request) into a MAC; false when the
/// request lacks what the signed string is built from.
pub type Feed = fn(&WebhookRequest, &mut Hmac<Sha256>) -> bool;

/// Reads the credential a platform sends (a header, a query parameter).
pub type Get = fn(&WebhookRequest) -> Option<&[u8]>;

/// How the floor authenticates a request: the least the platform's own scheme needs.
#[derive(Debug, Clone)]
pub enum Auth {
    /// HMAC-SHA256 of what `feed` writes (the raw body, or the platform's signed string),
    /// checked in constant time (`verify_slice`) against a tag precomputed at construction
    /// (so the floor skips decoding the signature header).
    Mac {
        /// The MAC key.
        key: Vec<u8>,
        /// The expected tag.
        tag: [u8; 32],
        /// What is signed.
        feed: Feed,
    },
    /// A static secret (header or query parameter) compared in constant time.
    Token {
        /// The secret.
        expected: Vec<u8>,
        /// Where the request carries it.
        get: Get,
    },
    /// `Authorization: Basic base64(user:password)`: one base64 decode, then a
    /// constant-time compare with `user:password`.
    Basic {
        /// `user:password`.
        expected: Vec<u8>,
    },
    /// PayPal's SHA256withRSA: CRC-32 of the body, SHA-256 of
    /// `<transmission id>|<time>|<webhook id>|<crc32>` (streamed, not formatted), one
    /// 2048-bit PKCS#1 v1.5 verification with the `rsa` crate the connector uses, against
    /// the signature decoded at construction.
    Rsa {
        /// The (already parsed, cached) certificate key.
        key: RsaPublicKey,
        /// The decoded `PAYPAL-TRANSMISSION-SIG`.
        signature: Vec<u8>,
        /// The webhook id.
        webhook_id: String,
    },
    /// The credential is inside the body (QuickBooks Desktop's session ticket): the parse
    /// verifies it in the same pass.
    InParse,
}

/// The floor of one payload: its authentication and the parser for its format.
#[derive(Debug, Clone)]
pub struct Floor {
    auth: Auth,
    parse: fn(&[u8]) -> usize,
}

impl Floor {
    /// A floor authenticating with `auth`, parsed by `parse` (returns a value so the work
    /// cannot be optimised away; 0 when the parse failed).
    pub fn new(auth: Auth, parse: fn(&[u8]) -> usize) -> Floor {
        Floor { auth, parse }
    }

    /// An HMAC floor: the tag of what `feed` writes for `request` under `key`.
    pub fn mac(
        key: &[u8],
        request: &WebhookRequest,
        feed: Feed,
        parse: fn(&[u8]) -> usize,
    ) -> Floor {
        let mut m = mac(key);
        feed(request, &mut m);
        let tag = m.finalize().into_bytes().into();
        Floor::new(
            Auth::Mac {
                key: key.to_vec(),
                tag,
                feed,
            },
            parse,
        )
    }

    /// Authenticates then parses `request`; 0 when authentication or the parse failed.
    pub fn run(&self, request: &WebhookRequest) -> usize {
        if !self.auth.check(request) {
            return 0;
        }
        (self.parse)(request.body())
    }
}

impl Auth {
    fn check(&self, request: &WebhookRequest) -> bool {
        match self {
            Auth::Mac { key, tag, feed } => {
                let mut m = mac(key);
                feed(request, &mut m) && m.verify_slice(tag).is_ok()
            }
            Auth::Token { expected, get } => {
                get(request).is_some_and(|v| constant_time_eq(v, expected))
            }
            Auth::Basic { expected } => {
                use base64::Engine;
                let Some(v) = request.headers().get(http::header::AUTHORIZATION) else {
                    return false;
                };
                let Some(b64) = v.as_bytes().strip_prefix(b"Basic ") else {
                    return false;
                };
                let mut buf = [0u8; 192];
                match base64::engine::general_purpose::STANDARD.decode_slice(b64, &mut buf) {
                    Ok(n) => constant_time_eq(&buf[..n], expected),
                    Err(_) => false,
                }
            }
            Auth::Rsa {
                key,
                signature,
                webhook_id,
            } => {
                let h = request.headers();
                let (Some(id), Some(time)) = (
                    h.get("paypal-transmission-id"),
                    h.get("paypal-transmission-time"),
                ) else {
                    return false;
                };
                let mut digits = [0u8; 10];
                let crc = decimal(crc32fast::hash(request.body()), &mut digits);
                let hashed: [u8; 32] = Sha256::new()
                    .chain_update(id.as_bytes())
                    .chain_update(b"|")
                    .chain_update(time.as_bytes())
                    .chain_update(b"|")
                    .chain_update(webhook_id.as_bytes())
                    .chain_update(b"|")
                    .chain_update(crc)
                    .finalize()
                    .into();
                key.verify(Pkcs1v15Sign::new::<Sha256>(), &hashed, signature)
                    .is_ok()
            }
            Auth::InParse => true,
        }
    }
}

/// `n` in decimal, in `buf`.
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => <Hmac<Sha256> as Mac>::new(&Default::default()),
    }
}

/// The raw body (most platforms sign exactly it).
pub fn body(request: &WebhookRequest, m: &mut Hmac<Sha256>) -> bool {
    m.update(request.body());
    true
}

/// `"<t>." + body`, `t` from `X-Relay-Signature: t=<t>,v1=<hex>` (SAP S/4HANA, QuickBooks
/// Desktop's forwarder, Workday's signing variant).
pub fn relay_signature(request: &WebhookRequest, m: &mut Hmac<Sha256>) -> bool {
    let Some(v) = request.headers().get("x-relay-signature") else {
        return false;
    };
    let Some(t) = v.as_bytes().strip_prefix(b"t=") else {
        return false;
    };
    let t = t.split(|b| *b == b',').next().unwrap_or_default();
    m.update(t);
    m.update(b".");
    m.update(request.body());
    true
}

/// Standard Webhooks (ServiceNow): `"<webhook-id>.<webhook-timestamp>." + body`.
pub fn standard_webhooks(request: &WebhookRequest, m: &mut Hmac<Sha256>) -> bool {
    let h = request.headers();
    let (Some(id), Some(ts)) = (h.get("webhook-id"), h.get("webhook-timestamp")) else {
        return false;
    };
    m.update(id.as_bytes());
    m.update(b".");
    m.update(ts.as_bytes());
    m.update(b".");
    m.update(request.body());
    true
}

/// FreshBooks: the form fields (URL-decoded, first value of each name, posted order)
/// rendered as Python's `json.dumps` and streamed into the MAC (no string is built; the
/// names seen so far are kept, borrowed where nothing was escaped, to drop repeats).
pub fn freshbooks_form(request: &WebhookRequest, m: &mut Hmac<Sha256>) -> bool {
    let mut seen: Vec<Cow<'_, str>> = Vec::with_capacity(8);
    m.update(b"{");
    for (k, v) in form_urlencoded::parse(request.body()) {
        if seen.contains(&k) {
            continue;
        }
        if !seen.is_empty() {
            m.update(b", ");
        }
        json_dumps_string(m, &k);
        m.update(b": ");
        json_dumps_string(m, &v);
        seen.push(k);
    }
    m.update(b"}");
    true
}

/// One `json.dumps` string (ASCII-only output), streamed: runs of printable ASCII are fed
/// as they are, everything else escaped.
fn json_dumps_string(m: &mut Hmac<Sha256>, s: &str) {
    m.update(b"\"");
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let safe = (0x20..=0x7e).contains(&(c as u32)) && c != '"' && c != '\\';
        if safe {
            continue;
        }
        m.update(&bytes[run..i]);
        run = i + c.len_utf8();
        match c {
            '"' => m.update(b"\\\""),
            '\\' => m.update(b"\\\\"),
            '\n' => m.update(b"\\n"),
            '\r' => m.update(b"\\r"),
            '\t' => m.update(b"\\t"),
            '\u{08}' => m.update(b"\\b"),
            '\u{0c}' => m.update(b"\\f"),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    let u = *unit as usize;
                    m.update(&[
                        b'\\',
                        b'u',
                        HEX[u >> 12],
                        HEX[(u >> 8) & 15],
                        HEX[(u >> 4) & 15],
                        HEX[u & 15],
                    ]);
                }
            }
        }
    }
    m.update(&bytes[run..]);
    m.update(b"\"");
}

/// The raw value of query parameter `name` (Dynamics 365's `code`, Sage Intacct's `token`).
fn query_param<'r>(request: &'r WebhookRequest, name: &str) -> Option<&'r [u8]> {
    request.uri().query()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then_some(v.as_bytes())
    })
}

/// Dynamics 365's WebhookKey: `?code=<key>`.
pub fn query_code(request: &WebhookRequest) -> Option<&[u8]> {
    query_param(request, "code")
}

/// Sage Intacct's URL token: `?token=<token>`.
pub fn query_token(request: &WebhookRequest) -> Option<&[u8]> {
    query_param(request, "token")
}

/// Zoho Books' shared-secret header `X-Relay-Token`.
pub fn relay_token(request: &WebhookRequest) -> Option<&[u8]> {
    request.headers().get("x-relay-token").map(|v| v.as_bytes())
}

/// Salesforce Outbound Messages' shared-secret header `X-Relay-Secret` (Outbound Messages
/// carry no signature; the connector compares this header in constant time).
pub fn relay_secret(request: &WebhookRequest) -> Option<&[u8]> {
    request
        .headers()
        .get("x-relay-secret")
        .map(|v| v.as_bytes())
}

/// The floor of `platform`'s chosen fixture `request`, `secret` being the connector's
/// fixture secret.
pub fn floor(platform: &str, secret: &str, request: &WebhookRequest) -> Option<Floor> {
    use base64::Engine;
    let parse = parser(platform)?;
    let key = secret.as_bytes();
    Some(match platform {
        "sage-intacct" => Floor::new(
            Auth::Token {
                expected: key.to_vec(),
                get: query_token,
            },
            parse,
        ),
        "dynamics365" => Floor::new(
            Auth::Token {
                expected: key.to_vec(),
                get: query_code,
            },
            parse,
        ),
        "salesforce" => Floor::new(
            Auth::Token {
                expected: key.to_vec(),
                get: relay_secret,
            },
            parse,
        ),
        "zoho-books" => Floor::new(
            Auth::Token {
                expected: key.to_vec(),
                get: relay_token,
            },
            parse,
        ),
        "workday" => {
            let user = invoice_connectors::workday::testing::FIXTURE_USER;
            Floor::new(
                Auth::Basic {
                    expected: format!("{user}:{secret}").into_bytes(),
                },
                parse,
            )
        }
        "paypal" => {
            let sig = request.headers().get("paypal-transmission-sig")?;
            let signature = base64::engine::general_purpose::STANDARD
                .decode(sig.as_bytes())
                .ok()?;
            let key = RsaPublicKey::from(invoice_connectors::paypal::testing::fixture_key());
            Floor::new(
                Auth::Rsa {
                    key,
                    signature,
                    webhook_id: secret.to_owned(),
                },
                parse,
            )
        }
        "quickbooks-desktop" => Floor::new(Auth::InParse, parse),
        "servicenow" => {
            let k = invoice_connectors::servicenow::verify::key_bytes(&Secret::new(secret))?;
            Floor::mac(k.expose(), request, standard_webhooks, parse)
        }
        "sap-s4hana" => Floor::mac(key, request, relay_signature, parse),
        "freshbooks" => Floor::mac(key, request, freshbooks_form, parse),
        _ => Floor::mac(key, request, body, parse),
    })
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
        "dynamics365" => dynamics,
        "freshbooks" => freshbooks,
        "jira-service-management" => jira,
        "sap-s4hana" => sap,
        "servicenow" => servicenow,
        "zoho-books" => zoho,
        "workday" => workday,
        "quickbooks-desktop" => qbd,
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

/// PayPal (SHA256withRSA over `id|time|webhook id|crc32(body)`, see [`Auth::Rsa`]): the
/// event and the invoice's mapped fields.
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
/// the JWT's HMAC over its (shorter) signing input (no base64url, no claim parse).
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

/// Sage Intacct authenticates by URL token: the floor compares `?token=` in constant time
/// (no HMAC).
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

#[derive(Deserialize)]
struct DynKv<'a> {
    key: &'a str,
    #[serde(borrow)]
    value: &'a RawValue,
}
#[derive(Deserialize)]
struct DynImage<'a> {
    key: &'a str,
    #[serde(borrow)]
    value: DynEntity<'a>,
}
#[derive(Deserialize)]
struct DynEntity<'a> {
    #[serde(rename = "Attributes", borrow, default)]
    attributes: Vec<DynKv<'a>>,
    #[serde(rename = "FormattedValues", borrow, default)]
    formatted: Vec<DynKv<'a>>,
}
#[derive(Deserialize)]
struct DynContext<'a> {
    #[serde(rename = "MessageName")]
    message: &'a str,
    #[serde(rename = "PrimaryEntityName")]
    entity: &'a str,
    #[serde(rename = "OrganizationId")]
    organization: &'a str,
    #[serde(rename = "OperationId")]
    operation: &'a str,
    #[serde(rename = "InputParameters", borrow)]
    input: Vec<DynKv<'a>>,
    #[serde(rename = "PostEntityImages", borrow)]
    post: Vec<DynImage<'a>>,
}
/// `{"__type": …, "Value": n}` (OptionSetValue, Money).
#[derive(Deserialize)]
struct DynValue {
    #[serde(rename = "Value")]
    value: f64,
}
/// `{"Id": …, "Name": …}` (EntityReference).
#[derive(Deserialize)]
struct DynRef<'a> {
    #[serde(rename = "Id")]
    id: &'a str,
    #[serde(rename = "Name")]
    name: Option<&'a str>,
}

/// Dynamics 365 (WebhookKey `?code=`, compared in constant time; Dataverse signs nothing)
/// on its `RemoteExecutionContext`: the message, table, organization and
/// operation, the `Target` entity's and the post-image's attributes (every value kept
/// raw, then only the mapped columns read: option sets and money as numbers, references
/// as id and name, text and dates as borrowed strings).
fn dynamics(body: &[u8]) -> usize {
    fn attrs(e: &DynEntity<'_>) -> usize {
        let mut n = e
            .formatted
            .iter()
            .map(|f| f.value.get().len())
            .sum::<usize>();
        for a in &e.attributes {
            let raw = a.value.get();
            n += match a.key {
                "statecode" | "statuscode" | "totalamount" => {
                    serde_json::from_str::<DynValue>(raw).map_or(0, |v| v.value as usize)
                }
                "customerid" | "transactioncurrencyid" => serde_json::from_str::<DynRef<'_>>(raw)
                    .map_or(0, |r| r.id.len() + r.name.map_or(0, str::len)),
                "invoiceid" | "invoicenumber" | "duedate" | "modifiedon" => {
                    serde_json::from_str::<Cow<'_, str>>(raw).map_or(0, |s| s.len())
                }
                _ => 0,
            };
        }
        n
    }
    json(body, |c: &DynContext<'_>| {
        let target = c
            .input
            .iter()
            .find(|p| p.key == "Target")
            .and_then(|p| serde_json::from_str::<DynEntity<'_>>(p.value.get()).ok());
        c.message.len()
            + c.entity.len()
            + c.organization.len()
            + c.operation.len()
            + target.as_ref().map_or(0, attrs)
            + c.post
                .iter()
                .filter(|i| i.key == "PostImage")
                .map(|i| attrs(&i.value))
                .sum::<usize>()
    })
}

/// FreshBooks (HMAC of the fields' `json.dumps`, see [`freshbooks_form`]): the form's `name`, `object_id` and `account_id` (borrowed unless
/// percent-escaped). A second pass over the ~100-byte form: the MAC's pass built no
/// fields to reuse.
fn freshbooks(body: &[u8]) -> usize {
    let mut n = 0;
    for (k, v) in form_urlencoded::parse(body) {
        if matches!(k.as_ref(), "name" | "object_id" | "account_id") {
            n += v.len();
        }
    }
    n
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JiraEvent<'a> {
    timestamp: i64,
    webhook_event: &'a str,
    #[serde(borrow)]
    issue: JiraIssue<'a>,
    #[serde(borrow)]
    changelog: Option<JiraChangelog<'a>>,
}
#[derive(Deserialize)]
struct JiraIssue<'a> {
    id: &'a str,
    key: &'a str,
    #[serde(rename = "self")]
    self_url: &'a str,
    #[serde(borrow)]
    fields: JiraFields<'a>,
}
/// The fixture configuration's field ids: total, number, currency option, paid, customer.
#[derive(Deserialize)]
struct JiraFields<'a> {
    #[serde(borrow)]
    status: JiraStatus<'a>,
    customfield_10050: f64,
    customfield_10051: &'a str,
    #[serde(borrow)]
    customfield_10052: JiraOption<'a>,
    customfield_10053: f64,
    customfield_10054: &'a str,
    duedate: Option<&'a str>,
    updated: &'a str,
}
#[derive(Deserialize)]
struct JiraStatus<'a> {
    name: &'a str,
    id: &'a str,
}
#[derive(Deserialize)]
struct JiraOption<'a> {
    value: &'a str,
}
#[derive(Deserialize)]
struct JiraChangelog<'a> {
    #[serde(borrow)]
    items: Vec<JiraItem<'a>>,
}
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JiraItem<'a> {
    field: &'a str,
    to_string: Option<&'a str>,
}

/// Jira Service Management (`X-Hub-Signature: sha256=<hex>`, HMAC of the raw body): the
/// event, the issue's id, key and `self` (the site), its status, the configured custom
/// fields and the changelog's fields.
fn jira(body: &[u8]) -> usize {
    json(body, |e: &JiraEvent<'_>| {
        let f = &e.issue.fields;
        e.timestamp as usize
            + e.webhook_event.len()
            + e.issue.id.len()
            + e.issue.key.len()
            + e.issue.self_url.len()
            + f.status.name.len()
            + f.status.id.len()
            + (f.customfield_10050 + f.customfield_10053) as usize
            + f.customfield_10051.len()
            + f.customfield_10052.value.len()
            + f.customfield_10054.len()
            + f.duedate.map_or(0, str::len)
            + f.updated.len()
            + e.changelog.as_ref().map_or(0, |c| {
                c.items
                    .iter()
                    .map(|i| i.field.len() + i.to_string.map_or(0, str::len))
                    .sum()
            })
    })
}

#[derive(Deserialize)]
struct SapEvent<'a> {
    #[serde(rename = "type")]
    ty: &'a str,
    source: &'a str,
    id: &'a str,
    time: &'a str,
    #[serde(borrow)]
    data: SapData<'a>,
}
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SapData<'a> {
    billing_document: &'a str,
}

/// SAP S/4HANA (`X-Relay-Signature`, HMAC of `t.body`): a CloudEvent naming a billing document (the connector emits a reference
/// to enrich, so there is no `apply` on either side).
fn sap(body: &[u8]) -> usize {
    json(body, |e: &SapEvent<'_>| {
        e.ty.len() + e.source.len() + e.id.len() + e.time.len() + e.data.billing_document.len()
    })
}

#[derive(Deserialize)]
struct SnowPost<'a> {
    instance: &'a str,
    table: &'a str,
    #[serde(borrow)]
    records: Vec<SnowRecord<'a>>,
}
#[derive(Deserialize)]
struct SnowRecord<'a> {
    sys_id: &'a str,
    number: &'a str,
    state: &'a str,
    amount: &'a str,
    amount_paid: &'a str,
    currency: &'a str,
    due_date: Option<&'a str>,
    #[serde(borrow)]
    account: SnowAccount<'a>,
    sys_updated_on: &'a str,
    sys_mod_count: u64,
    operation: &'a str,
}
#[derive(Deserialize)]
struct SnowAccount<'a> {
    sys_id: &'a str,
    name: &'a str,
}

/// ServiceNow (Standard Webhooks: HMAC of `id.timestamp.body`): instance, table and each
/// record's mapped columns (amounts as their strings).
fn servicenow(body: &[u8]) -> usize {
    json(body, |p: &SnowPost<'_>| {
        p.instance.len()
            + p.table.len()
            + p.records
                .iter()
                .map(|r| {
                    r.sys_id.len()
                        + r.number.len()
                        + r.state.len()
                        + r.amount.len()
                        + r.amount_paid.len()
                        + r.currency.len()
                        + r.due_date.map_or(0, str::len)
                        + r.account.sys_id.len()
                        + r.account.name.len()
                        + r.sys_updated_on.len()
                        + r.sys_mod_count as usize
                        + r.operation.len()
                })
                .sum::<usize>()
    })
}

#[derive(Deserialize)]
struct ZohoBody<'a> {
    #[serde(borrow)]
    invoice: ZohoInvoice<'a>,
}
#[derive(Deserialize)]
struct ZohoInvoice<'a> {
    invoice_id: &'a str,
    invoice_number: &'a str,
    status: &'a str,
    customer_id: &'a str,
    customer_name: &'a str,
    currency_code: &'a str,
    total: f64,
    balance: f64,
    payment_made: f64,
    due_date: Option<&'a str>,
    last_modified_time: &'a str,
}

/// Zoho Books (shared-secret header `X-Relay-Token`, compared in constant time): the
/// wrapped invoice's mapped fields, amounts as `f64`.
fn zoho(body: &[u8]) -> usize {
    json(body, |b: &ZohoBody<'_>| {
        let i = &b.invoice;
        i.invoice_id.len()
            + i.invoice_number.len()
            + i.status.len()
            + i.customer_id.len()
            + i.customer_name.len()
            + i.currency_code.len()
            + (i.total + i.balance + i.payment_made) as usize
            + i.due_date.map_or(0, str::len)
            + i.last_modified_time.len()
    })
}

/// Workday (`Authorization: Basic`, decoded and compared in constant time): a streaming scan (no tree, no namespace resolution) of the pushed
/// `Customer_Invoice_Events`, borrowing the text of every ID and mapped field.
fn workday(body: &[u8]) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut n = 0usize;
    let mut in_field = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                in_field = matches!(
                    e.local_name().as_ref(),
                    b"ID"
                        | b"Sent_On"
                        | b"Customer_Invoice_ID"
                        | b"Invoice_Number"
                        | b"Due_Date"
                        | b"Total_Invoice_Amount"
                        | b"Amount_Due"
                        | b"Amount_Paid"
                        | b"Invoice_Status"
                        | b"Payment_Status"
                        | b"Canceled"
                        | b"Last_Updated"
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

/// QuickBooks Desktop `receiveResponseXML`: one streaming scan of the SOAP envelope for
/// the `ticket` and the (XML-escaped) qbXML `response`; the ticket
/// `v1.<ts>.<hex HMAC of "qbwc-ticket|<company>|<ts>">` is verified (hex decoded onto
/// the stack, HMAC-SHA256, constant-time compare); the response is unescaped once (it
/// has entities, so this allocates) and scanned for each `InvoiceRet`'s mapped fields.
fn qbd(body: &[u8]) -> usize {
    use invoice_connectors::quickbooks_desktop::testing::{FIXTURE_COMPANIES, FIXTURE_SECRET};
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut ticket: Option<Cow<'_, [u8]>> = None;
    let mut response: Option<Cow<'_, str>> = None;
    let mut at = 0u8;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                at = match e.local_name().as_ref() {
                    b"ticket" => 1,
                    b"response" => 2,
                    _ => 0,
                };
            }
            Ok(Event::Text(t)) if at == 1 => {
                ticket = Some(t.into_inner());
                at = 0;
            }
            Ok(Event::Text(t)) if at == 2 => {
                let Ok(r) = t.unescape() else { return 0 };
                response = Some(r);
                at = 0;
            }
            Ok(Event::End(_)) => at = 0,
            Ok(Event::Eof) => break,
            Err(_) => return 0,
            _ => {}
        }
    }
    let (Some(ticket), Some(response)) = (ticket, response) else {
        return 0;
    };
    let mut parts = ticket.splitn(3, |b| *b == b'.');
    let (Some(b"v1"), Some(ts), Some(hex_mac)) = (parts.next(), parts.next(), parts.next()) else {
        return 0;
    };
    let mut tag = [0u8; 32];
    if hex::decode_to_slice(hex_mac, &mut tag).is_err() {
        return 0;
    }
    let mut m = mac(FIXTURE_SECRET.as_bytes());
    m.update(b"qbwc-ticket|");
    m.update(FIXTURE_COMPANIES[0].as_bytes());
    m.update(b"|");
    m.update(ts);
    if m.verify_slice(&tag).is_err() {
        return 0;
    }
    let mut inner = quick_xml::Reader::from_str(&response);
    let mut n = 0usize;
    let mut in_field = false;
    loop {
        match inner.read_event() {
            Ok(Event::Start(e)) => {
                in_field = matches!(
                    e.local_name().as_ref(),
                    b"TxnID"
                        | b"TimeModified"
                        | b"EditSequence"
                        | b"ListID"
                        | b"FullName"
                        | b"RefNumber"
                        | b"DueDate"
                        | b"Subtotal"
                        | b"SalesTaxTotal"
                        | b"AppliedAmount"
                        | b"BalanceRemaining"
                        | b"IsPaid"
                        | b"IsPending"
                        | b"TxnType"
                        | b"Amount"
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
