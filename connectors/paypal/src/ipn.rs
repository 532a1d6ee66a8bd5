//! IPN messages: `application/x-www-form-urlencoded` bodies whose percent-encoded bytes
//! are in the merchant's legacy charset, named by the `charset` field (windows-1252 when
//! absent, as PayPal's own SDKs assume).
//!
//! Nothing here is trusted before PayPal answers `VERIFIED` to the postback. The source
//! only reads a few ASCII identifiers to name the stored reference; the enricher decodes
//! the whole message after verification.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use encoding_rs::{Encoding, WINDOWS_1252};
use percent_encoding::percent_decode;
use sha2::{Digest, Sha256};

/// The postback prefix PayPal expects before the original body.
pub const POSTBACK_PREFIX: &[u8] = b"cmd=_notify-validate&";

/// Splits a form body into percent-decoded `(name, value)` byte pairs (`+` is a space).
pub fn raw_pairs(body: &[u8]) -> impl Iterator<Item = (Vec<u8>, Vec<u8>)> + '_ {
    body.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            (decode_component(k), decode_component(v))
        })
}

fn decode_component(raw: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_decode(&spaced).collect()
}

/// The encoding named by the body's `charset` field; windows-1252 when absent or unknown.
pub fn charset_of(body: &[u8]) -> &'static Encoding {
    raw_pairs(body)
        .find(|(k, _)| k == b"charset")
        .and_then(|(_, v)| Encoding::for_label(&v))
        .unwrap_or(WINDOWS_1252)
}

/// A decoded IPN message, fields in their original order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpnMessage {
    fields: Vec<(String, String)>,
    encoding: &'static Encoding,
}

impl IpnMessage {
    /// Decodes every field with the message's charset. Bytes invalid in that charset
    /// become U+FFFD; this never fails.
    ///
    /// ```
    /// use invoice_connector_paypal::ipn::IpnMessage;
    /// let m = IpnMessage::decode(b"first_name=J%F6rg&charset=windows-1252");
    /// assert_eq!(m.get("first_name"), Some("J\u{f6}rg"));
    /// let u = IpnMessage::decode(b"first_name=J%C3%B6rg&charset=UTF-8");
    /// assert_eq!(u.get("first_name"), Some("J\u{f6}rg"));
    /// ```
    pub fn decode(body: &[u8]) -> Self {
        let encoding = charset_of(body);
        let text = |b: &[u8]| encoding.decode_without_bom_handling(b).0.into_owned();
        let fields = raw_pairs(body).map(|(k, v)| (text(&k), text(&v))).collect();
        IpnMessage { fields, encoding }
    }

    /// The first value of `name`, if present and not empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The encoding the message was decoded with.
    pub fn encoding(&self) -> &'static Encoding {
        self.encoding
    }

    /// Every field, in order.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }
}

/// An identifier-like ASCII value (`txn_id`, `payment_status`, `ipn_track_id`), if the
/// field holds one; anything else is ignored rather than trusted.
fn ident(body: &[u8], name: &[u8]) -> Option<String> {
    let (_, v) = raw_pairs(body).find(|(k, _)| k == name)?;
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    ok.then(|| String::from_utf8_lossy(&v).into_owned())
}

/// How a stored (not yet verified) IPN is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceIds {
    /// The dedup id: see [`reference_id`].
    pub event_id: String,
    /// `txn_id`, else `ipn_track_id`, else `ipn`.
    pub entity_id: String,
    /// `payment_status`, else `txn_type`, else `ipn`.
    pub operation: String,
}

/// The names of a stored IPN, from identifier-like fields only.
pub fn reference_ids(body: &[u8]) -> ReferenceIds {
    let txn = ident(body, b"txn_id");
    let status = ident(body, b"payment_status");
    let track = ident(body, b"ipn_track_id");
    let base = match (&txn, &status, &track) {
        (Some(t), Some(s), _) => format!("{t}:{s}"),
        (Some(t), None, _) => t.clone(),
        (None, _, Some(k)) => k.clone(),
        (None, _, None) => "ipn".to_owned(),
    };
    let digest = Sha256::digest(body);
    ReferenceIds {
        event_id: format!("{base}#{}", hex::encode(&digest[..8])),
        entity_id: txn.or(track).unwrap_or_else(|| "ipn".to_owned()),
        operation: status
            .or_else(|| ident(body, b"txn_type"))
            .unwrap_or_else(|| "ipn".to_owned()),
    }
}

