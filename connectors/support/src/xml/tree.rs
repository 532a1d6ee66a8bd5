//! The parsed document: a flat arena of elements, and [`Element`], a cheap handle to one.

use std::borrow::Cow;
use std::fmt;

/// "No such node / namespace" in an index field.
pub(super) const NONE: u32 = u32::MAX;

/// One element as stored in the arena.
#[derive(Debug, Clone)]
pub(super) struct Node<'a> {
    /// Index into [`Document::names`], or [`NONE`].
    pub(super) ns: u32,
    pub(super) name: Cow<'a, str>,
    pub(super) text: Cow<'a, str>,
    /// This element's attributes: `attrs[first_attr..end_attr]`.
    pub(super) first_attr: u32,
    pub(super) end_attr: u32,
    pub(super) first_child: u32,
    pub(super) last_child: u32,
    pub(super) next_sibling: u32,
}

/// One attribute as stored in the arena.
#[derive(Debug, Clone)]
pub(super) struct Attr<'a> {
    /// Index into [`Document::names`], or [`NONE`].
    pub(super) ns: u32,
    pub(super) name: Cow<'a, str>,
    pub(super) value: Cow<'a, str>,
}

/// A parsed document, borrowing from the body it was read from. [`Document::root`] is
/// the way in.
#[derive(Clone)]
pub struct Document<'a> {
    /// Elements in document order; `nodes[0]` is the root (a parsed document has one).
    pub(super) nodes: Vec<Node<'a>>,
    pub(super) attrs: Vec<Attr<'a>>,
    /// Namespace URIs, referred to by index.
    pub(super) names: Vec<Box<str>>,
}

impl<'a> Document<'a> {
    /// The root element.
    pub fn root(&self) -> Element<'_> {
        Element {
            doc: self,
            node: self.nodes.first().unwrap_or(&EMPTY),
        }
    }
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root().fmt(f)
    }
}

/// Stands in for the root of a document without one (never returned by `parse`).
static EMPTY: Node<'static> = Node {
    ns: NONE,
    name: Cow::Borrowed(""),
    text: Cow::Borrowed(""),
    first_attr: 0,
    end_attr: 0,
    first_child: NONE,
    last_child: NONE,
    next_sibling: NONE,
};

/// One element of a [`Document`]: namespace URI, local name, text content, attributes
/// and children. `Copy`: pass it by value.
#[derive(Clone, Copy)]
pub struct Element<'d> {
    doc: &'d Document<'d>,
    node: &'d Node<'d>,
}

impl<'d> Element<'d> {
    fn at(self, index: u32) -> Option<Element<'d>> {
        let node = self.doc.nodes.get(usize::try_from(index).ok()?)?;
        Some(Element {
            doc: self.doc,
            node,
        })
    }

    fn name_at(self, index: u32) -> Option<&'d str> {
        let i = usize::try_from(index).ok()?;
        self.doc.names.get(i).map(|n| &**n)
    }

    /// Namespace URI, if the element is in one.
    pub fn ns(self) -> Option<&'d str> {
        self.name_at(self.node.ns)
    }

    /// Local name.
    pub fn name(self) -> &'d str {
        &self.node.name
    }

    /// True if the element is `name` in namespace `ns` (`None`: no namespace).
    pub fn is(self, ns: Option<&str>, name: &str) -> bool {
        self.node.name == name && self.ns() == ns
    }

    /// Concatenated text and CDATA directly inside the element, trimmed.
    pub fn text(self) -> &'d str {
        &self.node.text
    }

    /// Attributes: (namespace URI, local name, unescaped value). `xmlns` declarations are
    /// not attributes here.
    pub fn attrs(self) -> impl Iterator<Item = (Option<&'d str>, &'d str, &'d str)> + 'd {
        let range = self.node.first_attr as usize..self.node.end_attr as usize;
        self.doc
            .attrs
            .get(range)
            .unwrap_or_default()
            .iter()
            .map(move |a| (self.name_at(a.ns), &*a.name, &*a.value))
    }

    /// The value of the attribute `name` in namespace `ns` (`None`: no namespace).
    pub fn attr(self, ns: Option<&str>, name: &str) -> Option<&'d str> {
        self.attrs()
            .find(|(n, l, _)| *l == name && *n == ns)
            .map(|(_, _, v)| v)
    }

    /// Child elements in document order.
    pub fn children(self) -> Children<'d> {
        Children {
            next: self.at(self.node.first_child),
        }
    }

    /// The first child named `name` in namespace `ns` (`None`: no namespace).
    pub fn child(self, ns: Option<&str>, name: &str) -> Option<Element<'d>> {
        self.children().find(|c| c.is(ns, name))
    }

    /// Children named `name` in namespace `ns`.
    pub fn children_named<'q>(
        self,
        ns: Option<&'q str>,
        name: &'q str,
    ) -> impl Iterator<Item = Element<'d>> + 'q
    where
        'd: 'q,
    {
        self.children().filter(move |c| c.is(ns, name))
    }

    /// The text of the first child `name` in `ns`, if present and not blank.
    pub fn child_text(self, ns: Option<&str>, name: &str) -> Option<&'d str> {
        self.child(ns, name)
            .map(Element::text)
            .filter(|t| !t.is_empty())
    }
}

impl fmt::Debug for Element<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Element")
            .field("ns", &self.ns())
            .field("name", &self.name())
            .field("text", &self.text())
            .field("attrs", &self.attrs().collect::<Vec<_>>())
            .field("children", &self.children().collect::<Vec<_>>())
            .finish()
    }
}

/// The children of an [`Element`], in document order.
#[derive(Debug, Clone)]
pub struct Children<'d> {
    next: Option<Element<'d>>,
}

impl<'d> Iterator for Children<'d> {
    type Item = Element<'d>;

    fn next(&mut self) -> Option<Element<'d>> {
        let current = self.next?;
        self.next = current.at(current.node.next_sibling);
        Some(current)
    }
}
