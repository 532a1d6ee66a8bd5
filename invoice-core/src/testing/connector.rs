//! The connector conformance suite. A connector crate implements [`ConnectorHarness`] and
//! calls [`connector_suite!`](crate::connector_suite) in `tests/conformance.rs`; each
//! case becomes a named test. The MUST rules of `docs/specs/connector.md` cite the case
//! that asserts them. Fixture-based cases never skip: a connector without fixtures fails.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};

use super::fixture::{load_dir, Fixture};
use crate::journal::{Journal, MemoryJournal};
use crate::{
    ConnectorInfo, IngestContext, Ingested, InvoiceSource, ManualClock, Relay, Route, Secret,
    SignatureScheme, SourceError, TenantId, WebhookRequest,
};

/// What a connector gives the kit.
pub trait ConnectorHarness: Send + Sync {
    /// The connector's capabilities (the kit picks cases from them).
    fn info(&self) -> ConnectorInfo;
    /// The fixtures folder (`concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures")`).
    fn fixtures_dir(&self) -> PathBuf;
    /// The secret the fixtures are signed with.
    fn fixture_secret(&self) -> Secret;
    /// A source configured with `secrets` (in this order) and whatever tenants the
    /// fixtures need.
    fn source(&self, secrets: Vec<Secret>) -> Arc<dyn InvoiceSource>;
    /// The connector's test signer: replaces the request's signature with one by `secret`
    /// at `at`. Must reproduce a fixture's signature exactly from its `signed_at`.
    fn sign(&self, request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("test runtime")
}

fn fixtures(h: &dyn ConnectorHarness) -> Vec<Fixture> {
    match load_dir(&h.fixtures_dir()) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    }
}

fn ctx(f: &Fixture, at: DateTime<Utc>) -> IngestContext {
    let mut c = IngestContext::at(at);
    c.route_tenant = f.expect.route_tenant.clone().map(TenantId);
    c
}

fn ingest(
    rt: &tokio::runtime::Runtime,
    source: &dyn InvoiceSource,
    req: &WebhookRequest,
    ctx: &IngestContext,
) -> Result<Ingested, SourceError> {
    rt.block_on(source.ingest(req, ctx))
}

fn signed_ok(f: &Fixture) -> bool {
    f.expect.signed && f.expect.error.is_none()
}

fn signature_checked(info: &ConnectorInfo) -> bool {
    matches!(
        info.signature,
        SignatureScheme::HmacSha256 | SignatureScheme::HmacSha1 | SignatureScheme::Jwt
    )
}

/// Schemes whose signature covers the body. A JWT in a header (monday.com) authenticates
/// the sender and a time window, not the bytes: body tampering cannot be detected there.
fn body_signed(info: &ConnectorInfo) -> bool {
    matches!(
        info.signature,
        SignatureScheme::HmacSha256 | SignatureScheme::HmacSha1
    )
}

fn with_body(req: &WebhookRequest, body: Bytes) -> WebhookRequest {
    let mut out = http::Request::builder()
        .method(req.method().clone())
        .uri(req.uri().clone())
        .body(body)
        .expect("same parts");
    *out.headers_mut() = req.headers().clone();
    out
}

/// MUST-1: every fixture produces exactly its expected events, counts, tenant and reply
/// (or its expected error).
pub fn must_produce_expected_events_and_reply(h: &dyn ConnectorHarness) {
    let rt = runtime();
    let source = h.source(vec![h.fixture_secret()]);
    for f in fixtures(h) {
        let result = ingest(&rt, source.as_ref(), &f.request, &ctx(&f, f.expect.now));
        match (&f.expect.error, result) {
            (Some(kind), Err(e)) => {
                assert_eq!(e.kind().as_str(), kind, "{}: wrong error kind: {e}", f.name);
                assert_eq!(e.kind().status().as_u16(), f.expect.status, "{}", f.name);
            }
            (Some(kind), Ok(_)) => panic!("{}: expected error {kind}, got Ok", f.name),
            (None, Err(e)) => panic!("{}: expected Ok, got {e}", f.name),
            (None, Ok(got)) => check_ingested(&f, &got),
        }
    }
}

