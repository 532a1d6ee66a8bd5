//! One module per CLI command.

pub mod audit;
pub mod check;
pub mod dlq;
pub mod migrate;
pub mod replay_file;
pub mod resend;
pub mod serve;
