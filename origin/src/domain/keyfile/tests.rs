use super::*;
use linkpay_shared::token::{Amount, LinkClaims, TokenError, Usage};
use linkpay_shared::{Currency, Locale, Money};

const T0: i64 = 1_770_000_000;

fn claims() -> LinkClaims {
    LinkClaims {
        link_id: "lnk_1".into(),
        merchant_id: "mch_1".into(),
        merchant_name: String::new(),
        amount: Amount::Fixed(Money::new(1500, Currency::Jpy).expect("money")),
        expires_at: T0 + 3600,
        usage: Usage::SingleUse,
        title: "Tea".into(),
        description: None,
        reference: None,
        locale: Locale::En,
        free: [None, None, None],
        metadata: Vec::new(),
        livemode: false,
    }
}

#[test]
fn round_trips_through_text() {
    let mut f = KeyFile::generate(None, T0).expect("new");
    f.rotate(None, T0 + 10, false).expect("rotate");
    f.rotate(Some("spring-2026"), T0 + 20, false)
        .expect("rotate");
    f.retire("k1", T0 + 30).expect("retire");
    let text = f.to_text();
    let back = KeyFile::parse(&text).expect("parses");
    assert_eq!(back.to_text(), text);
    let kids: Vec<&str> = back.entries().iter().map(|e| e.kid.as_str()).collect();
    assert_eq!(kids, ["spring-2026", "k3", "k2", "k1"]);
    let modes: Vec<bool> = back.entries().iter().map(|e| e.livemode).collect();
    assert_eq!(modes, [false, false, true, false]);
    assert!(
        text.contains(" live\n"),
        "the live key's line says so: {text}"
    );
    assert!(matches!(
        back.entries()[3].state,
        KeyState::Retired { at } if at == T0 + 30
    ));
    assert_eq!(back.entries()[1].created, T0 + 10);
    assert_eq!(back.export().expect("ring"), f.export().expect("ring"));
    // Numbering continues past retired and custom kids, across modes.
    let mut back = back;
    assert_eq!(back.rotate(None, T0 + 40, true).expect("rotate"), "k4");
    assert_eq!(back.current(true).map(|e| e.kid.as_str()), Some("k4"));
}

#[test]
fn rotation_keeps_old_keys_verifying_and_retiring_drops_them() {
    let mut f = KeyFile::generate(None, T0).expect("new");
    let old = f.keyring().expect("ring").sign(&claims()).expect("signs");
    f.rotate(None, T0 + 1, false).expect("rotate");
    let ring = f.keyring().expect("ring");
    assert_eq!(ring.current_kid(false), Some("k3"));
    assert_eq!(
        ring.current_kid(true),
        Some("k2"),
        "the live key is untouched"
    );
    assert!(ring.verify(old.as_bytes(), T0).is_ok());
    let new = ring.sign(&claims()).expect("signs");
    assert_eq!(linkpay_shared::token::key_id(&new).as_deref(), Some("k3"));
    assert_eq!(
        Keyring::parse(&f.export().expect("ring"))
            .expect("parses")
            .current_kid(false),
        Some("k3")
    );

    for current in ["k3", "k2"] {
        assert!(matches!(
            f.retire(current, T0 + 2),
            Err(KeyFileError::IsCurrent(k)) if k == current
        ));
    }
    assert!(matches!(
        f.retire("k9", T0 + 2),
        Err(KeyFileError::UnknownKid(k)) if k == "k9"
    ));
    f.retire("k1", T0 + 2).expect("retire");
    assert!(matches!(
        f.retire("k1", T0 + 3),
        Err(KeyFileError::Retired(_))
    ));
    let ring = f.keyring().expect("ring");
    assert_eq!(ring.verify(old.as_bytes(), T0), Err(TokenError::UnknownKey));
    let ring = f.export().expect("ring");
    // Kids, not a substring of the secrets (base64url may hold "k1" by chance).
    assert!(!ring.split(',').any(|e| e.starts_with("k1:")), "k1 is gone");
    assert!(matches!(
        f.keyring_signing_with("k1"),
        Err(KeyFileError::Retired(_))
    ));
    assert!(matches!(
        f.rotate(Some("k1"), T0 + 4, true),
        Err(KeyFileError::KidTaken(_))
    ));
}

