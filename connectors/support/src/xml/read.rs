//! Reading a body into a [`Document`], enforcing every bound of the module.

use std::borrow::Cow;
use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, QName, ResolveResult};
use quick_xml::{NsReader, Reader};

use super::tree::{Attr, Document, Node, NONE};
use super::unescape::unescape;
use super::{err, XmlError, MAX_ATTRIBUTES, MAX_DEPTH, MAX_ELEMENTS, MAX_TEXT, MAX_XML_BYTES};

/// Parses `body` into a document (its root is [`Document::root`]).
///
/// ```
/// use invoice_connector_support::xml::parse;
/// let doc = parse(br#"<a:x xmlns:a="urn:t"><y>1</y></a:x>"#).unwrap();
/// let root = doc.root();
/// assert_eq!((root.ns(), root.name()), (Some("urn:t"), "x"));
/// assert_eq!(root.child_text(None, "y"), Some("1"));
/// assert!(parse(b"<!DOCTYPE x [<!ENTITY e \"e\">]><x>&e;</x>").is_err());
/// ```
pub fn parse(body: &[u8]) -> Result<Document<'_>, XmlError> {
    if body.len() > MAX_XML_BYTES {
        return Err(err(format!("body over {MAX_XML_BYTES} bytes")));
    }
    let text = std::str::from_utf8(body).map_err(|_| err("body is not UTF-8"))?;
    // A document that declares no namespace (qbXML) resolves every name the same way
    // whatever its depth: read without keeping namespace scopes per start tag.
    if text.contains("xmlns") {
        build(NsReader::from_str(text), text)
    } else {
        build(NoNamespaces(Reader::from_str(text)), text)
    }
}

/// How names are read: quick-xml's `NsReader`, or [`NoNamespaces`].
trait Names<'a> {
    /// The next event.
    fn next(&mut self) -> quick_xml::Result<Event<'a>>;
    /// An element name's namespace and local name.
    fn element<'n>(&self, name: QName<'n>) -> (ResolveResult<'_>, &'n [u8]);
    /// An attribute name's namespace and local name.
    fn attribute<'n>(&self, name: QName<'n>) -> (ResolveResult<'_>, &'n [u8]);
}

impl<'a> Names<'a> for NsReader<&'a [u8]> {
    fn next(&mut self) -> quick_xml::Result<Event<'a>> {
        self.read_event()
    }
    fn element<'n>(&self, name: QName<'n>) -> (ResolveResult<'_>, &'n [u8]) {
        let (ns, local) = self.resolve_element(name);
        (ns, local.into_inner())
    }
    fn attribute<'n>(&self, name: QName<'n>) -> (ResolveResult<'_>, &'n [u8]) {
        let (ns, local) = self.resolve_attribute(name);
        (ns, local.into_inner())
    }
}

/// A plain reader for a document with no `xmlns` anywhere in it, resolving names as
/// `NsReader` does when nothing is declared: only the reserved `xml` and `xmlns`
/// prefixes are bound, an unprefixed name is unbound (no default namespace), any other
/// prefix is unknown (`resolve_same_as_ns_reader_without_declarations` checks this).
struct NoNamespaces<'a>(Reader<&'a [u8]>);

/// The namespace the `xml` prefix is bound to by definition.
const XML_NAMESPACE: &[u8] = b"http://www.w3.org/XML/1998/namespace";
/// The namespace the `xmlns` prefix is bound to by definition.
const XMLNS_NAMESPACE: &[u8] = b"http://www.w3.org/2000/xmlns/";

impl NoNamespaces<'_> {
    /// `QName::decompose` (split at the first `:`) with a plain loop: names are short,
    /// and a `memchr` call costs more than the search itself.
    fn resolve<'n>(name: QName<'n>) -> (ResolveResult<'static>, &'n [u8]) {
        let raw = name.into_inner();
        let Some(colon) = raw.iter().position(|&b| b == b':') else {
            return (ResolveResult::Unbound, raw);
        };
        let (prefix, local) = (&raw[..colon], &raw[colon + 1..]);
        let ns = match prefix {
            b"xml" => ResolveResult::Bound(Namespace(XML_NAMESPACE)),
            b"xmlns" => ResolveResult::Bound(Namespace(XMLNS_NAMESPACE)),
            p => ResolveResult::Unknown(p.to_vec()),
        };
        (ns, local)
    }
}

