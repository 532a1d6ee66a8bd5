//! The XML Web Services gateway: building `read` and `getAPISession` requests and reading
//! the `<response>` envelope, with HTTP status classification.
//!
//! Request values are XML-escaped; responses are read with the bounded reader of
//! [`crate::xml`] (no DTDs, no entities). Responses carry no namespace.

use std::time::Duration;

use invoice_core::{EnrichError, Secret};
use quick_xml::escape::escape;

use crate::payload::ApiRecord;
use crate::xml::{self, Element};

/// How a call authenticates, inside `<operation><authentication>`.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// A Web Services user's login.
    Login {
        /// User id.
        user_id: &'a str,
        /// Company id.
        company_id: &'a str,
        /// Password.
        password: &'a Secret,
        /// Entity (location) to log in to.
        entity_id: Option<&'a str>,
    },
    /// A session from `getAPISession`.
    Session(&'a Secret),
}

/// What a call answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// `<result><status>success</status>` with its `<data>` element (if any).
    Success(Option<Element>),
    /// The login or session was refused (expired session, wrong password).
    AuthFailed(String),
    /// The call failed for another reason (errors joined).
    Failed(String),
}

/// The gateway: endpoint, sender credentials and HTTP client.
#[derive(Debug)]
pub struct Gateway {
    endpoint: url::Url,
    sender_id: String,
    sender_password: Secret,
    http: reqwest::Client,
}

fn esc(s: &str) -> String {
    escape(s).into_owned()
}

fn secret_text(s: &Secret) -> Result<&str, EnrichError> {
    s.expose_str()
        .ok_or_else(|| EnrichError::Rejected("a sage-intacct credential is not UTF-8".into()))
}

impl Gateway {
    /// A gateway to `endpoint`.
    pub fn new(
        endpoint: url::Url,
        sender_id: String,
        sender_password: Secret,
        timeout: Duration,
    ) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Gateway {
            endpoint,
            sender_id,
            sender_password,
            http,
        })
    }

    /// The request document for one function.
    pub fn request_xml(
        &self,
        auth: Auth<'_>,
        control_id: &str,
        function: &str,
    ) -> Result<String, EnrichError> {
        let auth_xml = match auth {
            Auth::Login {
                user_id,
                company_id,
                password,
                entity_id,
            } => format!(
                "<login><userid>{}</userid><companyid>{}</companyid><password>{}</password>{}</login>",
                esc(user_id),
                esc(company_id),
                esc(secret_text(password)?),
                entity_id
                    .map(|e| format!("<locationid>{}</locationid>", esc(e)))
                    .unwrap_or_default()
            ),
            Auth::Session(s) => format!("<sessionid>{}</sessionid>", esc(secret_text(s)?)),
        };
        Ok(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<request><control><senderid>{}</senderid><password>{}</password><controlid>{cid}</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion><includewhitespace>false</includewhitespace></control><operation><authentication>{auth_xml}</authentication><content><function controlid=\"{cid}\">{function}</function></content></operation></request>",
            esc(&self.sender_id),
            esc(secret_text(&self.sender_password)?),
            cid = esc(control_id),
        ))
    }

    /// Posts one function and reads the answer.
    ///
    /// - transport errors, 5xx and 429 (with `Retry-After`) are transient;
    /// - 401/403 are [`Answer::AuthFailed`] (the caller refreshes its session once);
    /// - 404 and other 4xx are rejected;
    /// - a body that is not a gateway response is transient (a proxy page, a cut body).
    pub async fn call(
        &self,
        auth: Auth<'_>,
        control_id: &str,
        function: &str,
    ) -> Result<Answer, EnrichError> {
        let body = self.request_xml(auth, control_id, function)?;
        let resp = self
            .http
            .post(self.endpoint.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/xml")
            .body(body)
            .send()
            .await
            .map_err(|e| EnrichError::Transient {
                message: format!("sage intacct api: {}", e.without_url()),
                retry_after_secs: None,
            })?;
        let status = resp.status();
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Ok(Answer::AuthFailed(format!("http {status}")));
        }
        if !status.is_success() {
            let retry_after_secs = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
            return if status.as_u16() == 429 || status.is_server_error() {
                Err(EnrichError::Transient {
                    message: format!("sage intacct api answered {status}"),
                    retry_after_secs,
                })
            } else {
                Err(EnrichError::Rejected(format!(
                    "sage intacct api answered {status}"
                )))
            };
        }
        let bytes = resp.bytes().await.map_err(|e| EnrichError::Transient {
            message: format!("sage intacct api body: {}", e.without_url()),
            retry_after_secs: None,
        })?;
        parse_answer(&bytes).map_err(|m| EnrichError::Transient {
            message: format!("sage intacct api: {m}"),
            retry_after_secs: None,
        })
    }
}

