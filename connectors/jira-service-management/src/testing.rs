//! The conformance harness: the fixture secret, a source for given secrets, the test
//! signer, and a fuzz target body. Public so tools can sign requests the same way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::JsmConfig;
use crate::source::{info, JsmSource};
use crate::verify::{sign as sign_body, HEADER};

/// The webhook secret every fixture is signed with.
pub const FIXTURE_SECRET: &str = "jsm-fixture-webhook-secret-7d41";

/// The Automation rule token of the fixtures.
pub const FIXTURE_TOKEN: &str = "automation-token-5c0a9e27b1f84d36";

/// Signs `request` as Jira would with `secret` (replaces `X-Hub-Signature`). `at` is
/// unused: Jira's signature covers no time.
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let _ = at;
    if let Ok(v) = HeaderValue::from_str(&sign_body(secret, request.body())) {
        request.headers_mut().insert(HEADER, v);
    }
}

/// The harness the conformance kit drives.
#[derive(Debug, Default, Clone, Copy)]
pub struct Harness;

impl Harness {
    /// The fixtures folder of this crate.
    pub fn fixtures() -> PathBuf {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
    }

    /// Capabilities.
    pub fn info() -> ConnectorInfo {
        info()
    }

    /// The configuration of the fixtures' service desk, with `secrets`.
    pub fn config(secrets: Vec<Secret>) -> JsmConfig {
        let mut c = JsmConfig::with_secret(FIXTURE_SECRET);
        c.secrets = secrets;
        c.header_tokens = vec![Secret::new(FIXTURE_TOKEN)];
        c.projects = vec!["INV".into()];
        for (status, word) in [
            ("Awaiting payment", "open"),
            ("Partially paid", "partially_paid"),
            ("Paid", "paid"),
            ("Overdue", "overdue"),
            ("Disputed", "disputed"),
            ("Cancelled", "void"),
            ("Refunded", "refunded"),
        ] {
            c.statuses.insert(status.into(), word.into());
        }
        c.fields.invoice_number = "customfield_10051".into();
        c.fields.amount = Some("customfield_10050".into());
        c.fields.paid_amount = Some("customfield_10053".into());
        c.fields.currency = Some("customfield_10052".into());
        c.fields.customer = Some("customfield_10054".into());
        c
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match JsmSource::new(Self::config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is split at the first `\n\n` into a header block (`name: value`
/// lines) and a body; the request runs through verify and parse with the fixture secret.
/// When the first byte is even the body is signed correctly so the parser is reached.
/// Never panics.
pub fn fuzz_ingest(data: &[u8]) {
    let Some(mut request) = raw_request(data, "/webhooks/jira-service-management", HeadEnd::Lf)
    else {
        return;
    };
    let secret = Secret::new(FIXTURE_SECRET);
    let now = Utc
        .timestamp_opt(1_768_471_200, 0)
        .single()
        .unwrap_or_default();
    if data.first().is_some_and(|b| b % 2 == 0) {
        sign(&mut request, &secret, now);
    }
    let Ok(source) = JsmSource::new(Harness::config(vec![secret])) else {
        return;
    };
    let ctx = IngestContext::at(now);
    let _ = run_ready(source.ingest(&request, &ctx));
}
