//! A fresh PostgreSQL database per test, dropped afterwards.

use anyhow::Context;
use sqlx::{Connection, Executor, PgConnection};

/// The server tests use: `EMPORIUM_TEST_POSTGRES_URL`, else the local trust-auth server.
pub fn server_url() -> String {
    std::env::var("EMPORIUM_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A database created for one test; dropped (with `FORCE`) when this guard drops.
#[derive(Debug)]
pub struct TestDatabase {
    /// Connection URL of the new database.
    pub url: String,
    name: String,
}

impl TestDatabase {
    /// Creates `emporium_test_<uuid>` on the test server.
    pub async fn create() -> anyhow::Result<Self> {
        let server = server_url();
        let name = format!("emporium_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = PgConnection::connect(&server).await.with_context(|| {
            format!("connecting to the test PostgreSQL server at {server} (run scripts/test.sh, which starts it)")
        })?;
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .with_context(|| format!("creating database {name}"))?;
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        Ok(Self { url: format!("{base}/{name}"), name })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = server_url();
        let name = self.name.clone();
        // Drop on a separate thread with its own runtime: Drop cannot be async and the
        // test's runtime may be shutting down.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut conn) = PgConnection::connect(&server).await {
                    let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                }
            });
        })
        .join();
    }
}
