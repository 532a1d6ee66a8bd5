use super::*;

fn parse(text: &str) -> Result<Settings, ConfigError> {
    Settings::parse(Path::new("relay.toml"), text, &|_| None)
}

const FULL: &str = r#"
[server]
listen = "127.0.0.1:0"
max_body_bytes = 4096

[store]
kind = "sqlite"
path = "x.db"

[portal]
url = "http://127.0.0.1:9000/invoice-events"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
secrets = ["whsec_b2xkc2VjcmV0b2xkc2VjcmV0"]

[delivery]
max_attempts = 3
first_backoff = "1s"
max_backoff = "1m"
timeout = "2s"
concurrency = 4

[overdue]
after_days = 30
levels = [1, 60]
grace_days = 2
time_zone = "Europe/Berlin"

[clock]
offset = "-30d"

[sources.stripe]
secrets = ["whsec_abc"]
tolerance_seconds = 300

[sources.odoo]
url_tokens = ["0123456789abcdef0123"]
secrets = []
"#;

#[test]
fn full_file_validates() {
    let s = parse(FULL).unwrap();
    assert_eq!(s.listen.port(), 0);
    assert_eq!(s.max_body_bytes, 4096);
    assert!(matches!(s.store, StoreSettings::Sqlite(ref p) if p == Path::new("x.db")));
    assert_eq!(s.portal.as_ref().unwrap().secrets.len(), 2);
    assert_eq!(s.delivery.policy.max_attempts, 3);
    assert_eq!(s.delivery.concurrency, 4);
    assert_eq!(s.overdue.levels(), &[1, 30, 60]);
    assert_eq!(s.overdue.grace_days, 2);
    assert_eq!(s.clock, ClockSetting::Offset(chrono::Duration::days(-30)));
    assert_eq!(s.sources.len(), 2);
    let odoo = s
        .sources
        .iter()
        .find(|x| x.platform == invoice_core::Platform::Odoo)
        .unwrap();
    assert_eq!(odoo.url_tokens.len(), 1);
    assert!(
        odoo.config.get("url_tokens").is_none(),
        "url_tokens is stripped"
    );
    assert!(odoo.config.get("secrets").is_some());
}

#[test]
fn unknown_keys_are_named_with_their_line() {
    let e = parse("[server]\nlisten = \"127.0.0.1:1\"\nlisen = \"x\"\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("lisen"), "{e}");
    assert!(e.to_string().starts_with("relay.toml:3"), "{e}");

    let e = parse("[portal]\nurl = \"http://x\"\nsecret = \"s\"\n[colour]\n").unwrap_err();
    assert!(e.message.contains("colour"), "{e}");
    assert_eq!(e.line, Some(4), "{e}");
}

#[test]
fn unknown_source_and_bad_values_name_line() {
    let e = parse("\n[sources.strype]\nsecrets = []\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("strype"), "{e}");

    let e = parse("[delivery]\nfirst_backoff = \"soon\"\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");

    let e = parse("[server]\n\nlisten = \"nowhere\"\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");

    let e = parse("[clock]\nnow = \"yesterday\"\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn env_values_resolve_and_missing_ones_name_the_variable_not_a_value() {
    std::env::set_var("INVOICE_RELAY_TEST_PORTAL_SECRET", "whsec_fromenv");
    let s = parse(
        "[portal]\nurl = \"http://127.0.0.1:1/x\"\nsecret = \"env:INVOICE_RELAY_TEST_PORTAL_SECRET\"\n",
    )
    .unwrap();
    assert_eq!(s.portal.unwrap().secrets[0].expose(), b"whsec_fromenv");

    let e = parse(
        "[portal]\nurl = \"http://127.0.0.1:1/x\"\nsecret = \"env:INVOICE_RELAY_TEST_NOPE\"\n",
    )
    .unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("INVOICE_RELAY_TEST_NOPE"), "{e}");

    let e = parse("[sources.stripe]\nsecrets = [\"env:INVOICE_RELAY_TEST_NOPE2\"]\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("INVOICE_RELAY_TEST_NOPE2"), "{e}");
}

#[test]
fn environment_overrides_win() {
    let env = |name: &str| match name {
        "INVOICE_RELAY_LISTEN" => Some("127.0.0.1:9999".to_owned()),
        "INVOICE_RELAY_PORTAL_URL" => Some("http://127.0.0.1:7/p".to_owned()),
        "INVOICE_RELAY_STORE_KIND" => Some("memory".to_owned()),
        _ => None,
    };
    let s = Settings::parse(Path::new("r.toml"), FULL, &env).unwrap();
    assert_eq!(s.listen.port(), 9999);
    assert_eq!(s.portal.unwrap().url, "http://127.0.0.1:7/p");
    assert!(matches!(s.store, StoreSettings::Memory));
}

#[test]
fn secrets_never_print() {
    let s = parse(FULL).unwrap();
    let dbg = format!("{s:?}");
    assert!(!dbg.contains("whsec_MfKQ"), "{dbg}");
    assert!(!dbg.contains("whsec_abc"), "{dbg}");
    assert!(!dbg.contains("0123456789abcdef"), "{dbg}");
}

#[test]
fn postgres_needs_url_and_sqlite_refuses_it() {
    let e = parse("[store]\nkind = \"postgres\"\n").unwrap_err();
    assert!(e.message.contains("url"), "{e}");
    let e = parse("[store]\nkind = \"sqlite\"\nurl = \"postgres://x\"\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    let e = parse("[store]\nkind = \"mysql\"\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn short_url_tokens_are_refused() {
    let e = parse("[sources.odoo]\nurl_tokens = [\"short\"]\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
}

#[test]
fn disabled_sources_are_left_out() {
    let s = parse("[sources.stripe]\nenabled = false\nsecrets = []\n").unwrap();
    assert!(s.sources.is_empty());
}

#[test]
fn correlation_rules_parse() {
    let s = parse(
        "[[correlation]]\nfrom = \"paypal\"\nto_platform = \"stripe\"\nto_tenant = \"acct_1\"\nmatch = \"invoice_number\"\n\n[[correlation]]\nfrom = \"stripe\"\nto_platform = \"xero\"\nto_tenant = \"t\"\nmatch = \"metadata_id\"\nfield = \"xero_invoice\"\n",
    )
    .unwrap();
    assert_eq!(s.correlation.len(), 2);
    assert_eq!(s.correlation[0].from, invoice_core::Platform::Paypal);
    assert_eq!(
        s.correlation[1].by,
        invoice_core::MatchBy::MetadataId("xero_invoice".into())
    );
    let e = parse("\n[[correlation]]\nfrom = \"paypal\"\nto_platform = \"stripe\"\nto_tenant = \"a\"\nmatch = \"metadata_id\"\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    let e = parse("[[correlation]]\nfrom = \"paypal\"\nto_platform = \"stripe\"\nto_tenant = \"a\"\nmatch = \"by_magic\"\n").unwrap_err();
    assert_eq!(e.line, Some(5), "{e}");
}
