//! PayPal IPN: a client pays part of an overdue Stripe invoice through PayPal. The IPN is
//! stored and acknowledged at once, verified by postback in the enrichment worker (here
//! against a loopback stand-in), then correlated by invoice number to the Stripe invoice.

use chrono::{DateTime, Duration, Utc};
use invoice_core::{Platform, Secret, WebhookRequest};

use super::{request, DemoPlatform, SignFn, Step};
use crate::demo::story::Story;

/// The PayPal part.
pub struct Paypal;

const RECEIVER_ID: &str = "7QX5N4VGBCK3L";
const RECEIVER_EMAIL: &str = "billing@brightline-anodizing.example";

/// IPN messages carry no signature: PayPal's postback is the verification.
fn unsigned(_: &mut WebhookRequest, _: &Secret, _: DateTime<Utc>) {}

fn ipn(at: DateTime<Utc>) -> String {
    // PayPal writes payment_date in Pacific time.
    let pacific = at - Duration::hours(8);
    let date = pacific.format("%H:%M:%S %b %d, %Y PST").to_string();
    let fields: [(&str, &str); 20] = [
        ("mc_gross", "860.00"),
        ("protection_eligibility", "Eligible"),
        ("payer_id", "VF8ZBXHGK6UAQ"),
        ("payment_date", &date),
        ("payment_status", "Completed"),
        ("charset", "UTF-8"),
        ("payer_business_name", "Velo Frames Ltd."),
        ("mc_fee", "30.44"),
        ("item_name", "Anodizing BRT-1002, partial payment"),
        ("custom", "portal:cus_QVeloFrames"),
        ("invoice", "BRT-1002"),
        ("notify_version", "3.9"),
        ("payer_email", "ap@veloframes.example"),
        ("txn_id", "5VF20417XH5523188"),
        ("payment_type", "instant"),
        ("receiver_email", RECEIVER_EMAIL),
        ("receiver_id", RECEIVER_ID),
        ("txn_type", "web_accept"),
        ("mc_currency", "USD"),
        ("ipn_track_id", "b7e1d2c3f4a5"),
    ];
    let mut s = form_urlencoded_pairs(&fields);
    s.push_str("&verify_sign=AiPC9BjkCyDFQXbSkoZcgqH3hpacA3CKMEiPjQJVIkFqlvtYKMNBUgJx");
    s
}

fn form_urlencoded_pairs(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

impl DemoPlatform for Paypal {
    fn platform(&self) -> Platform {
        Platform::Paypal
    }

    fn config(&self, _secret: &str, stand_in: &str) -> String {
        format!(
            "receiver_ids = [\"{RECEIVER_ID}\"]\nreceiver_emails = [\"{RECEIVER_EMAIL}\"]\npostback_url = \"{stand_in}/cgi-bin/webscr\"\n"
        )
    }

    fn extra_config(&self) -> String {
        format!(
            "[[correlation]]\nfrom = \"paypal\"\nto_platform = \"stripe\"\nto_tenant = \"{}\"\nmatch = \"invoice_number\"\n",
            super::stripe::ACCOUNT
        )
    }

    fn signer(&self) -> SignFn {
        unsigned
    }

    fn steps(&self, s: &Story) -> Vec<Step> {
        vec![Step {
            label:
                "Velo Frames pays $860.00 of overdue BRT-1002 by PayPal (IPN, verified by postback)"
                    .into(),
            request: request(
                "/webhooks/paypal",
                "application/x-www-form-urlencoded",
                &[("user-agent", "PayPal IPN ( https://www.paypal.com/ipn )")],
                ipn(s.days_ago(1, 17)),
            ),
        }]
    }
}
