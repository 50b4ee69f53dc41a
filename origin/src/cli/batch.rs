//! `linkpay batch create|results|sample`: the batch upload from the command line, through the
//! API of a running origin (`--api-url`, `--api-key`), as a merchant's script would use it.

use super::CliError;
use clap::{Args, Subcommand};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Subcommand)]
pub enum BatchCommand {
    /// Upload a CSV of up to 300 buyers: one payment link each, all or nothing.
    ///
    /// Every row is checked first; if any is wrong nothing is created and every error is
    /// printed with its row and column (exit status 2). Otherwise the links are created,
    /// progress is shown while their payment requests go out, and the results (row → link
    /// URL, send status) are written as CSV. Columns: docs/batch.md.
    Create(CreateArgs),
    /// Download a batch's results CSV (for example after stopping `create` with Ctrl-C).
    Results(ResultsArgs),
    /// Print a sample CSV file to start from.
    Sample,
}

#[derive(Args)]
pub struct Api {
    /// The origin's base URL.
    #[arg(long, env = "LINKPAY_API_URL", default_value = "http://127.0.0.1:8080")]
    pub api_url: String,
    /// A secret API key (sk_test_…).
    #[arg(long, env = "LINKPAY_API_KEY", hide_env_values = true)]
    pub api_key: String,
}

#[derive(Args)]
pub struct CreateArgs {
    /// The CSV file: UTF-8 or Shift_JIS.
    #[arg(long)]
    pub file: PathBuf,
    /// Send each buyer the payment request by email or sms (default: only make the links).
    #[arg(long)]
    pub send: Option<String>,
    /// The currency of rows without a currency column.
    #[arg(long)]
    pub currency: Option<String>,
    /// utf-8 or shift_jis (default: detected).
    #[arg(long)]
    pub encoding: Option<String>,
    /// Where to write the results CSV (default: FILE with -results.csv).
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Start the results with a UTF-8 BOM, for Excel.
    #[arg(long)]
    pub bom: bool,
    /// Do not wait for the sending to finish; write the results as they are now.
    #[arg(long)]
    pub no_wait: bool,
    #[command(flatten)]
    pub api: Api,
}

#[derive(Args)]
pub struct ResultsArgs {
    /// The batch id (bat_…).
    pub id: String,
    /// Where to write the results CSV.
    #[arg(long)]
    pub results: PathBuf,
    #[arg(long)]
    pub bom: bool,
    #[command(flatten)]
    pub api: Api,
}

pub async fn run(command: BatchCommand, out: &mut impl Write) -> Result<(), CliError> {
    match command {
        BatchCommand::Sample => out
            .write_all(crate::services::batch::SAMPLE_CSV.as_bytes())
            .map_err(super::output_error),
        BatchCommand::Results(a) => {
            let client = Client::new(&a.api)?;
            client.results(&a.id, &a.results, a.bom).await?;
            writeln!(out, "Results written to {}", a.results.display()).map_err(super::output_error)
        }
        BatchCommand::Create(a) => create(a, out).await,
    }
}

