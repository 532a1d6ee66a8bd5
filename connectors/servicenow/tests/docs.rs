//! `docs/platforms/servicenow.md` shows the shipped scripts exactly, so the guide and the
//! tested scripts cannot drift apart.

#[test]
fn setup_guide_shows_the_shipped_scripts_verbatim() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let guide = std::fs::read_to_string(format!("{dir}/../../docs/platforms/servicenow.md"))
        .expect("guide readable");
    for name in [
        "invoice_relay_include.js",
        "invoice_relay_rule.js",
        "invoice_relay_resync.js",
    ] {
        let script =
            std::fs::read_to_string(format!("{dir}/scripts/{name}")).expect("script readable");
        assert!(
            guide.contains(&format!("```js\n{script}```")),
            "docs/platforms/servicenow.md does not contain scripts/{name} verbatim"
        );
    }
}
