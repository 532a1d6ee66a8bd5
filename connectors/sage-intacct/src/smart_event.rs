//! Reads a Smart Event HTTP Post body in any of the three template forms (see
//! `docs/platforms/sage-intacct.md`): JSON, XML in [`EVENT_NS`] (any prefix), or form
//! fields. Intacct does not escape injected values, so a body a value broke is refused
//! (`400`) rather than guessed at.

use serde::Deserialize;

use crate::error::IntacctError;
use crate::payload::{SmartEvent, EVENT_NS};
use crate::xml;

/// The body's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyForm {
    /// `application/json`.
    Json,
    /// `text/xml` / `application/xml`.
    Xml,
    /// `application/x-www-form-urlencoded`.
    Form,
}

/// The form from the content type, else from the first non-blank byte (Intacct's
/// content type for HTTP Post actions is not documented).
pub fn body_form(content_type: Option<&str>, body: &[u8]) -> BodyForm {
    let mime = content_type
        .and_then(|c| c.split(';').next())
        .map_or("", str::trim);
    let is = |m: &str| mime.eq_ignore_ascii_case(m);
    if is("application/json") {
        return BodyForm::Json;
    }
    if is("text/xml") || is("application/xml") {
        return BodyForm::Xml;
    }
    if is("application/x-www-form-urlencoded") {
        return BodyForm::Form;
    }
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => BodyForm::Json,
        Some(b'<') => BodyForm::Xml,
        _ => BodyForm::Form,
    }
}

#[derive(Deserialize)]
struct JsonEvent {
    #[serde(default)]
    object: Option<String>,
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    companyid: Option<String>,
    #[serde(default)]
    recordno: Option<serde_json::Value>,
    #[serde(default)]
    recordid: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    whenmodified: Option<String>,
}

/// Parses a body of the given form.
pub fn parse(form: BodyForm, body: &[u8]) -> Result<SmartEvent, IntacctError> {
    let raw = match form {
        BodyForm::Json => {
            let j: JsonEvent =
                serde_json::from_slice(body).map_err(|e| IntacctError::Body(e.to_string()))?;
            let recordno = match j.recordno {
                Some(serde_json::Value::String(s)) => Some(s),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            Fields {
                object: j.object,
                event: j.event,
                company_id: j.companyid,
                record_no: recordno,
                record_id: j.recordid,
                state: j.state,
                when_modified: j.whenmodified,
            }
        }
        BodyForm::Xml => {
            let root = xml::parse(body).map_err(|e| IntacctError::Body(e.0))?;
            if root.ns.as_deref() != Some(EVENT_NS) || root.name != "smartEvent" {
                return Err(IntacctError::Body(format!(
                    "root must be smartEvent in {EVENT_NS}"
                )));
            }
            let t = |n: &str| root.child_text(Some(EVENT_NS), n).map(str::to_owned);
            Fields {
                object: t("object"),
                event: t("event"),
                company_id: t("companyid"),
                record_no: t("recordno"),
                record_id: t("recordid"),
                state: t("state"),
                when_modified: t("whenmodified"),
            }
        }
        BodyForm::Form => {
            let mut f = Fields::default();
            for (k, v) in form_urlencoded::parse(body) {
                let v = Some(v.into_owned());
                match k.as_ref() {
                    "object" => f.object = v,
                    "event" => f.event = v,
                    "companyid" => f.company_id = v,
                    "recordno" => f.record_no = v,
                    "recordid" => f.record_id = v,
                    "state" => f.state = v,
                    "whenmodified" => f.when_modified = v,
                    _ => {}
                }
            }
            f
        }
    };
    raw.finish()
}

#[derive(Default)]
struct Fields {
    object: Option<String>,
    event: Option<String>,
    company_id: Option<String>,
    record_no: Option<String>,
    record_id: Option<String>,
    state: Option<String>,
    when_modified: Option<String>,
}

fn clean(v: Option<String>) -> Option<String> {
    let s = v?;
    let t = s.trim();
    if t.is_empty() || t.starts_with("{!") {
        return None;
    }
    // Keeps the string it was given unless trimming changed it.
    Some(if t.len() == s.len() { s } else { t.to_owned() })
}

impl Fields {
    fn finish(self) -> Result<SmartEvent, IntacctError> {
        let mut object =
            clean(self.object).ok_or_else(|| IntacctError::Body("no object".into()))?;
        object.make_ascii_uppercase();
        let record_no =
            clean(self.record_no).ok_or_else(|| IntacctError::Body("no recordno".into()))?;
        if record_no.len() > 20 || !record_no.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IntacctError::Body("recordno must be 1 to 20 digits".into()));
        }
        Ok(SmartEvent {
            object,
            event: clean(self.event),
            company_id: clean(self.company_id),
            record_no,
            record_id: clean(self.record_id),
            state: clean(self.state),
            when_modified: clean(self.when_modified),
        })
    }
}
