//! Reading the store for the pages.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::model::{
    is_outstanding, payer_order, CustomerSummary, InvoiceView, TimelineEntry, Totals,
};
use crate::error::DemoPortalError;

/// Every customer with its totals, by name.
pub(super) fn customers(c: &Connection) -> Result<Vec<CustomerSummary>, DemoPortalError> {
    let names = customer_names(c)?;
    let mut by_customer: BTreeMap<String, CustomerSummary> = BTreeMap::new();
    for view in all_invoices(c, None)? {
        let entry = by_customer
            .entry(view.invoice.customer.clone())
            .or_insert_with(|| CustomerSummary {
                id: view.invoice.customer.clone(),
                name: names.get(&view.invoice.customer).cloned().flatten(),
                invoices: 0,
                overdue_invoices: 0,
                totals: Totals::default(),
                last_update: None,
            });
        entry.invoices += 1;
        if view.invoice.overdue && is_outstanding(&view.invoice) {
            entry.overdue_invoices += 1;
        }
        entry.totals.add(&view.invoice);
        entry.last_update = entry.last_update.max(Some(view.updated_at));
    }
    let mut list: Vec<CustomerSummary> = by_customer.into_values().collect();
    list.sort_by_key(|s| {
        s.name
            .clone()
            .unwrap_or_else(|| s.id.clone())
            .to_lowercase()
    });
    Ok(list)
}

/// A customer's display name (`None` when unknown, `Some(None)` when known unnamed).
pub(super) fn customer(
    c: &Connection,
    id: &str,
) -> Result<Option<Option<String>>, DemoPortalError> {
    Ok(
        c.query_row("SELECT name FROM customers WHERE id = ?1", [id], |r| {
            r.get::<_, Option<String>>(0)
        })
        .optional()?,
    )
}

/// A customer's invoices in payer order.
pub(super) fn invoices_of(
    c: &Connection,
    customer: &str,
) -> Result<Vec<InvoiceView>, DemoPortalError> {
    let mut list = all_invoices(c, Some(customer))?;
    list.sort_by(|a, b| payer_order(&a.invoice, &b.invoice));
    Ok(list)
}

/// One invoice.
pub(super) fn invoice(c: &Connection, id: &str) -> Result<Option<InvoiceView>, DemoPortalError> {
    let mut stmt =
        c.prepare("SELECT data, sequence, platform, updated_at FROM invoices WHERE id = ?1")?;
    let mut rows = stmt.query_map([id], view_from_row)?;
    rows.next().transpose()?.map(finish_view).transpose()
}

/// Every update received for an invoice, by sequence (then arrival).
pub(super) fn timeline(
    c: &Connection,
    invoice_id: &str,
) -> Result<Vec<TimelineEntry>, DemoPortalError> {
    let mut stmt = c.prepare(
        "SELECT data, delivered_at, applied FROM updates WHERE invoice_id = ?1
         ORDER BY sequence, delivered_at",
    )?;
    let rows = stmt.query_map([invoice_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (data, delivered_at, applied) = row?;
        out.push(TimelineEntry {
            update: serde_json::from_str(&data).map_err(data_err)?,
            delivered_at: parse_time(&delivered_at)?,
            applied,
        });
    }
    Ok(out)
}

type RawView = (String, i64, String, String);

fn view_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawView> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn finish_view((data, seq, platform, updated_at): RawView) -> Result<InvoiceView, DemoPortalError> {
    Ok(InvoiceView {
        invoice: serde_json::from_str(&data).map_err(data_err)?,
        sequence: u64::try_from(seq).unwrap_or(0),
        platform,
        updated_at: parse_time(&updated_at)?,
    })
}

fn all_invoices(
    c: &Connection,
    customer: Option<&str>,
) -> Result<Vec<InvoiceView>, DemoPortalError> {
    let mut stmt = c.prepare(
        "SELECT data, sequence, platform, updated_at FROM invoices
         WHERE ?1 IS NULL OR customer = ?1",
    )?;
    let rows = stmt.query_map([customer], view_from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(finish_view(row?)?);
    }
    Ok(out)
}

fn customer_names(c: &Connection) -> Result<BTreeMap<String, Option<String>>, DemoPortalError> {
    let mut stmt = c.prepare("SELECT id, name FROM customers")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (id, name): (String, Option<String>) = row?;
        out.insert(id, name);
    }
    Ok(out)
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, DemoPortalError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| DemoPortalError::Data(e.to_string()))
}

pub(super) fn data_err(e: serde_json::Error) -> DemoPortalError {
    DemoPortalError::Data(e.to_string())
}
