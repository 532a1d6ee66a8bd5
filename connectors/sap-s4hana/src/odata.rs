//! OData V2 responses of `A_BillingDocument('<id>')?$expand=to_Partner`, in either
//! representation, read into one flat [`BillingRecord`].
//!
//! - JSON: `{"d":{"BillingDocument":"90000042","TotalGrossAmount":"1190.00",…,
//!   "to_Partner":{"results":[{"PartnerFunction":"RG","Customer":"17100001"}]}}}`;
//!   decimals are strings, `Edm.DateTime` is `/Date(<ms>)/`, `Edm.DateTimeOffset`
//!   `/Date(<ms>+0000)/`.
//! - Atom: `<entry><content type="application/xml"><m:properties><d:Field>…`, nulls as
//!   `m:null="true"`, dates as ISO text; the expanded partners sit in
//!   `<link …/to_Partner><m:inline><feed><entry>`. Matched by namespace URI, never by
//!   prefix.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::xml::{self, Element};

/// Atom namespace.
pub const ATOM: &str = "http://www.w3.org/2005/Atom";
/// OData V2 metadata namespace (`m:`).
pub const META: &str = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata";
/// OData V2 data namespace (`d:`).
pub const DATA: &str = "http://schemas.microsoft.com/ado/2007/08/dataservices";

/// A billing document header as text fields, with its partners.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BillingRecord {
    /// Scalar properties (nulls left out), booleans as `true`/`false`.
    pub fields: BTreeMap<String, String>,
    /// `(PartnerFunction, Customer)` of each partner.
    pub partners: Vec<(String, String)>,
}

impl BillingRecord {
    /// A field, if present and not blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(String::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

fn scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn json_fields(obj: &serde_json::Map<String, serde_json::Value>) -> BTreeMap<String, String> {
    obj.iter()
        .filter(|(k, _)| !k.starts_with("__"))
        .filter_map(|(k, v)| scalar(v).map(|s| (k.clone(), s)))
        .collect()
}

/// Reads the JSON representation.
pub fn parse_json(body: &[u8]) -> Result<BillingRecord, String> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| format!("json: {e}"))?;
    let d = v
        .get("d")
        .and_then(|d| d.as_object())
        .ok_or("no `d` object")?;
    // A collection answer (`{"d":{"results":[…]}}`) holds the entity as its only row.
    let d = match d.get("results").and_then(|r| r.as_array()) {
        Some(rows) if rows.len() == 1 => rows[0].as_object().ok_or("row is not an object")?,
        Some(_) => return Err("expected exactly one billing document".into()),
        None => d,
    };
    let partners = d
        .get("to_Partner")
        .and_then(|p| p.get("results").or(Some(p)))
        .and_then(|r| r.as_array())
        .map(|rows| {
            rows.iter()
                .filter_map(|r| {
                    let f = r.get("PartnerFunction").and_then(scalar)?;
                    let c = r.get("Customer").and_then(scalar)?;
                    Some((f, c))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(BillingRecord {
        fields: json_fields(d),
        partners,
    })
}

fn properties(entry: Element<'_>) -> Option<Element<'_>> {
    entry
        .child(Some(ATOM), "content")?
        .child(Some(META), "properties")
        // Media-link entries put the properties beside `content`.
        .or_else(|| entry.child(Some(META), "properties"))
}

fn atom_fields(props: Element<'_>) -> BTreeMap<String, String> {
    props
        .children()
        .filter(|c| c.ns() == Some(DATA))
        .filter(|c| c.attr(Some(META), "null") != Some("true"))
        .map(|c| (c.name().to_owned(), c.text().to_owned()))
        .collect()
}

/// Reads the Atom XML representation (an `entry`, or a `feed` with one entry).
pub fn parse_atom(body: &[u8]) -> Result<BillingRecord, String> {
    let doc = xml::parse(body).map_err(|e| e.0)?;
    let root = doc.root();
    let entry = match (root.ns(), root.name()) {
        (Some(ATOM), "entry") => root,
        (Some(ATOM), "feed") => {
            let mut entries = root.children_named(Some(ATOM), "entry");
            match (entries.next(), entries.next()) {
                (Some(e), None) => e,
                _ => return Err("expected exactly one billing document".into()),
            }
        }
        _ => return Err("not an atom entry".into()),
    };
    let props = properties(entry).ok_or("entry without m:properties")?;
    let mut partners = Vec::new();
    for link in entry.children_named(Some(ATOM), "link") {
        let rel = link.attr(None, "rel").unwrap_or_default();
        if !rel.ends_with("/to_Partner") {
            continue;
        }
        let Some(feed) = link
            .child(Some(META), "inline")
            .and_then(|i| i.child(Some(ATOM), "feed"))
        else {
            continue;
        };
        for e in feed.children_named(Some(ATOM), "entry") {
            if let Some(p) = properties(e) {
                let f = atom_fields(p);
                if let (Some(func), Some(cust)) = (f.get("PartnerFunction"), f.get("Customer")) {
                    partners.push((func.clone(), cust.clone()));
                }
            }
        }
    }
    Ok(BillingRecord {
        fields: atom_fields(props),
        partners,
    })
}

/// An `Edm.DateTime` / `Edm.DateTimeOffset` in either representation: `/Date(<ms>)/`,
/// `/Date(<ms>+0000)/` (offset in minutes or `hhmm`, SAP sends `+0000`), or ISO text
/// with or without a zone (no zone is UTC).
///
/// ```
/// use invoice_connector_sap_s4hana::odata::parse_datetime;
/// let a = parse_datetime("/Date(1768381964227+0000)/").unwrap();
/// let b = parse_datetime("2026-01-14T09:12:44.227Z").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(parse_datetime("/Date(1768348800000)/").unwrap().to_rfc3339(), "2026-01-14T00:00:00+00:00");
/// ```
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix("/Date(").and_then(|r| r.strip_suffix(")/")) {
        let cut = inner
            .get(1..)
            .and_then(|r| r.find(['+', '-']))
            .map(|i| i + 1)
            .unwrap_or(inner.len());
        let ms: i64 = inner[..cut].parse().ok()?;
        let offset = &inner[cut..];
        // `/Date(ms+offset)/`: ms counts from the epoch in UTC already; the offset only
        // says where it was shown. It must still be well formed.
        if let Some(digits) = offset.get(1..) {
            if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return None;
            }
        }
        return DateTime::from_timestamp_millis(ms);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// An `Edm.DateTime` used as a date (SAP sends UTC midnight).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_datetime(s)
        .map(|t| t.date_naive())
        .or_else(|| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
}
