//! `docs/platforms/netsuite.md` shows the shipped script exactly, so the guide and
//! the tested script cannot drift apart.

#[test]
fn setup_guide_shows_the_shipped_script_verbatim() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let script = std::fs::read_to_string(format!("{dir}/scripts/invoice_relay_ue.js"))
        .expect("script readable");
    let guide = std::fs::read_to_string(format!("{dir}/../../docs/platforms/netsuite.md"))
        .expect("guide readable");
    assert!(
        guide.contains(&format!("```js\n{script}```")),
        "docs/platforms/netsuite.md does not contain scripts/invoice_relay_ue.js verbatim"
    );
}
