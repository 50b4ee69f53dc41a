//! The link-signing key file: the keys `linkpay keys` manages, `linkpay link sign` signs with,
//! and the origin reads through `LINKPAY_LINK_KEYS_FILE`.
//!
//! A small text file, one key a line, newest first (the full format is in docs/cli.md):
//!
//! ```text
//! # comments and blank lines are ignored (and not kept when the file is rewritten)
//! linkpay-keys v1
//! key k3 2026-03-01T09:00:00Z <base64url secret, 32 bytes>
//! key k2 2025-09-01T09:00:00Z <base64url secret> live
//! key k1 2025-09-01T09:00:00Z <base64url secret>
//! retired k0 2025-01-01T09:00:00Z 2026-03-01T09:00:00Z
//! ```
//!
//! Each key is of one mode: a `key` line ending in `live` signs and verifies live links, any
//! other test links, so a test key never makes a link that takes real money. The first `key`
//! line of each mode is that mode's current key, which signs new links; every `key` line
//! verifies.
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
use linkpay_shared::token::{self, Keyring, RingKey};
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
    #[error(
        "has no {} key; add one with `linkpay keys rotate{}`",
        if *.0 { "live" } else { "test" },
        if *.0 { " --live" } else { "" }
    )]
    NoKeyForMode(bool),
    #[error("key id {0:?} must be 1-32 characters of A-Z a-z 0-9 _ -")]
    BadKid(String),
    #[error("key id {0:?} is already in the file (retired kids are not reused)")]
    KidTaken(String),
    #[error("has no key {0:?}")]
    UnknownKid(String),
    #[error(
        "key {0:?} is a current key; rotate first (`linkpay keys rotate`, with --live for a live key), then retire it"
    )]
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
    /// A live key signs live links only; a test key test links only.
    pub livemode: bool,
}

impl KeyEntry {
    pub fn is_active(&self) -> bool {
        matches!(self.state, KeyState::Active(_))
    }
}

/// The keys of one file: active keys in ring order (each mode's current key first among its
/// mode's), then retired ones.
#[derive(Debug, Clone)]
pub struct KeyFile {
    entries: Vec<KeyEntry>,
}

impl KeyFile {
    /// A new file with a fresh test key (`kid`, or `k1`) and a fresh live key after it.
    pub fn generate(kid: Option<&str>, now: i64) -> Result<KeyFile, KeyFileError> {
        let mut file = KeyFile {
            entries: Vec::new(),
        };
        file.rotate(kid, now, false)?;
        file.rotate(None, now, true)?;
        // The test key first, as it is made first.
        file.entries.swap(0, 1);
        Ok(file)
    }

    pub fn entries(&self) -> &[KeyEntry] {
        &self.entries
    }

    /// The key that signs new links of this mode.
    pub fn current(&self, livemode: bool) -> Option<&KeyEntry> {
        self.entries
            .iter()
            .find(|e| e.is_active() && e.livemode == livemode)
    }

    /// When `kid` stopped signing new links: when the key of its mode in front of it in the
    /// ring was made. Links live at most 365 days, so a key is safe to retire that long after
    /// this. If keys in between were retired, this is later than the truth, which errs on the
    /// side of waiting longer.
    pub fn superseded_at(&self, kid: &str) -> Option<i64> {
        let i = self.entries.iter().position(|e| e.kid == kid)?;
        let mode = self.entries[i].livemode;
        let e = self.entries[..i]
            .iter()
            .rev()
            .find(|e| e.livemode == mode)?;
        e.is_active().then_some(e.created)
    }

