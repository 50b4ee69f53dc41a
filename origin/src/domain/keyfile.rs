//! The link-signing key file: the keys `linkpay keys` manages, `linkpay link sign` signs with,
//! and the origin reads through `LINKPAY_LINK_KEYS_FILE`.
//!
//! A small text file, one key a line, newest first (the full format is in docs/cli.md):
//!
//! ```text
//! # comments and blank lines are ignored (and not kept when the file is rewritten)
//! linkpay-keys v1
//! key k2 2026-03-01T09:00:00Z <base64url secret, 32 bytes>
//! key k1 2025-09-01T09:00:00Z <base64url secret>
//! retired k0 2025-01-01T09:00:00Z 2026-03-01T09:00:00Z
//! ```
//!
//! The first `key` line is the current key, which signs new links; every `key` line verifies.
//! A `retired` line remembers a key whose secret was removed (kid, created, retired), so that
//! its kid is never reused and tools can say why a token naming it no longer verifies.
//!
//! The file is created with mode 0600 and rewritten atomically (a temporary file in the same
//! folder, synced, then renamed over it), so a crash leaves either the old file or the new one.
//! On Unix a file that its group or other users can read or write is refused, as ssh refuses
//! such a private key.

use crate::base::clock;
use crate::base::ids;
use linkpay_shared::SecretKey;
use linkpay_shared::token::{self, Keyring};
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::path::Path;

const HEADER: &str = "linkpay-keys v1";
/// Bytes of OS randomness in a new key: HMAC-SHA256's block of strength.
pub const KEY_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("no such file (create one with `linkpay keys new --file PATH`)")]
    NotFound,
    #[error("already exists; refusing to overwrite a key file")]
    Exists,
    #[error("is not a regular file")]
    NotAFile,
    #[error(
        "can be read or written by other users (mode {0:04o}); it holds secret keys, so run \
         `chmod 600` on it"
    )]
    Insecure(u32),
    #[error("line {line}: {problem}")]
    Parse { line: usize, problem: String },
    #[error("has no key that can sign (every key is retired)")]
    NoKeys,
    #[error("key id {0:?} must be 1-32 characters of A-Z a-z 0-9 _ -")]
    BadKid(String),
    #[error("key id {0:?} is already in the file (retired kids are not reused)")]
    KidTaken(String),
    #[error("has no key {0:?}")]
    UnknownKid(String),
    #[error("key {0:?} is the current key; rotate first (`linkpay keys rotate`), then retire it")]
    IsCurrent(String),
    #[error("key {0:?} is retired: its secret was removed")]
    Retired(String),
    #[error("is not UTF-8 text")]
    NotText,
    #[error("{0}")]
    Ring(String),
    #[error("{0}")]
    Io(#[from] io::Error),
}

impl KeyFileError {
    /// True when the fault is the file system's rather than the file's or the request's.
    pub fn is_io(&self) -> bool {
        matches!(self, KeyFileError::Io(_))
    }
}

#[derive(Debug, Clone)]
pub enum KeyState {
    /// Verifies links; the first active key also signs them.
    Active(SecretKey),
    /// Secret removed at this time (unix seconds).
    Retired { at: i64 },
}

#[derive(Debug, Clone)]
pub struct KeyEntry {
    pub kid: String,
    /// Unix seconds.
    pub created: i64,
    pub state: KeyState,
}

impl KeyEntry {
    pub fn is_active(&self) -> bool {
        matches!(self.state, KeyState::Active(_))
    }
}

/// The keys of one file: active keys in ring order (current first), then retired ones.
#[derive(Debug, Clone)]
pub struct KeyFile {
    entries: Vec<KeyEntry>,
}

impl KeyFile {
    /// A new file with one fresh key, `kid` or `k1`.
    pub fn generate(kid: Option<&str>, now: i64) -> Result<KeyFile, KeyFileError> {
        let mut file = KeyFile {
            entries: Vec::new(),
        };
        file.rotate(kid, now)?;
        Ok(file)
    }

    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// The key that signs new links.
    pub fn current(&self) -> Option<&KeyEntry> {
        self.entries.first().filter(|e| e.is_active())
    }

    /// When `kid` stopped signing new links: when the key in front of it in the ring was
    /// made. Links live at most 365 days, so a key is safe to retire that long after this.
    /// If keys in between were retired, this is later than the truth, which errs on the side
    /// of waiting longer.
    pub fn superseded_at(&self, kid: &str) -> Option<i64> {
        let i = self.entries.iter().position(|e| e.kid == kid)?;
        let e = self.entries.get(i.checked_sub(1)?)?;
        e.is_active().then_some(e.created)
    }

