//! Value types of the configuration file: strings that may be `env:NAME`, secrets,
//! durations (`"5s"`, `"6h"`) and signed offsets (`"-30d"`).

use std::fmt;
use std::time::Duration;

use invoice_core::Secret;
use serde::{Deserialize, Deserializer};

/// The prefix that makes a string value read from the environment.
pub const ENV_PREFIX: &str = "env:";

/// Resolves `env:NAME` to the variable's value; any other string is returned as is.
/// The error names the variable, never a value.
pub fn resolve_env(value: &str) -> Result<String, String> {
    match value.strip_prefix(ENV_PREFIX) {
        None => Ok(value.to_owned()),
        Some("") => Err("`env:` needs a variable name".to_owned()),
        Some(name) => std::env::var(name).map_err(|e| match e {
            std::env::VarError::NotPresent => {
                format!("environment variable `{name}` is not set")
            }
            std::env::VarError::NotUnicode(_) => {
                format!("environment variable `{name}` is not valid UTF-8")
            }
        }),
    }
}

/// A string value; `env:NAME` is replaced by the variable's value when the file is read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        resolve_env(&raw)
            .map(Text)
            .map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A secret value (`env:NAME` allowed); prints `[redacted]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretText(pub Secret);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        let value = resolve_env(&raw).map_err(serde::de::Error::custom)?;
        if value.is_empty() {
            return Err(serde::de::Error::custom("secret is empty"));
        }
        Ok(SecretText(Secret::new(value)))
    }
}

/// A duration written `"250ms"`, `"5s"`, `"15m"`, `"6h"`, `"2d"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationText(pub Duration);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Text::deserialize(d)?;
        parse_duration(&raw.0)
            .map(DurationText)
            .map_err(serde::de::Error::custom)
    }
}

/// Parses an unsigned duration (`"5s"`, `"6h"`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration like \"5s\", \"15m\" or \"6h\": {e}"))
}

/// Parses a signed offset (`"-30d"`, `"+2h"`, `"90m"`).
pub fn parse_offset(s: &str) -> Result<chrono::Duration, String> {
    let t = s.trim();
    let (negative, rest) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let d = parse_duration(rest)?;
    let d = chrono::Duration::from_std(d).map_err(|_| format!("offset `{s}` is too large"))?;
    Ok(if negative { -d } else { d })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_offsets() {
        assert_eq!(parse_duration("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("6h").unwrap(), Duration::from_secs(6 * 3600));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_offset("-30d").unwrap(), chrono::Duration::days(-30));
        assert_eq!(parse_offset("+2h").unwrap(), chrono::Duration::hours(2));
        assert!(parse_offset("-").is_err());
    }

    #[test]
    fn env_values_resolve_and_missing_names_the_variable() {
        std::env::set_var("INVOICE_RELAY_TEST_VALUE_RESOLVE", "whsec_x");
        assert_eq!(
            resolve_env("env:INVOICE_RELAY_TEST_VALUE_RESOLVE").unwrap(),
            "whsec_x"
        );
        assert_eq!(resolve_env("plain").unwrap(), "plain");
        let err = resolve_env("env:INVOICE_RELAY_TEST_SURELY_UNSET").unwrap_err();
        assert!(err.contains("INVOICE_RELAY_TEST_SURELY_UNSET"), "{err}");
    }
}
