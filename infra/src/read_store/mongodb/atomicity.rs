//! How a unit of work (a batch with its checkpoint, a reset, a count with its page)
//! is made atomic: in a multi-document transaction where the server has them, else
//! by the position guards of every write alone.

use mongodb::bson::doc;
use mongodb::{BoxFuture, Client, ClientSession};

/// Whether the store's units of work run in transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Atomicity {
    /// Multi-document transactions (replica sets, sharded clusters, SecantusDB):
    /// a batch and its checkpoint commit together or not at all, and transient
    /// conflicts (e.g. two committers of one projection) are retried.
    Transactions,
    /// No transactions (a standalone server): each write is applied on its own,
    /// guarded by position, and the checkpoint moves last. A batch interrupted half
    /// way is visible in part until its redelivery completes it; a redelivery never
    /// applies anything twice.
    Guards,
}

impl Atomicity {
    /// Asks the server: transactions need a replica set member or a `mongos` router
    /// that has logical sessions.
    pub(super) async fn detect(client: &Client) -> mongodb::error::Result<Self> {
        let hello = client.database("admin").run_command(doc! { "hello": 1 }).await?;
        let replica_set = hello.contains_key("setName");
        let router = hello.get_str("msg").is_ok_and(|msg| msg == "isdbgrid");
        let sessions = hello.contains_key("logicalSessionTimeoutMinutes");
        Ok(if sessions && (replica_set || router) { Self::Transactions } else { Self::Guards })
    }

    /// Runs `work` in a new session: inside a transaction (committed when it returns
    /// `Ok`, aborted on error, the whole retried on transient errors) or straight.
    /// `work` may run several times, so it takes its inputs by reference through
    /// `context`.
    pub(super) async fn run<C, R, F>(self, client: &Client, mut context: C, mut work: F) -> mongodb::error::Result<R>
    where
        F: for<'b> FnMut(&'b mut ClientSession, &'b mut C) -> BoxFuture<'b, mongodb::error::Result<R>>,
    {
        let mut session = client.start_session().await?;
        match self {
            Self::Transactions => session.start_transaction().and_run(context, work).await,
            Self::Guards => work(&mut session, &mut context).await,
        }
    }
}