impl<'a> Names<'a> for NoNamespaces<'a> {
    fn next(&mut self) -> quick_xml::Result<Event<'a>> {
        self.0.read_event()
    }
    fn element<'n>(&self, name: QName<'n>) -> (ResolveResult<'_>, &'n [u8]) {
        Self::resolve(name)
    }
    fn attribute<'n>(&self, name: QName<'n>) -> (ResolveResult<'_>, &'n [u8]) {
        Self::resolve(name)
    }
}

fn build<'a, R: Names<'a>>(mut reader: R, text: &'a str) -> Result<Document<'a>, XmlError> {
    let mut b = Builder::new(text);
    loop {
        match reader.next().map_err(err)? {
            Event::Start(e) => b.open(&reader, &e)?,
            Event::Empty(e) => {
                b.open(&reader, &e)?;
                b.close()?;
            }
            Event::End(_) => b.close()?,
            Event::Text(t) => b.text(&t.into_inner())?,
            Event::CData(c) => {
                let s = match c.into_inner() {
                    Cow::Borrowed(raw) => Cow::Borrowed(
                        std::str::from_utf8(raw).map_err(|_| err("CDATA is not UTF-8"))?,
                    ),
                    Cow::Owned(raw) => {
                        Cow::Owned(String::from_utf8(raw).map_err(|_| err("CDATA is not UTF-8"))?)
                    }
                };
                b.push_text(s)?;
            }
            Event::DocType(_) => {
                return Err(err("DOCTYPE is refused (no DTDs or entity declarations)"))
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !b.open.is_empty() {
        return Err(err("document ends early"));
    }
    if b.doc.nodes.is_empty() {
        return Err(err("no root element"));
    }
    Ok(b.doc)
}

/// The document being built and the elements still open.
struct Builder<'a> {
    body: &'a str,
    doc: Document<'a>,
    /// Indices of the open elements, outermost first.
    open: Vec<u32>,
    /// Namespace URIs past the first [`KEPT_NAMES`], by value.
    more_names: Option<HashMap<Box<[u8]>, u32>>,
}

/// Namespace URIs found by a linear search; more go through a map.
const KEPT_NAMES: usize = 16;

impl<'a> Builder<'a> {
    fn new(body: &'a str) -> Self {
        Builder {
            body,
            doc: Document {
                // About one element per 40 bytes in the connectors' documents.
                nodes: Vec::with_capacity((body.len() / 40).clamp(8, 1024)),
                attrs: Vec::with_capacity((body.len() / 80).clamp(4, 512)),
                names: Vec::new(),
            },
            open: Vec::with_capacity(MAX_DEPTH),
            more_names: None,
        }
    }

    /// `part` as a slice of the body when it is one (quick-xml hands out slices of the
    /// `&str` it reads from wherever nothing was unescaped), else an owned copy.
    fn borrow(&self, part: &[u8]) -> Cow<'a, str> {
        let start = (part.as_ptr() as usize).wrapping_sub(self.body.as_ptr() as usize);
        match start
            .checked_add(part.len())
            .and_then(|end| self.body.get(start..end))
        {
            Some(s) => Cow::Borrowed(s),
            None => String::from_utf8_lossy(part).into_owned().into(),
        }
    }

    /// Raw text or an attribute value with its character and predefined entity
    /// references replaced (as quick-xml's `unescape`, without decoding the already
    /// checked UTF-8 again); borrowed when there was none.
    fn unescaped(&self, raw: &[u8]) -> Result<Cow<'a, str>, XmlError> {
        match self.borrow(raw) {
            // Nothing to replace (the usual case): not even a call.
            Cow::Borrowed(s) if !s.as_bytes().contains(&b'&') => Ok(Cow::Borrowed(s)),
            Cow::Borrowed(s) => unescape(s).map_err(err),
            Cow::Owned(s) => Ok(Cow::Owned(unescape(&s).map_err(err)?.into_owned())),
        }
    }

    /// The index of namespace `uri`, stored once per document: the first
    /// [`KEPT_NAMES`] by a linear search (a document names a handful), any further ones
    /// through a map, so neither many distinct URIs nor many uses of one cost more than
    /// one copy each.
    fn ns_index(&mut self, uri: &[u8]) -> u32 {
        let names = &mut self.doc.names;
        if let Some(i) = names
            .iter()
            .take(KEPT_NAMES)
            .position(|n| n.as_bytes() == uri)
        {
            return index(i);
        }
        if let Some(&i) = self.more_names.as_ref().and_then(|m| m.get(uri)) {
            return i;
        }
        let i = index(names.len());
        names.push(String::from_utf8_lossy(uri).into());
        if names.len() > KEPT_NAMES {
            self.more_names
                .get_or_insert_with(HashMap::new)
                .insert(uri.into(), i);
        }
        i
    }

    fn open<R: Names<'a>>(&mut self, reader: &R, e: &BytesStart<'_>) -> Result<(), XmlError> {
        let depth = self.open.len();
        if depth == 0 && !self.doc.nodes.is_empty() {
            return Err(err("more than one root element"));
        }
        if depth >= MAX_DEPTH {
            return Err(err(format!("elements nested deeper than {MAX_DEPTH}")));
        }
        if self.doc.nodes.len() >= MAX_ELEMENTS {
            return Err(err(format!("more than {MAX_ELEMENTS} elements")));
        }
        let (ns, local) = reader.element(e.name());
        let ns = match ns {
            ResolveResult::Bound(n) => self.ns_index(n.as_ref()),
            ResolveResult::Unbound => NONE,
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
        let name = self.borrow(local);
        let first_attr = index(self.doc.attrs.len());
        // Most tags have no attributes: no iterator for them.
        let blank_tag = e
            .attributes_raw()
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        if !blank_tag {
            self.attributes(reader, e)?;
        }
        let me = index(self.doc.nodes.len());
        self.doc.nodes.push(Node {
            ns,
            name,
            text: Cow::Borrowed(""),
            first_attr,
            end_attr: index(self.doc.attrs.len()),
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
        });
        if let Some(&parent) = self.open.last() {
            self.link(parent, me);
        }
        self.open.push(me);
        Ok(())
    }

    /// Stores the attributes of `e` (not the `xmlns` declarations), each bounded.
    fn attributes<R: Names<'a>>(&mut self, reader: &R, e: &BytesStart<'_>) -> Result<(), XmlError> {
        let first_attr = self.doc.attrs.len();
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
            let (ans, alocal) = reader.attribute(key);
            let ans = match ans {
                ResolveResult::Bound(n) => self.ns_index(n.as_ref()),
                ResolveResult::Unbound => NONE,
                ResolveResult::Unknown(_) => return Err(err("undeclared attribute prefix")),
            };
            let value = self.unescaped(&a.value)?;
            if value.len() > MAX_TEXT || self.doc.attrs.len() - first_attr >= 32 {
                return Err(err("attribute too long or too many attributes"));
            }
            let name = self.borrow(alocal);
            self.doc.attrs.push(Attr {
                ns: ans,
                name,
                value,
            });
        }
        Ok(())
    }

    /// Appends `child` to `parent`'s children.
    fn link(&mut self, parent: u32, child: u32) {
        let nodes = &mut self.doc.nodes;
        let Some(p) = nodes.get_mut(parent as usize) else {
            return;
        };
        let previous = std::mem::replace(&mut p.last_child, child);
        if previous == NONE {
            p.first_child = child;
        } else if let Some(prev) = nodes.get_mut(previous as usize) {
            prev.next_sibling = child;
        }
    }

    fn close(&mut self) -> Result<(), XmlError> {
        let top = self.open.pop().ok_or_else(|| err("unbalanced end tag"))?;
        if let Some(node) = self.doc.nodes.get_mut(top as usize) {
            node.text = match std::mem::take(&mut node.text) {
                Cow::Borrowed(t) => Cow::Borrowed(t.trim()),
                Cow::Owned(t) if t.trim().len() != t.len() => Cow::Owned(t.trim().to_owned()),
                owned => owned,
            };
        }
        Ok(())
    }

    /// A text event. Indentation (XML whitespace where no text was kept yet, or outside
    /// the root) is only bounded, exactly as [`Builder::push_text`] would; anything else
    /// is unescaped and kept.
    fn text(&mut self, raw: &[u8]) -> Result<(), XmlError> {
        if raw
            .iter()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            let top = self
                .open
                .last()
                .and_then(|&i| self.doc.nodes.get(i as usize));
            match top {
                None => return Ok(()),
                Some(node) if node.text.is_empty() => {
                    return if raw.len() > MAX_TEXT {
                        Err(err(format!("a value is longer than {MAX_TEXT} bytes")))
                    } else {
                        Ok(())
                    };
                }
                Some(_) => {}
            }
        }
        let s = self.unescaped(raw)?;
        self.push_text(s)
    }

    fn push_text(&mut self, s: Cow<'a, str>) -> Result<(), XmlError> {
        let Some(node) = self
            .open
            .last()
            .and_then(|&top| self.doc.nodes.get_mut(top as usize))
        else {
            // Text outside the root may only be whitespace.
            return if blank(&s) {
                Ok(())
            } else {
                Err(err("text outside the root element"))
            };
        };
        if node.text.len() + s.len() > MAX_TEXT {
            return Err(err(format!("a value is longer than {MAX_TEXT} bytes")));
        }
        if node.text.is_empty() {
            // Leading whitespace (the indentation before a first child) would be trimmed
            // at the close anyway: not kept.
            if !blank(&s) {
                node.text = s;
            }
        } else {
            node.text.to_mut().push_str(&s);
        }
        Ok(())
    }
}

