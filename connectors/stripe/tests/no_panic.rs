//! No input panics the Stripe source: arbitrary bytes, and mutations of real fixtures
//! signed correctly so they reach the parser.
#![allow(missing_docs, clippy::unwrap_used)]

use invoice_connector_stripe::testing::fuzz_ingest;
use proptest::prelude::*;

fn fixture_bodies() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "http") {
            let raw = std::fs::read(&path).unwrap();
            let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            out.push(raw[split..].to_vec());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        fuzz_ingest(&data);
    }

    #[test]
    fn mutated_fixtures_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let bodies = fixture_bodies();
        let mut body = bodies[pick.index(bodies.len())].clone();
        for (at, byte) in edits {
            let i = at.index(body.len());
            body[i] = byte;
        }
        body.truncate(cut.index(body.len() + 1));
        let mut data = vec![0u8];
        data.extend_from_slice(&body);
        fuzz_ingest(&data);
    }
}
