//! One-pass reading of an event: the envelope and the fields of `data.object` the mapping
//! uses, in a single scan of the body. The [`Event`](crate::payload::Event) path scans
//! the object twice (once to capture it raw, once to parse it by type), which for a
//! 5 KB invoice event is most of the ingest time.
//!
//! The object is read as the union of the fields of every object the mapping reads, each
//! slot noting whether the key was missing, `null` or a value. It is then converted to
//! the typed object the event type calls for under the same rules the typed structs
//! apply (required, defaulted, nullable). Whenever this path does not accept an event
//! (a union field of another JSON type, a `null` where the typed struct wants a value, a
//! duplicate key), the caller falls back to the two-pass path, so errors and skips are
//! exactly those of that path, and an accepted event carries the same values.

use std::borrow::Cow;
use std::collections::BTreeMap;

use invoice_connector_support::json::{from_body, Text};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::payload::{Charge, ChargePrevious, CreditNote, Dispute, Invoice};

/// The object an event type is mapped from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// `invoice.*` events the mapping reads.
    Invoice,
    /// `credit_note.created`.
    CreditNote,
    /// `charge.refunded` (with `previous_attributes`).
    Charge,
    /// `charge.dispute.*`.
    Dispute,
    /// Anything else: skipped without reading the object.
    Other,
}

impl ObjectKind {
    /// The object `event_type` is mapped from.
    pub fn of(event_type: &str) -> ObjectKind {
        match event_type {
            "invoice.created"
            | "invoice.updated"
            | "invoice.finalized"
            | "invoice.payment_succeeded"
            | "invoice.paid"
            | "invoice.payment_failed"
            | "invoice.overdue"
            | "invoice.voided"
            | "invoice.marked_uncollectible" => ObjectKind::Invoice,
            "credit_note.created" => ObjectKind::CreditNote,
            "charge.refunded" => ObjectKind::Charge,
            "charge.dispute.created" | "charge.dispute.closed" | "charge.dispute.updated" => {
                ObjectKind::Dispute
            }
            _ => ObjectKind::Other,
        }
    }
}

/// A typed `data.object`.
#[derive(Debug)]
pub enum Object<'a> {
    /// An invoice.
    Invoice(Invoice<'a>),
    /// A credit note.
    CreditNote(CreditNote<'a>),
    /// A charge and its previous attributes.
    Charge(Charge<'a>, ChargePrevious),
    /// A dispute.
    Dispute(Dispute<'a>),
    /// Not read.
    Other,
}

/// An event read in one pass, its object already typed.
#[derive(Debug)]
pub struct OnePass<'a> {
    /// `evt_...`.
    pub id: Cow<'a, str>,
    /// The event type.
    pub event_type: Cow<'a, str>,
    /// Unix seconds.
    pub created: i64,
    /// Connect account.
    pub account: Option<Cow<'a, str>>,
    /// The typed object.
    pub object: Object<'a>,
}

/// Reads `body` in one pass; `None` when the two-pass path must decide.
pub fn read(body: &[u8]) -> Option<OnePass<'_>> {
    // Any failure (not UTF-8 included) goes to the two-pass path, which names the error.
    let e: Envelope<'_> = from_body(body).ok()?;
    let kind = ObjectKind::of(&e.event_type);
    let object = match kind {
        ObjectKind::Invoice => Object::Invoice(e.data.object.invoice()?),
        ObjectKind::CreditNote => Object::CreditNote(e.data.object.credit_note()?),
        ObjectKind::Charge => {
            let previous = match e.data.previous_attributes {
                Some(raw) => serde_json::from_str(raw.get()).ok()?,
                None => ChargePrevious::default(),
            };
            Object::Charge(e.data.object.charge()?, previous)
        }
        ObjectKind::Dispute => Object::Dispute(e.data.object.dispute()?),
        ObjectKind::Other => Object::Other,
    };
    Some(OnePass {
        id: e.id,
        event_type: e.event_type,
        created: e.created,
        account: e.account,
        object,
    })
}

/// The envelope, as [`Event`](crate::payload::Event) reads it, with the object's fields.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(rename = "type", borrow)]
    event_type: Cow<'a, str>,
    created: i64,
    #[serde(default, borrow)]
    account: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    #[allow(dead_code)]
    api_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    data: Data<'a>,
}

#[derive(Deserialize)]
struct Data<'a> {
    #[serde(borrow)]
    object: Fields<'a>,
    #[serde(default, borrow)]
    previous_attributes: Option<&'a RawValue>,
}

/// A key that was missing, `null`, or a value.
#[derive(Debug, Default)]
enum Slot<T> {
    #[default]
    Missing,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Slot<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(d).map(|v| v.map_or(Slot::Null, Slot::Value))
    }
}

