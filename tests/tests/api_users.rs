//! Accounts over HTTP, against the real `emporium serve`: the whole journey of a
//! customer (register, verify by the mailed link, sign in, profile, change password,
//! refresh rotation, logout, forgotten password), the admin from the start-up flags,
//! and bad input, which always gets a 4xx in the envelope and changes nothing.

use anyhow::Context;
use emporium_tests::app::{ADMIN_EMAIL, ADMIN_PASSWORD, ApiResponse, TestApp, token_in};
use reqwest::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

async fn register(app: &TestApp, email: &str, password: &str, name: &str) -> anyhow::Result<ApiResponse> {
    app.post("/api/v1/users/register", None, &json!({ "email": email, "password": password, "name": name })).await
}

async fn login(app: &TestApp, email: &str, password: &str) -> anyhow::Result<ApiResponse> {
    app.post("/api/v1/users/login", None, &json!({ "email": email, "password": password })).await
}

async fn refresh(app: &TestApp, refresh_token: &str) -> anyhow::Result<ApiResponse> {
    app.post("/api/v1/users/refresh", None, &json!({ "refresh_token": refresh_token })).await
}

async fn profile(app: &TestApp, token: &str, position: u64) -> anyhow::Result<Value> {
    let response = app.get_after("/api/v1/users/profile", Some(token), position).await?;
    anyhow::ensure!(response.status == 200, "profile: {response}");
    Ok(response.data().clone())
}

fn text(value: &Value, key: &str) -> anyhow::Result<String> {
    value[key].as_str().map(str::to_owned).with_context(|| format!("no {key} in {value}"))
}

/// The account mails (verification, password reset: those with a `token=` link) to
/// `email` so far; the dispatcher's welcome mail and others are not counted.
fn mail_to(app: &TestApp, email: &str) -> anyhow::Result<Vec<String>> {
    Ok(app.mail()?.into_iter().filter(|m| m.contains(&format!("To: {email}\r\n")) && token_in(m).is_some()).collect())
}

