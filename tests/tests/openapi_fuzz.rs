//! Schemathesis (PyPI) against `emporium serve`, from the served OpenAPI document: as a
//! guest, a customer and an admin, every operation gets its documented examples, the
//! boundary cases of its schema (the coverage phase), generated requests, and chains of
//! requests that follow the document's links (a product created, then read, restocked,
//! put in a cart; an order placed, then read, cancelled, invoiced). Any 5xx,
//! an undocumented status, an answer that does not match its documented schema or
//! content type, or a schema-violating request accepted fails the test.
//!
//! `scripts/test.sh` installs Schemathesis into the build cache's venv and sets
//! `EMPORIUM_SCHEMATHESIS`; without it the test fails and says so, unless
//! `EMPORIUM_SKIP_SCHEMATHESIS=1`. `EMPORIUM_SCHEMATHESIS_EXAMPLES` raises the number
//! of generated requests per operation (20 in CI).
//!
//! A second run, as an admin, checks that every schema-valid request to the writing
//! operations is accepted (`positive_data_acceptance`: no 400 or 422 for a request the
//! document allows; no documented string admits NUL, which is refused everywhere).
//!
//! Left out, with why:
//! - that check on reads: any of them may carry `X-Emporium-Min-Position`, and a
//!   position beyond the log's head is refused with 400 by design (the document says
//!   so, but a schema cannot say how far the log has got);
//! - that check on writes whose refusals depend on state or on several fields at once,
//!   which a schema does not express: a parent category, a product's category or a
//!   saved method that must exist, a coupon's `valid_from` before its `valid_until`
//!   and its value by kind, a non-zero stock change (a reason when negative), a refund
//!   in the payment's currency, a current password that must be right, mailed tokens
//!   that must be live, a provider token the provider must know, and a webhook
//!   signature that must match its body and secret;
//! - `POST /api/v1/users/logout`: with `everywhere` it ends the session the run uses;
//! - `PUT /api/v1/users/profile` in the first run: Schemathesis 4.32.5 reports its
//!   optional `name` as a missing required property (the document marks no field required).

use std::process::Command;

use emporium_tests::app::TestApp;
use serde_json::json;

const PASSWORD: &str = "correct horse battery staple";

fn schemathesis() -> anyhow::Result<Option<String>> {
    match std::env::var("EMPORIUM_SCHEMATHESIS") {
        Ok(path) if !path.is_empty() => Ok(Some(path)),
        _ if std::env::var("EMPORIUM_SKIP_SCHEMATHESIS").is_ok_and(|v| v == "1") => {
            eprintln!("schemathesis: skipped (EMPORIUM_SKIP_SCHEMATHESIS=1)");
            Ok(None)
        }
        _ => anyhow::bail!(
            "Schemathesis is not installed: run scripts/test.sh (it installs it) or set EMPORIUM_SCHEMATHESIS \
             to its binary (EMPORIUM_SKIP_SCHEMATHESIS=1 skips this test)"
        ),
    }
}

/// Writes whose refusals depend on state or on several fields (see the module docs).
const STATEFUL_REFUSALS: [&str; 13] = [
    "create_category",
    "create_coupon",
    "unsubscribe_post",
    "place_order",
    "save_method",
    "refund_payment",
    "create_product",
    "update_product",
    "change_stock",
    "change_password",
    "reset_password",
    "verify_email",
    "receive_stripe_event",
];

/// The checks of the first run: everything but accepting every schema-valid request.
fn every_check_but_acceptance() -> Vec<String> {
    ["--exclude-checks", "positive_data_acceptance", "--exclude-operation-id", "update_profile"]
        .map(str::to_owned)
        .to_vec()
}

/// The second run: schema-valid writes are accepted.
fn acceptance_of_writes() -> Vec<String> {
    let mut args: Vec<String> = ["--checks", "positive_data_acceptance"].map(str::to_owned).to_vec();
    for method in ["POST", "PUT", "DELETE"] {
        args.extend(["--include-method".to_owned(), method.to_owned()]);
    }
    for operation in STATEFUL_REFUSALS {
        args.extend(["--exclude-operation-id".to_owned(), operation.to_owned()]);
    }
    args
}

/// Runs Schemathesis against `app` with `token` (none: a guest) and `checks`; returns
/// its report on failure.
fn fuzz(binary: &str, app: &TestApp, token: Option<&str>, checks: &[String]) -> anyhow::Result<()> {
    let examples = std::env::var("EMPORIUM_SCHEMATHESIS_EXAMPLES").unwrap_or_else(|_| "20".to_owned());
    let scratch = tempfile::tempdir()?;
    let mut command = Command::new(binary);
    command
        .current_dir(scratch.path())
        .args(["run", &format!("{}/api/openapi.json", app.base)])
        .args(["--phases", "examples,coverage,fuzzing,stateful", "--generation-deterministic", "--no-color", "-w", "1"])
        .args(["-n", &examples, "--request-timeout", "10"])
        .args(checks)
        .args(["--exclude-path", "/api/v1/users/logout"]);
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let output = command.output()?;
    anyhow::ensure!(
        output.status.success(),
        "Schemathesis found failures ({}):\n{}\n{}",
        token.map_or("guest", |_| "signed in"),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_5xx_and_no_answer_the_document_does_not_describe() -> anyhow::Result<()> {
    let Some(binary) = schemathesis()? else { return Ok(()) };
    // One client on loopback sends thousands of requests: no per-client quota here
    // (the limits have their own tests). The webhook is on so its header checks run.
    let app = TestApp::spawn_with(
        None,
        &["--rate-limit", "0", "--auth-rate-limit", "0", "--stripe-webhook-secret", "whsec_schemathesis"],
    )
    .await?;
    let (_, customer) = app.customer("fuzz@example.com").await?;
    let admin = app.admin_token().await?;
    let register = json!({ "email": "guest@example.com", "password": PASSWORD, "name": "Guest" });
    assert_eq!(app.post("/api/v1/users/register", None, &register).await?.status, 201);
    // The server is another process: blocking this test's thread on Schemathesis is fine.
    let every_check = every_check_but_acceptance();
    for (who, token) in [("guest", None), ("customer", Some(customer.as_str())), ("admin", Some(admin.as_str()))] {
        fuzz(&binary, &app, token, &every_check).map_err(|e| e.context(format!("as {who}")))?;
    }
    fuzz(&binary, &app, Some(&admin), &acceptance_of_writes())
        .map_err(|e| e.context("schema-valid writes as admin"))?;
    Ok(())
}
