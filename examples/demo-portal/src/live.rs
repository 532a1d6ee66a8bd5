//! Live refresh: every applied update is announced on `GET /live` (Server-Sent Events); the
//! pages re-fetch themselves when a change concerns what they show.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::server::AppState;

/// What changed: the pages of this customer and this invoice are out of date.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Change {
    pub customer: String,
    pub invoice: String,
}

/// Fan-out of changes to the open pages.
#[derive(Debug, Clone)]
pub(crate) struct Live {
    tx: broadcast::Sender<Change>,
}

impl Live {
    pub(crate) fn new() -> Self {
        Live {
            tx: broadcast::channel(256).0,
        }
    }

    pub(crate) fn publish(&self, change: Change) {
        // No open page is not an error.
        let _ = self.tx.send(change);
    }
}

/// `GET /live`: `event: change` with `{customer, invoice}` for each applied update.
/// A page that fell behind gets `{"customer":"*","invoice":"*"}` (refresh whatever you show).
pub(crate) async fn events(
    State(app): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = app.live.tx.subscribe();
    let shutdown = app.shutdown.subscribe();
    let s = stream::unfold((rx, shutdown), |(mut rx, mut shutdown)| async move {
        loop {
            if *shutdown.borrow() {
                return None;
            }
            let change = tokio::select! {
                r = rx.recv() => r,
                _ = shutdown.changed() => return None,
            };
            let change = match change {
                Ok(c) => c,
                Err(broadcast::error::RecvError::Lagged(_)) => Change {
                    customer: "*".into(),
                    invoice: "*".into(),
                },
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            let Ok(event) = Event::default().event("change").json_data(&change) else {
                continue;
            };
            return Some((Ok(event), (rx, shutdown)));
        }
    });
    Sse::new(s).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
