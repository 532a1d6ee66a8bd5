//! `GET /invoices/{id}`: one invoice and every update received for it.

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use maud::html;

use super::format::{badge, badge_for, customer_href, date, event_label, money, time};
use super::layout::{page as frame, Live};
use crate::server::AppState;

/// The handler.
pub(crate) async fn page(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    let view = match app.store.invoice(id.clone()).await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return super::missing(
                "Invoice not found",
                "No updates were published for this invoice.",
            )
        }
        Err(e) => return super::failed(e),
    };
    let timeline = match app.store.timeline(id.clone()).await {
        Ok(t) => t,
        Err(e) => return super::failed(e),
    };
    let customer_name = app
        .store
        .customer(view.invoice.customer.clone())
        .await
        .ok()
        .flatten()
        .flatten();
    let inv = &view.invoice;
    let cur = inv.currency.as_deref();
    let number = inv.number.clone().unwrap_or_else(|| inv.id.clone());
    let customer_display = customer_name.unwrap_or_else(|| inv.customer.clone());
    let body = html! {
        nav.crumbs aria-label="Breadcrumb" {
            a href="/" { "All customers" } span aria-hidden="true" { "/" }
            a href=(customer_href(&inv.customer)) { (customer_display) } span aria-hidden="true" { "/" }
            span { (number) }
        }
        h1 { "Invoice " (number) " " (badge(inv)) }
        dl.facts {
            div { dt { "Amount" } dd { (money(inv.total, cur)) } }
            div { dt { "Paid" } dd { (money(inv.paid, cur)) } }
            div { dt { "Balance due" } dd { (money(inv.balance, cur)) } }
            div { dt { "Due date" } dd { @if let Some(d) = inv.due_date { (date(d)) } @else { "—" } } }
            div { dt { "Customer" } dd { (customer_display) } }
            div { dt { "Last update" } dd { (time(view.updated_at)) } }
        }
        h2 { "Timeline" }
        @if timeline.is_empty() {
            div.empty { "No updates yet." }
        } @else {
            ol.timeline reversed {
                @for entry in timeline.iter().rev() {
                    @let d = &entry.update.data;
                    @let li_class = if entry.applied { "" } else { "stale" };
                    li class=(li_class) data-sequence=(d.sequence) {
                        div.tl-head {
                            span.tl-title { (event_label(d.event.kind)) }
                            span.tl-meta {
                                time datetime=(d.event.occurred_at.to_rfc3339()) { (time(d.event.occurred_at)) }
                                " · " (d.event.platform.display_name())
                            }
                        }
                        div.tl-body {
                            span { "Status: " (badge_for(&d.invoice.status, d.invoice.days_past_due)) }
                            span { "Balance: " strong { (money(d.invoice.balance, d.invoice.currency.as_deref())) } }
                            @if !entry.applied {
                                span.note { "Arrived after a newer update; shown for the record, not applied" }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = format!("Invoice {number}");
    Html(frame(&title, &app.title, Live::Invoice(&inv.id), body).into_string()).into_response()
}
