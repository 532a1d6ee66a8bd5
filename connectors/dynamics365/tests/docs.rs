//! `docs/platforms/dynamics365.md` shows the shipped flow definition exactly, so the guide
//! and the tested flow cannot drift apart.

#[test]
fn setup_guide_shows_the_shipped_flow_verbatim() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let flow = std::fs::read_to_string(format!("{dir}/scripts/invoice-relay-flow.json"))
        .expect("flow readable");
    let guide = std::fs::read_to_string(format!("{dir}/../../docs/platforms/dynamics365.md"))
        .expect("guide readable");
    assert!(
        guide.contains(&format!("```json\n{flow}```")),
        "docs/platforms/dynamics365.md does not contain scripts/invoice-relay-flow.json verbatim"
    );
}
