//! # invoice-relay-benches
//!
//! Shared pieces of the criterion benches in `benches/` (see `docs/performance.md`):
//!
//! - [`cases`]: one realistic, correctly signed fixture per platform with the connector
//!   source that ingests it, from each connector's own `testing` harness;
//! - [`ingest_and_apply`]: the in-process path a webhook takes before the journal (verify,
//!   parse, map, then [`invoice_core::apply`] of every produced event on an in-memory
//!   state), with no I/O;
//! - [`floor`]: the floor of the same bytes (HMAC-SHA256 plus a minimal borrowed parse);
//! - [`history`]: the synthetic 1M-event history of the state-machine bench.
//!
//! The binaries in `src/bin/` are the HTTP load generator (`loadgen`) and the per-invoice
//! memory probe (`state-memory`).

pub mod floor;
pub mod history;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use invoice_core::testing::fixture::{load_dir, Fixture};
use invoice_core::{
    apply, IngestContext, InvoiceKey, InvoiceSource, InvoiceState, Secret, TenantId, WebhookRequest,
};

/// One platform's bench input.
#[derive(Debug, Clone)]
pub struct Case {
    /// Platform slug.
    pub platform: &'static str,
    /// Fixture file stem.
    pub fixture: String,
    /// The connector source, configured with the fixture secret.
    pub source: Arc<dyn InvoiceSource>,
    /// The signed request.
    pub request: WebhookRequest,
    /// The context the fixture expects (its `now`, its route tenant).
    pub context: IngestContext,
    /// The floor of the same bytes.
    pub floor: floor::Floor,
}

struct Platform {
    slug: &'static str,
    fixture: &'static str,
    dir: PathBuf,
    secret: &'static str,
    source: fn(Vec<Secret>) -> Arc<dyn InvoiceSource>,
}

macro_rules! platform {
    ($slug:literal, $module:ident, $fixture:literal) => {{
        use invoice_connectors::$module::testing as t;
        Platform {
            slug: $slug,
            fixture: $fixture,
            dir: t::Harness::fixtures(),
            secret: t::FIXTURE_SECRET,
            source: t::Harness::source,
        }
    }};
}

fn platforms() -> Vec<Platform> {
    vec![
        platform!("stripe", stripe, "03_invoice_paid_usd"),
        platform!("salesforce", salesforce, "01_om_invoice_posted"),
        platform!(
            "quickbooks-online",
            quickbooks_online,
            "06_cloudevents_invoice_updated"
        ),
        platform!("xero", xero, "03_invoice_create"),
        platform!("paypal", paypal, "01_invoicing_invoice_paid"),
        platform!("hubspot", hubspot, "02_invoice_status_open"),
        platform!("asana", asana, "03_status_custom_field_changed"),
        platform!("monday", monday, "03_status_paid"),
        platform!("odoo", odoo, "02_partial_payment"),
        platform!("google-sheets", google_sheets, "03_row_paid_usd"),
        platform!("netsuite", netsuite, "02_invoice_edit_partially_paid"),
        platform!("sage-intacct", sage_intacct, "01_arinvoice_set_json"),
    ]
}

/// Errors building the cases (a missing fixture, a fixture the source refuses).
#[derive(Debug)]
pub struct CaseError(pub String);

impl std::fmt::Display for CaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CaseError {}

/// Every platform of `invoice-connectors/all`, each with its chosen fixture. Each case is
/// ingested once here and must succeed, so a bench never measures an error path.
pub fn cases() -> Result<Vec<Case>, CaseError> {
    let mut out = Vec::new();
    for p in platforms() {
        let fixtures = load_dir(&p.dir).map_err(|e| CaseError(e.to_string()))?;
        let Some(f) = fixtures.into_iter().find(|f| f.name == p.fixture) else {
            return Err(CaseError(format!("{}: no fixture {}", p.slug, p.fixture)));
        };
        let parse = floor::parser(p.slug)
            .ok_or_else(|| CaseError(format!("{}: no floor parser", p.slug)))?;
        let case = Case {
            platform: p.slug,
            source: (p.source)(vec![Secret::new(p.secret)]),
            context: context(&f),
            floor: floor::Floor::new(p.secret.as_bytes(), f.request.body(), parse),
            request: f.request,
            fixture: f.name,
        };
        let n = ingest_and_apply(&case);
        if n == 0 {
            return Err(CaseError(format!(
                "{}: {} produced nothing",
                p.slug, case.fixture
            )));
        }
        if case.floor.run(case.request.body()) == 0 {
            return Err(CaseError(format!("{}: floor parse failed", p.slug)));
        }
        out.push(case);
    }
    Ok(out)
}

fn context(f: &Fixture) -> IngestContext {
    let mut c = IngestContext::at(f.expect.now);
    c.route_tenant = f.expect.route_tenant.clone().map(TenantId);
    c
}

/// Verify, parse and map `case.request`, then apply every produced event to an empty
/// in-memory state of its invoice. Returns how many events, thin references and skips
/// came of it plus the number of states stored (never 0 for a case that was accepted).
pub fn ingest_and_apply(case: &Case) -> usize {
    let ingested =
        match futures::executor::block_on(case.source.ingest(&case.request, &case.context)) {
            Ok(i) => i,
            Err(_) => return 0,
        };
    let mut states: HashMap<InvoiceKey, InvoiceState> = HashMap::new();
    let mut stored = 0;
    for event in &ingested.events {
        let state = states
            .entry(event.key.clone())
            .or_insert_with(|| InvoiceState::empty(event.key.clone()));
        let t = apply(state, event);
        if t.stored_change {
            stored += 1;
            *state = t.state;
        }
    }
    ingested.events.len()
        + ingested.pending.len()
        + ingested.skipped.len()
        + usize::from(ingested.handshake)
        + stored
}
