//! The twenty platform slugs fixed by the design (crate suffix, cargo feature, URL path,
//! config section).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! platforms {
    ($($variant:ident => $slug:literal, $name:literal;)*) => {
        /// A business platform Invoice Relay receives invoice events from.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Platform {
            $(#[doc = $name] $variant,)*
        }

        impl Platform {
            /// Every platform, in the design's order.
            pub const ALL: &'static [Platform] = &[$(Platform::$variant,)*];

            /// The slug: crate suffix, cargo feature, URL path and config section.
            pub fn slug(&self) -> &'static str {
                match self { $(Platform::$variant => $slug,)* }
            }

            /// The product name, for people.
            pub fn display_name(&self) -> &'static str {
                match self { $(Platform::$variant => $name,)* }
            }
        }

        impl FromStr for Platform {
            type Err = UnknownPlatform;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($slug => Ok(Platform::$variant),)*
                    _ => Err(UnknownPlatform(s.chars().take(64).collect())),
                }
            }
        }
    };
}

platforms! {
    Salesforce => "salesforce", "Salesforce";
    Dynamics365 => "dynamics365", "Microsoft Dynamics 365";
    SapS4hana => "sap-s4hana", "SAP S/4HANA";
    Netsuite => "netsuite", "Oracle NetSuite";
    QuickbooksOnline => "quickbooks-online", "QuickBooks Online";
    Xero => "xero", "Xero";
    Freshbooks => "freshbooks", "FreshBooks";
    ZohoBooks => "zoho-books", "Zoho Books";
    QuickbooksDesktop => "quickbooks-desktop", "QuickBooks Desktop";
    Stripe => "stripe", "Stripe";
    Paypal => "paypal", "PayPal";
    SageIntacct => "sage-intacct", "Sage Intacct";
    Odoo => "odoo", "Odoo";
    Servicenow => "servicenow", "ServiceNow";
    Hubspot => "hubspot", "HubSpot";
    JiraServiceManagement => "jira-service-management", "Jira Service Management";
    Monday => "monday", "monday.com";
    Asana => "asana", "Asana";
    Workday => "workday", "Workday";
    GoogleSheets => "google-sheets", "Google Sheets";
    // The relay's own scheduler (overdue rules) is a source too.
}

/// A slug that names no platform.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown platform slug `{0}`")]
pub struct UnknownPlatform(pub String);

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl Serialize for Platform {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.slug())
    }
}

impl<'de> Deserialize<'de> for Platform {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_match_the_design() {
        assert_eq!(Platform::ALL.len(), 20);
        for p in Platform::ALL {
            assert_eq!(p.slug().parse::<Platform>().unwrap(), *p);
        }
        assert_eq!(Platform::SapS4hana.slug(), "sap-s4hana");
        assert!("Stripe".parse::<Platform>().is_err());
    }
}
