//! Configuration errors: every one names the file and, where it can be found, the line.

use std::fmt;
use std::path::PathBuf;

/// Why a configuration file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `<environment>` for overrides).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What is wrong. Never contains a secret value.
    pub message: String,
}

impl ConfigError {
    /// An error at a place in `file`.
    pub fn at(file: impl Into<PathBuf>, line: Option<usize>, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.into(),
            line,
            column: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Converts a `toml` deserialisation error, keeping its position and its message (which
/// names the offending key).
pub fn from_toml(file: &std::path::Path, text: &str, err: &toml::de::Error) -> ConfigError {
    let (line, column) = match err.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            (Some(l), Some(c))
        }
        None => (None, None),
    };
    ConfigError {
        file: file.to_path_buf(),
        line,
        column,
        message: err.message().trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 8), (2, 3));
        assert_eq!(line_col(t, 999), (3, 1));
    }

    #[test]
    fn display_names_file_and_line() {
        let e = ConfigError {
            file: "relay.toml".into(),
            line: Some(4),
            column: Some(1),
            message: "unknown field `lisen`".into(),
        };
        assert_eq!(e.to_string(), "relay.toml:4:1: unknown field `lisen`");
    }
}
