"""Runs the shipped Odoo module's notifier (scripts/invoice_relay/models/invoice_relay.py)
with stand-ins for ``odoo`` (models.AbstractModel, api.model, env, records, cr.postcommit)
and ``requests`` (post captures instead of sending), and prints the captured requests
(URL, headers, exact body bytes as hex) as JSON.

    python3 odoo_shim.py <path to invoice_relay.py> <scenario>

Scenarios: notify | retry. Standard library only.
"""

import datetime
import importlib.util
import json
import os
import sys
import types

NOW = 1768471200  # 2026-01-15T10:00:00Z
SECRET = os.environ.get("RELAY_SECRET", "odoo_invoice_relay_fixture_secret")

captured = []
responses = []


class RequestException(Exception):
    pass


def fake_post(url, data=None, headers=None, timeout=None):
    captured.append(
        {
            "url": url,
            "headers": dict(headers or {}),
            "body_hex": bytes(data).hex(),
            "timeout": timeout,
        }
    )
    code = responses.pop(0) if responses else 200
    return types.SimpleNamespace(status_code=code)


requests_mod = types.ModuleType("requests")
requests_mod.post = fake_post
requests_mod.exceptions = types.SimpleNamespace(RequestException=RequestException)
sys.modules["requests"] = requests_mod

odoo = types.ModuleType("odoo")
odoo_models = types.ModuleType("odoo.models")
odoo_api = types.ModuleType("odoo.api")


class AbstractModel:
    _name = None


odoo_models.AbstractModel = AbstractModel
odoo_api.model = lambda f: f
odoo.models = odoo_models
odoo.api = odoo_api
sys.modules["odoo"] = odoo
sys.modules["odoo.models"] = odoo_models
sys.modules["odoo.api"] = odoo_api


class Clock:
    now = NOW

    @classmethod
    def time(cls):
        cls.now += 1  # each signature is made a second later
        return cls.now - 1 + 0.25


class Move:
    _name = "account.move"

    def __init__(self, id, **fields):
        self.id = id
        self.fields = fields
        self.move_type = fields["move_type"]

    def read(self, names):
        # read() with the default load: many2one as (id, display_name), unset as False.
        return [{"id": self.id, **{n: self.fields.get(n, False) for n in names}}]


class Records(list):
    def filtered(self, fn):
        return Records(r for r in self if fn(r))


class Params:
    def sudo(self):
        return self

    def get_param(self, key):
        return {
            "invoice_relay.url": "https://relay.anodize-works.example/webhooks/odoo",
            "invoice_relay.secret": SECRET,
        }.get(key)


class Cr:
    dbname = "anodize-prod"

    def __init__(self):
        self.hooks = []
        self.postcommit = types.SimpleNamespace(add=self.hooks.append)

    def commit(self):
        for hook in self.hooks:
            hook()
        self.hooks.clear()


class Env(dict):
    def __init__(self):
        super().__init__({"ir.config_parameter": Params()})
        self.cr = Cr()


def load(path):
    spec = importlib.util.spec_from_file_location("invoice_relay_models", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.time = Clock
    return module


def moves():
    wd = datetime.datetime(2026, 1, 15, 9, 59, 58)
    return Records(
        [
            Move(
                2087,
                name="INV/2026/00042",
                move_type="out_invoice",
                state="posted",
                payment_state="partial",
                amount_total=1250.0,
                amount_residual=450.0,
                currency_id=(1, "EUR"),
                partner_id=(14, "Oberflächentechnik Müller GmbH"),
                invoice_date_due=datetime.date(2026, 2, 10),
                write_date=wd,
            ),
            Move(
                2091,
                name="RINV/2026/00003",
                move_type="out_refund",
                state="posted",
                payment_state="not_paid",
                amount_total=0.1 + 0.2,
                amount_residual=0.1 + 0.2,
                currency_id=(1, "EUR"),
                partner_id=(14, "Oberflächentechnik Müller GmbH"),
                reversed_entry_id=(2087, "INV/2026/00042"),
                write_date=wd,
            ),
            Move(
                3001,
                name="BILL/2026/00007",
                move_type="in_invoice",
                state="posted",
                payment_state="not_paid",
                amount_total=99.0,
                amount_residual=99.0,
                currency_id=(1, "EUR"),
                write_date=wd,
            ),
        ]
    )


def main():
    path, scenario = sys.argv[1], sys.argv[2]
    module = load(path)
    env = Env()
    notifier = module.InvoiceRelayNotifier()
    notifier.env = env
    records = moves()
    if scenario == "notify":
        notifier.notify(records)
        before_commit = len(captured)
        env.cr.commit()
    elif scenario == "retry":
        responses.extend([503, 200])
        notifier.notify(Records(records[:1]))
        before_commit = len(captured)
        env.cr.commit()
    else:
        raise SystemExit("unknown scenario " + scenario)
    print(json.dumps({"requests": captured, "sent_before_commit": before_commit}))


main()