fn errors(el: Option<&Element>) -> String {
    let Some(msg) = el.and_then(|e| e.child(None, "errormessage")) else {
        return "no error message".into();
    };
    let parts: Vec<String> = msg
        .children
        .iter()
        .filter(|c| c.ns.is_none() && c.name == "error")
        .map(|e| {
            let t = |n| e.child_text(None, n).unwrap_or_default();
            format!(
                "{} {} {}",
                t("errorno"),
                t("description"),
                t("description2")
            )
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
        })
        .collect();
    let joined = parts.join("; ");
    joined.chars().take(300).collect()
}

/// Reads a gateway `<response>` document.
pub fn parse_answer(body: &[u8]) -> Result<Answer, String> {
    let root = xml::parse(body).map_err(|e| e.0)?;
    if root.ns.is_some() || root.name != "response" {
        return Err("not a gateway response".into());
    }
    let control = root.child(None, "control").ok_or("no control element")?;
    if control.child_text(None, "status") != Some("success") {
        // Sender credentials refused, or the request itself is invalid.
        return Ok(Answer::Failed(format!("control: {}", errors(Some(&root)))));
    }
    let op = root
        .child(None, "operation")
        .ok_or("no operation element")?;
    if let Some(auth) = op.child(None, "authentication") {
        if auth.child_text(None, "status") != Some("success") {
            let why = errors(Some(auth));
            let why = if why == "no error message" {
                errors(Some(op))
            } else {
                why
            };
            return Ok(Answer::AuthFailed(why));
        }
    }
    let result = op.child(None, "result").ok_or("no result element")?;
    match result.child_text(None, "status") {
        Some("success") => Ok(Answer::Success(result.child(None, "data").cloned())),
        _ => Ok(Answer::Failed(errors(Some(result)))),
    }
}

/// The records of a `<data>` element: each child element, its children as fields.
pub fn records(data: &Element) -> Vec<ApiRecord> {
    data.children
        .iter()
        .filter(|r| r.ns.is_none())
        .map(|r| ApiRecord {
            object: r.name.to_ascii_uppercase(),
            fields: r
                .children
                .iter()
                .filter(|f| f.ns.is_none() && f.children.is_empty())
                .map(|f| (f.name.to_ascii_uppercase(), f.text.clone()))
                .collect(),
        })
        .collect()
}

/// `<read>` of one ARINVOICE by `RECORDNO` (digits only, checked by the caller).
pub fn read_invoice(record_no: &str) -> String {
    format!(
        "<read><object>ARINVOICE</object><keys>{}</keys><fields>*</fields></read>",
        esc(record_no)
    )
}

/// `<getAPISession/>`.
pub fn get_session() -> &'static str {
    "<getAPISession/>"
}

/// The `sessionid` of a `getAPISession` answer's `<data>`.
pub fn session_id(data: &Element) -> Option<String> {
    data.child(None, "api")?
        .child_text(None, "sessionid")
        .map(str::to_owned)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // constant inputs
mod tests {
    use super::*;

    /// The `readByQuery` answer shape from Intacct's query docs (paged `data` attributes,
    /// upper-case record element), and a lower-case record element.
    #[test]
    fn read_by_query_answer_and_record_casing() {
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<response><control><status>success</status></control><operation>
<authentication><status>success</status></authentication>
<result><status>success</status><function>readByQuery</function>
<data listtype="ARINVOICE" count="2" totalcount="2" numremaining="0" resultId="">
  <ARINVOICE><RECORDNO>3086</RECORDNO><RECORDID>INV-1042</RECORDID><STATE>Partially Paid</STATE>
  <WHENDUE>01/10/2026</WHENDUE><TOTALENTERED>1250</TOTALENTERED><TOTALPAID>800</TOTALPAID>
  <TOTALDUE>450</TOTALDUE><CURRENCY>EUR</CURRENCY><WHENMODIFIED>01/15/2026 01:59:58</WHENMODIFIED></ARINVOICE>
  <arinvoice><recordno>3087</recordno><state>Paid</state></arinvoice>
</data></result></operation></response>"#;
        let Answer::Success(Some(data)) = parse_answer(body).unwrap() else {
            panic!("not a success");
        };
        let recs = records(&data);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].get("TOTALDUE"), Some("450"));
        assert_eq!(recs[1].object, "ARINVOICE");
        assert_eq!(recs[1].get("STATE"), Some("Paid"));
    }

    #[test]
    fn failures_and_foreign_documents() {
        let failed = br#"<response><control><status>success</status></control><operation>
<authentication><status>success</status></authentication><result><status>failure</status>
<errormessage><error><errorno>BL34000061</errorno><description2>Invalid key</description2></error></errormessage>
</result></operation></response>"#;
        assert_eq!(
            parse_answer(failed).unwrap(),
            Answer::Failed("BL34000061 Invalid key".into())
        );
        assert!(parse_answer(b"<html><body>502</body></html>").is_err());
        assert!(parse_answer(br#"<r:response xmlns:r="urn:x"/>"#).is_err());
    }
}
