//! `demo`: the relay and the demo portal in one process, on a temporary SQLite store, fed
//! a realistic scenario through the real webhook endpoints with properly signed requests
//! (each platform signed the way that platform signs, by its connector's test signer).

mod feed;
mod platforms;
mod stand_ins;
mod story;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use invoice_core::Secret;

use crate::app::{self, AppError};
use crate::cli::DemoArgs;
use crate::config::Settings;
use crate::service;

/// Runs the demo.
pub async fn run(args: &DemoArgs) -> Result<(), AppError> {
    let (dir, _temp) = data_dir(args.data_dir.as_deref())?;
    let portal_secret = format!("whsec_{}", base64_secret());
    let portal_listener = bind(&args.portal_listen).await?;
    let portal = demo_portal::spawn(
        portal_listener,
        demo_portal::DemoPortalConfig {
            title: format!("{} - customer portal", story::SHOP),
            ..demo_portal::DemoPortalConfig::new(
                dir.join("portal.db"),
                vec![Secret::new(portal_secret.clone())],
            )
        },
    )
    .map_err(|e| AppError::Usage(format!("demo portal: {e}")))?;

    let stand_ins = stand_ins::StandIns::start().await?;
    let platforms = platforms::all(&stand_ins.base);
    let secrets: Vec<String> = platforms
        .iter()
        .map(|p| {
            format!(
                "demo_{}_{}",
                p.platform().slug().replace('-', "_"),
                hex_secret()
            )
        })
        .collect();
    let relay_listener = bind(&args.listen).await?;
    let relay_addr = relay_listener
        .local_addr()
        .map_err(|e| AppError::io("demo", e))?;
    let text = config_text(
        &dir,
        relay_addr,
        &portal.events_url(),
        &portal_secret,
        &stand_ins.base,
        &platforms,
        &secrets,
    );
    let config_path = dir.join("invoice-relay.toml");
    std::fs::write(&config_path, &text)
        .map_err(|e| AppError::io(format!("cannot write {}", config_path.display()), e))?;
    let settings = Settings::parse(&config_path, &text, &|_| None)?;
    let journal = app::open_journal(&settings)?;
    let sink = app::portal_sink(&settings)?;
    let running = service::start(&settings, relay_listener, journal.clone(), Some(sink)).await?;
    let base = format!("http://{}", running.addr);

    println!();
    println!("{}: Invoice Relay demo", story::SHOP);
    println!(
        "  relay   {base}   (webhooks at {base}/webhooks/<platform>, metrics at {base}/metrics)"
    );
    println!("  portal  {}", portal.base_url());
    println!("  data    {}", dir.display());
    println!();
    println!("Feeding the scenario through the real webhook endpoints:");
    let client = reqwest::Client::new();
    let story = story::Story::new(running.relay.clock().now());
    let mut refused = 0;
    for (platform, secret) in platforms.iter().zip(&secrets) {
        let secret = Secret::new(secret.clone());
        for step in platform.steps(&story) {
            let status = feed::send(&client, &base, platform.as_ref(), &secret, step).await?;
            if !(200..300).contains(&status) {
                refused += 1;
            }
        }
    }
    let overdue = running.relay.run_overdue().await?;
    crate::metrics::events::InternalEvent::emit(
        crate::metrics::events::OverduePassCompleted(overdue),
        &running.metrics,
    );
    println!(
        "  ok  {:<18} ---  overdue rules (1 and 30 days past due): {} invoices moved",
        "scheduler", overdue.applied
    );
    print!("Delivering to the portal ...");
    let delivered = wait_delivered(journal.as_ref(), &running.metrics).await;
    println!(
        " {}",
        if delivered {
            "done"
        } else {
            "still working (see /metrics)"
        }
    );
    println!();
    println!("Open {} to see each client's invoices.", portal.base_url());

    let result = if refused > 0 {
        Err(AppError::Usage(format!(
            "demo: {refused} scenario requests were refused"
        )))
    } else {
        Ok(())
    };
    if !args.exit_after_seed && result.is_ok() {
        println!("Press Ctrl-C to stop.");
        service::shutdown_signal().await;
    }
    running.shutdown().await;
    let _ = portal.shutdown().await;
    stand_ins.stop();
    result
}

/// Waits (bounded) until every thin reference was enriched and the outbox has nothing
/// pending.
async fn wait_delivered(
    journal: &dyn invoice_core::journal::Journal,
    metrics: &crate::metrics::Metrics,
) -> bool {
    use crate::metrics::labels::{enrichment, outcome};
    for _ in 0..600 {
        let stored = metrics
            .transitions
            .sum_where(|l| l.get(2) == Some(&outcome::PENDING));
        let done = metrics.enrichments.sum_where(|l| {
            l.first() == Some(&enrichment::RESOLVED) || l.first() == Some(&enrichment::REJECTED)
        });
        if let Ok(c) = journal.outbox_counts().await {
            if c.pending == 0 && done >= stored {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

fn config_text(
    dir: &Path,
    listen: SocketAddr,
    portal_url: &str,
    portal_secret: &str,
    stand_in: &str,
    platforms: &[Box<dyn platforms::DemoPlatform>],
    secrets: &[String],
) -> String {
    let mut t = format!(
        "# Written by `invoice-relay demo`: a working example of docs/configuration.md.\n\
         [server]\nlisten = \"{listen}\"\n\n\
         [store]\nkind = \"sqlite\"\npath = \"{}\"\n\n\
         [portal]\nurl = \"{portal_url}\"\nsecret = \"{portal_secret}\"\n\n\
         [delivery]\nmax_attempts = 12\nfirst_backoff = \"1s\"\nmax_backoff = \"1m\"\ntimeout = \"10s\"\nconcurrency = 8\npoll_interval = \"200ms\"\n\n\
         [overdue]\nafter_days = 30\nlevels = [1, 60]\ninterval = \"1h\"\n",
        toml_path(&dir.join("relay.db"))
    );
    for p in platforms {
        let extra = p.extra_config();
        if !extra.is_empty() {
            let _ = write!(t, "\n{extra}");
        }
    }
    for (p, secret) in platforms.iter().zip(secrets) {
        let _ = write!(
            t,
            "\n[sources.{}]\n{}",
            p.platform().slug(),
            p.config(secret, stand_in)
        );
    }
    t
}

fn toml_path(p: &Path) -> String {
    p.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// Binds `addr`, or any free loopback port when it is taken.
async fn bind(addr: &str) -> Result<tokio::net::TcpListener, AppError> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => Ok(l),
        Err(e) => {
            eprintln!("demo: {addr} is not available ({e}); using a free port instead");
            tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| AppError::io("demo: cannot listen on loopback", e))
        }
    }
}

fn data_dir(given: Option<&Path>) -> Result<(PathBuf, Option<tempfile::TempDir>), AppError> {
    match given {
        Some(p) => {
            std::fs::create_dir_all(p)
                .map_err(|e| AppError::io(format!("cannot create {}", p.display()), e))?;
            Ok((p.to_path_buf(), None))
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("invoice-relay-demo-")
                .tempdir()
                .map_err(|e| AppError::io("cannot create a temporary folder", e))?;
            Ok((t.path().to_path_buf(), Some(t)))
        }
    }
}

fn hex_secret() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn base64_secret() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 24]>())
}
