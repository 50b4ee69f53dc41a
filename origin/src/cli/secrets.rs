//! `linkpay secrets new-key|rotate`: the master keys that seal the secrets the database keeps
//! (`base::secrets`). `new-key` prints a secret; `rotate` never does.

use super::{CliError, date, output_error};
use crate::base::clock;
use crate::base::db::Db;
use crate::base::secrets::MasterKeys;
use crate::services::secrets::{Reseal, reseal};
use clap::Subcommand;
use std::io::Write;

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Print a new master key entry, `kid:base64urlkey` (32 bytes from the OS), for
    /// LINKPAY_MASTER_KEYS or its file. This prints a secret.
    NewKey {
        /// Key id: 1-32 characters of A-Z a-z 0-9 _ - (default: m and today's date).
        #[arg(long)]
        kid: Option<String>,
    },
    /// Re-seal every stored secret under the first key of LINKPAY_MASTER_KEYS (or its file),
    /// in the database at DATABASE_URL. Safe while origins run; afterwards the older keys
    /// can be removed from the list.
    Rotate,
}

/// Runs a command; `env` reads the environment (`std::env::var` outside tests).
pub async fn run(
    command: SecretsCommand,
    env: impl Fn(&str) -> Option<String>,
    out: &mut impl Write,
) -> Result<(), CliError> {
    match command {
        SecretsCommand::NewKey { kid } => {
            let kid =
                kid.unwrap_or_else(|| format!("m{}", date(clock::system_now()).replace('-', "")));
            let entry =
                MasterKeys::new_entry(&kid).map_err(|e| CliError::Usage(format!("--kid: {e}")))?;
            writeln!(out, "{entry}").map_err(output_error)
        }
        SecretsCommand::Rotate => {
            let keys = crate::config::master_keys(&env)
                .map_err(|e| CliError::Usage(format!("configuration: {e}")))?;
            let url = env("DATABASE_URL").unwrap_or_else(|| "sqlite://.linkpay/linkpay.db".into());
            let db = Db::open(&url)
                .await
                .map_err(|e| CliError::Failure(e.to_string()))?;
            let n = reseal(&db, &keys, Reseal::NotCurrent)
                .await
                .map_err(|e| CliError::Failure(format!("re-sealing: {e}")))?;
            writeln!(
                out,
                "Re-sealed {n} stored secret(s) under master key {:?}; every stored secret is \
                 now sealed under it, so older keys can be removed from LINKPAY_MASTER_KEYS.",
                keys.current_kid()
            )
            .map_err(output_error)
        }
    }
}
