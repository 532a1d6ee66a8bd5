//! Shared test helpers: fixtures by name and a loopback HTTP server.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;

use invoice_core::testing::fixture::{load_dir, Fixture};

pub fn fixtures() -> Vec<Fixture> {
    load_dir(&PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures"
    )))
    .unwrap()
}

pub fn fixture(prefix: &str) -> Fixture {
    fixtures()
        .into_iter()
        .find(|f| f.name.starts_with(prefix))
        .unwrap_or_else(|| panic!("no fixture {prefix}"))
}

pub fn api_fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/api/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub fn key_file(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Serves `app` on 127.0.0.1 port 0; returns its address.
pub async fn serve(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr
}
