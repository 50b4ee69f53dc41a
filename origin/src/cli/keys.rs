//! `linkpay keys new|rotate|retire|list|export`: the link-signing key file. Only `export`
//! ever prints a secret.

use super::{CliError, date, key_file_error, output_error, shell_quote};
use crate::base::clock;
use crate::domain::keyfile::{KeyFile, KeyState};
use crate::domain::links::MAX_TTL_SECS;
use clap::{Args, Subcommand};
use linkpay_shared::token::mode_name;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key file holding a new test key and a new live key (32 bytes from the OS
    /// each). Refuses to overwrite.
    ///
    /// Key ids default to k1, k2, … in order of creation: k1 the test key, k2 the live key.
    New {
        #[command(flatten)]
        file: FileArg,
        /// The test key's id: 1-32 characters of A-Z a-z 0-9 _ - (default k1).
        #[arg(long)]
        kid: Option<String>,
    },
    /// Add a new test key (or with --live, live key) that signs new links of its mode from now
    /// on; older keys keep verifying.
    ///
    /// Prints the steps that follow: give the worker the new ring, restart the origin, and
    /// retire the old key once the links it signed have expired.
    Rotate {
        #[command(flatten)]
        file: FileArg,
        /// Key id for the new key (default: the next kN).
        #[arg(long)]
        kid: Option<String>,
        /// A live key: it signs live links, which take real money.
        #[arg(long)]
        live: bool,
    },
    /// Remove an old key's secret: links it signed stop working. Refuses a current key.
    Retire {
        /// The key id to retire.
        kid: String,
        #[command(flatten)]
        file: FileArg,
    },
    /// Show each key's id, mode, creation time and state (never a secret).
    List {
        #[command(flatten)]
        file: FileArg,
    },
    /// Print the key ring, `kid:key,kid:key:live`, as the worker's LINK_KEYS secret and the
    /// origin's LINKPAY_LINK_KEYS take it. This prints secrets.
    Export {
        #[command(flatten)]
        file: FileArg,
    },
}

#[derive(Debug, Args)]
pub struct FileArg {
    /// The key file.
    #[arg(long, value_name = "PATH", env = "LINKPAY_LINK_KEYS_FILE")]
    pub file: PathBuf,
}

pub fn run(command: KeysCommand, out: &mut dyn Write) -> Result<(), CliError> {
    let now = clock::system_now();
    match command {
        KeysCommand::New { file, kid } => new(&file.file, kid.as_deref(), now, out),
        KeysCommand::Rotate { file, kid, live } => {
            rotate(&file.file, kid.as_deref(), live, now, out)
        }
        KeysCommand::Retire { kid, file } => retire(&file.file, &kid, now, out),
        KeysCommand::List { file } => list(&file.file, now, out),
        KeysCommand::Export { file } => {
            let keys = load(&file.file)?;
            let ring = keys
                .export()
                .map_err(|e| key_file_error("--file", &file.file, e))?;
            writeln!(out, "{ring}").map_err(output_error)
        }
    }
}

fn load(path: &Path) -> Result<KeyFile, CliError> {
    KeyFile::load(path).map_err(|e| key_file_error("--file", path, e))
}

fn kid_error(path: &Path, e: crate::domain::keyfile::KeyFileError) -> CliError {
    use crate::domain::keyfile::KeyFileError as E;
    match e {
        E::BadKid(_) | E::KidTaken(_) => CliError::Usage(format!("--kid: {e}")),
        other => key_file_error("--file", path, other),
    }
}

fn new(path: &Path, kid: Option<&str>, now: i64, out: &mut dyn Write) -> Result<(), CliError> {
    let keys = KeyFile::generate(kid, now).map_err(|e| kid_error(path, e))?;
    keys.create(path)
        .map_err(|e| key_file_error("--file", path, e))?;
    let kid = |live| {
        keys.current(live)
            .map(|e| e.kid.as_str())
            .unwrap_or_default()
    };
    let (test, live) = (kid(false), kid(true));
    let file = shell_quote(path);
    writeln!(
        out,
        "Created {} (mode 0600) with test key {test} and live key {live}; each signs new links \
         of its mode.\n\
         \n\
         Next:\n  \
           1. Give the edge worker the key ring:\n       \
              linkpay keys export --file {file} | npx wrangler secret put LINK_KEYS\n  \
           2. Start the origin with LINKPAY_LINK_KEYS_FILE={file}\n  \
           3. Sign links offline with: linkpay link sign --keys {file} …",
        path.display()
    )
    .map_err(output_error)
}

