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

use std::sync::Arc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

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

/// One element: namespace URI, local name, text content and children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Namespace URI, if the element is in one.
    pub ns: Option<Arc<str>>,
    /// Local name.
    pub name: String,
    /// Concatenated text and CDATA directly inside the element, trimmed.
    pub text: String,
    /// Attributes: (namespace URI, local name, unescaped value). `xmlns` declarations are
    /// not attributes here.
    pub attrs: Vec<(Option<Arc<str>>, String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name` in namespace `ns` (`None`: no namespace).
    pub fn child(&self, ns: Option<&str>, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.ns.as_deref() == ns && c.name == name)
    }

    /// The value of the attribute `name` in namespace `ns` (`None`: no namespace).
    pub fn attr(&self, ns: Option<&str>, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, l, _)| n.as_deref() == ns && l == name)
            .map(|(_, _, v)| v.as_str())
    }

    /// Children named `name` in namespace `ns`.
    pub fn children_named<'a>(
        &'a self,
        ns: Option<&'a str>,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| c.ns.as_deref() == ns && c.name == name)
    }

    /// The text of the first child `name` in `ns`, if present and not blank.
    pub fn child_text(&self, ns: Option<&str>, name: &str) -> Option<&str> {
        self.child(ns, name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }
}

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("xml: {0}")]
pub struct XmlError(pub String);

fn err(m: impl std::fmt::Display) -> XmlError {
    XmlError(m.to_string())
}

/// Parses `body` into its root element.
///
/// ```
/// use invoice_connector_support::xml::parse;
/// let root = parse(br#"<a:x xmlns:a="urn:t"><y>1</y></a:x>"#).unwrap();
/// assert_eq!((root.ns.as_deref(), root.name.as_str()), (Some("urn:t"), "x"));
/// assert_eq!(root.child_text(None, "y"), Some("1"));
/// assert!(parse(b"<!DOCTYPE x [<!ENTITY e \"e\">]><x>&e;</x>").is_err());
/// ```
pub fn parse(body: &[u8]) -> Result<Element, XmlError> {
    if body.len() > MAX_XML_BYTES {
        return Err(err(format!("body over {MAX_XML_BYTES} bytes")));
    }
    let text = std::str::from_utf8(body).map_err(|_| err("body is not UTF-8"))?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    let mut names = Namespaces::default();
    loop {
        match reader.read_event().map_err(err)? {
            Event::Start(e) => {
                let el = open(
                    &reader,
                    &e,
                    stack.len(),
                    &mut count,
                    root.is_some(),
                    &mut names,
                )?;
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = open(
                    &reader,
                    &e,
                    stack.len(),
                    &mut count,
                    root.is_some(),
                    &mut names,
                )?;
                close(el, &mut stack, &mut root);
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| err("unbalanced end tag"))?;
                close(el, &mut stack, &mut root);
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(err)?;
                push_text(&mut stack, &s)?;
            }
            Event::CData(c) => {
                let raw = c.into_inner();
                let s = std::str::from_utf8(&raw).map_err(|_| err("CDATA is not UTF-8"))?;
                push_text(&mut stack, s)?;
            }
            Event::DocType(_) => {
                return Err(err("DOCTYPE is refused (no DTDs or entity declarations)"))
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(err("document ends early"));
    }
    root.ok_or_else(|| err("no root element"))
}

fn open(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'_>,
    depth: usize,
    count: &mut usize,
    have_root: bool,
    names: &mut Namespaces,
) -> Result<Element, XmlError> {
    if depth == 0 && have_root {
        return Err(err("more than one root element"));
    }
    if depth >= MAX_DEPTH {
        return Err(err(format!("elements nested deeper than {MAX_DEPTH}")));
    }
    *count += 1;
    if *count > MAX_ELEMENTS {
        return Err(err(format!("more than {MAX_ELEMENTS} elements")));
    }
    let (ns, local) = reader.resolve_element(e.name());
    let ns = match ns {
        ResolveResult::Bound(n) => Some(names.get(n.as_ref())),
        ResolveResult::Unbound => None,
        ResolveResult::Unknown(p) => {
            return Err(err(format!(
                "undeclared namespace prefix `{}`",
                String::from_utf8_lossy(&p)
                    .chars()
                    .take(40)
                    .collect::<String>()
            )))
        }
    };
    let mut attrs = Vec::new();
    for (i, a) in e.attributes().enumerate() {
        if i >= MAX_ATTRIBUTES {
            return Err(err(format!(
                "more than {MAX_ATTRIBUTES} attributes on one element"
            )));
        }
        let a = a.map_err(err)?;
        let key = a.key;
        if key.as_ref() == b"xmlns" || key.as_ref().starts_with(b"xmlns:") {
            continue;
        }
        let (ans, alocal) = reader.resolve_attribute(key);
        let ans = match ans {
            ResolveResult::Bound(n) => Some(names.get(n.as_ref())),
            ResolveResult::Unbound => None,
            ResolveResult::Unknown(_) => return Err(err("undeclared attribute prefix")),
        };
        let value = a.unescape_value().map_err(err)?.into_owned();
        if value.len() > MAX_TEXT || attrs.len() >= 32 {
            return Err(err("attribute too long or too many attributes"));
        }
        attrs.push((
            ans,
            String::from_utf8_lossy(alocal.as_ref()).into_owned(),
            value,
        ));
    }
    Ok(Element {
        ns,
        name: String::from_utf8_lossy(local.as_ref()).into_owned(),
        text: String::new(),
        attrs,
        children: Vec::new(),
    })
}

/// The namespace names seen in one document, shared by every element bound to them (a
/// document names a handful; past [`Namespaces::KEPT`] distinct names, each is allocated).
#[derive(Default)]
struct Namespaces(Vec<Arc<str>>);

impl Namespaces {
    const KEPT: usize = 16;

    fn get(&mut self, name: &[u8]) -> Arc<str> {
        if let Some(n) = self.0.iter().find(|n| n.as_bytes() == name) {
            return Arc::clone(n);
        }
        let n: Arc<str> = Arc::from(String::from_utf8_lossy(name));
        if self.0.len() < Self::KEPT {
            self.0.push(Arc::clone(&n));
        }
        n
    }
}

fn close(mut el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    let trimmed = el.text.trim();
    if trimmed.len() != el.text.len() {
        el.text = trimmed.to_owned();
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn push_text(stack: &mut [Element], s: &str) -> Result<(), XmlError> {
    let Some(top) = stack.last_mut() else {
        // Text outside the root may only be whitespace.
        return if s.trim().is_empty() {
            Ok(())
        } else {
            Err(err("text outside the root element"))
        };
    };
    if top.text.len() + s.len() > MAX_TEXT {
        return Err(err(format!("a value is longer than {MAX_TEXT} bytes")));
    }
    // Leading whitespace (the indentation before a first child) would be trimmed at the
    // close anyway: not copied.
    if top.text.is_empty() && s.trim().is_empty() {
        return Ok(());
    }
    top.text.push_str(s);
    Ok(())
}
