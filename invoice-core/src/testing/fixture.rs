//! Fixture files: raw HTTP requests with their expectations (being written).
