//! Borrowing JSON text fields: `#[serde(borrow)]` borrows a `Cow<str>` field but not an
//! `Option<Cow<str>>` one, nor the keys of a map (serde reads those owned). [`opt_text`]
//! reads an optional string the way `Option<String>` does (missing with
//! `#[serde(default)]`, `null` and text), and [`keyed_map`] a map the way
//! `BTreeMap<String, V>` does, but borrowed from the body unless they have escapes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// `serde_json::from_slice` of a request body, with the same result and the same errors,
/// but cheaper on valid UTF-8 (every body that parses): the body is checked once as a
/// whole and then read as `&str`, so strings and raw values borrowed from it are not
/// checked again one by one. A body that is not UTF-8 goes through `from_slice` itself,
/// for its exact error.
pub fn from_body<'a, T: Deserialize<'a>>(body: &'a [u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// A string borrowed from the input where it has no escapes, owned where it has (serde's
/// own `Cow<str>` is always owned).
#[derive(Debug)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// `#[serde(default, borrow, deserialize_with = "opt_text")]` for an
/// `Option<Cow<'a, str>>` field: `null` is `None`, a string is borrowed where it can be,
/// anything else is the error `Option<String>` gives.
pub fn opt_text<'de: 'a, 'a, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'a, str>>, D::Error> {
    Option::<Text<'a>>::deserialize(d).map(|t| t.map(|t| t.0))
}

/// `#[serde(default, borrow, deserialize_with = "keyed_map")]` for a
/// `BTreeMap<Cow<'a, str>, V>` field: what `BTreeMap<String, V>` reads (a later duplicate
/// key wins), with keys borrowed where they can be.
pub fn keyed_map<'de: 'a, 'a, D: Deserializer<'de>, V: Deserialize<'de>>(
    d: D,
) -> Result<BTreeMap<Cow<'a, str>, V>, D::Error> {
    struct M<'a, V>(PhantomData<(Cow<'a, str>, V)>);
    impl<'de: 'a, 'a, V: Deserialize<'de>> Visitor<'de> for M<'a, V> {
        type Value = BTreeMap<Cow<'a, str>, V>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<Text<'a>, V>()? {
                out.insert(k.0, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(M(PhantomData))
}

/// `raw` unless it is `null` or the empty string (surrounding whitespace ignored): how
/// platforms that send every column (ServiceNow, NetSuite, Power Automate) say "no value".
///
/// ```
/// use invoice_connector_support::json::present;
/// use serde_json::value::RawValue;
/// let raw = |s: &str| RawValue::from_string(s.to_owned()).unwrap();
/// assert!(present(Some(&*raw("null"))).is_none());
/// assert!(present(Some(&*raw(r#""""#))).is_none());
/// assert_eq!(present(Some(&*raw("12.5"))).map(RawValue::get), Some("12.5"));
/// assert!(present(None).is_none());
/// ```
pub fn present(raw: Option<&RawValue>) -> Option<&RawValue> {
    raw.filter(|r| !matches!(r.get().trim(), "null" | "\"\""))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T<'a> {
        #[serde(default, borrow, deserialize_with = "opt_text")]
        a: Option<Cow<'a, str>>,
    }

    #[test]
    fn borrows_plain_text_and_reads_what_option_string_reads() {
        let t: T<'_> = serde_json::from_str(r#"{"a":"x"}"#).unwrap();
        assert!(matches!(t.a, Some(Cow::Borrowed("x"))));
        let t: T<'_> = serde_json::from_str(r#"{"a":"\u0078"}"#).unwrap();
        assert!(matches!(t.a, Some(Cow::Owned(ref s)) if s == "x"));
        let t: T<'_> = serde_json::from_str(r#"{"a":null}"#).unwrap();
        assert!(t.a.is_none());
        let t: T<'_> = serde_json::from_str("{}").unwrap();
        assert!(t.a.is_none());
        for bad in [r#"{"a":1}"#, r#"{"a":[]}"#] {
            let ours = serde_json::from_str::<T<'_>>(bad)
                .err()
                .map(|e| e.to_string());
            #[derive(Deserialize)]
            #[allow(dead_code)]
            struct O {
                #[serde(default)]
                a: Option<String>,
            }
            let owned = serde_json::from_str::<O>(bad).err().map(|e| e.to_string());
            assert_eq!(ours, owned);
        }
    }

    /// `from_body` gives what `from_slice` gives: values, borrowing, and error texts
    /// (positions included), on valid and invalid UTF-8 alike.
    #[test]
    fn from_body_is_from_slice() {
        #[derive(Debug, Deserialize)]
        struct B<'a> {
            #[serde(borrow)]
            a: Cow<'a, str>,
            #[serde(borrow)]
            r: &'a serde_json::value::RawValue,
        }
        let bodies: [&[u8]; 7] = [
            br#"{"a":"x","r":{"k":[1,2]}}"#,
            b"{\"a\":\"\xc3\xa9\",\"r\":\"\xe2\x82\xac\"}",
            b"{\"a\":\"\xff\",\"r\":1}",
            b"{\"a\":\"x\",\"r\":\"\xc3\"}",
            b"{\"a\":\n1,\"r\":2}",
            b"{\"a\":\"x\"",
            b"",
        ];
        for body in bodies {
            let ours = from_body::<B<'_>>(body);
            let theirs = serde_json::from_slice::<B<'_>>(body);
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) => {
                    assert_eq!((&a.a, a.r.get()), (&b.a, b.r.get()));
                    assert!(matches!(a.a, Cow::Borrowed(_)));
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                _ => panic!("{body:?}: {ours:?} vs {theirs:?}"),
            }
        }
    }

    #[derive(Deserialize)]
    struct K<'a> {
        #[serde(default, borrow, deserialize_with = "keyed_map")]
        m: BTreeMap<Cow<'a, str>, u8>,
    }

    #[test]
    fn keyed_map_reads_what_a_string_keyed_map_reads() {
        let k: K<'_> = serde_json::from_str(r#"{"m":{"a":1,"\u0062":2,"a":3}}"#).unwrap();
        assert!(matches!(k.m.keys().next(), Some(Cow::Borrowed("a"))));
        assert_eq!(k.m.get("a"), Some(&3));
        assert_eq!(k.m.get("b"), Some(&2));
        assert!(serde_json::from_str::<K<'_>>("{}").unwrap().m.is_empty());
        #[derive(Deserialize)]
        #[allow(dead_code)]
        struct O {
            #[serde(default)]
            m: BTreeMap<String, u8>,
        }
        for bad in [r#"{"m":null}"#, r#"{"m":[]}"#, r#"{"m":{"a":"x"}}"#] {
            let ours = serde_json::from_str::<K<'_>>(bad)
                .err()
                .map(|e| e.to_string());
            let owned = serde_json::from_str::<O>(bad).err().map(|e| e.to_string());
            assert_eq!(ours, owned, "{bad}");
        }
    }
}
