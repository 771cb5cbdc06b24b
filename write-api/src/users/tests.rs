//! The users router in process, over real SQLite stores and the `.eml` outbox: the
//! flows end to end without the binary, plus what only a test inside can reach
//! (a registration cut short, the admin bootstrap run twice).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use emporium_api_kit::token::TokenKeys;
use emporium_commands::CommandHandler;
use emporium_domain::customer::{Customer, Role};
use emporium_infra::accounts::sqlite::SqliteAccountStore;
use emporium_infra::accounts::{Credentials, TokenKind};
use emporium_infra::event_store::sqlite::SqliteEventStore;
use emporium_infra::mailer::outbox::OutboxMailer;
use emporium_infra::payments::simulated::SimulatedGateway;
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

use emporium_commands::accounts::{hashing, secrets};

use super::{ensure_admin, router};
use crate::state::{AuthSettings, WriteState};

const PASSWORD: &str = "correct horse battery staple";

struct Shop {
    _dir: tempfile::TempDir,
    outbox: PathBuf,
    state: WriteState,
    router: Router,
}

struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn data(&self, key: &str) -> String {
        self.body["data"][key].as_str().unwrap_or_else(|| panic!("no data.{key} in {}", self.body)).to_owned()
    }

    fn code(&self) -> &str {
        self.body["errors"][0]["code"].as_str().unwrap_or_default()
    }
}

async fn shop() -> Shop {
    let dir = tempfile::tempdir().unwrap();
    let events = SqliteEventStore::open(&dir.path().join("events.db")).await.unwrap();
    let accounts = SqliteAccountStore::open(&dir.path().join("accounts.db")).await.unwrap();
    let outbox = dir.path().join("mail");
    let state = WriteState {
        commands: CommandHandler::new(Arc::new(events), 8),
        keys: TokenKeys::new(&[42u8; 32]).unwrap(),
        accounts: Arc::new(accounts),
        mailer: Arc::new(OutboxMailer::new(outbox.clone())),
        auth: AuthSettings::with_public_url("http://shop.test"),
        gateway: Arc::new(SimulatedGateway::default()),
        stripe_webhook_secret: None,
        attempts: Default::default(),
    };
    let router = router().with_state(state.clone());
    Shop { _dir: dir, outbox, state, router }
}

