//! `PortalSink` over HTTP (work in progress: see issue 4).
