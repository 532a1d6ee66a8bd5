//! The shared `Journal` behaviour suite (being written: issue 3).
