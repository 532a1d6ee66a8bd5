//! The real `invoice-relay` binary as a child process.
//!
//! This crate cannot depend on a binary crate, so the binary is found at
//! `$INVOICE_RELAY_BIN`, else beside this test executable's `deps/` folder
//! (`<target>/debug/invoice-relay`). Build it first: `cargo build -p invoice-relay`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

/// Where the binary is; panics with the command that builds it when it is missing.
pub fn bin() -> PathBuf {
    if let Some(p) = std::env::var_os("INVOICE_RELAY_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap_or_default();
    // <target>/debug/deps/<test>-<hash> -> <target>/debug/invoice-relay
    let candidate = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("invoice-relay"))
        .unwrap_or_default();
    assert!(
        candidate.is_file(),
        "the relay binary is not built at {}: run `cargo build -p invoice-relay` \
         (same CARGO_TARGET_DIR) or set INVOICE_RELAY_BIN",
        candidate.display()
    );
    candidate
}

/// A command for the binary with `--config`, its environment and logs at `info`.
pub fn command(config: &Path, env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(bin());
    c.arg("--config")
        .arg(config)
        .env("INVOICE_RELAY_LOG", "info")
        .kill_on_drop(true);
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// `invoice-relay serve`, running.
pub struct RelayProcess {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl RelayProcess {
    /// Starts `serve` with stderr appended to `log`, and waits for its "listening" line.
    pub async fn start(config: &Path, env: &[(&str, &str)], log: &Path) -> RelayProcess {
        let err = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let mut child = command(config, env)
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err))
            .spawn()
            .expect("spawn invoice-relay");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(120), stdout.read_line(&mut line))
            .await
            .expect("relay did not start within 120 s")
            .expect("read relay stdout");
        assert!(
            n > 0,
            "relay exited at start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        let addr = line
            .trim()
            .rsplit("http://")
            .next()
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected start line {line:?}"));
        RelayProcess {
            child,
            stdout,
            addr,
        }
    }

    /// `http://addr`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// SIGKILL: no shutdown, no flush, nothing after this instruction runs.
    pub async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await;
    }

    /// SIGTERM, then waits for the exit code.
    pub async fn terminate(mut self) -> Option<i32> {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .ok()?
            .ok()?;
        // Whatever it printed after the start line (nothing is expected).
        let mut rest = String::new();
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            tokio::io::AsyncReadExt::read_to_string(&mut self.stdout, &mut rest),
        )
        .await;
        status.code()
    }
}

/// Runs a CLI command (`audit verify`, ...) to completion: exit code, stdout, stderr.
pub async fn run_cli(config: &Path, env: &[(&str, &str)], args: &[&str]) -> (i32, String, String) {
    let out = command(config, env)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run invoice-relay");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
