//! Helpers for the connectors' no-panic property tests (feature `testing`).

use proptest::sample::Index;

/// The bodies (everything after the first blank line) of the `.http` fixtures in `dir`,
/// in directory order.
pub fn fixture_bodies(dir: &str) -> std::io::Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "http") {
            let raw = std::fs::read(&path)?;
            let split = raw
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .ok_or_else(|| std::io::Error::other(format!("{path:?}: no blank line")))?;
            out.push(raw.get(split + 4..).unwrap_or_default().to_vec());
        }
    }
    Ok(out)
}

/// The body `pick` chooses from `bodies` (empty if there is none), with each
/// `(position, byte)` edit applied, then cut at `cut`.
pub fn mutated(bodies: &[Vec<u8>], pick: Index, edits: &[(Index, u8)], cut: Index) -> Vec<u8> {
    if bodies.is_empty() {
        return Vec::new();
    }
    let mut body = pick.get(bodies).clone();
    for (at, byte) in edits {
        if !body.is_empty() {
            let i = at.index(body.len());
            if let Some(b) = body.get_mut(i) {
                *b = *byte;
            }
        }
    }
    body.truncate(cut.index(body.len() + 1));
    body
}
