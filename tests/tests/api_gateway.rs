//! What every request gets, whatever the endpoint: request ids, the envelope on
//! unknown routes, idempotent retries, bounded read-your-writes waits, and the
//! OpenAPI document with its offline docs page.

use emporium_tests::app::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_post_repeated_with_the_same_idempotency_key_returns_the_first_answer_and_writes_once() -> anyhow::Result<()>
{
    let app = TestApp::spawn().await?;
    let admin = app.admin_token().await?;
    let body = json!({ "name": "Kettles", "parent_id": null });
    let headers = [("Idempotency-Key", "create-kettles-1")];
    let first = app.send(Method::POST, "/api/v1/categories", Some(&admin), Some(&body), &headers).await?;
    assert_eq!(first.status, 201, "{first}");
    let again = app.send(Method::POST, "/api/v1/categories", Some(&admin), Some(&body), &headers).await?;
    assert_eq!(again.status, 201, "{again}");
    assert_eq!(again.data()["id"], first.data()["id"]);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.position(), first.position());
    // The same key for a different request is refused.
    let other = json!({ "name": "Toasters", "parent_id": null });
    let reused = app.send(Method::POST, "/api/v1/categories", Some(&admin), Some(&other), &headers).await?;
    assert_eq!(reused.status, 409, "{reused}");
    assert_eq!(reused.error_codes(), vec!["idempotency.key_reused"]);
    let listed = app.get_after("/api/v1/categories", None, first.position()).await?;
    assert_eq!(listed.text.matches("Kettles").count(), 1, "one category written: {listed}");
    Ok(())
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_unknown_routes_answer_in_the_envelope() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let missing = app.get("/api/v1/nowhere", None).await?;
    assert_eq!(missing.status, 404);
    assert!(missing.is_envelope(), "{missing}");
    assert!(missing.header("x-request-id").is_some_and(|id| uuid::Uuid::parse_str(id).is_ok()));
    let mine = "0190f5c2-7d3a-7b6e-9c1d-2f3e4a5b6c7d";
    let echoed = app.send(Method::GET, "/health", None, None, &[("X-Request-Id", mine)]).await?;
    assert_eq!(echoed.header("x-request-id"), Some(mine));
    let wrong_method = app.request(Method::PATCH, "/api/v1/products", None, None).await?;
    assert_eq!(wrong_method.status, 405);
    assert!(wrong_method.is_envelope());
    Ok(())
}

#[tokio::test]
async fn a_read_asking_for_a_position_beyond_the_log_is_refused_at_once() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let started = std::time::Instant::now();
    let beyond = app.get_after("/api/v1/products", None, 1_000_000).await?;
    assert_eq!(beyond.status, 400, "{beyond}");
    assert_eq!(beyond.error_codes(), vec!["validation.beyond_head"]);
    assert!(started.elapsed() < emporium_api_kit::position::MAX_WAIT / 2, "it waited for a position no write made");
    let bad = app.send(Method::GET, "/api/v1/products", None, None, &[("X-Emporium-Min-Position", "soon")]).await?;
    assert_eq!(bad.status, 400, "{bad}");
    Ok(())
}

#[tokio::test]
async fn an_oversized_body_gets_413_in_the_envelope_and_the_next_request_still_works() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.admin_token().await?;
    let huge = json!({ "name": "n".repeat(1_000_000), "parent_id": null });
    let refused = app.post("/api/v1/categories", Some(&admin), &huge).await?;
    assert_eq!(refused.status, 413, "{refused}");
    assert!(refused.is_envelope());
    assert_eq!(app.get("/health", None).await?.status, 200);
    Ok(())
}

#[tokio::test]
async fn the_openapi_document_and_the_docs_page_are_served() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let doc = app.get("/api/openapi.json", None).await?;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")));
    for path in [
        "/api/v1/users/register",
        "/api/v1/products",
        "/api/v1/cart/items",
        "/api/v1/orders",
        "/api/v1/payments/process",
        "/api/v1/notifications/email",
    ] {
        assert!(doc.body["paths"].get(path).is_some(), "{path} missing from the OpenAPI document");
    }
    let docs = app.get("/docs/", None).await?;
    assert_eq!(docs.status, 200, "{docs}");
    assert!(docs.text.contains("swagger"), "the docs page is Swagger UI");
    Ok(())
}
