"""Invoice Relay - QuickBooks Desktop data-event forwarder.

Runs on the Windows PC where QuickBooks Desktop is open. It subscribes to invoice
data events (qbXML DataEventSubscriptionAddRq) and, when QuickBooks calls its COM
callback with a QBXMLEvents message, POSTs that message unchanged to the relay,
signed with X-Relay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>.

QuickBooks only raises data events while the company file is open in the QuickBooks
window (not in unattended mode and not through the Web Connector), so the Web
Connector sync stays the source of truth; these events make Delete visible at once
and shorten the wait for the next sync.

Requires Python 3.9+ and pywin32 (pip install pywin32), the QuickBooks SDK runtime
(QBXMLRP2) and an administrator's approval of the application in QuickBooks.

    python qbd_event_forwarder.py --register     # COM server + event subscription
    python qbd_event_forwarder.py --unregister   # remove both
    python qbd_event_forwarder.py --sign-only FILE  # print the header for FILE's bytes

Settings come from the environment (set them for the user QuickBooks runs as):
    INVOICE_RELAY_URL     https://relay.example.com/webhooks/quickbooks-desktop/<company>
    INVOICE_RELAY_SECRET  one of the relay's [sources.quickbooks-desktop] secrets
"""

import hashlib
import hmac
import os
import sys
import time
import urllib.request

PROGID = "InvoiceRelay.QbdEventForwarder"
CLSID = "{6E0B7C52-3A1D-4F8E-9B27-5C4D1E0A9F63}"
SUBSCRIBER_ID = "{A4F1D2C3-7B6E-4E5A-8C9D-0B1A2F3E4D5C}"
APP_NAME = "Invoice Relay forwarder"
QBXML_VERSION = "13.0"


def sign(secret: bytes, body: bytes, t: int) -> str:
    """The X-Relay-Signature value for body at unix time t."""
    mac = hmac.new(secret, str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
    return "t=%d,v1=%s" % (t, mac)


def forward(body: bytes, attempts: int = 5) -> None:
    """POSTs body to the relay; the signature is made once, so retries are duplicates."""
    url = os.environ["INVOICE_RELAY_URL"]
    secret = os.environ["INVOICE_RELAY_SECRET"].encode()
    header = sign(secret, body, int(time.time()))
    for attempt in range(attempts):
        req = urllib.request.Request(url, data=body, method="POST")
        req.add_header("Content-Type", "application/xml; charset=utf-8")
        req.add_header("X-Relay-Signature", header)
        try:
            with urllib.request.urlopen(req, timeout=15) as resp:
                if 200 <= resp.status < 300:
                    return
        except Exception as exc:  # network errors and non-2xx alike: retry
            sys.stderr.write("invoice relay: attempt %d failed: %s\n" % (attempt + 1, exc))
        time.sleep(min(60, 2 ** attempt))
    # Nothing is lost for good: the next Web Connector sync reads every modified invoice.


class QbdEventForwarder:
    """The COM object QuickBooks calls (IQBEventCallback.inform)."""

    _reg_progid_ = PROGID
    _reg_clsid_ = CLSID
    _reg_desc_ = APP_NAME
    _public_methods_ = ["inform"]

    def inform(self, event_xml):
        forward(str(event_xml).encode("utf-8"))


def subscription_request() -> str:
    ops = "".join(
        "<TxnEventOperation>%s</TxnEventOperation>" % op for op in ("Add", "Modify", "Delete")
    )
    return (
        '<?xml version="1.0"?><?qbxml version="%s"?><QBXML><QBXMLSubscriptionMsgsRq>'
        "<DataEventSubscriptionAddRq><DataEventSubscriptionAdd>"
        "<SubscriberID>%s</SubscriberID>"
        "<COMCallbackInfo><AppName>%s</AppName><ProgID>%s</ProgID></COMCallbackInfo>"
        "<DeliveryPolicy>DeliverAlways</DeliveryPolicy>"
        "<TrackLostEvents>All</TrackLostEvents>"
        "<DeliverOwnEvents>false</DeliverOwnEvents>"
        "<TxnEventSubscription><TxnEventType>Invoice</TxnEventType>%s</TxnEventSubscription>"
        "</DataEventSubscriptionAdd></DataEventSubscriptionAddRq>"
        "</QBXMLSubscriptionMsgsRq></QBXML>"
    ) % (QBXML_VERSION, SUBSCRIBER_ID, APP_NAME, PROGID, ops)


def unsubscription_request() -> str:
    return (
        '<?xml version="1.0"?><?qbxml version="%s"?><QBXML><QBXMLSubscriptionMsgsRq>'
        "<SubscriptionDelRq><SubscriptionType>Data</SubscriptionType>"
        "<SubscriberID>%s</SubscriberID></SubscriptionDelRq>"
        "</QBXMLSubscriptionMsgsRq></QBXML>"
    ) % (QBXML_VERSION, SUBSCRIBER_ID)


def process_subscription(request: str) -> str:
    import win32com.client  # pywin32, Windows only

    rp = win32com.client.Dispatch("QBXMLRP2.RequestProcessor")
    rp.OpenConnection2("", APP_NAME, 1)  # 1 = localQBD
    try:
        return rp.ProcessSubscription(request)
    finally:
        rp.CloseConnection()


def main(argv) -> int:
    if len(argv) == 3 and argv[1] == "--sign-only":
        with open(argv[2], "rb") as f:
            body = f.read()
        print(sign(os.environ["INVOICE_RELAY_SECRET"].encode(), body, int(os.environ.get("SIGN_AT", time.time()))))
        return 0
    if len(argv) == 2 and argv[1] == "--register":
        import win32com.server.register

        win32com.server.register.UseCommandLine(QbdEventForwarder, argv=[argv[0]])
        print(process_subscription(subscription_request()))
        return 0
    if len(argv) == 2 and argv[1] == "--unregister":
        import win32com.server.register

        print(process_subscription(unsubscription_request()))
        win32com.server.register.UseCommandLine(QbdEventForwarder, argv=[argv[0], "--unregister"])
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
