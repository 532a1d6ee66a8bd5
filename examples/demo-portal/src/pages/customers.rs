//! `GET /`: every customer with what it owes.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use rust_decimal::Decimal;

use super::format::{customer_href, money, time};
use super::layout::{page as frame, Live};
use crate::server::AppState;

/// Lines of `EUR 1,234.50` per currency, or a dash.
pub(crate) fn per_currency(totals: &BTreeMap<String, Decimal>) -> Markup {
    let nonzero: Vec<_> = totals.iter().filter(|(_, v)| !v.is_zero()).collect();
    html! {
        @if nonzero.is_empty() {
            span.muted { "—" }
        } @else {
            // One element, so the phone layout (a flex row per cell) keeps the lines stacked.
            span.amounts {
                @for (cur, amount) in &nonzero {
                    span.nowrap { (money(**amount, Some(cur.as_str()))) }
                }
            }
        }
    }
}

/// The handler.
pub(crate) async fn page(State(app): State<AppState>) -> Response {
    let customers = match app.store.customers().await {
        Ok(c) => c,
        Err(e) => return super::failed(e),
    };
    let body = html! {
        h1 { "Customers" }
        p.sub { "Each customer sees its own invoices and their payment status, kept up to date automatically." }
        @if customers.is_empty() {
            div.empty { "No invoices have been published yet. They appear here as soon as the first update arrives." }
        } @else {
            table.list {
                thead { tr {
                    th scope="col" { "Customer" }
                    th.num scope="col" { "Invoices" }
                    th.num scope="col" { "Outstanding" }
                    th.num scope="col" { "Overdue" }
                    th scope="col" { "Last update" }
                } }
                tbody {
                    @for c in &customers {
                        tr {
                            td.primary data-label="Customer" {
                                a href=(customer_href(&c.id)) { (c.name.as_deref().unwrap_or(&c.id)) }
                            }
                            td.num data-label="Invoices" {
                                span {
                                    (c.invoices)
                                    @if c.overdue_invoices > 0 {
                                        " " span.muted { "(" (c.overdue_invoices) " overdue)" }
                                    }
                                }
                            }
                            td.num data-label="Outstanding" { (per_currency(&c.totals.outstanding)) }
                            td.num data-label="Overdue" { (per_currency(&c.totals.overdue)) }
                            td data-label="Last update" {
                                @if let Some(t) = c.last_update { span.muted { (time(t)) } }
                            }
                        }
                    }
                }
            }
        }
    };
    Html(frame("Customers", &app.title, Live::All, body).into_string()).into_response()
}