impl<T> Slot<T> {
    /// A required, non-null field.
    fn required(self) -> Option<T> {
        match self {
            Slot::Value(v) => Some(v),
            _ => None,
        }
    }
    /// `#[serde(default)] T`: missing is the default, `null` is refused.
    fn or_default(self) -> Option<T>
    where
        T: Default,
    {
        match self {
            Slot::Missing => Some(T::default()),
            Slot::Null => None,
            Slot::Value(v) => Some(v),
        }
    }
    /// `#[serde(default)] Option<T>`: missing and `null` are `None`.
    fn nullable(self) -> Option<T> {
        match self {
            Slot::Value(v) => Some(v),
            _ => None,
        }
    }
}

type S<'a> = Slot<Text<'a>>;

/// A string-to-string map (`metadata`) whose keys and values borrow from the body where
/// they have no escapes; a later duplicate key wins and a non-string value is refused,
/// as `BTreeMap<Cow<str>, Cow<str>>` reads it.
#[derive(Default)]
struct Meta<'a>(BTreeMap<Cow<'a, str>, Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Meta<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Meta<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Meta<'de>, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<Text<'de>, Text<'de>>()? {
                    out.insert(k.0, v.0);
                }
                Ok(Meta(out))
            }
        }
        d.deserialize_map(V)
    }
}

fn s<'a>(v: Text<'a>) -> Cow<'a, str> {
    v.0
}

/// The union of the fields of Invoice, CreditNote, Charge and Dispute the mapping reads.
#[derive(Deserialize)]
struct Fields<'a> {
    #[serde(default, borrow)]
    id: S<'a>,
    #[serde(default, borrow)]
    number: S<'a>,
    #[serde(default, borrow)]
    customer: S<'a>,
    #[serde(default, borrow)]
    customer_name: S<'a>,
    #[serde(default, borrow)]
    currency: S<'a>,
    #[serde(default, borrow)]
    status: S<'a>,
    #[serde(default, borrow)]
    charge: S<'a>,
    #[serde(default, borrow)]
    payment_intent: S<'a>,
    #[serde(default, borrow)]
    reason: S<'a>,
    #[serde(default, borrow)]
    invoice: S<'a>,
    #[serde(default)]
    total: Slot<i64>,
    #[serde(default)]
    amount_paid: Slot<i64>,
    #[serde(default)]
    amount_remaining: Slot<i64>,
    #[serde(default)]
    pre_payment_credit_notes_amount: Slot<i64>,
    #[serde(default)]
    post_payment_credit_notes_amount: Slot<i64>,
    #[serde(default)]
    due_date: Slot<i64>,
    #[serde(default)]
    amount: Slot<i64>,
    #[serde(default)]
    refund_amount: Slot<i64>,
    #[serde(default)]
    created: Slot<i64>,
    #[serde(default)]
    amount_refunded: Slot<i64>,
    #[serde(default, borrow)]
    metadata: Slot<Meta<'a>>,
}

