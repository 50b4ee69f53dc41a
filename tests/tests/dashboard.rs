//! The merchant dashboard in headless Chromium, against the real origin binary and the real
//! worker: first-run set-up and sign-in, a link created and sent from the form, paid on the
//! edge's pay page, found by a transaction search, downloaded as CSV and refunded through the
//! confirmation step. Screenshots of the main pages go to tests/artifacts/dashboard-*.png.

use linkpay_e2e::Stack;
use linkpay_e2e::browser::Browser;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple";

async fn goto(b: &Browser, url: &str) {
    b.open(url).await;
}

/// The browser's dashboard session cookie, for fetching a download outside the browser.
async fn session_cookie(b: &Browser) -> String {
    let c = b
        .client
        .get_named_cookie("linkpay_session")
        .await
        .expect("signed in");
    format!("linkpay_session={}", c.value())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merchant_sets_up_creates_sends_and_refunds_in_chromium() {
    let stack = Stack::start("dashboard_browser").await;
    let o = &stack.origin_url;
    let b = Browser::start("en-US").await;
    // A desk, not a phone.
    b.client.set_window_size(1280, 900).await.expect("resize");

    // First run: the sign-in page sends us to set-up, which wants the server's code.
    goto(&b, &format!("{o}/dashboard")).await;
    b.wait_for("#setup").await;
    b.screenshot("dashboard-1-setup").await;
    b.type_into("#setup_code", &linkpay_e2e::dashboard_setup_code())
        .await;
    b.type_into("#shop", "Kissa Tanuki").await;
    b.type_into("#email", "owner@tanuki.example").await;
    b.type_into("#password", PASSWORD).await;
    b.type_into("#password_confirm", PASSWORD).await;
    b.click("#setup button[type=submit]").await;
    b.wait_for("#links").await;
    assert_eq!(b.text("#shop-name").await, "Kissa Tanuki");

    // Sign out and back in, with one wrong password first.
    b.click("#sign-out").await;
    b.wait_for("#sign-in").await;
    b.type_into("#email", "owner@tanuki.example").await;
    b.type_into("#password", "wrong password!").await;
    b.click("#sign-in button[type=submit]").await;
    b.wait_for("#sign-in-error").await;
    b.type_into("#password", PASSWORD).await;
    b.click("#sign-in button[type=submit]").await;
    b.wait_for("#links").await;

    // A link from the form, sent by email at once.
    goto(&b, &format!("{o}/dashboard/links/new")).await;
    b.wait_for("#new-link-form").await;
    b.type_into("#amount", "2,400").await;
    b.type_into("#title", "Tea ceremony set").await;
    b.type_into("#reference", "INV-2001").await;
    b.type_into("#customer_email", "hanako@example.jp").await;
    b.click("#send_email").await;
    b.screenshot("dashboard-2-new-link").await;
    b.click("#create-link").await;
    b.wait_for("#share-url").await;
    b.screenshot("dashboard-3-link").await;
    assert_eq!(b.text("#link-amount").await, "¥2,400");
    let pay_url = b
        .attr("#open-pay-page", "href")
        .await
        .expect("pay page URL");
    let (_, notes) = stack.api_get("/v1/notifications").await;
    assert_eq!(notes["data"][0]["to"], "hanako@example.jp", "{notes}");

    // The buyer pays it on the edge.
    goto(&b, &pay_url).await;
    b.wait_for("#pay-button").await;
    b.pay_by_card("4242 4242 4242 4242").await;
    b.wait_for("#result").await;

    // Found by a search; the CSV of the search has it.
    goto(&b, &format!("{o}/dashboard/charges")).await;
    b.wait_for("#search").await;
    b.type_into("#reference", "INV-2").await;
    b.click("#search-submit").await;
    b.wait_for("#charges tbody a").await;
    b.screenshot("dashboard-4-transactions").await;
    let rows = b.text("#charges tbody").await;
    assert!(
        rows.contains("INV-2001") && rows.contains("¥2,400"),
        "{rows}"
    );
    let csv = stack
        .http
        .get(format!("{o}/dashboard/charges.csv?reference=INV-2&bom=1"))
        .header("cookie", session_cookie(&b).await)
        .send()
        .await
        .expect("download");
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.expect("csv");
    let line = body.lines().nth(1).expect("a row");
    assert!(body.starts_with('\u{feff}'));
    assert!(line.contains(",INV-2001,2400,JPY,succeeded,"), "{line}");

    // Refund half, after confirming.
    b.click("#charges tbody a").await;
    b.wait_for("#refund").await;
    b.click("#refund").await;
    b.wait_for("#confirm-form").await;
    b.type_into("#amount", "1200").await;
    b.screenshot("dashboard-5-refund-confirm").await;
    b.click("#confirm").await;
    b.wait_for("#notice").await;
    b.screenshot("dashboard-6-refunded").await;
    assert_eq!(b.text("#charge-refunded").await, "¥1,200");
    let charge_id = b
        .client
        .current_url()
        .await
        .expect("url")
        .path()
        .rsplit('/')
        .next()
        .expect("id")
        .to_owned();
    let (_, charge): (u16, Value) = stack.api_get(&format!("/v1/charges/{charge_id}")).await;
    assert_eq!(charge["amount_refunded"], 1200);

    // A CSV of buyers: the errors are listed by row, then the corrected file makes the batch.
    let dir = tempfile::tempdir().expect("dir");
    let bad = dir.path().join("buyers.csv");
    std::fs::write(
        &bad,
        "reference,amount,title,customer_email\nB-1,1500,Tea,b1@example.com\nB-2,15.5,Tea,b2@example.com\nB-3,900,Tea,not-an-email\n",
    )
    .expect("write");
    goto(&b, &format!("{o}/dashboard/batches/new")).await;
    b.wait_for("#upload-form").await;
    b.type_into("#file", &bad.display().to_string()).await;
    b.click("#upload").await;
    b.wait_for("#row-errors").await;
    b.screenshot("dashboard-7-batch-errors").await;
    let errors = b.text("#row-errors tbody").await;
    assert!(
        errors.contains("3 amount") && errors.contains("4 customer_email"),
        "{errors}"
    );
    let good = dir.path().join("buyers-fixed.csv");
    std::fs::write(
        &good,
        "reference,amount,title,customer_email\nB-1,1500,Tea,b1@example.com\nB-2,1550,Tea,b2@example.com\nB-3,900,Tea,b3@example.com\n",
    )
    .expect("write");
    b.type_into("#file", &good.display().to_string()).await;
    b.click("#upload").await;
    b.wait_for("#batch-rows").await;
    b.screenshot("dashboard-8-batch").await;
    let batch_url = b.at().await;
    let results = stack
        .http
        .get(format!("{batch_url}/results.csv"))
        .header("cookie", session_cookie(&b).await)
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("csv");
    let lines: Vec<&str> = results.lines().collect();
    assert_eq!(lines.len(), 4, "{results}");
    assert!(lines[1].starts_with("2,B-1,lnk_"), "{results}");
    assert!(
        lines[2].contains(&format!(",{}/p/", stack.edge_url)),
        "{results}"
    );

    // Branding: previewed in a frame the edge renders, saved, then worn by a new link's page.
    goto(&b, &format!("{o}/dashboard/settings/branding")).await;
    b.wait_for("#branding-form").await;
    b.type_into("#display_name", "Kissa <script>alert(1)</script>")
        .await;
    b.type_into("#primary_color", "#be123c").await;
    b.type_into("#support_email", "help@tanuki.example").await;
    b.client
        .find(fantoccini::Locator::Css("#layout option[value=centered]"))
        .await
        .expect("option")
        .click()
        .await
        .expect("choose");
    b.click("#preview").await;
    b.wait_for("#preview-frame").await;
    b.client.enter_frame(0).await.expect("into the preview");
    b.wait_for("#preview-banner").await;
    let framed_name = b.text("#merchant").await;
    b.client.enter_parent_frame().await.expect("back");
    assert_eq!(
        framed_name, "Kissa <script>alert(1)</script>",
        "shown as text"
    );
    b.screenshot("dashboard-9-branding-preview").await;
    b.click("#save").await;
    b.wait_for("#notice").await;
    let link = stack
        .create_link(serde_json::json!({"amount": 1800, "currency": "JPY", "title": "Matcha"}))
        .await;
    let url = link["url"].as_str().expect("url");
    let mut branded = false;
    for _ in 0..50 {
        goto(&b, url).await;
        b.wait_for("#pay-button").await;
        if b.attr("body", "class").await.as_deref() == Some("layout-centered") {
            branded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(branded, "the edge shows the saved branding within seconds");
    b.screenshot("dashboard-10-branded-pay-page").await;
    assert_eq!(b.text("#merchant").await, "Kissa <script>alert(1)</script>");
    let colour = b
        .client
        .find(fantoccini::Locator::Css("#pay-button"))
        .await
        .expect("button")
        .css_value("background-color")
        .await
        .expect("colour");
    assert_eq!(colour, "rgba(190, 18, 60, 1)");
    assert_eq!(
        b.attr("#support a", "href").await.as_deref(),
        Some("mailto:help@tanuki.example")
    );
    b.close().await;
}
