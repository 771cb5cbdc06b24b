//! The account store contract, run against SQLite and PostgreSQL alike: logins,
//! single-use expiring tokens (one winner under concurrency), uniqueness claims and
//! idempotency records, all surviving a reopen.

use std::sync::Arc;

use chrono::{Duration, Utc};
use emporium_infra::accounts::postgres::PostgresAccountStore;
use emporium_infra::accounts::sqlite::SqliteAccountStore;
use emporium_infra::accounts::{
    AccountStore, AccountStoreError, ClaimKind, Credentials, IdempotentResponse, TokenKind,
};
use emporium_infra::event_store::sqlite::SqliteEventStore;
use emporium_tests::postgres::TestDatabase;
use uuid::Uuid;

/// Where a test's accounts live; `open` can be called again to reopen the same data.
enum Backend {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

impl Backend {
    fn sqlite() -> anyhow::Result<Self> {
        Ok(Self::Sqlite(tempfile::tempdir()?))
    }

    async fn postgres() -> anyhow::Result<Self> {
        Ok(Self::Postgres(TestDatabase::create().await?))
    }

    async fn open(&self) -> anyhow::Result<Arc<dyn AccountStore>> {
        Ok(match self {
            Self::Sqlite(dir) => {
                Arc::new(SqliteAccountStore::open(&dir.path().join("data").join("accounts.db")).await?)
            }
            Self::Postgres(db) => Arc::new(PostgresAccountStore::connect(&db.url).await?),
        })
    }
}

fn login(email: &str) -> Credentials {
    Credentials {
        customer_id: Uuid::now_v7(),
        email: email.to_owned(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
    }
}

async fn a_login_is_found_by_email_in_any_case_and_by_id(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let ann = login("ann@example.com");
    store.create_credentials(&ann).await?;
    assert_eq!(store.credentials_by_email("ann@example.com").await?, Some(ann.clone()));
    assert_eq!(store.credentials_by_email("  Ann@Example.COM ").await?, Some(ann.clone()));
    assert_eq!(store.credentials_by_id(ann.customer_id).await?, Some(ann.clone()));
    assert_eq!(store.credentials_by_email("bob@example.com").await?, None);
    assert_eq!(store.credentials_by_id(Uuid::now_v7()).await?, None);
    Ok(())
}

async fn a_second_login_for_the_same_address_is_a_duplicate(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let first = login("ann@example.com");
    store.create_credentials(&first).await?;
    let error = store.create_credentials(&login("ANN@example.com")).await.err();
    assert!(matches!(error, Some(AccountStoreError::Duplicate(ref email)) if email == "ann@example.com"), "{error:?}");
    assert_eq!(store.credentials_by_email("ann@example.com").await?.map(|c| c.customer_id), Some(first.customer_id));
    Ok(())
}

async fn only_one_of_many_racing_registrations_of_an_address_wins(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let attempts = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.create_credentials(&login("race@example.com")).await })
    });
    let results = futures::future::join_all(attempts).await;
    let won = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    let duplicates = results.iter().filter(|r| matches!(r, Ok(Err(AccountStoreError::Duplicate(_))))).count();
    assert_eq!((won, duplicates), (1, 7));
    Ok(())
}

async fn a_password_hash_can_be_replaced(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let ann = login("ann@example.com");
    store.create_credentials(&ann).await?;
    store.set_password_hash(ann.customer_id, "$argon2id$new").await?;
    assert_eq!(
        store.credentials_by_id(ann.customer_id).await?.map(|c| c.password_hash),
        Some("$argon2id$new".to_owned())
    );
    Ok(())
}

async fn a_token_is_consumed_once_and_only_for_its_kind(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let customer = Uuid::now_v7();
    let now = Utc::now();
    store.insert_token("hash-1", TokenKind::Refresh, customer, now + Duration::hours(1)).await?;
    assert_eq!(
        store.consume_token("hash-1", TokenKind::PasswordReset, now).await?,
        None,
        "another kind does not match"
    );
    assert_eq!(store.consume_token("hash-1", TokenKind::Refresh, now).await?, Some(customer));
    assert_eq!(store.consume_token("hash-1", TokenKind::Refresh, now).await?, None, "single use");
    assert_eq!(store.consume_token("unknown", TokenKind::Refresh, now).await?, None);
    Ok(())
}

async fn an_expired_token_is_refused(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let customer = Uuid::now_v7();
    let now = Utc::now();
    store.insert_token("stale", TokenKind::EmailVerification, customer, now + Duration::minutes(5)).await?;
    assert_eq!(store.consume_token("stale", TokenKind::EmailVerification, now + Duration::minutes(6)).await?, None);
    assert_eq!(
        store.consume_token("stale", TokenKind::EmailVerification, now).await?,
        None,
        "a refused stale token is gone"
    );
    Ok(())
}

