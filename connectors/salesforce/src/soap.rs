//! The Outbound Messaging SOAP 1.1 `notifications` call, read with quick-xml's
//! namespace-aware reader, and the `Ack` reply.
//!
//! - Elements are matched by namespace URI and local name, never by prefix: any prefix (or
//!   a default namespace) bound to the right URI is accepted, and `sf:Status__c` bound to
//!   another URI is not an sObject field.
//! - `xsi:type="sf:Invoice__c"` is resolved against the bindings in scope.
//! - A DOCTYPE is refused, so no entity is ever declared or expanded; an undeclared entity
//!   reference is an error. Nothing is fetched.
//! - Bounded: [`MAX_XML_BYTES`] of input, [`MAX_DEPTH`] levels, [`MAX_NOTIFICATIONS`]
//!   notifications, [`MAX_FIELDS`] fields per record, [`MAX_ATTRIBUTES`] attributes per
//!   element, [`MAX_TEXT`] bytes per value.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{QName, ResolveResult};
use quick_xml::NsReader;

use crate::error::SalesforceError;
use crate::payload::{
    FieldValue, Notification, OutboundMessage, OUTBOUND_NS, SOAP_ENV_NS, SOBJECT_NS, XSI_NS,
};

/// The exact acknowledgement Salesforce expects (HTTP 200, `text/xml; charset=utf-8`).
/// A 200 without it counts as a failed delivery and is retried.
pub const ACK: &str = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><notificationsResponse xmlns=\"http://soap.sforce.com/2005/09/outbound\"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>";

/// The content type of [`ACK`].
pub const ACK_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// Largest SOAP body read (100 notifications of a few dozen fields fit many times over).
pub const MAX_XML_BYTES: usize = 4 * 1024 * 1024;
/// Deepest element nesting read (the message itself needs 6).
pub const MAX_DEPTH: usize = 24;
/// Most notifications in one message (Salesforce sends at most 100).
pub const MAX_NOTIFICATIONS: usize = 1_000;
/// Most fields kept per record.
pub const MAX_FIELDS: usize = 1_000;
/// Most attributes read on one element (quick-xml's duplicate-attribute check is
/// quadratic: 50,000 attributes on `sObject` cost about a minute before this bound).
pub const MAX_ATTRIBUTES: usize = 256;
/// Longest value kept, bytes.
pub const MAX_TEXT: usize = 128 * 1024;

/// Where the reader is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Envelope,
    Body,
    Notifications,
    Meta(Meta),
    Notification,
    NotificationId,
    SObject,
    Field {
        name: String,
        nil: bool,
        complex: bool,
    },
    /// Anything else (SOAP headers, relationship sub-records, unknown elements): read for
    /// well-formedness and depth, its content ignored.
    Ignored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meta {
    OrganizationId,
    ActionId,
    SessionId,
    EnterpriseUrl,
    PartnerUrl,
}

struct State {
    stack: Vec<Node>,
    text: String,
    msg: OutboundMessage,
    saw_envelope: bool,
    saw_notifications: bool,
}