fn check_ingested(f: &Fixture, got: &Ingested) {
    let n = &f.name;
    assert_eq!(
        got.reply.status.as_u16(),
        f.expect.status,
        "{n}: reply status"
    );
    if let Some(body) = &f.expect.reply_body {
        assert_eq!(
            String::from_utf8_lossy(&got.reply.body),
            *body,
            "{n}: reply body"
        );
    }
    if let Some(t) = &f.expect.tenant {
        assert_eq!(got.tenant.as_str(), t, "{n}: tenant");
    }
    assert_eq!(got.handshake, f.expect.handshake, "{n}: handshake");
    assert_eq!(got.pending.len(), f.expect.pending, "{n}: pending count");
    assert_eq!(got.skipped.len(), f.expect.skipped, "{n}: skipped count");
    assert_eq!(
        got.events.len(),
        f.expect.events.len(),
        "{n}: event count: {:?}",
        got.events.iter().map(|e| e.kind).collect::<Vec<_>>()
    );
    for (i, (e, x)) in got.events.iter().zip(&f.expect.events).enumerate() {
        assert_eq!(e.kind.as_str(), x.kind, "{n}[{i}]: kind");
        assert_eq!(e.key.id, x.invoice, "{n}[{i}]: invoice");
        if let Some(id) = &x.event_id {
            assert_eq!(&e.platform_event_id, id, "{n}[{i}]: event id");
        }
        if let Some(v) = x.source_version {
            assert_eq!(e.source_version, Some(v), "{n}[{i}]: source version");
        }
        let snap = e.snapshot.as_ref();
        if let Some(l) = &x.lifecycle {
            assert_eq!(
                snap.map(|s| s.lifecycle.as_str()),
                Some(l.as_str()),
                "{n}[{i}]: lifecycle"
            );
        }
        if let Some(t) = &x.total {
            assert_eq!(
                snap.map(|s| s.total.to_string()),
                Some(t.clone()),
                "{n}[{i}]: total"
            );
        }
        if let Some(p) = &x.paid {
            assert_eq!(
                snap.map(|s| s.paid.to_string()),
                Some(p.clone()),
                "{n}[{i}]: paid"
            );
        }
        let detail_amount = match &e.detail {
            crate::EventDetail::Payment { amount, .. }
            | crate::EventDetail::Refund { amount, .. } => Some(*amount),
            crate::EventDetail::Adjustment(a) => Some(a.amount),
            crate::EventDetail::Dispute { amount, .. } => *amount,
            _ => None,
        };
        if let Some(a) = &x.amount {
            assert_eq!(
                detail_amount.map(|m| m.amount().to_string()),
                Some(a.clone()),
                "{n}[{i}]: amount"
            );
        }
        if let Some(c) = &x.currency {
            let cur = snap
                .map(|s| s.currency)
                .or(detail_amount.map(|m| m.currency()));
            assert_eq!(
                cur.map(|c| c.as_str().to_owned()),
                Some(c.clone()),
                "{n}[{i}]: currency"
            );
        }
    }
}

/// MUST-2: the signature in each signed fixture is the one the connector's signer
/// computes with the fixture secret at `signed_at` (computed, not invented).
pub fn must_have_computed_fixture_signatures(h: &dyn ConnectorHarness) {
    for f in fixtures(h).into_iter().filter(signed_ok) {
        let at = f
            .expect
            .signed_at
            .unwrap_or_else(|| panic!("{}: signed fixture without signed_at", f.name));
        let mut resigned = f.request.clone();
        h.sign(&mut resigned, &h.fixture_secret(), at);
        assert_eq!(
            resigned.headers(),
            f.request.headers(),
            "{}: stored signature is not the computed one",
            f.name
        );
    }
}

