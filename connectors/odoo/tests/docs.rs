//! `docs/platforms/odoo.md` shows the shipped module exactly, so the guide and the tested
//! code cannot drift apart.

#[test]
fn setup_guide_shows_the_shipped_module_verbatim() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let guide = std::fs::read_to_string(format!("{dir}/../../docs/platforms/odoo.md"))
        .expect("guide readable");
    for file in ["__manifest__.py", "models/invoice_relay.py"] {
        let code = std::fs::read_to_string(format!("{dir}/scripts/invoice_relay/{file}"))
            .expect("module readable");
        assert!(
            guide.contains(&format!("```python\n{code}```")),
            "docs/platforms/odoo.md does not contain {file} verbatim"
        );
    }
}
