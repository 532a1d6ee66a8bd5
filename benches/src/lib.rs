//! # invoice-relay-benches
//!
//! Shared pieces of the criterion benches in `benches/` (see `docs/performance.md`):
//!
//! - [`cases`]: one realistic, correctly signed fixture per platform with the connector
//!   source that ingests it, from each connector's own `testing` harness;
//! - [`ingest_and_apply`]: the in-process path a webhook takes before the journal (verify,
//!   parse, map, then [`invoice_core::apply`] of every produced event on an in-memory
//!   state), with no I/O;
//! - [`floor`]: the floor of the same request (the platform's authentication at its
//!   cheapest plus a minimal borrowed parse);
//! - [`history`]: the synthetic 1M-event history of the state-machine bench.
//!
//! The binaries in `src/bin/` are the HTTP load generator (`loadgen`) and the per-invoice
//! memory probe (`state-memory`).

pub mod floor;
pub mod history;

use std::path::PathBuf;
use std::sync::Arc;

use invoice_core::testing::fixture::{load_dir, Fixture};
use invoice_core::{
    apply, IngestContext, InvoiceSource, InvoiceState, Secret, TenantId, WebhookRequest,
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

fn workday_source(secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
    invoice_connectors::workday::testing::Harness::default().source(secrets)
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
        // The same connector on an `invoice.paid` in API version 2026-09-30.endive (the
        // version async-stripe 1.0.0-rc.10 is generated from, so `benches/peers` can run its
        // complete path on these bytes); floored as `stripe`.
        platform!("stripe-endive", stripe, "18_invoice_paid_endive_usd"),
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
        platform!(
            "dynamics365",
            dynamics365,
            "02_update_paid_complete_post_image"
        ),
        platform!("freshbooks", freshbooks, "03_invoice_update"),
        platform!(
            "jira-service-management",
            jira_service_management,
            "02_status_paid"
        ),
        platform!("sap-s4hana", sap_s4hana, "02_billingdocument_changed"),
        platform!(
            "servicenow",
            servicenow,
            "02_update_partially_paid_amount_paid"
        ),
        platform!("zoho-books", zoho_books, "02_invoice_partially_paid"),
        Platform {
            slug: "workday",
            fixture: "02_invoice_partially_paid",
            dir: invoice_connectors::workday::testing::Harness::default().fixtures(),
            secret: invoice_connectors::workday::testing::FIXTURE_SECRET,
            source: workday_source,
        },
        platform!(
            "quickbooks-desktop",
            quickbooks_desktop,
            "06_receive_response_three_invoices"
        ),
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
        let floor = floor::floor(floor_platform(p.slug), p.secret, &f.request)
            .ok_or_else(|| CaseError(format!("{}: no floor", p.slug)))?;
        let case = Case {
            platform: p.slug,
            source: (p.source)(vec![Secret::new(p.secret)]),
            context: context(&f),
            floor,
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
        if case.floor.run(&case.request) == 0 {
            return Err(CaseError(format!(
                "{}: floor authentication or parse failed",
                p.slug
            )));
        }
        out.push(case);
    }
    Ok(out)
}

/// The floor a case slug uses: a second fixture of a platform is floored as the platform.
fn floor_platform(slug: &'static str) -> &'static str {
    match slug {
        "stripe-endive" => "stripe",
        s => s,
    }
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
    // The states of this request's invoices (a handful at most: a linear search).
    let mut states: Vec<InvoiceState> = Vec::new();
    let mut stored = 0;
    for event in &ingested.events {
        let at = match states.iter().position(|s| s.key == event.key) {
            Some(at) => at,
            None => {
                states.push(InvoiceState::empty(event.key.clone()));
                states.len() - 1
            }
        };
        let state = &mut states[at];
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap (see the workspace lints)
mod tests {
    use super::*;

    /// Every platform has a case; each floor passes its own request and refuses it once
    /// its credential or signed bytes are changed (so no floor skips its check).
    #[test]
    fn every_floor_authenticates() {
        let cases = cases().unwrap();
        let platforms: std::collections::BTreeSet<_> =
            cases.iter().map(|c| floor_platform(c.platform)).collect();
        assert_eq!(platforms.len(), 20);
        for case in &cases {
            assert!(case.floor.run(&case.request) > 0, "{}", case.platform);
            let mut forged = case.request.clone();
            let changed = match case.platform {
                // Credential outside the body: change it.
                "sage-intacct" | "dynamics365" => {
                    let uri = forged.uri().to_string().replace("=", "=x");
                    *forged.uri_mut() = uri.parse().unwrap();
                    true
                }
                "zoho-books" => {
                    forged
                        .headers_mut()
                        .insert("x-relay-token", "forged".parse().unwrap());
                    true
                }
                "salesforce" => {
                    forged
                        .headers_mut()
                        .insert("x-relay-secret", "forged".parse().unwrap());
                    true
                }
                "workday" => {
                    forged.headers_mut().insert(
                        http::header::AUTHORIZATION,
                        "Basic Zm9yZ2VkOmZvcmdlZA==".parse().unwrap(),
                    );
                    true
                }
                // The session ticket's timestamp is in the body.
                "quickbooks-desktop" => {
                    let body = String::from_utf8(forged.body().to_vec()).unwrap();
                    let body = body.replacen("<ticket>v1.1", "<ticket>v1.2", 1);
                    *forged.body_mut() = body.into();
                    true
                }
                // Signed body: change one byte of it.
                _ => {
                    let mut body = forged.body().to_vec();
                    let at = body.len() / 2;
                    body[at] ^= 1;
                    *forged.body_mut() = body.into();
                    true
                }
            };
            assert!(changed);
            assert_eq!(case.floor.run(&forged), 0, "{}", case.platform);
        }
    }
}