/// MUST-3: flipping any single byte of a signed body is refused as an authentication
/// failure, before parsing.
pub fn must_reject_every_body_tamper(h: &dyn ConnectorHarness) {
    if !body_signed(&h.info()) {
        return;
    }
    let rt = runtime();
    let source = h.source(vec![h.fixture_secret()]);
    for f in fixtures(h).into_iter().filter(signed_ok) {
        let body = f.request.body().to_vec();
        for i in 0..body.len() {
            let mut b = body.clone();
            b[i] ^= 0x01;
            let req = with_body(&f.request, Bytes::from(b));
            match ingest(&rt, source.as_ref(), &req, &ctx(&f, f.expect.now)) {
                Err(e) => assert!(
                    e.kind().is_auth(),
                    "{}: byte {i} tampered gave {e}, not an auth failure",
                    f.name
                ),
                Ok(_) => panic!("{}: byte {i} tampered was accepted", f.name),
            }
        }
    }
}

/// MUST-4: flipping any single byte of the signature header is refused.
pub fn must_reject_every_signature_tamper(h: &dyn ConnectorHarness) {
    let info = h.info();
    let Some(header) = info.signature_header else {
        return;
    };
    if !signature_checked(&info) {
        return;
    }
    let rt = runtime();
    let source = h.source(vec![h.fixture_secret()]);
    for f in fixtures(h).into_iter().filter(signed_ok) {
        let Some(value) = f.request.headers().get(header) else {
            panic!("{}: signed fixture lacks {header}", f.name)
        };
        let value = value.as_bytes().to_vec();
        for i in 0..value.len() {
            let mut v = value.clone();
            v[i] ^= 0x01;
            let mut req = f.request.clone();
            match http::HeaderValue::from_bytes(&v) {
                Ok(hv) => {
                    req.headers_mut().insert(header, hv);
                }
                Err(_) => continue,
            }
            let r = ingest(&rt, source.as_ref(), &req, &ctx(&f, f.expect.now));
            assert!(
                r.is_err(),
                "{}: signature byte {i} tampered was accepted",
                f.name
            );
        }
    }
}

/// MUST-5: during rotation any configured secret verifies; a secret that is not
/// configured does not.
pub fn must_accept_rotated_secrets(h: &dyn ConnectorHarness) {
    if !h.info().rotation {
        return;
    }
    let rt = runtime();
    let new_secret = Secret::new(format!(
        "{}-rotated",
        String::from_utf8_lossy(h.fixture_secret().expose())
    ));
    let both = h.source(vec![h.fixture_secret(), new_secret.clone()]);
    let old_only = h.source(vec![h.fixture_secret()]);
    for f in fixtures(h).into_iter().filter(signed_ok) {
        let at = f.expect.signed_at.unwrap_or(f.expect.now);
        let mut req = f.request.clone();
        h.sign(&mut req, &new_secret, at);
        let c = ctx(&f, f.expect.now);
        assert!(
            ingest(&rt, both.as_ref(), &req, &c).is_ok(),
            "{}: rotated secret refused",
            f.name
        );
        let r = ingest(&rt, old_only.as_ref(), &req, &c);
        assert!(
            r.as_ref().is_err_and(|e| e.kind().is_auth()),
            "{}: unconfigured secret accepted",
            f.name
        );
    }
}

/// MUST-6: where the signature covers a timestamp, one older than the tolerance is
/// refused with `StaleTimestamp`, and one inside it is accepted.
pub fn must_reject_stale_timestamps(h: &dyn ConnectorHarness) {
    let info = h.info();
    if !info.timestamped {
        return;
    }
    let rt = runtime();
    let source = h.source(vec![h.fixture_secret()]);
    let tol = Duration::seconds(i64::try_from(info.tolerance_secs).unwrap_or(300));
    for f in fixtures(h).into_iter().filter(signed_ok) {
        let Some(at) = f.expect.signed_at else {
            continue;
        };
        let late = ctx(&f, at + tol + Duration::seconds(1));
        let r = ingest(&rt, source.as_ref(), &f.request, &late);
        assert!(
            matches!(r, Err(SourceError::StaleTimestamp(_))),
            "{}: stale signature not refused: {r:?}",
            f.name
        );
        let edge = ctx(&f, at + tol - Duration::seconds(1));
        assert!(
            ingest(&rt, source.as_ref(), &f.request, &edge).is_ok(),
            "{}: fresh signature refused",
            f.name
        );
    }
}

