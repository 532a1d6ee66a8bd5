//! Server-rendered pages (maud). Every page is complete HTML with inline CSS; a few lines of
//! inline script re-fetch the page body when `/live` announces a relevant change.

pub(crate) mod customer;
pub(crate) mod customers;
mod format;
pub(crate) mod invoice;
mod layout;
mod style;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::html;

use crate::error::DemoPortalError;

/// A page that failed: logged, and a plain error page for the visitor.
pub(crate) fn failed(e: DemoPortalError) -> Response {
    tracing::error!(error = %e, "page failed");
    let body = html! {
        h1 { "Something went wrong" }
        p { "The portal could not load this page. Please try again in a moment." }
    };
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(layout::page("Error", "Portal", layout::Live::Off, body).into_string()),
    )
        .into_response()
}

/// 404 page.
pub(crate) async fn not_found() -> Response {
    missing("Page not found", "There is no page at this address.")
}

pub(crate) fn missing(title: &str, text: &str) -> Response {
    let body = html! {
        nav.crumbs aria-label="Breadcrumb" { a href="/" { "All customers" } }
        h1 { (title) }
        p { (text) }
    };
    (
        StatusCode::NOT_FOUND,
        Html(layout::page(title, "Portal", layout::Live::Off, body).into_string()),
    )
        .into_response()
}
