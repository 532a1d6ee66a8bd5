//! The page frame: head, header, live-refresh script, footer.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::style::css;

/// Which changes refresh the page.
pub(crate) enum Live<'a> {
    /// Any change (the customer list).
    All,
    /// Changes for this customer.
    Customer(&'a str),
    /// Changes for this invoice.
    Invoice(&'a str),
    /// Never (error pages).
    Off,
}

const SCRIPT: &str = r#"
(function () {
  var body = document.body, scope = body.getAttribute('data-live');
  if (!scope || !window.EventSource || !window.fetch) return;
  var key = body.getAttribute('data-live-key') || '';
  var status = document.getElementById('live-status');
  var busy = false, again = false;
  function relevant(d) {
    if (d.customer === '*' || scope === 'all') return true;
    return scope === 'customer' ? d.customer === key : d.invoice === key;
  }
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { headers: { 'accept': 'text/html' }, cache: 'no-store' })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html').querySelector('main');
        var cur = document.querySelector('main');
        if (next && cur) cur.replaceWith(next);
        if (status) status.textContent = 'Updated ' + new Date().toLocaleTimeString();
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var es = new EventSource('/live');
  es.addEventListener('change', function (ev) {
    try { if (relevant(JSON.parse(ev.data))) refresh(); } catch (e) {}
  });
  es.onopen = function () { if (status) status.textContent = 'Live'; };
  es.onerror = function () { if (status) status.textContent = 'Reconnecting'; };
})();
"#;

/// A complete page.
pub(crate) fn page(title: &str, portal: &str, live: Live<'_>, main: Markup) -> Markup {
    let (scope, key) = match live {
        Live::All => (Some("all"), ""),
        Live::Customer(c) => (Some("customer"), c),
        Live::Invoice(i) => (Some("invoice"), i),
        Live::Off => (None, ""),
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (portal) }
                @if scope.is_some() {
                    // Without script the page still refreshes itself.
                    noscript { meta http-equiv="refresh" content="30"; }
                }
                style { (PreEscaped(css())) }
            }
            body data-live=[scope] data-live-key=(key) {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    div.wrap {
                        a href="/" { span.logo aria-hidden="true" {} (portal) }
                        @if scope.is_some() {
                            span.livebadge id="live-status" role="status" aria-live="polite" { "Live" }
                        }
                    }
                }
                div.wrap {
                    main id="main" { (main) }
                    footer.foot {
                        "Invoice statuses are updated automatically from our accounting and payment systems."
                    }
                }
                @if scope.is_some() {
                    script { (PreEscaped(SCRIPT)) }
                }
            }
        }
    }
}
