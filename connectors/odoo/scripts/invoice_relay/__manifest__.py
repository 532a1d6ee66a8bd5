# Invoice Relay: signed invoice notifications from Odoo (17.0 and later).
{
    "name": "Invoice Relay notifier",
    "summary": "Posts signed account.move notifications (X-Odoo-Signature) to Invoice Relay",
    "version": "17.0.1.0.0",
    "category": "Accounting",
    "license": "Apache-2.0",
    "depends": ["account", "base_automation"],
    "data": [],
    "installable": True,
    "application": False,
}
