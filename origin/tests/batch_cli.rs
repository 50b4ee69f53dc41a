//! `linkpay batch`, the built binary, against a real origin listening on a loopback port.

use crate::common::Origin;
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn linkpay(args: &[&str], api_url: &str, key: &str) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let (api_url, key) = (api_url.to_owned(), key.to_owned());
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_linkpay"))
            .args(&args)
            .env("LINKPAY_API_URL", api_url)
            .env("LINKPAY_API_KEY", key)
            .output()
            .expect("the linkpay binary runs");
        Run {
            code: out.status.code().expect("an exit code"),
            stdout: String::from_utf8(out.stdout).expect("utf-8"),
            stderr: String::from_utf8(out.stderr).expect("utf-8"),
        }
    })
    .await
    .expect("joined")
}

/// The origin on a loopback port, with its background work (the sender) running.
async fn serve(o: &Origin) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = o.app.clone();
    tokio::spawn(async move { axum::serve(listener, app).await });
    o.state.spawn_background();
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_file_prints_every_error_and_a_good_one_waits_for_sending_and_writes_results() {
    let o = Origin::start().await;
    let url = serve(&o).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = |name: &str| dir.path().join(name).display().to_string();
    let write = |name: &str, csv: &str| std::fs::write(path(name), csv).expect("write");
    // `linkpay batch create --file <file> <more…>` with `key`.
    let create = async |file: &str, more: &[&str], key: &str| {
        let mut args = vec!["batch", "create", "--file", file];
        args.extend_from_slice(more);
        linkpay(&args, &url, key).await
    };

    write(
        "bad.csv",
        "reference,amount,title,customer_email\nA,1500,Tea,a@example.com\nB,12.5,Tea,b@example.com\nC,100,,c@example.com\n",
    );
    let run = create(&path("bad.csv"), &["--currency", "JPY"], &o.key).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("2 rows have errors; nothing was created"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("row 3, amount:"), "{}", run.stderr);
    assert!(run.stderr.contains("row 4, title:"), "{}", run.stderr);
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 0);

    let wrong_key = create(&path("bad.csv"), &[], "sk_test_nope").await;
    assert_eq!(wrong_key.code, 2);
    assert!(
        wrong_key.stderr.contains("LINKPAY_API_KEY"),
        "{}",
        wrong_key.stderr
    );

    write(
        "good.csv",
        "reference,amount,title,customer_email\nA,1500,Tea,a@example.com\nB,2400,Pot,b@example.com\n",
    );
    let run = create(
        &path("good.csv"),
        &["--currency", "JPY", "--send", "email", "--bom"],
        &o.key,
    )
    .await;
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Created batch bat_"), "{}", run.stdout);
    // This origin has no SMTP server: the requests fail for good, and the output says so.
    assert!(run.stdout.contains("sent 0/2, failed 2"), "{}", run.stdout);
    assert!(run.stdout.contains("2 payment requests could not be sent"));
    let results = std::fs::read(path("good-results.csv")).expect("results written beside the file");
    assert!(results.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&results[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[0][1], &rows[0][8]), ("A", "failed"));
    assert!(
        rows[0][9].contains("Email is not configured"),
        "{:?}",
        &rows[0]
    );
    assert_eq!(o.count("SELECT COUNT(*) FROM links").await, 2);

    let sample = linkpay(&["batch", "sample"], &url, &o.key).await;
    assert!(sample.stdout.starts_with("reference,amount,currency,title"));
    let unreachable = create(
        &path("good.csv"),
        &["--api-url", "http://127.0.0.1:9"],
        &o.key,
    )
    .await;
    assert_eq!(unreachable.code, 1);
    assert!(
        unreachable
            .stderr
            .contains("Is `linkpay serve` running there?"),
        "{}",
        unreachable.stderr
    );
}