impl<'a> Fields<'a> {
    fn invoice(self) -> Option<Invoice<'a>> {
        Some(Invoice {
            id: s(self.id.required()?),
            number: self.number.nullable().map(s),
            customer: self.customer.nullable().map(s),
            customer_name: self.customer_name.nullable().map(s),
            currency: s(self.currency.required()?),
            total: self.total.required()?,
            amount_paid: self.amount_paid.or_default()?,
            amount_remaining: self.amount_remaining.or_default()?,
            pre_payment_credit_notes_amount: self.pre_payment_credit_notes_amount.or_default()?,
            post_payment_credit_notes_amount: self.post_payment_credit_notes_amount.or_default()?,
            due_date: self.due_date.nullable(),
            status: self.status.nullable().map(s),
            metadata: self.metadata.or_default()?.0,
        })
    }

    fn credit_note(self) -> Option<CreditNote<'a>> {
        Some(CreditNote {
            id: s(self.id.required()?),
            invoice: s(self.invoice.required()?),
            amount: self.amount.required()?,
            currency: s(self.currency.required()?),
            refund_amount: self.refund_amount.or_default()?,
            reason: self.reason.nullable().map(s),
            number: self.number.nullable().map(s),
            created: self.created.required()?,
        })
    }

    fn charge(self) -> Option<Charge<'a>> {
        Some(Charge {
            id: s(self.id.required()?),
            amount_refunded: self.amount_refunded.required()?,
            currency: s(self.currency.required()?),
            invoice: self.invoice.nullable().map(s),
        })
    }

    fn dispute(self) -> Option<Dispute<'a>> {
        Some(Dispute {
            id: s(self.id.required()?),
            amount: self.amount.required()?,
            currency: s(self.currency.required()?),
            charge: self.charge.nullable().map(s),
            payment_intent: self.payment_intent.nullable().map(s),
            status: s(self.status.required()?),
            reason: self.reason.nullable().map(s),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use invoice_core::testing::fixture::load_dir;
    use invoice_core::TenantId;

    use super::*;
    use crate::mapping::{map_event, map_one_pass, Mapped};
    use crate::payload::Event;

    fn both(body: &[u8]) -> (Option<Result<Mapped, String>>, Result<Mapped, String>) {
        let tenant = TenantId::default_tenant();
        let fast = read(body).map(|e| map_one_pass(e, &tenant, body).map_err(|e| e.to_string()));
        let slow = serde_json::from_slice::<Event<'_>>(body)
            .map_err(|e| e.to_string())
            .and_then(|e| map_event(&e, &tenant, body).map_err(|e| e.to_string()));
        (fast, slow)
    }

    fn same(a: &Mapped, b: &Mapped) {
        assert_eq!(a.events, b.events);
        assert_eq!(a.skipped, b.skipped);
        assert_eq!(a.pending.len(), b.pending.len());
        for (x, y) in a.pending.iter().zip(&b.pending) {
            assert_eq!(
                (&x.event_id, &x.entity_id, &x.operation, x.occurred_at),
                (&y.event_id, &y.entity_id, &y.operation, y.occurred_at)
            );
        }
    }

    /// Every fixture the one-pass reader accepts maps to exactly what the two-pass path
    /// makes of it; the realistic ones are all accepted.
    #[test]
    fn one_pass_equals_two_pass_on_every_fixture() {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"));
        let mut accepted = 0;
        for f in load_dir(dir).unwrap() {
            let (fast, slow) = both(f.request.body());
            if let Some(fast) = fast {
                accepted += 1;
                match (fast, slow) {
                    (Ok(a), Ok(b)) => same(&a, &b),
                    (Err(a), Err(b)) => assert_eq!(a, b, "{}", f.name),
                    (a, b) => panic!("{}: one pass {a:?}, two pass {b:?}", f.name),
                }
            }
        }
        assert!(accepted >= 15, "only {accepted} fixtures read in one pass");
    }

    /// What the one-pass reader cannot type falls back: an unmapped object whose `amount`
    /// is text, a `null` where the typed struct wants a number, a duplicate key.
    #[test]
    fn doubtful_objects_fall_back_to_the_two_pass_path() {
        let cases: [&[u8]; 3] = [
            br#"{"id":"evt_1","type":"customer.created","created":1700000000,"data":{"object":{"id":"cus_1","amount":"12.50"}}}"#,
            br#"{"id":"evt_2","type":"invoice.paid","created":1700000000,"data":{"object":{"id":"in_1","currency":"usd","total":100,"amount_paid":null}}}"#,
            br#"{"id":"evt_3","type":"invoice.paid","created":1700000000,"data":{"object":{"id":"in_1","id":"in_2","currency":"usd","total":100}}}"#,
        ];
        for body in cases {
            assert!(read(body).is_none(), "{}", String::from_utf8_lossy(body));
        }
        // The unmapped one is still skipped, the others still refused, by the two-pass path.
        let (_, slow) = both(cases[0]);
        assert_eq!(slow.unwrap().skipped.len(), 1);
        assert!(both(cases[1]).1.is_err());
        assert!(both(cases[2]).1.is_err());
    }

    /// `metadata` reads as the typed struct reads it: borrowed or escaped strings, the
    /// later of two equal keys; a non-string value falls back.
    #[test]
    fn metadata_is_read_as_the_typed_struct_reads_it() {
        let body = br#"{"id":"evt_1","type":"invoice.paid","created":1700000000,"data":{"object":{"id":"in_1","currency":"usd","total":100,"status":"paid","metadata":{"portal_account":"a","portal_\u0061ccount":"b\u0062","x":"y"}}}}"#;
        let (fast, slow) = both(body);
        let (a, b) = (fast.unwrap().unwrap(), slow.unwrap());
        same(&a, &b);
        let snapshot = a.events[0].snapshot.as_ref().unwrap();
        assert_eq!(snapshot.customer.portal_account.as_deref(), Some("bb"));
        let number = br#"{"id":"evt_1","type":"invoice.paid","created":1700000000,"data":{"object":{"id":"in_1","currency":"usd","total":100,"metadata":{"n":1}}}}"#;
        assert!(read(number).is_none());
        assert!(both(number).1.is_err());
    }

    /// Escaped strings are read (owned), not refused.
    #[test]
    fn escaped_strings_are_read() {
        let body = br#"{"id":"evt_\u0031","type":"invoice.voided","created":1700000000,"data":{"object":{"id":"in_\u00e91","currency":"usd","total":100,"status":"void"}}}"#;
        let (fast, slow) = both(body);
        let (a, b) = (fast.unwrap().unwrap(), slow.unwrap());
        same(&a, &b);
        assert_eq!(a.events[0].key.id, "in_\u{e9}1");
    }
}