    /// Puts a fresh key of this mode first, so it signs the mode's new links; the others keep
    /// verifying. Returns the new key's id.
    pub fn rotate(
        &mut self,
        kid: Option<&str>,
        now: i64,
        livemode: bool,
    ) -> Result<String, KeyFileError> {
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
                livemode,
            },
        );
        Ok(kid)
    }

    /// Removes a key's secret, remembering its id. Refuses a current key.
    pub fn retire(&mut self, kid: &str, now: i64) -> Result<(), KeyFileError> {
        let i = self
            .entries
            .iter()
            .position(|e| e.kid == kid)
            .ok_or_else(|| KeyFileError::UnknownKid(kid.to_owned()))?;
        if !self.entries[i].is_active() {
            return Err(KeyFileError::Retired(kid.to_owned()));
        }
        if self
            .current(self.entries[i].livemode)
            .is_some_and(|c| c.kid == kid)
        {
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

    /// The ring of every active key, each mode's current key signing.
    pub fn keyring(&self) -> Result<Keyring, KeyFileError> {
        let keys = self
            .entries
            .iter()
            .filter_map(|e| match &e.state {
                KeyState::Active(key) => Some(RingKey {
                    kid: e.kid.clone(),
                    key: key.clone(),
                    livemode: e.livemode,
                }),
                KeyState::Retired { .. } => None,
            })
            .collect::<Vec<_>>();
        if keys.is_empty() {
            return Err(KeyFileError::NoKeys);
        }
        Keyring::new(keys).map_err(KeyFileError::Ring)
    }

    /// The ring of every active key, with `kid` signing its mode's links instead of that
    /// mode's current key.
    pub fn keyring_signing_with(&self, kid: &str) -> Result<Keyring, KeyFileError> {
        match self.entries.iter().find(|e| e.kid == kid) {
            None => return Err(KeyFileError::UnknownKid(kid.to_owned())),
            Some(e) if !e.is_active() => return Err(KeyFileError::Retired(kid.to_owned())),
            Some(_) => {}
        }
        self.keyring()?
            .signing_with(kid)
            .map_err(KeyFileError::Ring)
    }

    /// The mode of key `kid`, if the file has it.
    pub fn livemode_of(&self, kid: &str) -> Option<bool> {
        self.entries
            .iter()
            .find(|e| e.kid == kid)
            .map(|e| e.livemode)
    }

    /// The ring as `LINK_KEYS` / `LINKPAY_LINK_KEYS` take it: `kid:key,kid:key:live`, in ring
    /// order (each mode's current key first among its mode's).
    pub fn export(&self) -> Result<String, KeyFileError> {
        let ring: Vec<String> = self
            .entries
            .iter()
            .filter_map(|e| match &e.state {
                KeyState::Active(key) => Some(format!(
                    "{}:{}{}",
                    e.kid,
                    key.to_base64url(),
                    if e.livemode { ":live" } else { "" }
                )),
                KeyState::Retired { .. } => None,
            })
            .collect();
        if ring.is_empty() {
            return Err(KeyFileError::NoKeys);
        }
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
            let (kind, kid, created, livemode) = match fields.as_slice() {
                [kind, kid, created, _] => (*kind, *kid, *created, false),
                ["key", kid, created, _, "live"] => ("key", *kid, *created, true),
                _ => {
                    return Err(bad(
                        "expected `key KID CREATED SECRET`, `key KID CREATED SECRET live` or \
                         `retired KID CREATED RETIRED`"
                            .into(),
                    ));
                }
            };
            if !token::valid_kid(kid.as_bytes()) {
                // Not echoed: a line with its fields out of order puts the secret here.
                return Err(bad(
                    "the key id is not 1-32 characters of A-Z a-z 0-9 _ - (not shown, in case \
                     it is a secret in the wrong place)"
                        .into(),
                ));
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
                livemode,
            });
        }
        if !seen_header {
            return Err(KeyFileError::Parse {
                line: 1,
                problem: format!("empty; a key file starts with {HEADER:?}"),
            });
        }
        let file = KeyFile { entries };
        if !file.entries.iter().any(KeyEntry::is_active) {
            return Err(KeyFileError::NoKeys);
        }
        Ok(file)
    }

    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# linkpay link-signing keys (format: docs/cli.md). Secret: keep this file mode 0600.\n\
             # The first `key` line of each mode (test, or `live` at the line's end) signs new\n\
             # links of that mode; every `key` line verifies them.\n\
             # Manage it with `linkpay keys`; comments are not kept.\n",
        );
        out.push_str(HEADER);
        out.push('\n');
        for e in &self.entries {
            // Writing to a String cannot fail.
            let _ = match &e.state {
                KeyState::Active(key) => writeln!(
                    out,
                    "key {} {} {}{}",
                    e.kid,
                    clock::rfc3339(e.created),
                    key.to_base64url(),
                    if e.livemode { " live" } else { "" }
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