#[test]
fn keys_are_fresh_randomness() {
    let a = KeyFile::generate(None, T0)
        .expect("new")
        .export()
        .expect("ring");
    let b = KeyFile::generate(None, T0)
        .expect("new")
        .export()
        .expect("ring");
    assert_ne!(a, b);
    let ring = Keyring::parse(&a).expect("parses");
    assert_eq!(ring.current_kid(false), Some("k1"));
    assert_eq!(ring.current_kid(true), Some("k2"));
}

#[test]
fn superseded_at_is_when_the_next_key_was_made() {
    let mut f = KeyFile::generate(None, T0).expect("new");
    f.rotate(None, T0 + 100, false).expect("rotate");
    assert_eq!(
        f.superseded_at("k1"),
        Some(T0 + 100),
        "by the newer test key"
    );
    assert_eq!(
        f.superseded_at("k2"),
        None,
        "a test key does not supersede a live one"
    );
    assert_eq!(f.superseded_at("k3"), None);
}

#[test]
fn parse_errors_name_the_line_and_never_the_secret() {
    let secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQ"; // 20 bytes: too short
    let text = format!("{HEADER}\nkey k1 2026-01-01T00:00:00Z {secret}\n");
    let e = KeyFile::parse(&text).expect_err("short key");
    let msg = e.to_string();
    assert!(msg.starts_with("line 2: "), "{msg}");
    assert!(!msg.contains(secret), "{msg}");

    let cases = [
        ("", "empty"),
        (
            "key k1 2026-01-01T00:00:00Z AAAA\n",
            "expected \"linkpay-keys v1\"",
        ),
        (&format!("{HEADER}\nkey k1 yesterday x\n"), "created time"),
        (&format!("{HEADER}\nkey k1\n"), "expected `key KID"),
        (
            &format!("{HEADER}\nold k1 2026-01-01T00:00:00Z x\n"),
            "start with",
        ),
        (
            &format!("{HEADER}\nkey k/1 2026-01-01T00:00:00Z x\n"),
            "key id",
        ),
        (
            &format!("{HEADER}\nretired k0 2026-01-01T00:00:00Z 2026-01-02T00:00:00Z\n"),
            "no key that can sign",
        ),
    ];
    for (text, expected) in cases {
        let msg = KeyFile::parse(text).expect_err(text).to_string();
        assert!(msg.contains(expected), "{text:?} gave {msg}");
    }

    // Fields out of order put the secret where the key id belongs: it is not repeated.
    let secret = "xV1Sa7aPbQ2cR3dS4eT5fU6gV7hW8iX9jY0kZ1lA2mB";
    let text = format!("{HEADER}\nkey {secret} 2026-01-01T00:00:00Z k1 live\n");
    let msg = KeyFile::parse(&text)
        .expect_err("secret as kid")
        .to_string();
    assert!(
        msg.starts_with("line 2: ") && msg.contains("key id"),
        "{msg}"
    );
    assert!(!msg.contains(&secret[..12]), "{msg}");

    let f = KeyFile::generate(None, T0).expect("new");
    let line = f.to_text().lines().last().expect("a key line").to_owned();
    let twice = format!("{HEADER}\n{line}\n{line}\n");
    let msg = KeyFile::parse(&twice).expect_err("twice").to_string();
    assert!(msg.contains("appears twice"), "{msg}");
}

#[cfg(unix)]
#[test]
fn files_are_private_and_never_half_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("keys");
    let mut f = KeyFile::generate(None, T0).expect("new");
    f.create(&path).expect("create");
    let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert!(matches!(f.create(&path), Err(KeyFileError::Exists)));

    f.rotate(None, T0 + 1, false).expect("rotate");
    f.save(&path).expect("save");
    assert_eq!(mode(&path), 0o600);
    let back = KeyFile::load(&path).expect("load");
    assert_eq!(back.export().expect("ring"), f.export().expect("ring"));
    // Only the key file is left: no temporary files.
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let e = KeyFile::load(&path).expect_err("insecure");
    assert!(e.to_string().contains("chmod 600"), "{e}");
    assert!(matches!(
        KeyFile::load(&dir.path().join("missing")),
        Err(KeyFileError::NotFound)
    ));
    assert!(matches!(
        KeyFile::load(dir.path()),
        Err(KeyFileError::NotAFile)
    ));
}