/// True if `s` is empty or only whitespace (`str::trim`'s definition; the usual
/// indentation is checked byte by byte first).
fn blank(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) || s.trim().is_empty()
}

/// An arena index (every arena is bounded far below `u32::MAX` by [`MAX_ELEMENTS`],
/// [`MAX_ATTRIBUTES`] and [`MAX_XML_BYTES`]).
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(NONE)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Everything a build produced (the tree, or the error), for comparing two readers.
    fn built<'a, R: Names<'a>>(reader: R, text: &'a str) -> String {
        match build(reader, text) {
            Ok(d) => format!("{:?} {:?} {:?}", d.nodes, d.attrs, d.names),
            Err(e) => format!("error {e}"),
        }
    }

    /// On a document without `xmlns`, the plain reader builds exactly what `NsReader`
    /// builds, errors included: every sequence of up to four of these pieces (prefixed,
    /// reserved-prefixed and unprefixed names, attributes, text, entities, CDATA, comments,
    /// processing instructions, mismatched and stray end tags).
    #[test]
    fn resolve_same_as_ns_reader_without_declarations() {
        const PIECES: [&str; 16] = [
            "<a>",
            "</a>",
            "<p:a>",
            "</p:a>",
            "<xml:a>",
            "<xmlns:b>",
            "<c xml:lang=\"en\" k='v'/>",
            "<d p:k=\"1\" xmlns:q=\"\"/>",
            "<e k=\"&lt;&amp;\" k=\"2\"/>",
            "x &amp; y",
            "&bad;",
            "<![CDATA[ <z> ]]>",
            "<!-- c -->",
            "<?pi x?>",
            " \n ",
            "<:f/>",
        ];
        let mut doc = String::new();
        let mut compared = 0;
        for len in 1..=4u32 {
            for mut n in 0..PIECES.len().pow(len) {
                doc.clear();
                for _ in 0..len {
                    doc.push_str(PIECES[n % PIECES.len()]);
                    n /= PIECES.len();
                }
                if doc.contains("xmlns") {
                    continue;
                }
                let ns = built(NsReader::from_str(&doc), &doc);
                let plain = built(NoNamespaces(Reader::from_str(&doc)), &doc);
                assert_eq!(ns, plain, "{doc}");
                compared += 1;
            }
        }
        assert!(compared > 40_000, "{compared}");
        // And `parse` takes the plain path only then.
        let body = "<r><p:a/></r>";
        assert_eq!(
            parse(body.as_bytes()).unwrap_err().to_string(),
            "xml: undeclared namespace prefix `p`"
        );
        let declared = r#"<r xmlns:p="urn:p"><p:a/></r>"#;
        assert_eq!(parse(declared.as_bytes()).unwrap().root().name(), "r");
    }
}