/// MUST-7: through the relay, the second delivery of the same request is deduplicated:
/// same reply, nothing applied, no new outbox row.
pub fn must_deduplicate_duplicate_delivery(h: &dyn ConnectorHarness) {
    let rt = runtime();
    for f in fixtures(h)
        .into_iter()
        .filter(|f| f.expect.error.is_none() && !f.expect.handshake)
    {
        let journal = Arc::new(MemoryJournal::new());
        let relay = Relay::builder(journal.clone())
            .source(h.source(vec![h.fixture_secret()]))
            .clock(Arc::new(ManualClock::new(f.expect.now)))
            .build();
        let route = || Route {
            tenant: f.expect.route_tenant.clone().map(TenantId),
            ..Route::default()
        };
        let platform = h.info().platform;
        let first = rt
            .block_on(relay.ingest(platform, &f.request, route()))
            .unwrap_or_else(|e| panic!("{}: first delivery failed: {e}", f.name));
        let rows = rt
            .block_on(journal.outbox_counts())
            .map(|c| c.pending)
            .unwrap_or(0);
        let second = rt
            .block_on(relay.ingest(platform, &f.request, route()))
            .unwrap_or_else(|e| panic!("{}: second delivery failed: {e}", f.name));
        assert_eq!(first.reply, second.reply, "{}: reply differs", f.name);
        assert_eq!(second.report.applied, 0, "{}: applied twice", f.name);
        let expected_dups = f.expect.events.len() + f.expect.pending + f.expect.skipped;
        assert_eq!(
            second.report.duplicates as usize, expected_dups,
            "{}: duplicates not counted",
            f.name
        );
        let rows_after = rt
            .block_on(journal.outbox_counts())
            .map(|c| c.pending)
            .unwrap_or(0);
        assert_eq!(rows, rows_after, "{}: outbox grew on a duplicate", f.name);
        assert!(rt.block_on(journal.verify_chain()).is_ok());
    }
}

/// MUST-8: truncated bodies never panic; each is refused or parsed, never half-applied.
pub fn must_not_panic_on_truncation(h: &dyn ConnectorHarness) {
    let rt = runtime();
    let source = h.source(vec![h.fixture_secret()]);
    for f in fixtures(h) {
        let body = f.request.body().clone();
        let step = (body.len() / 400).max(1);
        for len in (0..body.len()).step_by(step) {
            let mut req = with_body(&f.request, body.slice(..len));
            if let Some(at) = f.expect.signed_at {
                h.sign(&mut req, &h.fixture_secret(), at);
            }
            let _ = ingest(&rt, source.as_ref(), &req, &ctx(&f, f.expect.now));
        }
    }
}

/// MUST-9: a request with no signature at all is refused as an authentication failure.
pub fn must_reject_missing_signature(h: &dyn ConnectorHarness) {
    let info = h.info();
    let Some(header) = info.signature_header else {
        return;
    };
    let rt = runtime();
    let source = h.source(vec![h.fixture_secret()]);
    for f in fixtures(h).into_iter().filter(signed_ok) {
        let mut req = f.request.clone();
        req.headers_mut().remove(header);
        let r = ingest(&rt, source.as_ref(), &req, &ctx(&f, f.expect.now));
        assert!(
            r.as_ref().is_err_and(|e| e.kind().is_auth()),
            "{}: unsigned request not refused: {r:?}",
            f.name
        );
    }
}

/// Expands to one `#[test]` per conformance case for a harness expression.
///
/// ```ignore
/// invoice_core::connector_suite!(my_connector::testing::Harness::default());
/// ```
#[macro_export]
macro_rules! connector_suite {
    ($harness:expr) => {
        $crate::connector_suite!(@cases $harness;
            must_produce_expected_events_and_reply,
            must_have_computed_fixture_signatures,
            must_reject_every_body_tamper,
            must_reject_every_signature_tamper,
            must_accept_rotated_secrets,
            must_reject_stale_timestamps,
            must_deduplicate_duplicate_delivery,
            must_not_panic_on_truncation,
            must_reject_missing_signature,
        );
    };
    (@cases $harness:expr; $($case:ident,)*) => {
        $(
            #[test]
            fn $case() {
                let harness = $harness;
                $crate::testing::connector::$case(&harness);
            }
        )*
    };
}
