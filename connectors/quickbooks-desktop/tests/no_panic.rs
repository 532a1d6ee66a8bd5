//! No input panics the QuickBooks Desktop source: arbitrary bytes, and mutations of real fixtures
//! signed correctly so they reach the parser.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use invoice_connector_quickbooks_desktop::testing::fuzz_ingest;
use invoice_connector_support::testing::{fixture_bodies, mutated};
use proptest::prelude::*;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

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
        let body = mutated(&fixture_bodies(FIXTURES).unwrap(), pick, &edits, cut);
        for mode in [0u8, 3] {
            let mut data = vec![mode];
            data.extend_from_slice(&body);
            fuzz_ingest(&data);
        }
    }
}
