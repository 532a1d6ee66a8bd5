//! Durable embedded SQLite `Journal` (work in progress: see issue 3).