async fn create(a: CreateArgs, out: &mut impl Write) -> Result<(), CliError> {
    let bytes = std::fs::read(&a.file)
        .map_err(|e| CliError::Usage(format!("--file {}: {e}", a.file.display())))?;
    let client = Client::new(&a.api)?;
    let filename = a.file.file_name().map(|n| n.to_string_lossy().into_owned());
    let mut query: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("send", &a.send),
        ("currency", &a.currency),
        ("encoding", &a.encoding),
        ("filename", &filename),
    ] {
        if let Some(v) = v {
            query.push((k, v.clone()));
        }
    }
    writeln!(
        out,
        "Uploading {} ({} bytes)…",
        a.file.display(),
        bytes.len()
    )
    .map_err(super::output_error)?;
    let resp = client
        .http
        .post(format!("{}/v1/batches", client.base))
        .bearer_auth(&client.key)
        .header("content-type", "text/csv")
        .query(&query)
        .body(bytes)
        .send()
        .await
        .map_err(|e| client.unreachable(e))?;
    let status = resp.status();
    let body: Value = resp
        .json()
        .await
        .map_err(|e| CliError::Failure(format!("reading the answer: {e}")))?;
    if !status.is_success() {
        return Err(refusal(&a.file, status.as_u16(), &body));
    }
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    writeln!(out, "Created batch {id}: {} links.", body["row_count"])
        .map_err(super::output_error)?;
    let mut batch = body;
    if a.send.as_deref().is_some_and(|s| s != "none") && !a.no_wait {
        writeln!(out, "Sending the payment requests (Ctrl-C stops waiting; sending goes on, and `linkpay batch results {id}` fetches the results later)…").map_err(super::output_error)?;
        let mut last = String::new();
        while batch["status"] == "sending" {
            tokio::time::sleep(Duration::from_millis(500)).await;
            batch = client.get_json(&format!("/v1/batches/{id}")).await?;
            let p = &batch["progress"];
            let line = format!(
                "  sent {}/{}, failed {}",
                p["sent"], batch["row_count"], p["failed"]
            );
            if line != last {
                writeln!(out, "{line}").map_err(super::output_error)?;
                last = line;
            }
        }
        let failed = batch["progress"]["failed"].as_i64().unwrap_or(0);
        if failed > 0 {
            writeln!(
                out,
                "{failed} payment requests could not be sent: see send_error in the results."
            )
            .map_err(super::output_error)?;
        }
    }
    let path = a.results.unwrap_or_else(|| results_path(&a.file));
    client.results(&id, &path, a.bom).await?;
    writeln!(out, "Results written to {}", path.display()).map_err(super::output_error)
}

/// `buyers.csv` → `buyers-results.csv`, beside it.
fn results_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "batch".into());
    file.with_file_name(format!("{stem}-results.csv"))
}

/// The API's refusal as the person running the command needs it: every row error.
fn refusal(file: &Path, status: u16, body: &Value) -> CliError {
    let e = &body["error"];
    let mut message = format!(
        "{}: {}",
        file.display(),
        e["message"].as_str().unwrap_or("refused")
    );
    for r in e["errors"].as_array().into_iter().flatten() {
        let column = r["column"].as_str().unwrap_or_default();
        let at = match (r["row"].as_i64().unwrap_or(0), column) {
            (0, _) => "file".to_owned(),
            (row, "") => format!("row {row}"),
            (row, c) => format!("row {row}, {c}"),
        };
        message.push_str(&format!(
            "\n  {at}: {}",
            r["message"].as_str().unwrap_or_default()
        ));
    }
    if let Some(p) = e["param"].as_str() {
        message.push_str(&format!(" (--{p})"));
    }
    match status {
        400 | 409 | 422 => CliError::Usage(message),
        401 => CliError::Usage(format!(
            "{message} Set LINKPAY_API_KEY (or --api-key) to a secret key of this origin."
        )),
        _ => CliError::Failure(message),
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Client {
    fn new(api: &Api) -> Result<Client, CliError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("linkpay-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CliError::Failure(format!("setting up HTTP: {e}")))?;
        Ok(Client {
            http,
            base: api.api_url.trim_end_matches('/').to_owned(),
            key: api.api_key.clone(),
        })
    }

    fn unreachable(&self, e: reqwest::Error) -> CliError {
        CliError::Failure(format!(
            "cannot reach the origin at {} ({e}). Is `linkpay serve` running there? Set --api-url or LINKPAY_API_URL.",
            self.base
        ))
    }

    async fn get(&self, path: &str) -> Result<reqwest::Response, CliError> {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .map_err(|e| self.unreachable(e))?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or_default();
        Err(refusal(Path::new(path), status, &body))
    }

    async fn get_json(&self, path: &str) -> Result<Value, CliError> {
        self.get(path)
            .await?
            .json()
            .await
            .map_err(|e| CliError::Failure(format!("reading {path}: {e}")))
    }

    async fn results(&self, id: &str, path: &Path, bom: bool) -> Result<(), CliError> {
        let q = if bom { "?bom=true" } else { "" };
        let bytes = self
            .get(&format!("/v1/batches/{id}/results.csv{q}"))
            .await?
            .bytes()
            .await
            .map_err(|e| CliError::Failure(format!("downloading the results: {e}")))?;
        std::fs::write(path, &bytes)
            .map_err(|e| CliError::Failure(format!("writing {}: {e}", path.display())))
    }
}