/// The id of the stored (not yet verified) reference: `<txn_id>:<payment_status>`, else
/// `<ipn_track_id>`, followed by `#` and 16 hex digits of the body's SHA-256.
///
/// PayPal's retries resend the same bytes, so they deduplicate here; a forged body that
/// borrows a real `txn_id` gets another id and cannot pre-empt the genuine message. The
/// canonical events made after verification use `<txn_id>:<payment_status>` alone, so a
/// genuine re-send with other bytes is still applied once.
pub fn reference_id(body: &[u8]) -> String {
    reference_ids(body).event_id
}

/// `receiver_id` as sent, when it looks like a PayPal merchant id.
pub fn receiver_id(body: &[u8]) -> Option<String> {
    ident(body, b"receiver_id")
}

/// Parses `payment_date` (`02:00:07 Jan 15, 2026 PST`, Pacific time labelled PST or PDT).
///
/// ```
/// use invoice_connector_paypal::ipn::payment_date;
/// let t = payment_date("02:00:07 Jan 15, 2026 PST").unwrap();
/// assert_eq!(t.to_rfc3339(), "2026-01-15T10:00:07+00:00");
/// let s = payment_date("23:59:59 Jul 04, 2026 PDT").unwrap();
/// assert_eq!(s.to_rfc3339(), "2026-07-05T06:59:59+00:00");
/// assert!(payment_date("yesterday").is_none());
/// ```
pub fn payment_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    let (stamp, zone) = raw.rsplit_once(' ')?;
    let offset_hours = match zone {
        "PST" => -8,
        "PDT" => -7,
        "UTC" | "GMT" => 0,
        _ => return None,
    };
    let naive = NaiveDateTime::parse_from_str(stamp, "%H:%M:%S %b %d, %Y").ok()?;
    let offset = FixedOffset::east_opt(offset_hours * 3600)?;
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_bytes_decode_by_the_charset_field() {
        // 0x80 is the euro sign, 0x96 an en dash, 0xE9 é, 0xFC ü in windows-1252.
        let body = b"item_name=Eloxal%96Serie+%80+caf%E9+M%FCnchen&charset=windows-1252";
        let m = IpnMessage::decode(body);
        assert_eq!(
            m.get("item_name"),
            Some("Eloxal\u{2013}Serie \u{20ac} caf\u{e9} M\u{fc}nchen")
        );
        // No charset field: windows-1252 as well.
        let m = IpnMessage::decode(b"first_name=J%F6rg");
        assert_eq!(m.get("first_name"), Some("J\u{f6}rg"));
        // A UTF-8 message with the same text.
        let m = IpnMessage::decode(b"charset=UTF-8&item_name=M%C3%BCnchen+%E2%82%AC");
        assert_eq!(m.get("item_name"), Some("M\u{fc}nchen \u{20ac}"));
        // Invalid UTF-8 in a UTF-8 message does not fail.
        let m = IpnMessage::decode(b"charset=UTF-8&first_name=J%F6rg");
        assert_eq!(m.get("first_name"), Some("J\u{fffd}rg"));
    }

    #[test]
    fn reference_ids_name_the_transaction_and_the_exact_bytes() {
        let a = reference_id(b"txn_id=61E67681CH3238416&payment_status=Completed");
        assert!(a.starts_with("61E67681CH3238416:Completed#"), "{a}");
        let b = reference_id(b"txn_id=61E67681CH3238416&payment_status=Completed&x=1");
        assert_ne!(a, b);
        assert_eq!(a.len(), "61E67681CH3238416:Completed#".len() + 16);
        let c = reference_id(b"ipn_track_id=abc123&txn_type=new_case");
        assert!(c.starts_with("abc123#"));
        // Values that are not identifiers are not used.
        let d = reference_id(b"txn_id=%00%FF&payment_status=Completed");
        assert!(d.starts_with("ipn#"), "{d}");
    }

    #[test]
    fn odd_forms_do_not_panic() {
        for body in [
            &b""[..],
            b"&&&",
            b"=",
            b"a",
            b"%",
            b"%zz=%",
            b"charset=%FF&x=%E9",
        ] {
            let _ = IpnMessage::decode(body);
            let _ = reference_id(body);
        }
    }
}
