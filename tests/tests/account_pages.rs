//! The pages mailed links open (`/verify-email`, `/reset-password`) exist on the real
//! binary, are sent so that the token in the link does not leak (no referrer, no
//! cache, strict CSP), and their script posts to the API endpoints that spend the
//! token.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use emporium_tests::app::TestApp;
use serde_json::json;

async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    reqwest::get(format!("{}{path}", app.base)).await.unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|value| value.to_str().ok()).unwrap_or_default()
}

/// The path and query of the first link to `page` in a mail.
fn link_to(mail: &str, page: &str) -> String {
    let start = mail.find(&format!("/{page}?token=")).expect("a link in the mail");
    mail[start..].chars().take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<').collect()
}

#[tokio::test]
async fn the_links_mailed_for_verification_and_reset_open_real_pages_that_keep_the_token_private() {
    let app = TestApp::spawn().await.unwrap();
    let registered = app
        .post(
            "/api/v1/users/register",
            None,
            &json!({ "email": "ann@example.com", "password": "correct horse battery", "name": "Ann" }),
        )
        .await
        .unwrap();
    assert_eq!(registered.status, 201, "{registered}");
    app.mailed_token("ann@example.com").await.unwrap();
    let forgot = app.post("/api/v1/users/forgot-password", None, &json!({ "email": "ann@example.com" })).await.unwrap();
    assert!(forgot.status < 300, "{forgot}");
    for _ in 0..50 {
        if app.mail().unwrap().iter().any(|mail| mail.contains("/reset-password?token=")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mails = app.mail().unwrap();

    for (page, endpoint) in
        [("verify-email", "/api/v1/users/verify-email"), ("reset-password", "/api/v1/users/reset-password")]
    {
        let mail = mails.iter().find(|mail| mail.contains(&format!("/{page}?token="))).expect("the mail");
        let link = link_to(mail, page);
        let response = fetch(&app, &link).await;
        assert_eq!(response.status(), 200, "{link}");
        assert!(header(&response, "content-type").starts_with("text/html"));
        assert_eq!(header(&response, "referrer-policy"), "no-referrer");
        assert_eq!(header(&response, "cache-control"), "no-store");
        let policy = header(&response, "content-security-policy").to_owned();
        assert!(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"), "{policy}");
        let html = response.text().await.unwrap();
        assert!(html.contains(r#"<script src="/assets/account.js""#), "{html}");
        assert!(html.contains(&format!(r#"data-page="{page}""#)));

        let script = fetch(&app, "/assets/account.js").await;
        assert!(header(&script, "content-type").starts_with("text/javascript"));
        let script = script.text().await.unwrap();
        assert!(script.contains(endpoint), "the page's script posts to {endpoint}");
    }
    let style = fetch(&app, "/assets/account.css").await;
    assert_eq!(style.status(), 200);
    assert!(header(&style, "content-type").starts_with("text/css"));
}
