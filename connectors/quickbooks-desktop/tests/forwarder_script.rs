//! The shipped forwarder script: the guide embeds it verbatim, and it signs exactly as the
//! relay verifies (run with `python3` when present on the machine).
#![allow(clippy::unwrap_used)] // tests: a panic is the failure report

use std::path::PathBuf;
use std::process::Command;

use invoice_connector_quickbooks_desktop::testing::FIXTURE_SECRET;
use invoice_connector_quickbooks_desktop::verify::sign_header;
use invoice_core::Secret;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_guide_embeds_the_script_verbatim() {
    let script = std::fs::read_to_string(root().join("scripts/qbd_event_forwarder.py")).unwrap();
    let guide =
        std::fs::read_to_string(root().join("../../docs/platforms/quickbooks-desktop.md")).unwrap();
    assert!(
        guide.contains(&script),
        "docs/platforms/quickbooks-desktop.md is out of date"
    );
}

#[test]
fn the_script_signs_like_the_relay() {
    let body = b"<?xml version=\"1.0\"?>\r\n<QBXML><QBXMLEvents/></QBXML>\r\n";
    let dir = std::env::temp_dir().join(format!("qbd-forwarder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("body.xml");
    std::fs::write(&file, body).unwrap();
    let out = Command::new("python3")
        .arg(root().join("scripts/qbd_event_forwarder.py"))
        .arg("--sign-only")
        .arg(&file)
        .env("INVOICE_RELAY_SECRET", FIXTURE_SECRET)
        .env("SIGN_AT", "1768411195")
        .output();
    let expected = sign_header(&Secret::new(FIXTURE_SECRET), 1_768_411_195, body);
    match out {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected);
        }
        Err(e) => {
            // No python3 here: check the signing line is the documented scheme instead.
            eprintln!("python3 not runnable ({e}); checking the script text only");
            let script =
                std::fs::read_to_string(root().join("scripts/qbd_event_forwarder.py")).unwrap();
            assert!(script.contains("str(t).encode() + b\".\" + body, hashlib.sha256"));
        }
    }
}
