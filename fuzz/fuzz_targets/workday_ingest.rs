#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invoice_connectors::workday::testing::fuzz_ingest(data);
});
