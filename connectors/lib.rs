//! Every Invoice Relay connector, each behind a cargo feature named by its platform slug
//! (`all` enables all). Nothing is on by default.
//!
//! ```
//! let mut registry = invoice_core::registry::ConnectorRegistry::new();
//! invoice_connectors::register_all(&mut registry);
//! ```
#![forbid(unsafe_code)]

use invoice_core::registry::ConnectorRegistry;

#[cfg(feature = "asana")]
pub use invoice_connector_asana as asana;
#[cfg(feature = "dynamics365")]
pub use invoice_connector_dynamics365 as dynamics365;
#[cfg(feature = "freshbooks")]
pub use invoice_connector_freshbooks as freshbooks;
#[cfg(feature = "google-sheets")]
pub use invoice_connector_google_sheets as google_sheets;
#[cfg(feature = "hubspot")]
pub use invoice_connector_hubspot as hubspot;
#[cfg(feature = "jira-service-management")]
pub use invoice_connector_jira_service_management as jira_service_management;
#[cfg(feature = "monday")]
pub use invoice_connector_monday as monday;
#[cfg(feature = "netsuite")]
pub use invoice_connector_netsuite as netsuite;
#[cfg(feature = "odoo")]
pub use invoice_connector_odoo as odoo;
#[cfg(feature = "paypal")]
pub use invoice_connector_paypal as paypal;
#[cfg(feature = "quickbooks-desktop")]
pub use invoice_connector_quickbooks_desktop as quickbooks_desktop;
#[cfg(feature = "quickbooks-online")]
pub use invoice_connector_quickbooks_online as quickbooks_online;
#[cfg(feature = "sage-intacct")]
pub use invoice_connector_sage_intacct as sage_intacct;
#[cfg(feature = "salesforce")]
pub use invoice_connector_salesforce as salesforce;
#[cfg(feature = "sap-s4hana")]
pub use invoice_connector_sap_s4hana as sap_s4hana;
#[cfg(feature = "servicenow")]
pub use invoice_connector_servicenow as servicenow;
#[cfg(feature = "stripe")]
pub use invoice_connector_stripe as stripe;
#[cfg(feature = "workday")]
pub use invoice_connector_workday as workday;
#[cfg(feature = "xero")]
pub use invoice_connector_xero as xero;
#[cfg(feature = "zoho-books")]
pub use invoice_connector_zoho_books as zoho_books;

/// Registers every connector compiled into this build.
pub fn register_all(registry: &mut ConnectorRegistry) {
    #[cfg(feature = "stripe")]
    stripe::register(registry);
    #[cfg(feature = "salesforce")]
    salesforce::register(registry);
    #[cfg(feature = "quickbooks-online")]
    quickbooks_online::register(registry);
    #[cfg(feature = "xero")]
    xero::register(registry);
    #[cfg(feature = "paypal")]
    paypal::register(registry);
    #[cfg(feature = "hubspot")]
    hubspot::register(registry);
    #[cfg(feature = "asana")]
    asana::register(registry);
    #[cfg(feature = "monday")]
    monday::register(registry);
    #[cfg(feature = "jira-service-management")]
    jira_service_management::register(registry);
    #[cfg(feature = "freshbooks")]
    freshbooks::register(registry);
    #[cfg(feature = "zoho-books")]
    zoho_books::register(registry);
    #[cfg(feature = "odoo")]
    odoo::register(registry);
    #[cfg(feature = "google-sheets")]
    google_sheets::register(registry);
    #[cfg(feature = "netsuite")]
    netsuite::register(registry);
    #[cfg(feature = "sage-intacct")]
    sage_intacct::register(registry);
    #[cfg(feature = "dynamics365")]
    dynamics365::register(registry);
    #[cfg(feature = "servicenow")]
    servicenow::register(registry);
    #[cfg(feature = "sap-s4hana")]
    sap_s4hana::register(registry);
    #[cfg(feature = "quickbooks-desktop")]
    quickbooks_desktop::register(registry);
    #[cfg(feature = "workday")]
    workday::register(registry);
    let _ = registry;
}

/// The README's embedding example, compiled and run as a doctest.
#[cfg(all(doctest, feature = "stripe"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