    /// Puts a fresh key first, so it signs new links; the others keep verifying.
    /// Returns the new key's id.
    pub fn rotate(&mut self, kid: Option<&str>, now: i64) -> Result<String, KeyFileError> {
        let kid = match kid {
            Some(k) => {
                if !token::valid_kid(k.as_bytes()) {
                    return Err(KeyFileError::BadKid(k.to_owned()));
                }
                if self.entries.iter().any(|e| e.kid == k) {
                    return Err(KeyFileError::KidTaken(k.to_owned()));
                }
                k.to_owned()
            }
            None => self.next_kid(),
        };
        let secret = SecretKey::new(ids::random_bytes::<KEY_BYTES>().to_vec())
            .expect("KEY_BYTES is at least the minimum key length");
        self.entries.insert(
            0,
            KeyEntry {
                kid: kid.clone(),
                created: now,
                state: KeyState::Active(secret),
            },
        );
        Ok(kid)
    }

    /// Removes a key's secret, remembering its id. Refuses the current key.
    pub fn retire(&mut self, kid: &str, now: i64) -> Result<(), KeyFileError> {
        let i = self
            .entries
            .iter()
            .position(|e| e.kid == kid)
            .ok_or_else(|| KeyFileError::UnknownKid(kid.to_owned()))?;
        if !self.entries[i].is_active() {
            return Err(KeyFileError::Retired(kid.to_owned()));
        }
        if i == 0 {
            return Err(KeyFileError::IsCurrent(kid.to_owned()));
        }
        let mut entry = self.entries.remove(i);
        entry.state = KeyState::Retired { at: now };
        // Retired entries follow the active ones, most recently retired first.
        let first_retired = self
            .entries
            .iter()
            .position(|e| !e.is_active())
            .unwrap_or(self.entries.len());
        self.entries.insert(first_retired, entry);
        Ok(())
    }

    /// The ring of every active key, the current one signing.
    pub fn keyring(&self) -> Result<Keyring, KeyFileError> {
        let current = self.current().ok_or(KeyFileError::NoKeys)?.kid.clone();
        self.keyring_signing_with(&current)
    }

    /// The ring of every active key, with `kid` signing instead of the current key.
    pub fn keyring_signing_with(&self, kid: &str) -> Result<Keyring, KeyFileError> {
        match self.entries.iter().find(|e| e.kid == kid) {
            None => return Err(KeyFileError::UnknownKid(kid.to_owned())),
            Some(e) if !e.is_active() => return Err(KeyFileError::Retired(kid.to_owned())),
            Some(_) => {}
        }
        let keys = self
            .entries
            .iter()
            .filter_map(|e| match &e.state {
                KeyState::Active(key) => Some((e.kid.clone(), key.clone())),
                KeyState::Retired { .. } => None,
            })
            .collect();
        Keyring::new(kid, keys).map_err(KeyFileError::Ring)
    }

    /// The ring as `LINK_KEYS` / `LINKPAY_LINK_KEYS` take it: `kid:key,kid:key`, current first.
    pub fn export(&self) -> Result<String, KeyFileError> {
        if self.current().is_none() {
            return Err(KeyFileError::NoKeys);
        }
        let ring: Vec<String> = self
            .entries
            .iter()
            .filter_map(|e| match &e.state {
                KeyState::Active(key) => Some(format!("{}:{}", e.kid, key.to_base64url())),
                KeyState::Retired { .. } => None,
            })
            .collect();
        Ok(ring.join(","))
    }

