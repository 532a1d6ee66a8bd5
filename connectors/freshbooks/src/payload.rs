//! The callback form: `name`, `object_id`, `account_id`, `business_id`, `identity_id`,
//! `user_id`; the verification callback adds `verifier`. Unknown fields are ignored.

/// One callback.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Callback {
    /// `invoice.update`, `payment.create`, `callback.verify`, ...
    pub name: Option<String>,
    /// The object's id (the callback id on a verification callback).
    pub object_id: Option<String>,
    /// Accounting account id: the tenant.
    pub account_id: Option<String>,
    /// Business id.
    pub business_id: Option<String>,
    /// Identity id.
    pub identity_id: Option<String>,
    /// User id.
    pub user_id: Option<String>,
    /// Present only on the verification callback.
    pub verifier: Option<String>,
}

impl Callback {
    /// Reads the fields (first value of each).
    pub fn from_fields(fields: &[(String, String)]) -> Self {
        let get = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
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
