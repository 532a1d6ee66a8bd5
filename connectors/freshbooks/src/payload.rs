//! The callback form: `name`, `object_id`, `account_id`, `business_id`, `identity_id`,
//! `user_id`; the verification callback adds `verifier`. Unknown fields are ignored.

use std::borrow::Cow;

use crate::verify::Field;

/// One callback, its values borrowed from the form (owned only where URL-decoding
/// changed them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Callback<'a> {
    /// `invoice.update`, `payment.create`, `callback.verify`, ...
    pub name: Option<Cow<'a, str>>,
    /// The object's id (the callback id on a verification callback).
    pub object_id: Option<Cow<'a, str>>,
    /// Accounting account id: the tenant.
    pub account_id: Option<Cow<'a, str>>,
    /// Business id.
    pub business_id: Option<Cow<'a, str>>,
    /// Identity id.
    pub identity_id: Option<Cow<'a, str>>,
    /// User id.
    pub user_id: Option<Cow<'a, str>>,
    /// Present only on the verification callback.
    pub verifier: Option<Cow<'a, str>>,
}

impl<'a> Callback<'a> {
    /// Reads the fields (first value of each; an empty value is absent).
    pub fn from_fields(fields: &[Field<'a>]) -> Self {
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, v)| k == name && !v.is_empty())
                .map(|(_, v)| v.clone())
        };
        Callback {
            name: get("name"),
            object_id: get("object_id"),
            account_id: get("account_id"),
            business_id: get("business_id"),
            identity_id: get("identity_id"),
            user_id: get("user_id"),
            verifier: get("verifier"),
        }
    }
}