impl Shop {
    async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Value) -> Answer {
        let mut request = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = self.router.clone().oneshot(request.body(Body::from(body.to_string())).unwrap()).await.unwrap();
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Answer { status, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, token, body).await
    }

    /// The token of the newest mail to `to` whose link goes to `page`, waiting for it.
    async fn mailed(&self, to: &str, page: &str) -> String {
        for _ in 0..100 {
            let mut names: Vec<_> = std::fs::read_dir(&self.outbox)
                .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
                .unwrap_or_default();
            names.sort();
            for path in names.iter().rev() {
                let mail = std::fs::read_to_string(path).unwrap();
                let marker = format!("/{page}?token=");
                if let (true, Some(at)) = (mail.contains(&format!("To: {to}\r\n")), mail.find(&marker)) {
                    return mail[at + marker.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("no {page} mail to {to}")
    }

    async fn head(&self) -> u64 {
        self.state.commands.store().head_position().await.unwrap()
    }
}

#[tokio::test]
async fn the_account_flows_work_end_to_end() {
    let shop = shop().await;
    let registered = shop
        .post("/api/v1/users/register", None, json!({"email": "Ann@Example.com", "password": PASSWORD, "name": "Ann"}))
        .await;
    assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.body);
    let id = registered.data("id");

    let verification = shop.mailed("ann@example.com", "verify-email").await;
    let verified = shop.post("/api/v1/users/verify-email", None, json!({"token": verification})).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["data"]["email_verified"], true);
    let again = shop.post("/api/v1/users/verify-email", None, json!({"token": verification})).await;
    assert_eq!((again.status, again.code()), (StatusCode::BAD_REQUEST, "auth.invalid_token"));

    let session =
        shop.post("/api/v1/users/login", None, json!({"email": "ann@example.com", "password": PASSWORD})).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    let claims = shop.state.keys.verify(&session.data("access_token"), chrono::Utc::now().timestamp()).unwrap();
    assert_eq!((claims.sub.as_str(), claims.roles.as_slice()), (id.as_str(), ["customer".to_owned()].as_slice()));
    assert_eq!(session.body["data"]["expires_in"], 900);

    let old_refresh = session.data("refresh_token");
    let rotated = shop.post("/api/v1/users/refresh", None, json!({"refresh_token": old_refresh})).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let reused = shop.post("/api/v1/users/refresh", None, json!({"refresh_token": old_refresh})).await;
    assert_eq!((reused.status, reused.code()), (StatusCode::UNAUTHORIZED, "auth.invalid_refresh_token"));

    let access = rotated.data("access_token");
    let profile = shop.call(Method::PUT, "/api/v1/users/profile", Some(&access), json!({"phone": "+1 555 0100"})).await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.body);
    assert_eq!((profile.data("name"), profile.data("phone")), ("Ann".to_owned(), "+1 555 0100".to_owned()));

    let logout =
        shop.post("/api/v1/users/logout", Some(&access), json!({"refresh_token": rotated.data("refresh_token")})).await;
    assert_eq!(logout.status, StatusCode::OK);
    let after_logout =
        shop.post("/api/v1/users/refresh", None, json!({"refresh_token": rotated.data("refresh_token")})).await;
    assert_eq!(after_logout.status, StatusCode::UNAUTHORIZED);

    let changed = shop
        .post(
            "/api/v1/users/change-password",
            Some(&access),
            json!({"current_password": PASSWORD, "new_password": "new password 1"}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let old = shop.post("/api/v1/users/login", None, json!({"email": "ann@example.com", "password": PASSWORD})).await;
    assert_eq!((old.status, old.code()), (StatusCode::UNAUTHORIZED, "auth.invalid_credentials"));

    let forgot = shop.post("/api/v1/users/forgot-password", None, json!({"email": "ann@example.com"})).await;
    let unknown = shop.post("/api/v1/users/forgot-password", None, json!({"email": "zed@example.com"})).await;
    assert_eq!((forgot.status, &forgot.body), (unknown.status, &unknown.body));
    let reset_token = shop.mailed("ann@example.com", "reset-password").await;
    let reset = shop
        .post("/api/v1/users/reset-password", None, json!({"token": reset_token, "new_password": "after the reset"}))
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let login = shop
        .post("/api/v1/users/login", None, json!({"email": "ann@example.com", "password": "after the reset"}))
        .await;
    assert_eq!(login.status, StatusCode::OK);
}

#[tokio::test]
async fn no_secret_reaches_the_event_log() {
    let shop = shop().await;
    shop.post("/api/v1/users/register", None, json!({"email": "ann@example.com", "password": PASSWORD, "name": "Ann"}))
        .await;
    let session =
        shop.post("/api/v1/users/login", None, json!({"email": "ann@example.com", "password": PASSWORD})).await;
    let verification = shop.mailed("ann@example.com", "verify-email").await;
    let log = serde_json::to_string(
        &shop.state.commands.store().read_all(0, 1000).await.unwrap().iter().map(|e| &e.data).collect::<Vec<_>>(),
    )
    .unwrap();
    let hash = shop.state.accounts.credentials_by_email("ann@example.com").await.unwrap().unwrap().password_hash;
    for secret in [PASSWORD, hash.as_str(), verification.as_str(), &session.data("refresh_token"), "argon2"] {
        assert!(!log.contains(secret), "{secret} leaked into the log: {log}");
    }
    // Only digests are stored: the secret itself is not a key in the account store.
    assert_eq!(
        shop.state
            .accounts
            .consume_token(&verification, TokenKind::EmailVerification, chrono::Utc::now())
            .await
            .unwrap(),
        None
    );
    assert!(
        shop.state
            .accounts
            .consume_token(&secrets::digest(&verification), TokenKind::EmailVerification, chrono::Utc::now())
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_registration_cut_short_is_finished_by_a_retry_with_its_password_only() {
    let shop = shop().await;
    let claimed = Uuid::now_v7();
    let password_hash = hashing::hash(PASSWORD.into()).await.unwrap();
    shop.state
        .accounts
        .create_credentials(&Credentials { customer_id: claimed, email: "bob@example.com".into(), password_hash })
        .await
        .unwrap();
    let other = shop
        .post(
            "/api/v1/users/register",
            None,
            json!({"email": "bob@example.com", "password": "someone else's", "name": "Eve"}),
        )
        .await;
    assert_eq!(other.status, StatusCode::CREATED, "answered as if new: {}", other.body);
    assert_ne!(other.data("id"), claimed.to_string(), "the half-made account was taken over");
    let retry = shop
        .post("/api/v1/users/register", None, json!({"email": "bob@example.com", "password": PASSWORD, "name": "Bob"}))
        .await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert_eq!(retry.data("id"), claimed.to_string());
    let twice = shop
        .post("/api/v1/users/register", None, json!({"email": "bob@example.com", "password": PASSWORD, "name": "Bob"}))
        .await;
    assert_eq!(twice.status, StatusCode::CREATED, "{}", twice.body);
    assert_ne!(twice.data("id"), claimed.to_string(), "registered twice");
}

#[tokio::test]
async fn ensure_admin_is_idempotent_and_the_flags_password_wins() {
    let shop = shop().await;
    ensure_admin(&shop.state, "root@shop.test", "first password").await.unwrap();
    let head = shop.head().await;
    ensure_admin(&shop.state, "ROOT@shop.test", "first password").await.unwrap();
    assert_eq!(shop.head().await, head, "a second start records nothing");
    let id = shop.state.accounts.credentials_by_email("root@shop.test").await.unwrap().unwrap().customer_id;
    let (customer, _, _) = shop.state.commands.load::<Customer>(&id.to_string()).await.unwrap();
    let admin = customer.account().unwrap();
    assert!(admin.email_verified() && admin.has_role(Role::Admin) && admin.has_role(Role::Customer));

    let session =
        shop.post("/api/v1/users/login", None, json!({"email": "root@shop.test", "password": "first password"})).await;
    assert_eq!(session.body["data"]["roles"], json!(["admin", "customer"]));
    ensure_admin(&shop.state, "root@shop.test", "second password").await.unwrap();
    let stale = shop.post("/api/v1/users/refresh", None, json!({"refresh_token": session.data("refresh_token")})).await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED, "a re-keyed admin's sessions end");
    let login =
        shop.post("/api/v1/users/login", None, json!({"email": "root@shop.test", "password": "second password"})).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(ensure_admin(&shop.state, "not an address", "whatever123").await.is_err());
}

#[tokio::test]
async fn an_address_registered_before_the_admin_flags_cannot_be_kept_by_its_registrant() {
    let shop = shop().await;
    let squatter = shop
        .post(
            "/api/v1/users/register",
            None,
            json!({"email": "root@shop.test", "password": "squatter's password", "name": "Eve"}),
        )
        .await;
    assert_eq!(squatter.status, StatusCode::CREATED);
    ensure_admin(&shop.state, "root@shop.test", "operator's password").await.unwrap();
    let eve = shop
        .post("/api/v1/users/login", None, json!({"email": "root@shop.test", "password": "squatter's password"}))
        .await;
    assert_eq!(eve.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn only_admins_change_roles_and_not_their_own_admin_role() {
    let shop = shop().await;
    ensure_admin(&shop.state, "root@shop.test", PASSWORD).await.unwrap();
    let admin = shop.post("/api/v1/users/login", None, json!({"email": "root@shop.test", "password": PASSWORD})).await;
    let (admin_id, admin) = (admin.data("customer_id"), admin.data("access_token"));
    let ann = shop
        .post("/api/v1/users/register", None, json!({"email": "ann@example.com", "password": PASSWORD, "name": "Ann"}))
        .await
        .data("id");
    let ann_token = shop
        .post("/api/v1/users/login", None, json!({"email": "ann@example.com", "password": PASSWORD}))
        .await
        .data("access_token");

    let path = format!("/api/v1/users/{ann}/roles");
    assert_eq!(shop.post(&path, Some(&ann_token), json!({"role": "admin"})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(shop.post(&path, None, json!({"role": "admin"})).await.status, StatusCode::UNAUTHORIZED);
    let granted = shop.post(&path, Some(&admin), json!({"role": "Manager"})).await;
    assert_eq!((granted.status, &granted.body["data"]["roles"]), (StatusCode::OK, &json!(["manager", "customer"])));
    let twice = shop.post(&path, Some(&admin), json!({"role": "manager"})).await;
    assert_eq!((twice.status, twice.code()), (StatusCode::CONFLICT, "customer.role_already_granted"));
    let revoked = shop.call(Method::DELETE, &format!("{path}/manager"), Some(&admin), Value::Null).await;
    assert_eq!((revoked.status, &revoked.body["data"]["roles"]), (StatusCode::OK, &json!(["customer"])));
    let own =
        shop.call(Method::DELETE, &format!("/api/v1/users/{admin_id}/roles/admin"), Some(&admin), Value::Null).await;
    assert_eq!((own.status, own.code()), (StatusCode::CONFLICT, "customer.own_admin_role"));
    let nobody = shop.post("/api/v1/users/not-a-uuid/roles", Some(&admin), json!({"role": "manager"})).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
}
