//! The `invoice_core::testing` conformance suite on the Workday fixtures (Basic, the
//! default authentication of EIB and Studio HTTP deliveries).

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use invoice_connector_workday::testing::{Harness, FIXTURE_SECRET};
use invoice_core::testing::connector::ConnectorHarness;
use invoice_core::{ConnectorInfo, InvoiceSource, Secret, WebhookRequest};

struct Workday;

impl ConnectorHarness for Workday {
    fn info(&self) -> ConnectorInfo {
        Harness::default().info()
    }
    fn fixtures_dir(&self) -> PathBuf {
        Harness::default().fixtures()
    }
    fn fixture_secret(&self) -> Secret {
        Secret::new(FIXTURE_SECRET)
    }
    fn source(&self, secrets: Vec<Secret>) -> Arc<dyn InvoiceSource> {
        Harness::default().source(secrets)
    }
    fn sign(&self, request: &mut WebhookRequest, secret: &Secret, at: DateTime<Utc>) {
        Harness::default().sign(request, secret, at)
    }
}

invoice_core::connector_suite!(Workday);
