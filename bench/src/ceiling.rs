//! The ceiling for the origin: a bare axum handler answering `GET /` with "ok", in its own
//! process (`linkpay-bench ceiling-server`) with the same runtime set-up as the origin's
//! `#[tokio::main]`, measured with the same generator settings.

use crate::http::{Conn, free_port, get_jobs, loopback};
use crate::load::{self, progress};
use crate::procs::Proc;
use crate::{Figure, Settings};
use axum::Router;
use axum::routing::get;
use std::process::{Command, ExitCode};
use std::time::Duration;

pub fn app() -> Router {
    Router::new().route("/", get(|| async { "ok" }))
}

/// `linkpay-bench ceiling-server --port N`.
pub fn serve(port: u16) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ceiling-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(loopback(port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("ceiling-server: cannot listen on 127.0.0.1:{port}: {e}");
                return ExitCode::FAILURE;
            }
        };
        match axum::serve(listener, app()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("ceiling-server: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

pub async fn run(s: &Settings) -> Result<Vec<Figure>, String> {
    progress("ceiling: starting a bare axum server (linkpay-bench ceiling-server)…");
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let port = free_port()?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("ceiling-server")
        .arg("--port")
        .arg(port.to_string());
    let mut server = Proc::spawn("the ceiling server", cmd, &dir.path().join("ceiling.log"))?;
    let addr = loopback(port);
    server
        .wait_ready(Duration::from_secs(10), || async move {
            Conn::new(addr)
                .get("/")
                .await
                .is_ok_and(|r| r.status == 200)
        })
        .await?;
    let stats = load::closed(
        "ceiling: bare axum GET /",
        s.warmup,
        s.duration,
        get_jobs(addr, "/", 2, s.concurrency),
    )
    .await;
    drop(server);
    Ok(vec![Figure::from_stats(
        "ceiling.axum",
        "ceiling: bare axum handler GET /",
        &stats,
        s,
    )])
}
