//! `GET /customers/{id}?status=...`: one client's invoices, with totals and filters.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use super::customers::per_currency;
use super::format::{badge, customer_href, date, invoice_href, money, STATUSES};
use super::layout::{page as frame, Live};
use crate::server::AppState;
use crate::store::Totals;

/// `?status=overdue`.
#[derive(Debug, Deserialize)]
pub(crate) struct Filter {
    status: Option<String>,
}

/// The handler.
pub(crate) async fn page(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(filter): Query<Filter>,
) -> Response {
    let name = match app.store.customer(id.clone()).await {
        Ok(Some(name)) => name,
        Ok(None) => {
            return super::missing(
                "Customer not found",
                "No invoices were published for this customer.",
            )
        }
        Err(e) => return super::failed(e),
    };
    let invoices = match app.store.invoices_of(id.clone()).await {
        Ok(v) => v,
        Err(e) => return super::failed(e),
    };
    let display = name.clone().unwrap_or_else(|| id.clone());
    let mut totals = Totals::default();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut overdue_count = 0;
    for v in &invoices {
        totals.add(&v.invoice);
        *counts.entry(v.invoice.status.as_str()).or_default() += 1;
        if v.invoice.overdue && crate::store::is_outstanding(&v.invoice) {
            overdue_count += 1;
        }
    }
    let active = filter
        .status
        .as_deref()
        .filter(|s| !s.is_empty() && *s != "all");
    let shown: Vec<_> = invoices
        .iter()
        .filter(|v| active.is_none_or(|s| v.invoice.status == s))
        .collect();
    let href = customer_href(&id);
    let body = html! {
        nav.crumbs aria-label="Breadcrumb" {
            a href="/" { "All customers" } span aria-hidden="true" { "/" } span { (display) }
        }
        h1 { (display) }
        p.sub { "Account " (id) }
        section.cards aria-label="Totals" {
            div.card {
                div.label { "Outstanding" }
                div.value { (per_currency(&totals.outstanding)) }
            }
            div.card.alert[!totals.overdue.values().all(|v| v.is_zero())] {
                div.label { "Overdue" }
                div.value { (per_currency(&totals.overdue)) }
            }
            div.card.count {
                div.label { "Invoices" }
                div.value { (invoices.len()) }
                @if overdue_count > 0 {
                    div.muted { (overdue_count) " overdue" }
                }
            }
        }
        h2 id="invoices" { "Invoices" }
        ul.filters aria-label="Filter by status" {
            li { a href=(href) aria-current=[active.is_none().then_some("page")] {
                "All" span.count { (invoices.len()) }
            } }
            @for (word, label) in STATUSES {
                @if let Some(n) = counts.get(word) {
                    li { a href=(format!("{href}?status={word}")) aria-current=[(active == Some(*word)).then_some("page")] {
                        (label) span.count { (n) }
                    } }
                }
            }
        }
        @if shown.is_empty() {
            div.empty { "No invoices match this filter." }
        } @else {
            table.list {
                thead { tr {
                    th scope="col" { "Invoice" }
                    th scope="col" { "Due date" }
                    th.num scope="col" { "Amount" }
                    th.num scope="col" { "Balance" }
                    th scope="col" { "Status" }
                } }
                tbody {
                    @for v in &shown {
                        @let inv = &v.invoice;
                        @let cur = inv.currency.as_deref();
                        tr data-invoice=(inv.id) data-status=(inv.status) {
                            td.primary data-label="Invoice" {
                                a href=(invoice_href(&inv.id)) { (inv.number.as_deref().unwrap_or(&inv.id)) }
                            }
                            td data-label="Due date" {
                                @if let Some(d) = inv.due_date { span.nowrap { (date(d)) } } @else { span.muted { "—" } }
                            }
                            td.num data-label="Amount" { (money(inv.total, cur)) }
                            td.num data-label="Balance" { (money(inv.balance, cur)) }
                            td data-label="Status" { (badge(inv)) }
                        }
                    }
                }
            }
        }
    };
    Html(frame(&display, &app.title, Live::Customer(&id), body).into_string()).into_response()
}
