//! The `linkpay keys` and `linkpay link sign` commands, run as the built binary in a temporary
//! folder, with tokens checked by the same verifier the edge worker uses.

use linkpay_shared::token::{self, Amount, Keyring, LinkClaims, TokenError, Usage};
use linkpay_shared::{Currency, Locale, Money};
use std::path::Path;
use std::process::Command;

const EDGE: &str = "http://edge.test";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn linkpay_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_linkpay"));
    cmd.current_dir(dir).args(args);
    for var in [
        "LINKPAY_LINK_KEYS_FILE",
        "LINKPAY_LINK_KEYS",
        "LINKPAY_EDGE_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("the linkpay binary runs");
    Run {
        code: out.status.code().expect("an exit code"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn linkpay(dir: &Path, args: &[&str]) -> Run {
    linkpay_env(dir, args, &[])
}

/// Runs and insists on success.
fn ok(dir: &Path, args: &[&str]) -> Run {
    let run = linkpay(dir, args);
    assert_eq!(run.code, 0, "linkpay {args:?} failed: {}", run.stderr);
    run
}

fn now() -> i64 {
    linkpay_origin::base::clock::system_now()
}

/// A fresh folder holding a new key file, `keys`.
fn with_new_keys() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    ok(dir.path(), &["keys", "new", "--file", "keys"]);
    dir
}

/// The ring as the worker gets it.
fn exported(dir: &Path) -> String {
    ok(dir, &["keys", "export", "--file", "keys"])
        .stdout
        .trim()
        .to_owned()
}

fn ring(dir: &Path) -> Keyring {
    Keyring::parse(&exported(dir)).expect("the exported ring parses")
}

/// The options of a ¥1,500 link on the test edge.
const TEA: [&str; 8] = [
    "--title",
    "Tea",
    "--currency",
    "JPY",
    "--amount",
    "1500",
    "--edge-url",
    EDGE,
];

/// `link sign` for merchant mch_1 with the key file `keys`, then `extra`.
fn sign_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["link", "sign", "--keys", "keys", "--merchant-id", "mch_1"];
    args.extend_from_slice(extra);
    args
}

/// Signs a ¥1,500 link with `extra` options and returns its token.
fn sign(dir: &Path, extra: &[&str]) -> String {
    let run = ok(dir, &sign_args(&[&TEA[..], extra].concat()));
    token_of(&run.stdout).to_owned()
}

/// The token in a printed URL, checking that the URL is all that was printed.
fn token_of(stdout: &str) -> &str {
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the URL on stdout: {stdout:?}"
    );
    stdout
        .trim_end()
        .strip_prefix(&format!("{EDGE}/l/"))
        .unwrap_or_else(|| panic!("not a link URL: {stdout:?}"))
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn keys_new_makes_a_private_file_and_only_export_shows_secrets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let created = ok(d, &["keys", "new", "--file", "keys"]);
    #[cfg(unix)]
    assert_eq!(mode(&d.join("keys")), 0o600);
    assert!(created.stdout.contains("wrangler secret put LINK_KEYS"));

    let ring = exported(d);
    let (test, live) = ring.split_once(',').expect("two keys");
    let (kid, secret) = test.split_once(':').expect("kid:key");
    assert_eq!(kid, "k1");
    assert!(live.starts_with("k2:") && live.ends_with(":live"), "{live}");
    assert_eq!(
        linkpay_shared::SecretKey::from_base64url(secret)
            .expect("a key")
            .expose()
            .len(),
        32
    );

    let list = ok(d, &["keys", "list", "--file", "keys"]);
    assert!(list.stdout.contains("k1"), "{}", list.stdout);
    assert!(list.stdout.contains("current"), "{}", list.stdout);
    for run in [&created, &list] {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret));
    }

    let again = linkpay(d, &["keys", "new", "--file", "keys"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(exported(d), ring, "the existing file is untouched");

    let custom = ok(
        d,
        &["keys", "new", "--file", "other", "--kid", "2026-spring"],
    );
    assert!(custom.stdout.contains("2026-spring"));
    let bad = linkpay(d, &["keys", "new", "--file", "third", "--kid", "no spaces"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--kid"), "{}", bad.stderr);
    assert!(!d.join("third").exists());
}

#[test]
fn a_signed_link_carries_exactly_the_claims_given() {
    let dir = with_new_keys();
    let d = dir.path();
    let expires_at = now() + 3600;
    let expires = expires_at.to_string();
    let run = ok(
        d,
        &[
            "link",
            "sign",
            "--keys",
            "keys",
            "--edge-url",
            "http://edge.test/",
            "--merchant-id",
            "mch_42",
            "--merchant-name",
            "Kyoto Tea House",
            "--currency",
            "usd",
            "--min",
            "500",
            "--max",
            "100000",
            "--title",
            "Donation",
            "--description",
            "Pay what you like",
            "--reference",
            "ORD-7",
            "--free1",
            "one",
            "--free2",
            "two",
            "--free3",
            "三",
            "--metadata",
            "zone=b",
            "--metadata",
            "campaign=spring=2026",
            "--usage",
            "5",
            "--expires-at",
            &expires,
            "--locale",
            "ja",
            "--link-id",
            "lnk_test1",
        ],
    );
    let token = token_of(&run.stdout);
    assert_eq!(token::key_id(token).as_deref(), Some("k1"));
    let claims = ring(d).verify(token.as_bytes(), now()).expect("verifies");
    assert_eq!(
        claims,
        LinkClaims {
            link_id: "lnk_test1".into(),
            merchant_id: "mch_42".into(),
            merchant_name: "Kyoto Tea House".into(),
            amount: Amount::BuyerChosen {
                currency: Currency::Usd,
                min: 500,
                max: 100_000,
            },
            expires_at,
            usage: Usage::Limited(5),
            title: "Donation".into(),
            description: Some("Pay what you like".into()),
            reference: Some("ORD-7".into()),
            locale: Locale::Ja,
            free: [Some("one".into()), Some("two".into()), Some("三".into())],
            livemode: false,
            metadata: vec![
                ("campaign".into(), "spring=2026".into()),
                ("zone".into(), "b".into()),
            ],
        }
    );
    assert!(run.stderr.contains("lnk_test1"), "{}", run.stderr);
}

#[test]
fn defaults_are_a_single_use_english_link_for_thirty_days() {
    let dir = with_new_keys();
    let d = dir.path();
    let before = now();
    let token = sign(d, &[]);
    let after = now();
    let claims = ring(d).verify(token.as_bytes(), after).expect("verifies");
    assert_eq!(
        claims.amount,
        Amount::Fixed(Money::new(1500, Currency::Jpy).expect("money"))
    );
    assert_eq!(claims.usage, Usage::SingleUse);
    assert_eq!(claims.locale, Locale::En);
    assert!(
        (before + 30 * 86_400..=after + 30 * 86_400).contains(&claims.expires_at),
        "{}",
        claims.expires_at
    );
    assert!(claims.link_id.starts_with("lnk_") && claims.link_id.len() == 24);
    assert_eq!(claims.merchant_name, "");
    assert_eq!(claims.free, [None, None, None]);
    assert!(claims.metadata.is_empty());
    assert_ne!(sign(d, &[]), token, "each link gets its own id");

    // Buyer-chosen bounds default to 1 minor unit and the currency maximum.
    let token = sign(d, &["--usage", "multi", "--expires-in", "12h"]);
    let claims = ring(d).verify(token.as_bytes(), now()).expect("verifies");
    assert_eq!(claims.usage, Usage::MultiUse);
    assert!(claims.expires_at <= now() + 12 * 3600);
    let run = ok(
        d,
        &sign_args(&[
            "--title",
            "Tip",
            "--currency",
            "JPY",
            "--max",
            "5000",
            "--edge-url",
            EDGE,
        ]),
    );
    let claims = ring(d)
        .verify(token_of(&run.stdout).as_bytes(), now())
        .expect("verifies");
    assert_eq!(
        claims.amount,
        Amount::BuyerChosen {
            currency: Currency::Jpy,
            min: 1,
            max: 5000
        }
    );
    // --major reads amounts in major units.
    let usd = ["--currency", "USD", "--amount", "15.00", "--major"];
    let run = ok(d, &sign_args(&[&TEA[..2], &TEA[6..], &usd].concat()));
    let claims = ring(d)
        .verify(token_of(&run.stdout).as_bytes(), now())
        .expect("verifies");
    assert_eq!(
        claims.amount,
        Amount::Fixed(Money::new(1500, Currency::Usd).expect("money"))
    );
}

#[test]
fn the_key_file_and_edge_url_can_come_from_the_environment() {
    let dir = with_new_keys();
    let d = dir.path();
    // No --keys and no --edge-url: both come from the environment.
    let args = [&["link", "sign", "--merchant-id", "mch_1"], &TEA[..6]].concat();
    let run = linkpay_env(
        d,
        &args,
        &[
            ("LINKPAY_LINK_KEYS_FILE", "keys"),
            ("LINKPAY_EDGE_URL", "https://pay.example.com"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let token = run
        .stdout
        .trim()
        .strip_prefix("https://pay.example.com/l/")
        .expect("a link on the configured edge");
    assert!(ring(d).verify(token.as_bytes(), now()).is_ok());

    // Without either, the link points at a local worker and says so on stderr.
    let run = linkpay(d, &sign_args(&TEA[..6]));
    assert!(run.stdout.starts_with("http://127.0.0.1:8787/l/"));
    assert!(run.stderr.contains("LINKPAY_EDGE_URL"), "{}", run.stderr);
}

#[test]
fn rotation_keeps_old_links_until_their_key_is_retired() {
    let dir = with_new_keys();
    let d = dir.path();
    let old = sign(d, &[]);
    assert_eq!(token::key_id(&old).as_deref(), Some("k1"));

    let rotated = ok(d, &["keys", "rotate", "--file", "keys"]);
    for step in [
        "wrangler secret put LINK_KEYS",
        "keys export",
        "Restart the origin",
        "retire k1",
    ] {
        assert!(rotated.stdout.contains(step), "{step}: {}", rotated.stdout);
    }
    #[cfg(unix)]
    assert_eq!(mode(&d.join("keys")), 0o600);
    let new = sign(d, &[]);
    assert_eq!(token::key_id(&new).as_deref(), Some("k3"));
    let ring2 = ring(d);
    assert_eq!(ring2.current_kid(false), Some("k3"));
    assert!(
        ring2.verify(old.as_bytes(), now()).is_ok(),
        "old links still work"
    );
    assert!(ring2.verify(new.as_bytes(), now()).is_ok());
    // The old key can still sign on request, while it is in the ring.
    let by_k1 = sign(d, &["--kid", "k1"]);
    assert_eq!(token::key_id(&by_k1).as_deref(), Some("k1"));

    let before = exported(d);
    for current in ["k3", "k2"] {
        let refused = linkpay(d, &["keys", "retire", current, "--file", "keys"]);
        assert_eq!(refused.code, 2, "{current} is its mode's current key");
        assert!(refused.stderr.contains("current key"), "{}", refused.stderr);
    }
    let unknown = linkpay(d, &["keys", "retire", "k9", "--file", "keys"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no key \"k9\""),
        "{}",
        unknown.stderr
    );
    assert_eq!(exported(d), before, "refusals change nothing");

    let retired = ok(d, &["keys", "retire", "k1", "--file", "keys"]);
    assert!(retired.stdout.contains("wrangler secret put LINK_KEYS"));
    assert!(retired.stderr.contains("warning"), "{}", retired.stderr);
    let ring3 = ring(d);
    let e = ring3.verify(old.as_bytes(), now()).expect_err("retired");
    assert_eq!(e, TokenError::UnknownKey);
    assert_eq!(e.code(), "unknown_key");
    assert!(ring3.verify(new.as_bytes(), now()).is_ok());

    let list = ok(d, &["keys", "list", "--file", "keys"]);
    let k1 = list
        .stdout
        .lines()
        .find(|l| l.starts_with("k1 "))
        .expect("k1 is listed");
    assert!(k1.contains("retired"), "{k1}");

    let again = linkpay(d, &["keys", "retire", "k1", "--file", "keys"]);
    assert_eq!(again.code, 2);
    let mut args = sign_args(&[&TEA[..], &["--kid", "k1"]].concat());
    let run = linkpay(d, &args);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--kid") && run.stderr.contains("retired"),
        "{}",
        run.stderr
    );
    *args.last_mut().expect("kid") = "k7";
    let run = linkpay(d, &args);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--kid"), "{}", run.stderr);

    // Numbering carries on past the retired key.
    ok(d, &["keys", "rotate", "--file", "keys"]);
    assert_eq!(ring(d).current_kid(false), Some("k4"));
}

#[test]
fn live_links_are_signed_only_with_a_live_key_and_carry_their_mode() {
    let dir = with_new_keys();
    let d = dir.path();
    let list = ok(d, &["keys", "list", "--file", "keys"]).stdout;
    let mode_of = |kid: &str| {
        let line = list
            .lines()
            .find(|l| l.starts_with(&format!("{kid} ")))
            .expect("listed");
        line.split_whitespace().nth(1).expect("mode").to_owned()
    };
    assert_eq!(
        (mode_of("k1"), mode_of("k2")),
        ("test".into(), "live".into()),
        "{list}"
    );
    assert!(
        exported(d).contains(":live"),
        "the ring says which key is live"
    );

    let live = sign(d, &["--live"]);
    assert_eq!(token::key_id(&live).as_deref(), Some("k2"));
    let claims = ring(d).verify(live.as_bytes(), now()).expect("verifies");
    assert!(claims.livemode);
    let test = sign(d, &[]);
    assert!(
        !ring(d)
            .verify(test.as_bytes(), now())
            .expect("verifies")
            .livemode
    );

    // A key of the other mode is refused by name, and nothing is printed.
    for (extra, says) in [
        (&["--live", "--kid", "k1"][..], "\"k1\" is a test key"),
        (&["--kid", "k2"][..], "\"k2\" is a live key"),
    ] {
        let run = linkpay(d, &sign_args(&[&TEA[..], extra].concat()));
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stdout.is_empty());
        assert!(
            run.stderr.contains("--kid") && run.stderr.contains(says),
            "{}",
            run.stderr
        );
    }

    // A file from before keys had modes has no live key: --live says how to add one.
    std::fs::write(d.join("old"), "linkpay-keys v1\nkey k1 2026-01-01T00:00:00Z AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")
        .expect("write");
    #[cfg(unix)]
    std::fs::set_permissions(
        d.join("old"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("chmod");
    let mut args = sign_args(&[&TEA[..], &["--live"]].concat());
    let at = args
        .iter()
        .position(|a| *a == "keys")
        .expect("--keys value");
    args[at] = "old";
    let run = linkpay(d, &args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("keys rotate --live"), "{}", run.stderr);
    let added = ok(d, &["keys", "rotate", "--live", "--file", "old"]);
    assert!(added.stdout.contains("first live key"), "{}", added.stdout);
    let run = linkpay(d, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn each_bad_input_exits_2_and_names_its_option() {
    let dir = with_new_keys();
    let d = dir.path();
    let past = (now() - 10).to_string();
    let too_far = (now() + 366 * 86_400).to_string();
    let long = "x".repeat(101);
    let many: Vec<String> = (0..21).map(|i| format!("k{i}=v")).collect();
    // A token that fits the format (3072 bytes) but not a QR code at level M (2331 bytes).
    let meta: Vec<String> = (0..4)
        .map(|i| format!("m{i}={}", "v".repeat(480)))
        .collect();

    let mut cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--currency", "XYZ", "--amount", "1"], "--currency"),
        (
            vec!["--currency", "JPY", "--amount", "100000000"],
            "--amount",
        ),
        (vec!["--currency", "USD", "--amount", "0"], "--amount"),
        (vec!["--currency", "USD", "--amount", "-5"], "--amount"),
        (vec!["--currency", "USD", "--amount", "15.50"], "--amount"),
        (
            vec!["--currency", "USD", "--amount", "15.555", "--major"],
            "--amount",
        ),
        (
            vec!["--currency", "USD", "--min", "500", "--max", "100"],
            "--min",
        ),
        (vec!["--currency", "JPY", "--max", "100000000"], "--max"),
        (vec!["--currency", "JPY", "--min", "0"], "--min"),
        (vec!["--currency", "JPY"], "--amount"),
        (
            vec!["--amount", "1", "--min", "1", "--currency", "JPY"],
            "--amount",
        ),
        (vec!["--metadata", "novalue"], "--metadata"),
        (vec!["--metadata", "bad key=1"], "--metadata"),
        (vec!["--metadata", "a=1", "--metadata", "a=2"], "--metadata"),
        (vec!["--metadata", "a="], "--metadata"),
        (vec!["--expires-at", &past], "--expires-at"),
        (vec!["--expires-at", &too_far], "--expires-at"),
        (vec!["--expires-at", "tomorrow"], "--expires-at"),
        (vec!["--expires-in", "400d"], "--expires-in"),
        (vec!["--expires-in", "soon"], "--expires-in"),
        (
            vec!["--expires-in", "1d", "--expires-at", &too_far],
            "--expires-in",
        ),
        (vec!["--usage", "1"], "--usage"),
        (vec!["--usage", "lots"], "--usage"),
        (vec!["--locale", "fr"], "--locale"),
        (vec!["--link-id", "lnk 1"], "--link-id"),
        (vec!["--merchant-name", ""], "--merchant-name"),
        (vec!["--description", ""], "--description"),
        (vec!["--reference", &long], "--reference"),
        (vec!["--free2", &long], "--free2"),
        (vec!["--free3", "tab\there"], "--free3"),
        (vec!["--edge-url", "ftp://edge.test"], "--edge-url"),
        (vec!["--qr", "link.gif"], "--qr"),
        (vec!["--kid", "k5"], "--kid"),
        (vec!["--keys", "missing"], "--keys"),
    ];
    let mut many_args = Vec::new();
    for m in &many {
        many_args.extend(["--metadata", m.as_str()]);
    }
    cases.push((many_args, "--metadata"));
    let huge: Vec<String> = (0..8)
        .map(|i| format!("n{i}={}", "w".repeat(400)))
        .collect();
    let mut huge_args = Vec::new();
    for h in &huge {
        huge_args.extend(["--metadata", h.as_str()]);
    }
    cases.push((huge_args, "3072"));
    let mut qr_args = vec!["--qr", "link.png"];
    for m in &meta {
        qr_args.extend(["--metadata", m.as_str()]);
    }
    cases.push((qr_args, "--qr"));

    for (extra, option) in &cases {
        let mut args = vec!["link", "sign", "--merchant-id", "mch_1", "--title", "Tea"];
        if !extra.contains(&"--edge-url") {
            args.extend(["--edge-url", EDGE]);
        }
        if !extra.contains(&"--keys") {
            args.extend(["--keys", "keys"]);
        }
        if !extra.contains(&"--currency") {
            args.extend(["--currency", "JPY", "--amount", "1500"]);
        }
        args.extend(extra.iter().copied());
        let run = linkpay(d, &args);
        assert_eq!(run.code, 2, "{extra:?} should be refused: {}", run.stderr);
        assert!(
            run.stderr.contains(option),
            "{extra:?} should name {option}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{extra:?} printed a URL");
    }
    assert!(
        !d.join("link.png").exists(),
        "no QR code for a refused link"
    );

    // Options that clap itself requires also exit 2 and name the option.
    let run = linkpay(
        d,
        &["link", "sign", "--merchant-id", "mch_1", "--title", "Tea"],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--keys"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = with_new_keys();
    let d = dir.path();
    std::fs::set_permissions(d.join("keys"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    for args in [
        &["keys", "list", "--file", "keys"][..],
        &sign_args(&TEA)[..],
    ] {
        let run = linkpay(d, args);
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stderr.contains("chmod 600"), "{}", run.stderr);
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn qr_codes_are_written_as_svg_or_png_of_the_url() {
    let dir = with_new_keys();
    let d = dir.path();
    let svg_token = sign(d, &["--qr", "link.svg"]);
    let svg = std::fs::read_to_string(d.join("link.svg")).expect("an SVG file");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains("viewBox=\"0 0 ") && svg.trim_end().ends_with("</svg>"));
    assert!(ring(d).verify(svg_token.as_bytes(), now()).is_ok());

    let token = sign(d, &["--qr", "link.png"]);
    let bytes = std::fs::read(d.join("link.png")).expect("a PNG file");
    let mut reader = png::Decoder::new(std::io::Cursor::new(&bytes))
        .read_info()
        .expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let frame = reader.next_frame(&mut buf).expect("pixels");
    assert_eq!(frame.bit_depth, png::BitDepth::One);
    let side = frame.width as usize;
    let stride = frame.line_size;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        if buf[y * stride + x / 8] & (0x80 >> (x % 8)) == 0 {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, content) = grids[0].decode().expect("a readable QR code");
    assert_eq!(content, format!("{EDGE}/l/{token}"));

    // A QR file that cannot be written is a failure (1), not bad input.
    let args = sign_args(&[&TEA[..], &["--qr", "no/such/folder/link.svg"]].concat());
    let run = linkpay(d, &args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("--qr"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}
