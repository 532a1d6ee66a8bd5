from . import invoice_relay
