//! The command line besides `serve`: link-signing key management (`linkpay keys …`) and
//! offline links (`linkpay link sign`), which need no database or network, and batch uploads
//! (`linkpay batch`), which go through a running origin's API, and the master keys that seal
//! stored secrets (`linkpay secrets`).

pub mod batch;
pub mod keys;
pub mod secrets;
pub mod sign;

use crate::domain::keyfile::KeyFileError;
use std::path::Path;

/// Why a command failed, which decides its exit status: 2 for input the user can correct (an
/// option, the key file's contents), 1 for everything else (the file system, a closed pipe).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failure(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Failure(_) => 1,
        }
    }
}

/// A key file problem, named by the option that gave the path.
fn key_file_error(option: &str, path: &Path, e: KeyFileError) -> CliError {
    let message = format!("{option} {}: {e}", path.display());
    if e.is_io() {
        CliError::Failure(message)
    } else {
        CliError::Usage(message)
    }
}

fn output_error(e: std::io::Error) -> CliError {
    CliError::Failure(format!("writing the output: {e}"))
}

/// A path as it can be pasted into a POSIX shell.
fn shell_quote(path: &Path) -> String {
    let s = path.display().to_string();
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./-+=:@%".contains(&b));
    if plain {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `2026-03-01` from unix seconds.
fn date(unix: i64) -> String {
    crate::base::clock::rfc3339(unix).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_for_the_shell_when_needed() {
        assert_eq!(
            shell_quote(Path::new("/etc/linkpay/keys")),
            "/etc/linkpay/keys"
        );
        assert_eq!(shell_quote(Path::new("my keys")), "'my keys'");
        assert_eq!(shell_quote(Path::new("it's")), r"'it'\''s'");
        assert_eq!(date(0), "1970-01-01");
    }
}
