//! The QuickBooks Web Connector's SOAP 1.1 calls and our exact replies, in the
//! `http://developer.intuit.com/` namespace.
//!
//! Calls are matched by namespace URI and local name, never by prefix
//! (`soap:`/`SOAP-ENV:`/`s:` and a default or prefixed Intuit namespace all read alike).

use crate::error::QbdError;
use crate::xml::{self, Element};

/// SOAP 1.1 envelope namespace.
pub const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The Web Connector's service namespace.
pub const INTUIT: &str = "http://developer.intuit.com/";
/// Content type of our replies (SOAP 1.1).
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// One Web Connector call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `serverVersion`.
    ServerVersion,
    /// `clientVersion(strVersion)`.
    ClientVersion(String),
    /// `authenticate(strUserName, strPassword)`.
    Authenticate {
        /// User.
        user: String,
        /// Password (compared in constant time, never logged).
        password: String,
    },
    /// `sendRequestXML(ticket, …)`.
    SendRequestXml {
        /// Ticket.
        ticket: String,
    },
    /// `receiveResponseXML(ticket, response, hresult, message)`.
    ReceiveResponseXml {
        /// Ticket.
        ticket: String,
        /// The qbXML response text.
        response: String,
        /// COM error code, empty on success.
        hresult: String,
        /// Error message.
        message: String,
    },
    /// `connectionError(ticket, hresult, message)`.
    ConnectionError {
        /// Ticket.
        ticket: String,
    },
    /// `getLastError(ticket)`.
    GetLastError {
        /// Ticket.
        ticket: String,
    },
    /// `closeConnection(ticket)`.
    CloseConnection {
        /// Ticket.
        ticket: String,
    },
    /// A method we do not implement (`getInteractiveURL`, …).
    Other(String),
}

impl Call {
    /// The method name.
    pub fn method(&self) -> &str {
        match self {
            Call::ServerVersion => "serverVersion",
            Call::ClientVersion(_) => "clientVersion",
            Call::Authenticate { .. } => "authenticate",
            Call::SendRequestXml { .. } => "sendRequestXML",
            Call::ReceiveResponseXml { .. } => "receiveResponseXML",
            Call::ConnectionError { .. } => "connectionError",
            Call::GetLastError { .. } => "getLastError",
            Call::CloseConnection { .. } => "closeConnection",
            Call::Other(m) => m,
        }
    }
}

fn param(call: Element<'_>, name: &str) -> String {
    call.child(Some(INTUIT), name)
        .or_else(|| call.child(None, name))
        .map(|e| e.text().to_owned())
        .unwrap_or_default()
}

/// Reads the call out of a SOAP envelope.
pub fn parse(body: &[u8]) -> Result<Call, QbdError> {
    let doc = xml::parse(body).map_err(|e| QbdError::Soap(e.0))?;
    let root = doc.root();
    if !root.is(Some(SOAP_ENV), "Envelope") {
        return Err(QbdError::Soap("not a SOAP 1.1 envelope".into()));
    }
    let body = root
        .child(Some(SOAP_ENV), "Body")
        .ok_or_else(|| QbdError::Soap("envelope without Body".into()))?;
    let mut calls = body.children();
    let (Some(call), None) = (calls.next(), calls.next()) else {
        return Err(QbdError::Soap("Body must hold exactly one call".into()));
    };
    if call.ns() != Some(INTUIT) {
        return Err(QbdError::Soap(
            "call is not in the http://developer.intuit.com/ namespace".into(),
        ));
    }
    let ticket = || param(call, "ticket");
    Ok(match call.name() {
        "serverVersion" => Call::ServerVersion,
        "clientVersion" => Call::ClientVersion(param(call, "strVersion")),
        "authenticate" => Call::Authenticate {
            user: param(call, "strUserName"),
            password: param(call, "strPassword"),
        },
        "sendRequestXML" => Call::SendRequestXml { ticket: ticket() },
        "receiveResponseXML" => Call::ReceiveResponseXml {
            ticket: ticket(),
            response: param(call, "response"),
            hresult: param(call, "hresult"),
            message: param(call, "message"),
        },
        "connectionError" => Call::ConnectionError { ticket: ticket() },
        "getLastError" => Call::GetLastError { ticket: ticket() },
        "closeConnection" => Call::CloseConnection { ticket: ticket() },
        other => Call::Other(other.chars().take(60).collect()),
    })
}

/// Escapes text for an XML element.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn envelope(inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">\
<soap:Body>{inner}</soap:Body></soap:Envelope>"
    )
}

/// `<{method}Response><{method}Result>text</…></…>`.
pub fn string_result(method: &str, text: &str) -> String {
    envelope(&format!(
        "<{method}Response xmlns=\"http://developer.intuit.com/\">\
<{method}Result>{}</{method}Result></{method}Response>",
        escape(text)
    ))
}

/// `authenticateResponse` with its two-string array.
pub fn authenticate_result(ticket: &str, second: &str) -> String {
    envelope(&format!(
        "<authenticateResponse xmlns=\"http://developer.intuit.com/\">\
<authenticateResult><string>{}</string><string>{}</string></authenticateResult>\
</authenticateResponse>",
        escape(ticket),
        escape(second)
    ))
}

/// `receiveResponseXMLResponse` with the percentage done (negative: error).
pub fn receive_result(percent: i32) -> String {
    envelope(&format!(
        "<receiveResponseXMLResponse xmlns=\"http://developer.intuit.com/\">\
<receiveResponseXMLResult>{percent}</receiveResponseXMLResult></receiveResponseXMLResponse>"
    ))
}

/// A SOAP fault for a method we do not implement.
pub fn fault(message: &str) -> String {
    envelope(&format!(
        "<soap:Fault><faultcode>soap:Client</faultcode><faultstring>{}</faultstring></soap:Fault>",
        escape(message)
    ))
}
