#![no_main]
//! The relay's config parser (`examples/relay/src/config`, `Settings::parse`) on arbitrary
//! text, then building every enabled source's connector from it: never panics, whatever
//! the file says. The relay is a binary crate, so its `config` module is compiled in here
//! from its source file (it depends only on invoice-core and external crates).
#![allow(dead_code, unused_imports)]

use libfuzzer_sys::fuzz_target;

#[path = "../../examples/relay/src/config/mod.rs"]
mod config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // INVOICE_RELAY_* overrides go through this lookup (a fixed value for two names,
    // nothing for the rest); `env:NAME` values read the process environment, where the
    // names a fuzzer invents are unset (an error the parser must report, not panic on).
    let env = |name: &str| match name {
        "INVOICE_RELAY_FUZZ_SECRET" => Some("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned()),
        "INVOICE_RELAY_LISTEN" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    };
    let path = std::path::Path::new("fuzz.toml");
    let Ok(settings) = config::Settings::parse(path, text, &env) else {
        return;
    };
    let mut registry = invoice_core::registry::ConnectorRegistry::new();
    invoice_connectors::register_all(&mut registry);
    let _ = settings.build_connectors(&registry);
    let _ = format!("{settings:?}");
});