fn rotate(
    path: &Path,
    kid: Option<&str>,
    live: bool,
    now: i64,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let mut keys = load(path)?;
    let old = keys.current(live).map(|e| e.kid.clone());
    let new = add_key(path, &mut keys, kid, live, now)?;
    let file = shell_quote(path);
    let Some(old) = old else {
        return first_of_mode(&new, &file, live, out);
    };
    let mode = mode_name(live);
    writeln!(
        out,
        "Key {new} now signs new {mode} links; {old} and the other keys still verify.\n\
         \n\
         Next:\n  \
           1. Give the edge worker the new ring before anyone is sent a link signed with {new}:\n       \
              linkpay keys export --file {file} | npx wrangler secret put LINK_KEYS\n  \
           2. Restart the origin so it signs with {new}. It reads this file at start-up\n     \
              (LINKPAY_LINK_KEYS_FILE={file}); if it takes LINKPAY_LINK_KEYS instead, set that\n     \
              to the output of `linkpay keys export --file {file}`.\n  \
           3. Links signed with {old} keep working while {old} is in the ring. Links live at\n     \
              most 365 days, so once the origin has restarted, retire {old} on or after {after}:\n       \
              linkpay keys retire {old} --file {file}\n     \
              and then repeat steps 1 and 2.",
        after = date(now + MAX_TTL_SECS),
    )
    .map_err(output_error)
}

/// Adds a fresh key of the mode in front and saves the file; answers its id.
fn add_key(
    path: &Path,
    keys: &mut KeyFile,
    kid: Option<&str>,
    live: bool,
    now: i64,
) -> Result<String, CliError> {
    let new = keys
        .rotate(kid, now, live)
        .map_err(|e| kid_error(path, e))?;
    keys.save(path)
        .map_err(|e| key_file_error("--file", path, e))?;
    Ok(new)
}

/// The file's first key of a mode (a file from before keys had modes has no live key).
fn first_of_mode(new: &str, file: &str, live: bool, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(
        out,
        "Key {new} is the file's first {mode} key: it signs new {mode} links.\n\
         \n\
         Next: give the edge worker the new ring and restart the origin:\n  \
           linkpay keys export --file {file} | npx wrangler secret put LINK_KEYS",
        mode = mode_name(live)
    )
    .map_err(output_error)
}

fn retire(path: &Path, kid: &str, now: i64, out: &mut dyn Write) -> Result<(), CliError> {
    let mut keys = load(path)?;
    let superseded = keys.superseded_at(kid);
    keys.retire(kid, now)
        .map_err(|e| key_file_error("--file", path, e))?;
    keys.save(path)
        .map_err(|e| key_file_error("--file", path, e))?;
    if let Some(at) = superseded
        && now < at + MAX_TTL_SECS
    {
        eprintln!(
            "linkpay: warning: {kid} stopped signing new links on {}; links it signed may be valid until \
             {}. Once the worker and origin have the new ring, they fail as unknown_key.",
            date(at),
            date(at + MAX_TTL_SECS)
        );
    }
    let file = shell_quote(path);
    writeln!(
        out,
        "Retired {kid}: its secret is gone from {}.\n\
         \n\
         Next: give the edge worker and the origin the smaller ring:\n  \
           linkpay keys export --file {file} | npx wrangler secret put LINK_KEYS\n  \
         and restart the origin.",
        path.display()
    )
    .map_err(output_error)
}

fn list(path: &Path, now: i64, out: &mut dyn Write) -> Result<(), CliError> {
    let keys = load(path)?;
    let rows: Vec<[String; 4]> = keys
        .entries()
        .iter()
        .map(|e| {
            let current = keys.current(e.livemode).is_some_and(|c| c.kid == e.kid);
            let status = match e.state {
                KeyState::Active(_) if current => {
                    format!("current (signs new {} links)", mode_name(e.livemode))
                }
                KeyState::Active(_) => match keys.superseded_at(&e.kid) {
                    Some(at) if now >= at + MAX_TTL_SECS => {
                        "verify-only (its links have expired: safe to retire)".to_owned()
                    }
                    Some(at) => format!("verify-only (retire after {})", date(at + MAX_TTL_SECS)),
                    None => "verify-only".to_owned(),
                },
                KeyState::Retired { at } => format!("retired {}", clock::rfc3339(at)),
            };
            let mode = match e.state {
                KeyState::Active(_) => mode_name(e.livemode),
                KeyState::Retired { .. } => "-",
            };
            [
                e.kid.clone(),
                mode.to_owned(),
                clock::rfc3339(e.created),
                status,
            ]
        })
        .collect();
    let header = ["KID", "MODE", "CREATED", "STATUS"].map(str::to_owned);
    let width = |col: usize| {
        std::iter::once(&header)
            .chain(&rows)
            .map(|r| r[col].len())
            .max()
            .unwrap_or(0)
    };
    let (w0, w1, w2) = (width(0), width(1), width(2));
    for row in std::iter::once(&header).chain(&rows) {
        writeln!(
            out,
            "{:w0$}  {:w1$}  {:w2$}  {}",
            row[0], row[1], row[2], row[3]
        )
        .map_err(output_error)?;
    }
    Ok(())
}
