//! Batches from CSV: every row is checked before anything is made and every error is named
//! by row and column; a good file makes all its links in one transaction; Shift_JIS files
//! read as Japanese; payment requests go out through the outbox (to a real SMTP server) and
//! the batch reports their progress; the results download as CSV.

use crate::common::{self, Origin, Reply};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use linkpay_e2e::maildev::Maildev;
use linkpay_origin::services::notify::sender::send_due;
use serde_json::Value;

async fn upload(o: &Origin, query: &str, csv: impl Into<Vec<u8>>) -> Reply {
    let req = Request::post(format!("/v1/batches?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {}", o.key))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.into()))
        .expect("request");
    o.send(req).await
}

/// (row, column) of each error.
fn errors(r: &Reply) -> Vec<(i64, String)> {
    r.json()["error"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().expect("row"),
                e["column"].as_str().expect("column").to_owned(),
            )
        })
        .collect()
}

async fn links(o: &Origin) -> i64 {
    o.count("SELECT COUNT(*) FROM links").await
}

#[tokio::test]
async fn every_bad_row_is_named_by_row_and_column_and_nothing_is_created() {
    let o = Origin::start().await;
    let csv = "reference,amount,currency,title,customer_email,customer_phone\n\
               A-1,1500,JPY,Tea,ok@example.com,+819012345678\n\
               A-2,12.5,JPY,Tea,,\n\
               A-3,1500,JPY,Tea,not-an-email,\n\
               A-4,1500,JPY,Tea,,090-1234\n\
               A-1,1500,JPY,Tea,,\n\
               A-6,,JPY,Tea,,\n\
               A-7,1500,XYZ,Tea,,\n\
               A-8,1500,JPY,,,\n\
               ,1500,JPY,Tea,,\n\
               A-10,100000000,JPY,Tea,,\n";
    let r = upload(&o, "", csv).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["code"], "csv_invalid");
    assert_eq!(
        errors(&r),
        [
            (3, "amount".to_owned()),
            (4, "customer_email".to_owned()),
            (5, "customer_phone".to_owned()),
            (6, "reference".to_owned()),
            (7, "amount".to_owned()),
            (8, "currency".to_owned()),
            (9, "title".to_owned()),
            (10, "reference".to_owned()),
            (11, "amount".to_owned()),
        ]
    );
    assert!(common::text(&r.json()["error"]["message"]).starts_with("9 rows have errors"));
    assert!(r.text().contains("already used in row 2"), "{}", r.text());
    assert_eq!(links(&o).await, 0, "not even the good row");
    assert_eq!(o.count("SELECT COUNT(*) FROM batches").await, 0);

    // Sending by email needs every row to have an email.
    let r = upload(
        &o,
        "send=email&currency=JPY",
        "reference,amount,title\nB-1,100,Tea\n",
    )
    .await;
    assert_eq!(errors(&r), [(2, "customer_email".to_owned())]);
}

#[tokio::test]
async fn the_header_the_size_and_the_encoding_are_checked_first() {
    let o = Origin::start().await;
    let r = upload(&o, "currency=JPY", "reference,amount,colour\nA,1,red\n").await;
    assert_eq!(
        errors(&r),
        [(1, "colour".to_owned()), (1, "title".to_owned())]
    );

    let mut big = String::from("reference,amount,title\n");
    for i in 0..301 {
        big.push_str(&format!("R-{i},100,Tea\n"));
    }
    let r = upload(&o, "currency=JPY", big).await;
    assert_eq!(r.json()["error"]["code"], "csv_too_many_rows");
    assert!(r.text().contains("301 rows"), "{}", r.text());

    let r = upload(
        &o,
        "currency=JPY",
        vec![b'r', b',', 0x80, 0xA0, 0xFD, b'\n'],
    )
    .await;
    assert_eq!(r.json()["error"]["code"], "csv_unreadable");
    assert!(r.text().contains("neither UTF-8 nor Shift_JIS"));

    let r = upload(&o, "currency=JPY", "").await;
    assert!(r.text().contains("The file is empty"));
    let r = upload(&o, "currency=JPY", "reference,amount,title\n\n,,\n").await;
    assert!(r.text().contains("no rows of buyers"));
    let r = upload(
        &o,
        "currency=JPY&encoding=latin1",
        "reference,amount,title\n",
    )
    .await;
    assert_eq!(r.json()["error"]["param"], "encoding");
    assert_eq!(links(&o).await, 0);
}

