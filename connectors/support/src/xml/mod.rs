//! A small, bounded, namespace-aware XML tree over quick-xml (the same idea as the Sage
//! Intacct connector's reader, with attributes), shared by the XML connectors (SOAP
//! envelopes and qbXML, OData V2 Atom responses, Workday Web Services XML).
//!
//! - A DOCTYPE is refused: no entity is declared or expanded; an undeclared `&name;` is an
//!   error. Nothing is fetched.
//! - Elements carry their namespace URI (an undeclared prefix is an error), so callers
//!   match by URI and local name, never by prefix.
//! - Bounded: [`MAX_XML_BYTES`], [`MAX_DEPTH`], [`MAX_ELEMENTS`], [`MAX_ATTRIBUTES`],
//!   [`MAX_TEXT`].
//! - Allocation-light: the [`Document`] is one flat arena of elements linked by index;
//!   names, text and attribute values borrow from the body unless they had to be
//!   unescaped or joined, and each namespace URI is stored once per document.

mod read;
mod tree;
mod unescape;

pub use read::parse;
pub use tree::{Children, Document, Element};

/// Largest document read.
pub const MAX_XML_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting read.
pub const MAX_DEPTH: usize = 24;
/// Most elements read.
pub const MAX_ELEMENTS: usize = 50_000;
/// Most attributes on one element (quick-xml's duplicate-attribute check is quadratic:
/// 50,000 attributes in one start tag took over a minute before this bound).
pub const MAX_ATTRIBUTES: usize = 256;
/// Longest text of one element, bytes.
pub const MAX_TEXT: usize = 128 * 1024;

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("xml: {0}")]
pub struct XmlError(pub String);

fn err(m: impl std::fmt::Display) -> XmlError {
    XmlError(m.to_string())
}