/// Parses a `notifications` SOAP request body.
///
/// ```
/// use invoice_connector_salesforce::soap::parse;
/// let xml = br#"<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>
///   <om:notifications xmlns:om="http://soap.sforce.com/2005/09/outbound">
///   <om:OrganizationId>00D5g000004XyZaEAK</om:OrganizationId>
///   <om:Notification><om:Id>04l1</om:Id>
///   <om:sObject xmlns:x="http://www.w3.org/2001/XMLSchema-instance" x:type="o:Invoice__c"
///     xmlns:o="urn:sobject.enterprise.soap.sforce.com"><o:Status__c>Paid</o:Status__c></om:sObject>
///   </om:Notification></om:notifications></e:Body></e:Envelope>"#;
/// let msg = parse(xml).unwrap();
/// assert_eq!(msg.notifications[0].object.type_name.as_deref(), Some("Invoice__c"));
/// assert_eq!(msg.notifications[0].object.text("Status__c"), Some("Paid"));
/// ```
pub fn parse(body: &[u8]) -> Result<OutboundMessage, SalesforceError> {
    if body.len() > MAX_XML_BYTES {
        return Err(SalesforceError::Xml(format!(
            "body over {MAX_XML_BYTES} bytes"
        )));
    }
    let text =
        std::str::from_utf8(body).map_err(|_| SalesforceError::Xml("body is not UTF-8".into()))?;
    let mut reader = NsReader::from_str(text);
    let mut st = State {
        stack: Vec::new(),
        text: String::new(),
        msg: OutboundMessage::default(),
        saw_envelope: false,
        saw_notifications: false,
    };
    loop {
        let event = reader.read_event().map_err(xml_err)?;
        match event {
            Event::Start(e) => start(&reader, &mut st, &e)?,
            Event::Empty(e) => {
                start(&reader, &mut st, &e)?;
                end(&mut st)?;
            }
            Event::End(_) => end(&mut st)?,
            Event::Text(t) => {
                let s = t.unescape().map_err(xml_err)?;
                push_text(&mut st, &s)?;
            }
            Event::CData(c) => {
                let raw = c.into_inner();
                let s = std::str::from_utf8(&raw)
                    .map_err(|_| SalesforceError::Xml("CDATA is not UTF-8".into()))?;
                push_text(&mut st, s)?;
            }
            Event::DocType(_) => {
                return Err(SalesforceError::Xml(
                    "DOCTYPE is refused (no DTDs or entity declarations)".into(),
                ))
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !st.stack.is_empty() || !st.saw_envelope {
        return Err(SalesforceError::Xml("document ends early".into()));
    }
    if !st.saw_notifications {
        return Err(SalesforceError::Xml(
            "no notifications element in the SOAP body".into(),
        ));
    }
    if st.msg.organization_id.is_empty() {
        return Err(SalesforceError::Xml("OrganizationId is missing".into()));
    }
    Ok(st.msg)
}

fn xml_err(e: impl std::fmt::Display) -> SalesforceError {
    SalesforceError::Xml(e.to_string())
}

type Resolved = (Option<Vec<u8>>, Vec<u8>);

/// The namespace URI and local name of an element; an undeclared prefix is an error.
fn resolved(reader: &NsReader<&[u8]>, name: QName<'_>) -> Result<Resolved, SalesforceError> {
    let (ns, local) = reader.resolve_element(name);
    let ns = match ns {
        ResolveResult::Bound(n) => Some(n.as_ref().to_vec()),
        ResolveResult::Unbound => None,
        ResolveResult::Unknown(p) => {
            return Err(SalesforceError::Xml(format!(
                "undeclared namespace prefix `{}`",
                String::from_utf8_lossy(&p)
                    .chars()
                    .take(40)
                    .collect::<String>()
            )))
        }
    };
    Ok((ns, local.as_ref().to_vec()))
}

fn is(ns: &Option<Vec<u8>>, uri: &str) -> bool {
    ns.as_deref() == Some(uri.as_bytes())
}

fn start(
    reader: &NsReader<&[u8]>,
    st: &mut State,
    e: &BytesStart<'_>,
) -> Result<(), SalesforceError> {
    if st.stack.len() >= MAX_DEPTH {
        return Err(SalesforceError::Xml(format!(
            "elements nested deeper than {MAX_DEPTH}"
        )));
    }
    if let Some(Node::Field { complex, .. }) = st.stack.last_mut() {
        // A relationship field holds a sub-record: not a value.
        *complex = true;
        st.text.clear();
        st.stack.push(Node::Ignored);
        return Ok(());
    }
    let (ns, local) = resolved(reader, e.name())?;
    let local = local.as_slice();
    let node = match st.stack.last() {
        None => {
            if !(is(&ns, SOAP_ENV_NS) && local == b"Envelope") || st.saw_envelope {
                return Err(SalesforceError::Xml(
                    "root element is not a SOAP 1.1 Envelope".into(),
                ));
            }
            st.saw_envelope = true;
            Node::Envelope
        }
        Some(Node::Envelope) if is(&ns, SOAP_ENV_NS) && local == b"Body" => Node::Body,
        Some(Node::Body) if is(&ns, OUTBOUND_NS) && local == b"notifications" => {
            if st.saw_notifications {
                return Err(SalesforceError::Xml("two notifications elements".into()));
            }
            st.saw_notifications = true;
            Node::Notifications
        }
        Some(Node::Notifications) if is(&ns, OUTBOUND_NS) => match local {
            b"OrganizationId" => Node::Meta(Meta::OrganizationId),
            b"ActionId" => Node::Meta(Meta::ActionId),
            b"SessionId" => Node::Meta(Meta::SessionId),
            b"EnterpriseUrl" => Node::Meta(Meta::EnterpriseUrl),
            b"PartnerUrl" => Node::Meta(Meta::PartnerUrl),
            b"Notification" => {
                if st.msg.notifications.len() >= MAX_NOTIFICATIONS {
                    return Err(SalesforceError::Xml(format!(
                        "more than {MAX_NOTIFICATIONS} notifications"
                    )));
                }
                st.msg.notifications.push(Notification::default());
                Node::Notification
            }
            _ => Node::Ignored,
        },
        Some(Node::Notification) if is(&ns, OUTBOUND_NS) && local == b"Id" => Node::NotificationId,
        Some(Node::Notification) if is(&ns, OUTBOUND_NS) && local == b"sObject" => {
            let type_name = xsi_type(reader, e)?;
            if let Some(n) = st.msg.notifications.last_mut() {
                n.object.type_name = type_name;
            }
            Node::SObject
        }
        Some(Node::SObject) if is(&ns, SOBJECT_NS) => Node::Field {
            name: String::from_utf8_lossy(local).into_owned(),
            nil: xsi_nil(reader, e)?,
            complex: false,
        },
        _ => Node::Ignored,
    };
    st.text.clear();
    st.stack.push(node);
    Ok(())
}

fn end(st: &mut State) -> Result<(), SalesforceError> {
    let node = st
        .stack
        .pop()
        .ok_or_else(|| SalesforceError::Xml("unbalanced end tag".into()))?;
    let text = std::mem::take(&mut st.text);
    let value = text.trim();
    match node {
        Node::Meta(m) => {
            let slot = match m {
                Meta::OrganizationId => &mut st.msg.organization_id,
                Meta::ActionId => &mut st.msg.action_id,
                Meta::EnterpriseUrl => &mut st.msg.enterprise_url,
                Meta::PartnerUrl => &mut st.msg.partner_url,
                Meta::SessionId => {
                    st.msg.session_id_sent = !value.is_empty();
                    return Ok(());
                }
            };
            *slot = value.to_owned();
        }
        Node::NotificationId => {
            if let Some(n) = st.msg.notifications.last_mut() {
                n.id = value.to_owned();
            }
        }
        Node::Notification if st.msg.notifications.last().is_some_and(|n| n.id.is_empty()) => {
            return Err(SalesforceError::Xml("a Notification has no Id".into()));
        }
        Node::Field { name, nil, complex } if !complex => {
            let Some(n) = st.msg.notifications.last_mut() else {
                return Ok(());
            };
            if n.object.fields.len() >= MAX_FIELDS {
                return Err(SalesforceError::Xml(format!(
                    "more than {MAX_FIELDS} fields in one sObject"
                )));
            }
            let v = if nil {
                FieldValue::Nil
            } else {
                FieldValue::Text(value.to_owned())
            };
            n.object.fields.insert(name, v);
        }
        _ => {}
    }
    Ok(())
}

fn push_text(st: &mut State, s: &str) -> Result<(), SalesforceError> {
    let collects = matches!(
        st.stack.last(),
        Some(Node::Meta(_) | Node::NotificationId | Node::Field { .. })
    );
    if !collects {
        return Ok(());
    }
    if st.text.len() + s.len() > MAX_TEXT {
        return Err(SalesforceError::Xml(format!(
            "a value is longer than {MAX_TEXT} bytes"
        )));
    }
    st.text.push_str(s);
    Ok(())
}

/// The value of the attribute named `local` in the XSI namespace, unescaped.
fn xsi_attr(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    want: &[u8],
) -> Result<Option<String>, SalesforceError> {
    for (i, attr) in e.attributes().enumerate() {
        if i >= MAX_ATTRIBUTES {
            return Err(SalesforceError::Xml(format!(
                "more than {MAX_ATTRIBUTES} attributes on one element"
            )));
        }
        let attr = attr.map_err(xml_err)?;
        let (ns, local) = reader.resolve_attribute(attr.key);
        let in_xsi = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == XSI_NS.as_bytes());
        if in_xsi && local.as_ref() == want {
            let v = attr.unescape_value().map_err(xml_err)?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn xsi_nil(reader: &NsReader<&[u8]>, e: &BytesStart<'_>) -> Result<bool, SalesforceError> {
    Ok(matches!(
        xsi_attr(reader, e, b"nil")?.as_deref().map(str::trim),
        Some("true" | "1")
    ))
}

/// `xsi:type="sf:Invoice__c"` -> `Invoice__c` when `sf` is bound to the sObject
/// namespace in scope; `None` when absent or bound elsewhere.
fn xsi_type(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
) -> Result<Option<String>, SalesforceError> {
    let Some(value) = xsi_attr(reader, e, b"type")? else {
        return Ok(None);
    };
    let value = value.trim();
    let (ns, local) = reader.resolve_element(QName(value.as_bytes()));
    let bound = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == SOBJECT_NS.as_bytes());
    Ok(bound.then(|| String::from_utf8_lossy(local.as_ref()).into_owned()))
}
