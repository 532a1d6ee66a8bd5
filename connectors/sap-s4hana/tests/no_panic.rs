//! No input panics the SAP S/4HANA source: arbitrary bytes, and mutations of real fixtures
//! signed correctly so they reach the parser.
#![allow(missing_docs)]
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use invoice_connector_sap_s4hana::testing::fuzz_ingest;
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
        let mut data = vec![0u8];
        data.extend_from_slice(&body);
        fuzz_ingest(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn odata_readers_never_panic(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        invoice_connector_sap_s4hana::testing::fuzz_odata(&data);
    }

    #[test]
    fn mutated_api_fixtures_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/api");
        let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        let mut body = std::fs::read(&files[pick.index(files.len())]).unwrap();
        for (at, byte) in edits {
            let i = at.index(body.len());
            body[i] = byte;
        }
        invoice_connector_sap_s4hana::testing::fuzz_odata(&body);
    }
}
