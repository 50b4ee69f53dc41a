//! `linkpay`: the origin server and its command line.

use clap::{Parser, Subcommand};
use linkpay_origin::base::db::Db;
use linkpay_origin::cli::{self, CliError, keys::KeysCommand, sign::LinkCommand};
use linkpay_origin::config::Config;
use linkpay_origin::services::secrets::{Reseal, reseal};
use linkpay_origin::state::AppState;
use linkpay_origin::{app, domain::merchants, web::dashboard};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "linkpay",
    version,
    about = "Self-hostable payment links: the origin server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the origin: merchant API, checkout, sandbox provider, webhook delivery.
    ///
    /// Configuration comes from the environment (see docs/configuration.md). On a new
    /// database a demo merchant is created and its test secret key printed once.
    Serve {
        /// Also write the demo merchant's secret key to this file (mode 0600), for scripts.
        #[arg(long)]
        demo_key_file: Option<PathBuf>,
    },
    /// Manage the link-signing key file: new, rotate, retire, list, export.
    ///
    /// The edge worker (secret LINK_KEYS) and the origin (LINKPAY_LINK_KEYS_FILE or
    /// LINKPAY_LINK_KEYS) verify links with the same keys. See docs/cli.md.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Payment links made offline.
    Link {
        #[command(subcommand)]
        command: LinkCommand,
    },
    /// Payment links for up to 300 buyers from a CSV file, through a running origin's API.
    Batch {
        #[command(subcommand)]
        command: cli::batch::BatchCommand,
    },
    /// The merchant dashboard (served by `serve` at /dashboard).
    Dashboard {
        #[command(subcommand)]
        command: DashboardCommand,
    },
    /// The master keys that seal stored secrets: make one, re-seal under the current one.
    ///
    /// LINKPAY_MASTER_KEYS (or LINKPAY_MASTER_KEYS_FILE) lists them, the sealing key first.
    /// See docs/secrets.md.
    Secrets {
        #[command(subcommand)]
        command: cli::secrets::SecretsCommand,
    },
    /// Print the API's OpenAPI 3.1 document, as GET /v1/openapi.json serves it, for code
    /// generators. Needs no configuration, database or network.
    Openapi,
}

#[derive(Subcommand)]
enum DashboardCommand {
    /// Print the code the first-run set-up page asks for. Reads the same environment as
    /// `serve` (the code is derived from LINKPAY_EDGE_SECRET).
    SetupCode,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LINKPAY_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { demo_key_file } => match serve(demo_key_file).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("linkpay: {e}");
                ExitCode::FAILURE
            }
        },
        Command::Keys { command } => finish(cli::keys::run(command, &mut std::io::stdout())),
        Command::Link {
            command: LinkCommand::Sign(args),
        } => finish(cli::sign::run(&args, &mut std::io::stdout())),
        Command::Batch { command } => {
            finish(cli::batch::run(command, &mut std::io::stdout()).await)
        }
        Command::Secrets { command } => {
            let env = |k: &str| std::env::var(k).ok();
            finish(cli::secrets::run(command, env, &mut std::io::stdout()).await)
        }
        Command::Openapi => {
            let text = serde_json::to_string_pretty(linkpay_origin::web::api::openapi_document())
                .expect("the document serialises");
            let written = writeln!(std::io::stdout(), "{text}");
            finish(written.map_err(|e| CliError::Failure(format!("writing the output: {e}"))))
        }
        Command::Dashboard {
            command: DashboardCommand::SetupCode,
        } => match Config::from_env() {
            Ok(config) => {
                println!("{}", dashboard::setup_code(&config.edge_secret));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("linkpay: configuration: {e}");
                ExitCode::from(2)
            }
        },
    }
}

/// Exit status 2 for input to correct, 1 for other failures.
fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("linkpay: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

async fn serve(demo_key_file: Option<PathBuf>) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| format!("configuration: {e}"))?;
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    // Secrets an older linkpay stored in plain text are sealed before anything is served.
    let sealed = reseal(&db, &config.master_keys, Reseal::Plain)
        .await
        .map_err(|e| format!("sealing stored secrets: {e}"))?;
    if sealed > 0 {
        tracing::info!(sealed, master_key = %config.master_keys.current_kid(), "sealed secrets that were stored in plain text");
    }
    if let Some((merchant, key)) =
        merchants::ensure_demo(&db, linkpay_origin::base::clock::system_now())
            .await
            .map_err(|e| format!("creating the demo merchant: {e}"))?
    {
        println!(
            "Created demo merchant \"{}\" ({}).",
            merchant.name, merchant.id
        );
        match demo_key_file {
            // Scripts capture stdout into log files, so the key goes to its own file instead.
            Some(path) => {
                write_private(&path, &key)
                    .map_err(|e| format!("writing {}: {e}", path.display()))?;
                println!(
                    "Its test secret key was written to {} (mode 0600).",
                    path.display()
                );
            }
            // Printed to stdout, once, on purpose: it is never written to the log.
            None => println!("Its test secret key, shown only this once:\n\n    {key}\n"),
        }
    }
    if dashboard::needs_setup(&db)
        .await
        .map_err(|e| format!("reading dashboard users: {e}"))?
    {
        println!(
            "Dashboard: nobody can sign in yet. Open {}/dashboard/setup and enter the code that \
             `linkpay dashboard setup-code` prints.",
            config.public_url
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {} (LINKPAY_LISTEN): {e}", config.listen))?;
    let state = AppState::new(db, config);
    state.spawn_background();
    tracing::info!(listen = %state.config.listen, public_url = %state.config.public_url, edge_url = %state.config.edge_url, "linkpay origin ready");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("server: {e}"))
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents.as_bytes())
}
