//! The conformance harness: the fixture signing secret and claims, a source for given
//! secrets, the test signer, and a fuzz target body. Public so tools can sign requests the
//! same way.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderValue;
use invoice_core::fuzzing::{raw_request, run_ready, HeadEnd};
use invoice_core::{ConnectorInfo, IngestContext, InvoiceSource, Secret, WebhookRequest};

use crate::config::{ColumnMap, MondayConfig};
use crate::source::{info, MondaySource};
use crate::verify::{sign_jwt, HEADER};

/// The app Signing Secret every fixture is signed with.
pub const FIXTURE_SECRET: &str = "a4f1c7e9b2d84f6a9e3c5b7d1f0e2a4c";

/// The `accountId` claim of the fixtures' tokens.
pub const FIXTURE_ACCOUNT: u64 = 9_603_417;

/// The `userId` claim of the fixtures' tokens.
pub const FIXTURE_USER: u64 = 4_012_889;

/// The claims monday.com puts in a board webhook token issued at `iat` (seconds), in
/// its key order; `exp` is five minutes later.
pub fn fixture_claims(iat: i64) -> String {
    format!(
        "{{\"accountId\":{FIXTURE_ACCOUNT},\"userId\":{FIXTURE_USER},\"aud\":\"https://relay.example.com/webhooks/monday\",\"exp\":{},\"shortLivedToken\":\"fixture-short-lived-token\",\"iat\":{iat}}}",
        iat + 300
    )
}

/// Signs `request` as monday.com would at `at` with `secret` (replaces `Authorization`).
pub fn sign(request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
    let token = sign_jwt(secret, &fixture_claims(at.timestamp()));
    if let Ok(v) = HeaderValue::from_str(&token) {
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

    /// The configuration of the fixtures' invoice board, with `secrets`.
    pub fn config(secrets: Vec<Secret>) -> MondayConfig {
        let mut c = MondayConfig::with_secret(FIXTURE_SECRET);
        c.secrets = secrets;
        c.status_columns = vec!["status".into()];
        for (label, word) in [
            ("Draft", "draft"),
            ("Sent", "open"),
            ("Partially paid", "partially_paid"),
            ("Paid", "paid"),
            ("Overdue", "overdue"),
            ("Disputed", "disputed"),
            ("Void", "void"),
        ] {
            c.statuses.insert(label.into(), word.into());
        }
        c.api_token = Some(Secret::new("fixture-api-token"));
        c.columns = ColumnMap {
            invoice_number: Some("text".into()),
            amount: Some("numbers".into()),
            paid_amount: Some("numbers1".into()),
            currency: Some("text0".into()),
            due_date: Some("date4".into()),
            customer: Some("text1".into()),
        };
        c
    }

    /// A source with `secrets`.
    pub fn source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        match MondaySource::new(Self::config(secrets)) {
            Ok(s) => Arc::new(s),
            Err(e) => panic!("test source: {e}"),
        }
    }
}

/// Fuzz target body: `data` is split at the first `\n\n` into a header block (`name: value`
/// lines) and a body; the request runs through verify and parse with the fixture secret.
/// When the first byte is even a valid token is added so the parser is reached. Never
/// panics.
pub fn fuzz_ingest(data: &[u8]) {
    let Some(mut request) = raw_request(data, "/webhooks/monday", HeadEnd::Lf) else {
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
    let Ok(source) = MondaySource::new(Harness::config(vec![secret])) else {
        return;
    };
    let ctx = IngestContext::at(now);
    let _ = run_ready(source.ingest(&request, &ctx));
}
