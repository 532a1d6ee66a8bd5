"""Invoice Relay notifier: signed account.move notifications.

Odoo's own "Send Webhook Notification" action cannot sign a request or add a header,
and a code action's sandbox has no ``hmac``, ``hashlib`` or ``requests``. This small
module provides them to one method an automated action calls:

    Automation rule on Journal Entry (account.move), trigger "On save" with trigger
    fields state, payment_state (and amount_residual), action "Execute Code":

        env['invoice.relay.notifier'].notify(records)

It posts, after the transaction commits, the same body as the native webhook action
(``json.dumps(vals, sort_keys=True, default=str)`` of ``_model``, ``_id``, ``_action``
and the fields below) plus ``_db``, with

    X-Odoo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>

System parameters (Settings > Technical > System Parameters):
    invoice_relay.url     https://relay.example.com/webhooks/odoo
    invoice_relay.secret  the same value as [sources.odoo] secrets in the relay
"""

import hashlib
import hmac
import json
import logging
import time

import requests

from odoo import api, models

_logger = logging.getLogger(__name__)

FIELDS = [
    "name",
    "move_type",
    "state",
    "payment_state",
    "amount_total",
    "amount_residual",
    "currency_id",
    "partner_id",
    "invoice_date_due",
    "reversed_entry_id",
    "write_date",
]
MOVE_TYPES = ("out_invoice", "out_refund")
TIMEOUT_SECONDS = 5
RETRY_STATUSES = (408, 429, 500, 502, 503, 504)


def build_body(record, action_label, dbname):
    """The notification body for one account.move, as the native action writes it."""
    vals = {
        "_model": record._name,
        "_id": record.id,
        "_action": action_label,
        "_db": dbname,
    }
    vals.update(record.read(FIELDS)[0])
    return json.dumps(vals, sort_keys=True, default=str)


def signature_header(secret, body, timestamp):
    """``t=<t>,v1=<hex>``: HMAC-SHA256 over ``"<t>." + body`` (UTF-8)."""
    signed = ("%d." % timestamp).encode("ascii") + body.encode("utf-8")
    mac = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (timestamp, mac)


def post(url, secret, body, attempts=2):
    """Signs (at send time) and posts one body; one quick retry on 408/429/5xx."""
    for attempt in range(attempts):
        headers = {
            "Content-Type": "application/json",
            "X-Odoo-Signature": signature_header(secret, body, int(time.time())),
        }
        try:
            response = requests.post(
                url, data=body.encode("utf-8"), headers=headers, timeout=TIMEOUT_SECONDS
            )
        except requests.exceptions.RequestException as err:
            _logger.warning("invoice relay: post failed (attempt %d): %s", attempt + 1, err)
            continue
        if 200 <= response.status_code < 300:
            return True
        if response.status_code not in RETRY_STATUSES:
            _logger.error("invoice relay refused the notification: HTTP %s", response.status_code)
            return False
        _logger.warning("invoice relay answered HTTP %s (attempt %d)", response.status_code, attempt + 1)
    return False


class InvoiceRelayNotifier(models.AbstractModel):
    _name = "invoice.relay.notifier"
    _description = "Invoice Relay notifier"

    @api.model
    def notify(self, records, action_label="Invoice Relay (signed)"):
        """Posts one signed notification per customer invoice / credit note in
        ``records``, after the current transaction commits (nothing is sent for a
        rolled-back change)."""
        params = self.env["ir.config_parameter"].sudo()
        url = params.get_param("invoice_relay.url")
        secret = params.get_param("invoice_relay.secret")
        if not url or not secret:
            _logger.warning("invoice relay: set invoice_relay.url and invoice_relay.secret")
            return
        moves = records.filtered(lambda m: m.move_type in MOVE_TYPES)
        bodies = [build_body(m, action_label, self.env.cr.dbname) for m in moves]
        if not bodies:
            return

        def send():
            for body in bodies:
                post(url, secret, body)

        self.env.cr.postcommit.add(send)