#[tokio::test]
async fn a_shift_jis_file_from_excel_makes_links_with_japanese_titles() {
    let o = Origin::start().await;
    let text = "reference,amount,title,customer_name\r\nJ-1,1500,お茶のセット,山田 花子\r\nJ-2,\"2,400\",茶道具一式,鈴木 太郎\r\n";
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    let r = upload(&o, "currency=JPY", bytes.into_owned()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let list = o.get_json("/v1/links?limit=10").await;
    let mut titles: Vec<(String, i64, String)> = list["data"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| {
            (
                l["title"].as_str().expect("title").to_owned(),
                l["amount"].as_i64().expect("amount"),
                l["customer_name"].as_str().expect("name").to_owned(),
            )
        })
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            ("お茶のセット".to_owned(), 1500, "山田 花子".to_owned()),
            ("茶道具一式".to_owned(), 2400, "鈴木 太郎".to_owned())
        ]
    );
}

#[tokio::test]
async fn three_hundred_rows_make_one_batch_whose_emails_are_sent_and_results_download() {
    let mail = Maildev::start(None, None).await;
    let port = mail.smtp_port.to_string();
    let o = Origin::start_with(&[
        ("LINKPAY_SMTP_HOST", "127.0.0.1"),
        ("LINKPAY_SMTP_PORT", &port),
        ("LINKPAY_SMTP_TLS", "none"),
        ("LINKPAY_EMAIL_FROM", "Demo Shop <shop@linkpay.test>"),
    ])
    .await;
    let mut csv = String::from("reference,amount,currency,title,customer_email,expires_at,free1\n");
    for i in 0..300 {
        let (amount, currency) = if i % 2 == 0 {
            ("1500", "JPY")
        } else {
            ("15.05", "USD")
        };
        csv.push_str(&format!("INV-{i:03},{amount},{currency},Order {i},buyer{i}@example.com,2099-12-31,\"shelf, {i}\"\n"));
    }
    let r = upload(&o, "send=email&filename=november.csv", csv.clone()).await;
    // An expiry more than a year ahead is refused for every row, naming the column.
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(errors(&r).len(), 300);
    assert_eq!(errors(&r)[0], (2, "expires_at".to_owned()));
    let csv = csv.replace(
        "2099-12-31",
        &linkpay_origin::base::clock::rfc3339(
            linkpay_origin::base::clock::system_now() + 10 * 86_400,
        )[..10],
    );
    let r = upload(&o, "send=email&filename=november.csv", csv.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let batch = r.json();
    assert_eq!(batch["row_count"], 300);
    assert_eq!(batch["status"], "sending");
    assert_eq!(batch["progress"]["queued"], 300);
    assert_eq!(links(&o).await, 300);
    assert_eq!(
        o.count("SELECT COUNT(*) FROM events WHERE type = 'link.created'")
            .await,
        300
    );
    let id = batch["id"].as_str().expect("id").to_owned();

    // The same file again would ask every buyer twice: refused, naming the links.
    let again = upload(&o, "send=email", csv).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(errors(&again).len(), 300);
    assert!(again.text().contains("already has an active link"));
    let sender = o.state.sender();
    while send_due(&sender).await.expect("send") > 0 {}
    let batch: Value = o.get_json(&format!("/v1/batches/{id}")).await;
    assert_eq!(
        (batch["status"].as_str(), batch["progress"]["sent"].as_i64()),
        (Some("complete"), Some(300))
    );
    assert_eq!(mail.emails().await.len(), 300);

    let results_csv = format!("/v1/batches/{id}/results.csv");
    let results = o.api("GET", &format!("{results_csv}?bom=true"), None).await;
    assert_eq!(results.status, StatusCode::OK);
    assert!(results.body.starts_with("\u{feff}".as_bytes()));
    let mut reader = csv::Reader::from_reader(&results.body[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 300);
    let first = &rows[0];
    assert_eq!(
        (&first[0], &first[1], &first[4], &first[5]),
        ("2", "INV-000", "1500", "JPY")
    );
    assert_eq!((&rows[1][4], &rows[1][5]), ("15.05", "USD"));
    assert_eq!(&first[8], "sent");
    let link = o.get_json(&format!("/v1/links/{}", &first[2])).await;
    assert_eq!(link["short_url"].as_str(), Some(&first[3]));
    assert_eq!(link["free1"], "shelf, 0");
    // `bom` is a boolean, as the document says: anything else is refused, naming it.
    let refused = o.api("GET", &format!("{results_csv}?bom=yes"), None).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.text().contains("\"param\":\"bom\""),
        "{}",
        refused.text()
    );
    mail.stop().await;
}
