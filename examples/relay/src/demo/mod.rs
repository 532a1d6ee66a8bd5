//! `demo`: the relay and the demo portal in one process, fed a realistic scenario.

use crate::app::AppError;
use crate::cli::DemoArgs;

/// Runs the demo.
pub async fn run(_args: &DemoArgs) -> Result<(), AppError> {
    Err(AppError::Usage("demo: not built yet".into()))
}