    /// `k<n+1>` where `k<n>` is the highest numbered kid so far (retired ones included).
    fn next_kid(&self) -> String {
        let highest = self
            .entries
            .iter()
            .filter_map(|e| e.kid.strip_prefix('k')?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        format!("k{}", highest + 1)
    }

    pub fn parse(text: &str) -> Result<KeyFile, KeyFileError> {
        let mut entries: Vec<KeyEntry> = Vec::new();
        let mut seen_header = false;
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let bad = |problem: String| KeyFileError::Parse { line, problem };
            let content = raw.trim();
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if !seen_header {
                if content != HEADER {
                    return Err(bad(format!(
                        "expected {HEADER:?} before any key; is this a linkpay key file?"
                    )));
                }
                seen_header = true;
                continue;
            }
            let fields: Vec<&str> = content.split_whitespace().collect();
            // Field values are never echoed: a secret may be among them.
            let (kind, kid, created) = match fields.as_slice() {
                [kind, kid, created, _] => (*kind, *kid, *created),
                _ => {
                    return Err(bad(
                        "expected `key KID CREATED SECRET` or `retired KID CREATED RETIRED`".into(),
                    ));
                }
            };
            if !token::valid_kid(kid.as_bytes()) {
                return Err(bad(KeyFileError::BadKid(kid.to_owned()).to_string()));
            }
            if entries.iter().any(|e| e.kid == kid) {
                return Err(bad(format!("key id {kid:?} appears twice")));
            }
            let created = parse_time(created)
                .ok_or_else(|| bad(format!("key {kid:?}: the created time is not RFC 3339")))?;
            let state = match kind {
                "key" => KeyState::Active(
                    SecretKey::from_base64url(fields[3])
                        .map_err(|e| bad(format!("key {kid:?}: {e}")))?,
                ),
                "retired" => KeyState::Retired {
                    at: parse_time(fields[3]).ok_or_else(|| {
                        bad(format!("key {kid:?}: the retired time is not RFC 3339"))
                    })?,
                },
                _ => return Err(bad("each line must start with `key` or `retired`".into())),
            };
            if matches!(state, KeyState::Active(_)) && entries.iter().any(|e| !e.is_active()) {
                return Err(bad("`key` lines must come before `retired` lines".into()));
            }
            entries.push(KeyEntry {
                kid: kid.to_owned(),
                created,
                state,
            });
        }
        if !seen_header {
            return Err(KeyFileError::Parse {
                line: 1,
                problem: format!("empty; a key file starts with {HEADER:?}"),
            });
        }
        let file = KeyFile { entries };
        if file.current().is_none() {
            return Err(KeyFileError::NoKeys);
        }
        Ok(file)
    }

    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# linkpay link-signing keys (format: docs/cli.md). Secret: keep this file mode 0600.\n\
             # The first `key` line signs new links; every `key` line verifies them.\n\
             # Manage it with `linkpay keys`; comments are not kept.\n",
        );
        out.push_str(HEADER);
        out.push('\n');
        for e in &self.entries {
            // Writing to a String cannot fail.
            let _ = match &e.state {
                KeyState::Active(key) => writeln!(
                    out,
                    "key {} {} {}",
                    e.kid,
                    clock::rfc3339(e.created),
                    key.to_base64url()
                ),
                KeyState::Retired { at } => writeln!(
                    out,
                    "retired {} {} {}",
                    e.kid,
                    clock::rfc3339(e.created),
                    clock::rfc3339(*at)
                ),
            };
        }
        out
    }

    /// Reads and checks a key file, refusing one that other users can read or write.
    pub fn load(path: &Path) -> Result<KeyFile, KeyFileError> {
        let mut file = std::fs::File::open(path).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => KeyFileError::NotFound,
            _ => KeyFileError::Io(e),
        })?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(KeyFileError::NotAFile);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o7777;
            if mode & 0o077 != 0 {
                return Err(KeyFileError::Insecure(mode));
            }
        }
        let mut text = String::new();
        file.read_to_string(&mut text).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => KeyFileError::NotText,
            _ => KeyFileError::Io(e),
        })?;
        KeyFile::parse(&text)
    }

    /// Writes a new file, refusing to replace one that exists.
    pub fn create(&self, path: &Path) -> Result<(), KeyFileError> {
        write_atomic(path, &self.to_text(), Replace::No)
    }

    /// Replaces the file atomically.
    pub fn save(&self, path: &Path) -> Result<(), KeyFileError> {
        write_atomic(path, &self.to_text(), Replace::Yes)
    }
}

fn parse_time(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.unix_timestamp())
}

#[derive(PartialEq)]
enum Replace {
    Yes,
    No,
}

/// Writes `text` to a mode-0600 temporary file beside `path`, syncs it, then renames it over
/// `path` (or, with `Replace::No`, hard-links it there, which fails if `path` exists), so
/// that `path` always holds a whole file.
fn write_atomic(path: &Path, text: &str, replace: Replace) -> Result<(), KeyFileError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let suffix: String = ids::random_bytes::<6>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let tmp = dir.join(format!(".{}.{suffix}.tmp", name.to_string_lossy()));

    let result = (|| -> Result<(), KeyFileError> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        match replace {
            Replace::Yes => std::fs::rename(&tmp, path)?,
            Replace::No => {
                std::fs::hard_link(&tmp, path).map_err(|e| match e.kind() {
                    io::ErrorKind::AlreadyExists => KeyFileError::Exists,
                    _ => KeyFileError::Io(e),
                })?;
                std::fs::remove_file(&tmp)?;
            }
        }
        // Make the rename itself durable. Best effort: not every platform can sync a folder.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests;