async fn racing_consumers_of_one_token_have_exactly_one_winner(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let customer = Uuid::now_v7();
    store.insert_token("contested", TokenKind::Refresh, customer, Utc::now() + Duration::hours(1)).await?;
    let consumers = (0..16).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.consume_token("contested", TokenKind::Refresh, Utc::now()).await })
    });
    let results = futures::future::join_all(consumers).await;
    let winners: Vec<Uuid> = results.into_iter().filter_map(|r| r.ok().and_then(Result::ok).flatten()).collect();
    assert_eq!(winners, vec![customer]);
    Ok(())
}

async fn revoking_drops_one_kind_of_one_customer_only(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let (ann, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let later = Utc::now() + Duration::hours(1);
    store.insert_token("ann-r1", TokenKind::Refresh, ann, later).await?;
    store.insert_token("ann-r2", TokenKind::Refresh, ann, later).await?;
    store.insert_token("ann-reset", TokenKind::PasswordReset, ann, later).await?;
    store.insert_token("bob-r1", TokenKind::Refresh, bob, later).await?;
    store.revoke_tokens(ann, TokenKind::Refresh).await?;
    let now = Utc::now();
    assert_eq!(store.consume_token("ann-r1", TokenKind::Refresh, now).await?, None);
    assert_eq!(store.consume_token("ann-r2", TokenKind::Refresh, now).await?, None);
    assert_eq!(store.consume_token("ann-reset", TokenKind::PasswordReset, now).await?, Some(ann));
    assert_eq!(store.consume_token("bob-r1", TokenKind::Refresh, now).await?, Some(bob));
    Ok(())
}

async fn a_unique_key_belongs_to_its_first_claimant(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    assert_eq!(store.unique_owner(ClaimKind::Sku, "TEE-RED").await?, None);
    assert_eq!(store.claim_unique(ClaimKind::Sku, "TEE-RED", "product-1").await?, "product-1");
    assert_eq!(
        store.claim_unique(ClaimKind::Sku, "TEE-RED", "product-1").await?,
        "product-1",
        "a repeated claim is fine"
    );
    assert_eq!(store.claim_unique(ClaimKind::Sku, "TEE-RED", "product-2").await?, "product-1");
    assert_eq!(
        store.claim_unique(ClaimKind::CouponCode, "TEE-RED", "coupon-9").await?,
        "coupon-9",
        "kinds are separate"
    );
    assert_eq!(store.unique_owner(ClaimKind::Sku, "TEE-RED").await?, Some("product-1".to_owned()));
    Ok(())
}

async fn racing_claims_agree_on_one_owner(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let claims = (0..8).map(|i| {
        let store = store.clone();
        tokio::spawn(async move { store.claim_unique(ClaimKind::Sku, "HOT", &format!("product-{i}")).await })
    });
    let mut owners = Vec::new();
    for result in futures::future::join_all(claims).await {
        owners.push(result??);
    }
    assert!(owners.windows(2).all(|w| w[0] == w[1]), "{owners:?}");
    assert_eq!(store.unique_owner(ClaimKind::Sku, "HOT").await?, owners.first().cloned());
    Ok(())
}

async fn the_first_idempotent_answer_is_kept(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let day_ago = Utc::now() - Duration::hours(24);
    assert_eq!(store.idempotent_response("customer:1", "key-1", day_ago).await?, None);
    let first = stored_answer(201);
    store.save_idempotent_response("customer:1", "key-1", &first, day_ago).await?;
    let second = IdempotentResponse { status: 409, body: b"other".to_vec(), ..first.clone() };
    store.save_idempotent_response("customer:1", "key-1", &second, day_ago).await?;
    assert_eq!(store.idempotent_response("customer:1", "key-1", day_ago).await?, Some(first));
    assert_eq!(store.idempotent_response("customer:2", "key-1", day_ago).await?, None, "keys are scoped by caller");
    Ok(())
}

async fn an_expired_idempotent_answer_is_neither_replayed_nor_kept(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let day_ago = Utc::now() - Duration::hours(24);
    let first = stored_answer(201);
    store.save_idempotent_response("customer:1", "key-1", &first, day_ago).await?;
    store.save_idempotent_response("customer:1", "other-key", &first, day_ago).await?;
    // Time passes: from a moment after the store, the answers count as expired.
    let later = Utc::now() + Duration::seconds(1);
    assert_eq!(store.idempotent_response("customer:1", "key-1", later).await?, None, "an expired answer replays");
    let second = IdempotentResponse { status: 202, body: b"second".to_vec(), ..first.clone() };
    store.save_idempotent_response("customer:1", "key-1", &second, later).await?;
    assert_eq!(store.idempotent_response("customer:1", "key-1", day_ago).await?, Some(second), "not replaced");
    assert_eq!(
        store.idempotent_response("customer:1", "other-key", day_ago).await?,
        None,
        "expired answers of other keys are deleted, not kept for ever"
    );
    Ok(())
}

async fn a_security_version_starts_at_zero_and_only_grows(backend: Backend) -> anyhow::Result<()> {
    let store = backend.open().await?;
    let (ann, bob) = (Uuid::now_v7(), Uuid::now_v7());
    assert_eq!(store.security_version(ann).await?, 0);
    assert_eq!(store.bump_security_version(ann).await?, 1);
    assert_eq!(store.bump_security_version(ann).await?, 2);
    assert_eq!(store.security_version(ann).await?, 2);
    assert_eq!(store.security_version(bob).await?, 0, "versions are per account");
    Ok(())
}

fn stored_answer(status: u16) -> IdempotentResponse {
    IdempotentResponse {
        request_hash: "abc".into(),
        status,
        headers: vec![("Location".into(), "/api/v1/orders/1".into()), ("X-Emporium-Position".into(), "42".into())],
        body: br#"{"success":true}"#.to_vec(),
    }
}

async fn everything_survives_a_reopen(backend: Backend) -> anyhow::Result<()> {
    let ann = login("ann@example.com");
    {
        let store = backend.open().await?;
        store.create_credentials(&ann).await?;
        store.insert_token("kept", TokenKind::Refresh, ann.customer_id, Utc::now() + Duration::hours(1)).await?;
        store.claim_unique(ClaimKind::Sku, "A", "p").await?;
    }
    let store = backend.open().await?;
    assert_eq!(store.credentials_by_email("ann@example.com").await?, Some(ann.clone()));
    assert_eq!(store.consume_token("kept", TokenKind::Refresh, Utc::now()).await?, Some(ann.customer_id));
    assert_eq!(store.unique_owner(ClaimKind::Sku, "A").await?, Some("p".to_owned()));
    Ok(())
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(super::Backend::sqlite()?).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    super::$name(super::Backend::postgres().await?).await
                }
            )*
        }
    };
}

