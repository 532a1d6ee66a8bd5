//! The connector conformance suite (being written).
