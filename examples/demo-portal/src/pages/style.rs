//! The portal's stylesheet (inline in every page). Colour pairs meet WCAG AA (4.5:1) for
//! normal text; status badges carry words, never colour alone.

pub(crate) const BASE_CSS: &str = r#"
:root {
  --bg: #f4f6f8; --card: #ffffff; --ink: #111827; --muted: #4b5563; --line: #d9dee5;
  --brand: #0f2a44; --brand-ink: #ffffff; --link: #1d4ed8; --focus: #f59e0b;
  --red: #991b1b; --red-bg: #fee2e2;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--link); text-underline-offset: 2px; }
a:focus-visible, button:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 10; }
header.top { background: var(--brand); color: var(--brand-ink); }
header.top .wrap { display: flex; align-items: center; justify-content: space-between; gap: 12px; padding-top: 14px; padding-bottom: 14px; }
header.top a { color: var(--brand-ink); text-decoration: none; font-weight: 650; font-size: 1.1rem; }
.logo { display: inline-block; width: 26px; height: 26px; border-radius: 6px; background: #38bdf8; margin-right: 10px; vertical-align: -6px; }
.livebadge { font-size: .85rem; color: #e5edf5; white-space: nowrap; }
.livebadge::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: #4ade80; margin-right: 6px; vertical-align: 1px; }
.wrap { max-width: 1080px; margin: 0 auto; padding: 0 20px; }
main { padding: 24px 0 48px; }
h1 { font-size: 1.65rem; line-height: 1.25; margin: 4px 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 12px; }
.sub { color: var(--muted); margin: 0 0 20px; }
.crumbs { font-size: .9rem; color: var(--muted); margin-bottom: 6px; }
.crumbs a { color: var(--link); }
.crumbs span[aria-hidden] { margin: 0 6px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(210px, 1fr)); gap: 14px; margin: 18px 0 8px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; }
.card .label { color: var(--muted); font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; font-weight: 600; }
.card .value { font-size: 1.35rem; font-weight: 650; margin-top: 4px; font-variant-numeric: tabular-nums; }
.card .value.small { font-size: 1rem; }
.card.alert { border-color: #fca5a5; background: #fff7f7; }
.card.alert .value { color: var(--red); }
.filters { display: flex; flex-wrap: wrap; gap: 8px; margin: 18px 0 14px; padding: 0; list-style: none; }
.filters a { display: inline-block; padding: 6px 12px; border: 1px solid var(--line); border-radius: 999px; background: var(--card);
  color: var(--ink); text-decoration: none; font-size: .9rem; }
.filters a[aria-current="page"] { background: var(--brand); border-color: var(--brand); color: #fff; }
.filters .count { color: inherit; opacity: .8; margin-left: 4px; }
table.list { width: 100%; border-collapse: separate; border-spacing: 0; background: var(--card); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
table.list th, table.list td { padding: 12px 14px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: middle; }
table.list tr:last-child td { border-bottom: 0; }
table.list th { background: #eef1f5; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: #374151; }
table.list td.num, table.list th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.list tbody tr:hover { background: #f8fafc; }
.muted { color: var(--muted); }
.amounts { display: inline-flex; flex-direction: column; align-items: flex-end; }
.card .amounts { align-items: flex-start; }
.nowrap { white-space: nowrap; }
.badge { display: inline-block; padding: 3px 10px; border-radius: 999px; font-size: .82rem; font-weight: 650; white-space: nowrap; border: 1px solid transparent; }
.empty { background: var(--card); border: 1px dashed var(--line); border-radius: 10px; padding: 28px; text-align: center; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 14px; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 18px; margin: 18px 0; }
dl.facts div { min-width: 0; }
dl.facts dt { color: var(--muted); font-size: .85rem; }
dl.facts dd { margin: 2px 0 0; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 22px; border-left: 2px solid var(--line); }
ol.timeline li { position: relative; background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; margin: 0 0 12px; }
ol.timeline li::before { content: ""; position: absolute; left: -30px; top: 18px; width: 12px; height: 12px; border-radius: 50%; background: var(--brand); border: 2px solid var(--bg); }
ol.timeline li.stale { background: #fafafa; border-style: dashed; }
ol.timeline li.stale::before { background: #9ca3af; }
.tl-head { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 6px 16px; align-items: baseline; }
.tl-title { font-weight: 650; }
.tl-meta { color: var(--muted); font-size: .9rem; }
.tl-body { margin-top: 6px; display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; font-size: .92rem; }
.note { font-size: .88rem; color: #78350f; background: #fffbeb; border: 1px solid #fcd34d; border-radius: 6px; padding: 2px 8px; }
footer.foot { color: var(--muted); font-size: .85rem; padding: 0 0 32px; }
@media (max-width: 640px) {
  h1 { font-size: 1.35rem; }
  .wrap { padding: 0 14px; }
  table.list, table.list tbody, table.list tr, table.list td { display: block; width: 100%; }
  table.list thead { position: absolute; left: -9999px; }
  table.list { border: 0; background: transparent; }
  table.list tr { background: var(--card); border: 1px solid var(--line); border-radius: 10px; margin-bottom: 12px; padding: 6px 0; }
  table.list td { border: 0; padding: 6px 14px; display: flex; justify-content: space-between; align-items: center; gap: 12px; text-align: right; }
  table.list td.num { text-align: right; }
  table.list td::before { content: attr(data-label); color: var(--muted); font-size: .85rem; text-align: left; font-weight: 600; }
  table.list td.primary { font-size: 1.05rem; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
  .card { padding: 12px 12px; }
  .card .value { font-size: 1.05rem; }
  .card.count { grid-column: 1 / -1; display: flex; align-items: baseline; gap: 10px; }
  .card.count .value { margin: 0; }
  dl.facts { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
"#;

/// Status badge colours: (status word, background, text, border). Text on background is
/// at least 4.5:1 (tested below).
pub(crate) const BADGES: &[(&str, &str, &str, &str)] = &[
    ("paid", "#dcfce7", "#14532d", "#86efac"),
    ("open", "#dbeafe", "#1e3a8a", "#93c5fd"),
    ("partially_paid", "#fef3c7", "#78350f", "#fcd34d"),
    ("overdue", "#fee2e2", "#7f1d1d", "#fca5a5"),
    ("disputed", "#f3e8ff", "#581c87", "#d8b4fe"),
    ("void", "#f1f5f9", "#334155", "#cbd5e1"),
    ("refunded", "#ccfbf1", "#134e4a", "#5eead4"),
    ("partially_refunded", "#ccfbf1", "#134e4a", "#5eead4"),
    ("draft", "#f1f5f9", "#475569", "#cbd5e1"),
    ("uncollectible", "#e5e7eb", "#1f2937", "#9ca3af"),
    ("other", "#e5e7eb", "#1f2937", "#9ca3af"),
];

/// Other text/background pairs the pages use: (what, background, text).
#[cfg(test)]
const TEXT_PAIRS: &[(&str, &str, &str)] = &[
    ("body text", "#f4f6f8", "#111827"),
    ("muted on page", "#f4f6f8", "#4b5563"),
    ("muted on card", "#ffffff", "#4b5563"),
    ("link on card", "#ffffff", "#1d4ed8"),
    ("link on page", "#f4f6f8", "#1d4ed8"),
    ("header", "#0f2a44", "#ffffff"),
    ("live badge", "#0f2a44", "#e5edf5"),
    ("overdue card", "#fff7f7", "#991b1b"),
    ("table head", "#eef1f5", "#374151"),
    ("late note", "#fffbeb", "#78350f"),
    ("active filter", "#0f2a44", "#ffffff"),
];

/// The whole stylesheet: the base rules and one rule per badge.
pub(crate) fn css() -> String {
    let mut out = String::from(BASE_CSS);
    for (word, bg, fg, border) in BADGES {
        out.push_str(&format!(
            ".b-{word} {{ background: {bg}; color: {fg}; border-color: {border}; }}\n"
        ));
    }
    out.push_str(".b-void { text-decoration: line-through; }\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        let ch = |shift: u32| {
            let c = f64::from((v >> shift) & 0xff) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(16) + 0.7152 * ch(8) + 0.0722 * ch(0)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn wcag_aa_contrast_for_every_badge_and_text_colour() {
        assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        for (word, bg, fg, _) in BADGES {
            let c = contrast(bg, fg);
            assert!(c >= 4.5, "badge {word}: {c:.2}");
        }
        for (what, bg, fg) in TEXT_PAIRS {
            let c = contrast(bg, fg);
            assert!(c >= 4.5, "{what}: {c:.2}");
        }
    }

    #[test]
    fn every_status_word_has_a_badge_colour() {
        for (word, _) in crate::pages::format::STATUSES {
            assert!(BADGES.iter().any(|b| b.0 == *word), "{word}");
        }
        assert!(css().contains(".b-overdue {"));
    }
}