/// Waits up to 5 s for the `n`-th mail to `email` and returns its token.
async fn nth_mailed_token(app: &TestApp, email: &str, n: usize) -> anyhow::Result<String> {
    for _ in 0..50 {
        if let Some(mail) = mail_to(app, email)?.get(n - 1) {
            return token_in(mail).context("the mail has no token= link");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("mail #{n} to {email} never came")
}

fn assert_refused(response: &ApiResponse, status: u16, code: &str) {
    assert_eq!(response.status, status, "{response}");
    assert!(response.is_envelope(), "{response}");
    assert_eq!(response.body["success"], false, "{response}");
    assert!(response.error_codes().iter().any(|c| c == code), "expected {code}: {response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_registers_verifies_signs_in_and_looks_after_their_account() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    journey(&app).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_journey_works_with_every_store_on_postgres() -> anyhow::Result<()> {
    let app = TestApp::spawn_postgres().await?;
    journey(&app).await
}

async fn journey(app: &TestApp) -> anyhow::Result<()> {
    let email = "ann@example.com";

    // Register: 201 with the id, Location and the position of the event.
    let registered = register(app, " Ann@Example.com ", PASSWORD, "  Ann Example ").await?;
    assert_eq!(registered.status, 201, "{registered}");
    assert!(registered.is_envelope());
    let id = text(registered.data(), "id")?;
    assert_eq!(registered.data()["email"], email);
    assert_eq!(registered.data()["name"], "Ann Example");
    assert_eq!(registered.header("location"), Some("/api/v1/users/profile"));
    assert!(registered.position() > 0);
    assert_eq!(registered.data()["position"], registered.position());

    // The verification mail is a whole RFC 5322 message with a token= link.
    let mails = mail_to(app, email)?;
    assert_eq!(mails.len(), 1, "one verification mail");
    for header in [
        "Date: ",
        "From: Emporium <no-reply@emporium.local>\r\n",
        "Subject: ",
        "Message-ID: <",
        "MIME-Version: 1.0\r\n",
    ] {
        assert!(mails[0].contains(header), "no {header:?} in\n{}", mails[0]);
    }
    assert!(
        mails[0].contains("multipart/alternative") && mails[0].contains("text/plain") && mails[0].contains("text/html")
    );
    assert!(mails[0].contains("/verify-email?token="));
    let verification = nth_mailed_token(app, email, 1).await?;

    // Signing in works before verifying; the profile says the address is unverified.
    let session = login(app, email, PASSWORD).await?;
    assert_eq!(session.status, 200, "{session}");
    let access = text(session.data(), "access_token")?;
    assert_eq!(session.data()["token_type"], "Bearer");
    assert!(session.data()["expires_in"].as_u64().is_some_and(|s| s > 0));
    assert_eq!(profile(app, &access, registered.position()).await?["email_verified"], false);

    // Verify with the mailed token; the token is single-use.
    let verified = app.post("/api/v1/users/verify-email", None, &json!({ "token": verification })).await?;
    assert_eq!(verified.status, 200, "{verified}");
    let again = app.post("/api/v1/users/verify-email", None, &json!({ "token": verification })).await?;
    assert_refused(&again, 400, "auth.invalid_token");
    let shown = profile(app, &access, verified.position()).await?;
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["email"], email);
    assert_eq!(shown["name"], "Ann Example");
    assert_eq!(shown["email_verified"], true);
    assert_eq!(shown["roles"], json!(["customer"]));
    assert_eq!(shown["marketing_opt_in"], false);
    assert!(shown["phone"].is_null());
    assert!(shown["created_at"].is_string());

    // Change the profile, then read the change.
    let changed = app
        .put(
            "/api/v1/users/profile",
            Some(&access),
            &json!({ "name": "Ann B. Example", "phone": "+44 20 7946 0958", "marketing_opt_in": true }),
        )
        .await?;
    assert_eq!(changed.status, 200, "{changed}");
    assert!(changed.position() > verified.position());
    let shown = profile(app, &access, changed.position()).await?;
    assert_eq!(
        (shown["name"].clone(), shown["phone"].clone(), shown["marketing_opt_in"].clone()),
        (json!("Ann B. Example"), json!("+44 20 7946 0958"), json!(true))
    );
    let bad = app.put("/api/v1/users/profile", Some(&access), &json!({ "name": "", "phone": "call me" })).await?;
    assert_refused(&bad, 400, "validation.required");
    assert_eq!(bad.error_fields(), ["name", "phone"]);

    // Refresh rotation: the new pair works, the spent token never again.
    let first_refresh = text(session.data(), "refresh_token")?;
    let rotated = refresh(app, &first_refresh).await?;
    assert_eq!(rotated.status, 200, "{rotated}");
    let second_refresh = text(rotated.data(), "refresh_token")?;
    assert_ne!(second_refresh, first_refresh);
    assert_refused(&refresh(app, &first_refresh).await?, 401, "auth.invalid_refresh_token");
    // Presenting a spent token again looks like theft: every session of the account ends.
    let ended = text(rotated.data(), "access_token")?;
    let refused = app.get("/api/v1/users/profile", Some(&ended)).await?;
    assert_eq!(refused.status, 401, "{refused}");
    assert_refused(&refresh(app, &second_refresh).await?, 401, "auth.invalid_refresh_token");
    let session = login(app, email, PASSWORD).await?;
    let second_refresh = text(session.data(), "refresh_token")?;
    let access = text(session.data(), "access_token")?;
    assert_eq!(profile(app, &access, 0).await?["id"], id.as_str());

    // Change the password: the wrong current one is refused; afterwards only the new
    // one signs in and every refresh token is revoked.
    let new_password = "a much better passphrase";
    let wrong = app
        .post(
            "/api/v1/users/change-password",
            Some(&access),
            &json!({ "current_password": "nope nope", "new_password": new_password }),
        )
        .await?;
    assert_refused(&wrong, 400, "auth.wrong_password");
    let short = app
        .post(
            "/api/v1/users/change-password",
            Some(&access),
            &json!({ "current_password": PASSWORD, "new_password": "short" }),
        )
        .await?;
    assert_refused(&short, 400, "validation.password_too_short");
    let done = app
        .post(
            "/api/v1/users/change-password",
            Some(&access),
            &json!({ "current_password": PASSWORD, "new_password": new_password }),
        )
        .await?;
    assert_eq!(done.status, 200, "{done}");
    assert!(done.position() > changed.position());
    assert_refused(&login(app, email, PASSWORD).await?, 401, "auth.invalid_credentials");
    assert_refused(&refresh(app, &second_refresh).await?, 401, "auth.invalid_refresh_token");
    let refused = app.get("/api/v1/users/profile", Some(&access)).await?;
    assert_eq!(refused.status, 401, "an access token outlived the password change: {refused}");
    let session = login(app, email, new_password).await?;
    assert_eq!(session.status, 200, "{session}");
    let access = text(session.data(), "access_token")?;
    let shown = profile(app, &access, done.position()).await?;
    assert!(shown["password_changed_at"].is_string(), "{shown}");

    // Logout revokes the refresh token it is given.
    let refresh_token = text(session.data(), "refresh_token")?;
    let logout = app.post("/api/v1/users/logout", None, &json!({ "refresh_token": refresh_token })).await?;
    assert_refused(&logout, 401, "auth.unauthorized");
    let logout = app.post("/api/v1/users/logout", Some(&access), &json!({ "refresh_token": refresh_token })).await?;
    assert_eq!(logout.status, 200, "{logout}");
    assert_refused(&refresh(app, &refresh_token).await?, 401, "auth.invalid_refresh_token");

    // Forgotten password: a reset link by mail, usable once.
    let forgot = app.post("/api/v1/users/forgot-password", None, &json!({ "email": "ANN@example.com" })).await?;
    assert_eq!(forgot.status, 200, "{forgot}");
    let reset_token = nth_mailed_token(app, email, 2).await?;
    assert!(mail_to(app, email)?[1].contains("/reset-password?token="));
    let reset_password = "reset to something new";
    let bad_reset = app
        .post("/api/v1/users/reset-password", None, &json!({ "token": reset_token, "new_password": "short" }))
        .await?;
    assert_refused(&bad_reset, 400, "validation.password_too_short");
    let reset = app
        .post("/api/v1/users/reset-password", None, &json!({ "token": reset_token, "new_password": reset_password }))
        .await?;
    assert_eq!(reset.status, 200, "{reset}");
    let reused = app
        .post("/api/v1/users/reset-password", None, &json!({ "token": reset_token, "new_password": "yet another one" }))
        .await?;
    assert_refused(&reused, 400, "auth.invalid_token");
    assert_refused(&login(app, email, new_password).await?, 401, "auth.invalid_credentials");
    assert_eq!(login(app, email, reset_password).await?.status, 200);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_can_hold_only_one_account_and_register_does_not_tell_which_have_one() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let first = register(&app, "bob@example.com", PASSWORD, "Bob").await?;
    assert_eq!(first.status, 201);
    for (email, password) in
        [("bob@example.com", PASSWORD), ("BOB@EXAMPLE.COM", "another password"), (ADMIN_EMAIL, PASSWORD)]
    {
        let again = register(&app, email, password, "Mallory").await?;
        // The same answer as for a new address: status, fields, headers.
        assert_eq!(again.status, 201, "{again}");
        assert_eq!(again.header("location"), first.header("location"));
        assert!(again.header("x-emporium-position").is_some(), "{again}");
        let keys = |r: &ApiResponse| r.data().as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
        assert_eq!(keys(&again), keys(&first), "{again}");
        assert_eq!(again.data()["email"], email.to_lowercase());
        assert_ne!(again.data()["id"], first.data()["id"], "the existing account's id leaked");
    }
    // Nothing changed: Bob signs in with his own password only, and only he got a link.
    assert_eq!(login(&app, "bob@example.com", PASSWORD).await?.status, 200);
    assert_eq!(login(&app, "bob@example.com", "another password").await?.status, 401);
    assert_eq!(mail_to(&app, "bob@example.com")?.len(), 1, "the repeated attempts mailed no link");
    // Instead the owners are told someone tried.
    let warned = |email: &str| {
        app.mail().map(|all| {
            all.iter().filter(|m| m.contains(&format!("To: {email}\r\n")) && m.contains("tried to register")).count()
        })
    };
    assert_eq!(warned("bob@example.com")?, 2);
    assert_eq!(warned(ADMIN_EMAIL)?, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_does_not_tell_unknown_addresses_from_wrong_passwords() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    assert_eq!(register(&app, "carol@example.com", PASSWORD, "Carol").await?.status, 201);
    let wrong_password = login(&app, "carol@example.com", "not her password").await?;
    let unknown = login(&app, "nobody@example.com", "not her password").await?;
    assert_refused(&wrong_password, 401, "auth.invalid_credentials");
    assert_eq!(wrong_password.body, unknown.body);
    assert_eq!(unknown.status, 401);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_answers_the_same_whether_or_not_the_address_has_an_account() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    assert_eq!(register(&app, "dave@example.com", PASSWORD, "Dave").await?.status, 201);
    let known = app.post("/api/v1/users/forgot-password", None, &json!({ "email": "dave@example.com" })).await?;
    let unknown = app.post("/api/v1/users/forgot-password", None, &json!({ "email": "nobody@example.com" })).await?;
    assert_eq!((known.status, unknown.status), (200, 200));
    assert_eq!(known.body, unknown.body);
    nth_mailed_token(&app, "dave@example.com", 2).await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(mail_to(&app, "nobody@example.com")?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_endpoints_need_a_valid_bearer_token() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    assert_refused(&app.get("/api/v1/users/profile", None).await?, 401, "auth.unauthorized");
    assert_refused(&app.get("/api/v1/users/profile", Some("not.a.jwt")).await?, 401, "auth.unauthorized");
    let body = json!({ "name": "X" });
    assert_refused(&app.put("/api/v1/users/profile", None, &body).await?, 401, "auth.unauthorized");
    let body = json!({ "current_password": PASSWORD, "new_password": "whatever123" });
    assert_refused(&app.post("/api/v1/users/change-password", None, &body).await?, 401, "auth.unauthorized");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_from_the_start_up_flags_grants_roles_that_reach_tokens_on_refresh() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let admin = app.admin_token().await?;
    let shown = profile(&app, &admin, 0).await?;
    assert_eq!(shown["email"], ADMIN_EMAIL);
    assert_eq!(shown["email_verified"], true);
    assert!(shown["roles"].as_array().is_some_and(|r| r.contains(&json!("admin"))), "{shown}");

    let (id, customer) = app.customer("erin@example.com").await?;
    let path = format!("/api/v1/users/{id}/roles");
    assert_refused(&app.post(&path, Some(&customer), &json!({ "role": "manager" })).await?, 403, "auth.forbidden");
    assert_refused(&app.post(&path, Some(&admin), &json!({ "role": "wizard" })).await?, 400, "customer.invalid_role");
    let granted = app.post(&path, Some(&admin), &json!({ "role": "manager" })).await?;
    assert_eq!(granted.status, 200, "{granted}");
    assert_eq!(granted.data()["roles"], json!(["manager", "customer"]));
    let session = login(&app, "erin@example.com", PASSWORD).await?;
    assert_eq!(session.data()["roles"], json!(["manager", "customer"]));
    let unknown = format!("/api/v1/users/{}/roles", uuid::Uuid::now_v7());
    assert_refused(&app.post(&unknown, Some(&admin), &json!({ "role": "manager" })).await?, 404, "customer.not_found");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_4xx_in_the_envelope_and_changes_nothing() -> anyhow::Result<()> {
    let app = TestApp::spawn().await?;
    let path = "/api/v1/users/register";
    let cases: Vec<(&str, ApiResponse)> = vec![
        (
            "malformed JSON",
            app.send_raw(Method::POST, path, None, "application/json", br#"{"email": "x@example.com", "#.to_vec())
                .await?,
        ),
        ("not JSON", app.send_raw(Method::POST, path, None, "text/plain", b"email=x@example.com".to_vec()).await?),
        ("empty body", app.send_raw(Method::POST, path, None, "application/json", Vec::new()).await?),
        ("a JSON array", app.send_raw(Method::POST, path, None, "application/json", b"[]".to_vec()).await?),
        (
            "an unknown field",
            register_with(
                &app,
                json!({ "email": "x@example.com", "password": PASSWORD, "name": "X", "role": "admin" }),
            )
            .await?,
        ),
        ("a missing field", register_with(&app, json!({ "email": "x@example.com", "password": PASSWORD })).await?),
        (
            "a number for a name",
            register_with(&app, json!({ "email": "x@example.com", "password": PASSWORD, "name": 42 })).await?,
        ),
        ("a 1 MB name", oversized(&app, "x@example.com", &"n".repeat(1 << 20)).await?),
        ("a 201-character name", register(&app, "x@example.com", PASSWORD, &"n".repeat(201)).await?),
        ("a bad address", register(&app, "x-at-example.com", PASSWORD, "X").await?),
        ("a short password", register(&app, "x@example.com", "1234567", "X").await?),
        ("a 129-character password", register(&app, "x@example.com", &"p".repeat(129), "X").await?),
        ("a blank name", register(&app, "x@example.com", PASSWORD, "   ").await?),
    ];
    for (case, response) in &cases {
        assert!((400..500).contains(&response.status), "{case}: {response}");
        assert!(response.is_envelope(), "{case}: not in the envelope: {response}");
        assert_eq!(response.body["success"], false, "{case}");
        assert!(!response.error_codes().is_empty(), "{case}: {response}");
    }
    let status_of = |case: &str| cases.iter().find(|(c, _)| *c == case).map(|(_, r)| r.status);
    assert_eq!(status_of("not JSON"), Some(415));
    let named = |case: &str| cases.iter().find(|(c, _)| *c == case).map(|(_, r)| r.error_fields()).unwrap_or_default();
    assert_eq!(named("an unknown field"), ["role"]);
    assert_eq!(named("a missing field"), ["name"]);
    assert_eq!(named("a bad address"), ["email"]);
    assert_eq!(named("a 201-character name"), ["name"]);
    assert_eq!(named("a short password"), ["password"]);
    let all_wrong = register(&app, "nope", "short", "").await?;
    assert_eq!(all_wrong.error_fields(), ["email", "password", "name"], "every bad field at once");

    // Nothing was registered or mailed.
    assert!(mail_to(&app, "x@example.com")?.is_empty());
    assert_refused(&login(&app, "x@example.com", PASSWORD).await?, 401, "auth.invalid_credentials");

    // The other account endpoints refuse junk the same way.
    for (path, body) in [
        ("/api/v1/users/login", json!({ "email": "x@example.com" })),
        ("/api/v1/users/refresh", json!({ "refresh_token": "has spaces and !" })),
        ("/api/v1/users/verify-email", json!({ "token": "" })),
        ("/api/v1/users/verify-email", json!({ "token": "A".repeat(43) })),
        ("/api/v1/users/reset-password", json!({ "token": "A".repeat(43), "new_password": "good password" })),
        ("/api/v1/users/forgot-password", json!({ "email": "not an address" })),
        ("/api/v1/users/forgot-password", json!({ "email": "x@example.com", "extra": true })),
    ] {
        let response = app.post(path, None, &body).await?;
        assert!((400..500).contains(&response.status) && response.is_envelope(), "{path} {body}: {response}");
    }
    Ok(())
}

async fn register_with(app: &TestApp, body: Value) -> anyhow::Result<ApiResponse> {
    app.post("/api/v1/users/register", None, &body).await
}

/// Registers with a name far past the body limit. The server answers before reading
/// the whole body and closes the connection, so the client may see the reset
/// before the answer: a few attempts get the answer itself.
async fn oversized(app: &TestApp, email: &str, name: &str) -> anyhow::Result<ApiResponse> {
    let mut last = None;
    for _ in 0..5 {
        match register(app, email, PASSWORD, name).await {
            Ok(response) => return Ok(response),
            Err(error) => last = Some(error),
        }
    }
    Err(last.unwrap_or_else(|| anyhow::anyhow!("no attempt made")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_account_survives_a_restart_with_the_same_flags() -> anyhow::Result<()> {
    // Two apps over one database: the second start finds the admin and changes nothing.
    let database = emporium_tests::postgres::TestDatabase::create().await?;
    let url = database.url.clone();
    let first = TestApp::spawn_with(Some(database), &[]).await?;
    let admin = first.admin_token().await?;
    let before = profile(&first, &admin, 0).await?;
    let stores = ["--event-store", url.as_str(), "--read-store", url.as_str(), "--account-store", url.as_str()];
    let second = TestApp::spawn_with(None, &stores).await?;
    let admin = second.login(ADMIN_EMAIL, ADMIN_PASSWORD).await?;
    let after = profile(&second, &admin, 0).await?;
    assert_eq!(before["id"], after["id"]);
    assert_eq!(before["updated_at"], after["updated_at"], "no new events at the second start");
    drop(second);
    drop(first);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_cut_short_after_claiming_its_address_is_finished_by_a_retry() -> anyhow::Result<()> {
    use emporium_infra::accounts::sqlite::SqliteAccountStore;
    use emporium_infra::accounts::{AccountStore, Credentials};

    let app = TestApp::spawn().await?;
    // What a crash between the claim and the event leaves behind: a login, no account.
    let store = SqliteAccountStore::open(&app.data_dir.path().join("accounts.db")).await?;
    let claimed = uuid::Uuid::now_v7();
    let password_hash =
        emporium_commands::accounts::hashing::hash(PASSWORD.to_owned()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .create_credentials(&Credentials { customer_id: claimed, email: "frank@example.com".into(), password_hash })
        .await?;
    assert_refused(&login(&app, "frank@example.com", PASSWORD).await?, 401, "auth.invalid_credentials");

    // Someone with another password cannot take the half-made account over (and is
    // answered as if registered, like every taken address).
    let mallory = register(&app, "frank@example.com", "mallory's password", "Mallory").await?;
    assert_eq!(mallory.status, 201, "{mallory}");
    assert_ne!(mallory.data()["id"], claimed.to_string());
    // The customer's own retry finishes it, under the claimed id.
    let retried = register(&app, "frank@example.com", PASSWORD, "Frank").await?;
    assert_eq!(retried.status, 201, "{retried}");
    assert_eq!(retried.data()["id"], claimed.to_string());
    assert_eq!(login(&app, "frank@example.com", PASSWORD).await?.status, 200);
    nth_mailed_token(&app, "frank@example.com", 1).await?;
    let twice = register(&app, "frank@example.com", PASSWORD, "Frank").await?;
    assert_ne!(twice.data()["id"], claimed.to_string(), "a finished account is not registered twice");
    assert_eq!(mail_to(&app, "frank@example.com")?.len(), 1, "no second verification link");
    Ok(())
}
