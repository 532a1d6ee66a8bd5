#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    invoice_connectors::sap_s4hana::testing::fuzz_odata(data);
});
