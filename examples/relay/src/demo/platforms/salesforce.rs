//! Salesforce: the larger accounts are invoiced from a custom `Invoice__c` object whose
//! flow sends Outbound Messages (SOAP). One invoice is part-paid, disputed and then
//! adjusted by a credit; another is left to go overdue.

use chrono::{DateTime, NaiveDate, Utc};
use invoice_connectors::salesforce::testing;
use invoice_core::Platform;

use super::{request, DemoPlatform, SignFn, Step};
use crate::demo::story::Story;

/// The Salesforce part.
pub struct Salesforce;

const ORG: &str = "00D5g000004BrtLEAS";

struct Record<'a> {
    notification: &'a str,
    id: &'a str,
    number: &'a str,
    account: &'a str,
    status: &'a str,
    total: &'a str,
    paid: &'a str,
    balance: &'a str,
    credited: &'a str,
    due: NaiveDate,
    modified: DateTime<Utc>,
}

fn outbound_message(r: &Record<'_>) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>{ORG}</OrganizationId>
   <ActionId>04k5g000000BrtLAAS</ActionId>
   <SessionId xsi:nil="true"/>
   <EnterpriseUrl>https://brightline.my.salesforce.com/services/Soap/c/62.0/00D5g000004BrtL</EnterpriseUrl>
   <PartnerUrl>https://brightline.my.salesforce.com/services/Soap/u/62.0/00D5g000004BrtL</PartnerUrl>
   <Notification>
    <Id>{notification}</Id>
    <sObject xsi:type="sf:Invoice__c" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>{id}</sf:Id>
     <sf:Account__c>{account}</sf:Account__c>
     <sf:Amount_Paid__c>{paid}</sf:Amount_Paid__c>
     <sf:Balance__c>{balance}</sf:Balance__c>
     <sf:Credited_Amount__c>{credited}</sf:Credited_Amount__c>
     <sf:CurrencyIsoCode>EUR</sf:CurrencyIsoCode>
     <sf:Due_Date__c>{due}</sf:Due_Date__c>
     <sf:Invoice_Number__c>{number}</sf:Invoice_Number__c>
     <sf:LastModifiedDate>{modified}</sf:LastModifiedDate>
     <sf:Name>{number}</sf:Name>
     <sf:Status__c>{status}</sf:Status__c>
     <sf:Total_Amount__c>{total}</sf:Total_Amount__c>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>
"#,
        notification = r.notification,
        id = r.id,
        account = r.account,
        paid = r.paid,
        balance = r.balance,
        credited = r.credited,
        due = r.due,
        number = r.number,
        modified = r.modified.format("%Y-%m-%dT%H:%M:%S.000Z"),
        status = r.status,
        total = r.total,
    )
}

fn step(label: String, r: &Record<'_>) -> Step {
    Step {
        label,
        request: request(
            &format!("/webhooks/salesforce/{ORG}"),
            "text/xml; charset=utf-8",
            &[
                ("soapaction", "\"\""),
                ("user-agent", "Jakarta Commons-HttpClient/3.1"),
            ],
            outbound_message(r),
        ),
    }
}

impl DemoPlatform for Salesforce {
    fn platform(&self) -> Platform {
        Platform::Salesforce
    }

    fn config(&self, secret: &str, _stand_in: &str) -> String {
        format!("org_ids = [\"{ORG}\"]\nsecrets = [\"{secret}\"]\n")
    }

    fn signer(&self) -> SignFn {
        testing::sign
    }

    fn steps(&self, s: &Story) -> Vec<Step> {
        let northwind = |notification, status, paid, balance, credited, modified| Record {
            notification,
            id: "a0B5g00000DemoNWAAK",
            number: "INV-2026-0143",
            account: "Northwind Robotics GmbH",
            status,
            total: "1800.0",
            paid,
            balance,
            credited,
            due: s.date_in(5),
            modified,
        };
        vec![
            step(
                "Northwind Robotics INV-2026-0143 posted, EUR 1,800.00".into(),
                &northwind(
                    "04l5g00000DemoN01",
                    "Posted",
                    "0.0",
                    "1800.0",
                    "0.0",
                    s.days_ago(25, 9),
                ),
            ),
            step(
                "Northwind Robotics pays EUR 600.00 of INV-2026-0143".into(),
                &northwind(
                    "04l5g00000DemoN02",
                    "Partially Paid",
                    "600.0",
                    "1200.0",
                    "0.0",
                    s.days_ago(10, 16),
                ),
            ),
            step(
                "Northwind Robotics disputes INV-2026-0143 (coating thickness out of spec)".into(),
                &northwind(
                    "04l5g00000DemoN03",
                    "Disputed",
                    "600.0",
                    "1200.0",
                    "0.0",
                    s.days_ago(5, 10),
                ),
            ),
            step(
                "Brightline credits EUR 300.00 on INV-2026-0143".into(),
                &northwind(
                    "04l5g00000DemoN04",
                    "Credited",
                    "600.0",
                    "900.0",
                    "300.0",
                    s.days_ago(1, 12),
                ),
            ),
            step(
                "Keystone Medical Devices INV-2026-0150 posted, EUR 5,200.00, due 31 days ago"
                    .into(),
                &Record {
                    notification: "04l5g00000DemoK01",
                    id: "a0B5g00000DemoKMAAK",
                    number: "INV-2026-0150",
                    account: "Keystone Medical Devices",
                    status: "Posted",
                    total: "5200.0",
                    paid: "0.0",
                    balance: "5200.0",
                    credited: "0.0",
                    due: s.date_in(-31),
                    modified: s.days_ago(45, 9),
                },
            ),
        ]
    }
}