contract!(
    a_login_is_found_by_email_in_any_case_and_by_id,
    a_second_login_for_the_same_address_is_a_duplicate,
    only_one_of_many_racing_registrations_of_an_address_wins,
    a_password_hash_can_be_replaced,
    a_token_is_consumed_once_and_only_for_its_kind,
    an_expired_token_is_refused,
    racing_consumers_of_one_token_have_exactly_one_winner,
    revoking_drops_one_kind_of_one_customer_only,
    a_unique_key_belongs_to_its_first_claimant,
    racing_claims_agree_on_one_owner,
    the_first_idempotent_answer_is_kept,
    an_expired_idempotent_answer_is_neither_replayed_nor_kept,
    a_security_version_starts_at_zero_and_only_grows,
    everything_survives_a_reopen,
);

/// The embedded default keeps every store in one data dir; the account store must
/// also live in the event store's own file, each migrating only its own tables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_store_shares_a_sqlite_file_with_the_event_store() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("emporium.db");
    let _events = SqliteEventStore::open(&path).await?;
    let accounts = SqliteAccountStore::open(&path).await?;
    let _events_again = SqliteEventStore::open(&path).await?;
    accounts.create_credentials(&login("ann@example.com")).await?;
    let reopened = SqliteAccountStore::open(&path).await?;
    assert!(reopened.credentials_by_email("ann@example.com").await?.is_some());
    Ok(())
}

/// The same for PostgreSQL: one database, one `_sqlx_migrations` table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_store_shares_a_postgres_database_with_the_event_store() -> anyhow::Result<()> {
    let db = TestDatabase::create().await?;
    let _events = emporium_infra::event_store::postgres::PostgresEventStore::connect(&db.url).await?;
    let accounts = PostgresAccountStore::connect(&db.url).await?;
    let _events_again = emporium_infra::event_store::postgres::PostgresEventStore::connect(&db.url).await?;
    accounts.create_credentials(&login("ann@example.com")).await?;
    assert!(PostgresAccountStore::connect(&db.url).await?.credentials_by_email("ann@example.com").await?.is_some());
    Ok(())
}
