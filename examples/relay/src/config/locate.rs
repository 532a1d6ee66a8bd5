//! Finding the line of a section or key in the raw text, for errors found after parsing
//! (a connector refusing its `[sources.<slug>]` table, a failed validation).

/// The 1-based line of the `[section]` header (`section` is dotted: `sources.stripe`), or
/// of the first dotted key that starts with it (`sources.stripe.secrets = ...`).
pub fn section_line(text: &str, section: &str) -> Option<usize> {
    let quoted = quoted_path(section);
    text.lines().enumerate().find_map(|(i, raw)| {
        let line = strip_comment(raw).trim();
        let header = line
            .strip_prefix('[')
            .and_then(|l| l.strip_suffix(']'))
            .map(|h| {
                h.trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .trim()
            });
        let hit = match header {
            Some(h) => same_path(h, section) || same_path(h, &quoted),
            None => {
                line.starts_with(&format!("{section}.")) || line.starts_with(&format!("{quoted}."))
            }
        };
        hit.then_some(i + 1)
    })
}

/// The 1-based line where `key` is set inside `[section]` (or as `section.key`), else the
/// section's line.
pub fn key_line(text: &str, section: &str, key: &str) -> Option<usize> {
    let start = section_line(text, section)?;
    for (i, raw) in text.lines().enumerate().skip(start - 1) {
        let line = strip_comment(raw).trim();
        if i + 1 > start && line.starts_with('[') {
            break;
        }
        let lhs = line.split('=').next().unwrap_or("").trim();
        let last = lhs
            .rsplit('.')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        if line.contains('=') && last == key {
            return Some(i + 1);
        }
    }
    Some(start)
}

/// The first `` `name` `` quoted in a serde message (the offending key).
pub fn quoted_key(message: &str) -> Option<&str> {
    let start = message.find('`')? + 1;
    let len = message.get(start..)?.find('`')?;
    message.get(start..start + len)
}

fn quoted_path(section: &str) -> String {
    match section.split_once('.') {
        Some((a, b)) => format!("{a}.\"{b}\""),
        None => section.to_owned(),
    }
}

fn same_path(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.split('.').map(|p| p.trim()).collect::<Vec<_>>().join(".");
    norm(a) == norm(b)
}

fn strip_comment(line: &str) -> &str {
    // Good enough for locating keys: a `#` inside a quoted string is rare in keys.
    let mut in_str = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_str = !in_str,
            '#' if !in_str => return &line[..i],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "[server]\nlisten = \"x\"\n\n[sources.stripe]  # the reference\nsecrets = [\"a\"]\ncolour = 1\n\n[sources.\"google-sheets\"]\ntoken = 2\n";

    #[test]
    fn finds_sections_and_keys() {
        assert_eq!(section_line(TEXT, "sources.stripe"), Some(4));
        assert_eq!(key_line(TEXT, "sources.stripe", "colour"), Some(6));
        assert_eq!(key_line(TEXT, "sources.stripe", "missing"), Some(4));
        assert_eq!(section_line(TEXT, "sources.google-sheets"), Some(8));
        assert_eq!(section_line(TEXT, "sources.xero"), None);
    }

    #[test]
    fn quoted_key_reads_serde_messages() {
        assert_eq!(
            quoted_key("unknown field `colour`, expected one of `secrets`"),
            Some("colour")
        );
        assert_eq!(quoted_key("no key here"), None);
    }
}
