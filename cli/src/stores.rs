//! Turns storage flags into adapters.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use emporium_infra::accounts::AccountStore;
use emporium_infra::accounts::postgres::PostgresAccountStore;
use emporium_infra::accounts::sqlite::SqliteAccountStore;
use emporium_infra::event_store::EventStore;
use emporium_infra::event_store::postgres::PostgresEventStore;
use emporium_infra::event_store::sqlite::SqliteEventStore;
use emporium_infra::leader::LeaderLock;
use emporium_infra::mailer::Mailer;
use emporium_infra::mailer::log::LogMailer;
use emporium_infra::mailer::outbox::OutboxMailer;
use emporium_infra::mailer::smtp::{SmtpConfig, SmtpMailer};
use emporium_infra::private_files;
use emporium_infra::read_store::ReadStore;
use emporium_infra::read_store::mongodb::MongoReadStore;
use emporium_infra::read_store::postgres::PostgresReadStore;
use emporium_infra::read_store::sqlite::SqliteReadStore;
use emporium_infra::sms::SmsSender;
use emporium_infra::sms::log::LogSms;
use emporium_infra::sms::twilio::{TwilioConfig, TwilioSms};

use crate::config::{SmsArgs, SmsProvider, StoreArgs};

/// The read store's file under the data dir (embedded default).
const READ_DB: &str = "read.db";

/// Where one store lives.
enum Location<'a> {
    /// A SQLite file under the data dir.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL.
    Postgres(&'a str),
    /// A MongoDB URL (the read store only); its path names the database.
    Mongo(&'a str),
}

fn locate<'a>(flag: &str, spec: &'a str, data_dir: &Path, file: &str) -> anyhow::Result<Location<'a>> {
    let spec = spec.trim();
    if spec == "sqlite" {
        private_files::create_dir(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let path = data_dir.join(file);
        private_files::create_file(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(Location::Sqlite(path))
    } else if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        Ok(Location::Postgres(spec))
    } else if spec.starts_with("mongodb://") {
        Ok(Location::Mongo(spec))
    } else {
        let mongo = if flag == "--read-store" { ", a mongodb:// URL" } else { "" };
        anyhow::bail!("{flag} must be `sqlite`{mongo} or a postgres:// URL, not {spec:?}")
    }
}

/// The refusal for a store that has no MongoDB adapter.
fn no_mongo(flag: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{flag} has no MongoDB adapter: use `sqlite` or a postgres:// URL (only --read-store takes mongodb://)"
    )
}

/// The process managers' state file under the data dir (embedded default).
const STATE_DB: &str = "state.db";

/// Where the process-manager state lives: `--state-store`, else the event store's
/// PostgreSQL (so every process of a deployment shares it), else SQLite.
fn state_spec(args: &StoreArgs) -> &str {
    match &args.state_store {
        Some(spec) => spec,
        None if matches!(
            locate("--event-store", &args.event_store, &args.data_dir, "events.db"),
            Ok(Location::Postgres(_))
        ) =>
        {
            &args.event_store
        }
        None => "sqlite",
    }
}

/// The lock that lets one process per store run the process managers: an advisory
/// lock in the state store's database when it is PostgreSQL (where their state
/// lives), else a lock file in the data dir.
pub fn leader_lock(args: &StoreArgs) -> anyhow::Result<LeaderLock> {
    Ok(match locate("--state-store", state_spec(args), &args.data_dir, STATE_DB)? {
        Location::Postgres(url) => LeaderLock::Postgres { url: url.to_owned() },
        Location::Sqlite(_) => LeaderLock::File { dir: args.data_dir.clone() },
        Location::Mongo(_) => return Err(no_mongo("--state-store")),
    })
}

/// The relay's lock: an advisory lock in the event store's PostgreSQL, else a lock
/// file in the data dir, so one relay per event store publishes.
pub fn event_store_lock(args: &StoreArgs) -> anyhow::Result<LeaderLock> {
    Ok(match locate("--event-store", &args.event_store, &args.data_dir, "events.db")? {
        Location::Postgres(url) => LeaderLock::Postgres { url: url.to_owned() },
        Location::Sqlite(_) => LeaderLock::File { dir: args.data_dir.clone() },
        Location::Mongo(_) => return Err(no_mongo("--event-store")),
    })
}

/// The SMS sender the flags name.
pub fn sms(args: &SmsArgs) -> anyhow::Result<Arc<dyn SmsSender>> {
    Ok(match args.sms {
        SmsProvider::Log => {
            tracing::info!("sms: log only");
            Arc::new(LogSms)
        }
        SmsProvider::Twilio => {
            // clap requires these with `--sms twilio`; checked again for other callers.
            let (Some(account_sid), Some(auth_token), Some(from)) =
                (&args.twilio_account_sid, &args.twilio_auth_token, &args.twilio_from)
            else {
                anyhow::bail!("--sms twilio needs --twilio-account-sid, --twilio-auth-token and --twilio-from");
            };
            let config = TwilioConfig {
                account_sid: account_sid.clone(),
                auth_token: auth_token.expose().to_owned(),
                from: from.clone(),
                base_url: args.twilio_api_base.clone(),
            };
            tracing::info!(base_url = %args.twilio_api_base, "sms: Twilio");
            Arc::new(TwilioSms::new(config).map_err(|error| anyhow::anyhow!("building the Twilio client: {error}"))?)
        }
    })
}

/// Opens the event store the flags name.
pub async fn event_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn EventStore>> {
    Ok(match locate("--event-store", &args.event_store, &args.data_dir, "events.db")? {
        Location::Sqlite(path) => {
            tracing::info!(path = %path.display(), "event store: SQLite");
            Arc::new(
                SqliteEventStore::open(&path)
                    .await
                    .with_context(|| format!("opening the event store {}", path.display()))?,
            )
        }
        Location::Postgres(url) => {
            tracing::info!("event store: PostgreSQL");
            Arc::new(PostgresEventStore::connect(url).await.context("opening the PostgreSQL event store")?)
        }
        Location::Mongo(_) => return Err(no_mongo("--event-store")),
    })
}

/// Opens the read store the flags name.
pub async fn read_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn ReadStore>> {
    documents("--read-store", &args.read_store, &args.data_dir, READ_DB, "read store").await
}

/// Opens the process managers' state store (saga instances, deadlines, the mail
/// queue): a document store of its own, which no projection rebuild touches. Not on
/// MongoDB: its leader lock lives where its state does (PostgreSQL or the data dir).
pub async fn state_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn ReadStore>> {
    let spec = state_spec(args);
    if let Location::Mongo(_) = locate("--state-store", spec, &args.data_dir, STATE_DB)? {
        return Err(no_mongo("--state-store"));
    }
    documents("--state-store", spec, &args.data_dir, STATE_DB, "state store").await
}

/// Opens a document store (`role` names it in logs and errors) at `spec`.
async fn documents(
    flag: &str,
    spec: &str,
    data_dir: &Path,
    file: &str,
    role: &str,
) -> anyhow::Result<Arc<dyn ReadStore>> {
    Ok(match locate(flag, spec, data_dir, file)? {
        Location::Sqlite(path) => {
            tracing::info!(path = %path.display(), "{role}: SQLite");
            Arc::new(
                SqliteReadStore::open(&path).await.with_context(|| format!("opening the {role} {}", path.display()))?,
            )
        }
        Location::Postgres(url) => {
            tracing::info!("{role}: PostgreSQL");
            Arc::new(PostgresReadStore::connect(url).await.with_context(|| format!("opening the PostgreSQL {role}"))?)
        }
        Location::Mongo(url) => {
            // The URL may hold a password: it is not logged.
            let store = MongoReadStore::connect(url).await.with_context(|| format!("opening the MongoDB {role}"))?;
            tracing::info!(database = %store.database().name(), atomicity = ?store.atomicity(), "{role}: MongoDB");
            Arc::new(store)
        }
    })
}

/// Opens the account store the flags name.
pub async fn account_store(args: &StoreArgs) -> anyhow::Result<Arc<dyn AccountStore>> {
    Ok(match locate("--account-store", &args.account_store, &args.data_dir, "accounts.db")? {
        Location::Sqlite(path) => {
            tracing::info!(path = %path.display(), "account store: SQLite");
            Arc::new(
                SqliteAccountStore::open(&path)
                    .await
                    .with_context(|| format!("opening the account store {}", path.display()))?,
            )
        }
        Location::Postgres(url) => {
            tracing::info!("account store: PostgreSQL");
            Arc::new(PostgresAccountStore::connect(url).await.context("opening the PostgreSQL account store")?)
        }
        Location::Mongo(_) => return Err(no_mongo("--account-store")),
    })
}

/// The mailer `--mail` names.
pub fn mailer(kind: &str, data_dir: &Path) -> anyhow::Result<Arc<dyn Mailer>> {
    match kind {
        "outbox" => {
            let dir = data_dir.join("mail");
            private_files::create_dir(&dir).with_context(|| format!("creating the mail outbox {}", dir.display()))?;
            tracing::info!(dir = %dir.display(), "mail: .eml outbox");
            Ok(Arc::new(OutboxMailer::new(dir)))
        }
        "log" => Ok(Arc::new(LogMailer)),
        other if other.starts_with("smtp://") => {
            let config = smtp_config(other)?;
            tracing::info!(host = %config.host, port = config.port, "mail: SMTP");
            Ok(Arc::new(SmtpMailer::new(config)))
        }
        other => anyhow::bail!("--mail must be `outbox`, `log` or smtp://[user:password@]host[:port], not {other:?}"),
    }
}

/// Parses `smtp://[user:password@]host[:port]` (port 25 by default; plain SMTP to a relay).
fn smtp_config(url: &str) -> anyhow::Result<SmtpConfig> {
    let rest = url.trim_start_matches("smtp://").trim_end_matches('/');
    let (credentials, address) = match rest.rsplit_once('@') {
        Some((credentials, address)) => (Some(credentials), address),
        None => (None, rest),
    };
    let (host, port) = match address.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().with_context(|| format!("bad SMTP port in --mail: {port:?}"))?),
        None => (address, 25),
    };
    anyhow::ensure!(!host.is_empty(), "--mail smtp:// needs a host");
    let (username, password) = match credentials.map(|c| c.split_once(':')) {
        Some(Some((user, password))) => (Some(user.to_owned()), Some(password.to_owned())),
        Some(None) => (credentials.map(str::to_owned), None),
        None => (None, None),
    };
    Ok(SmtpConfig {
        host: host.to_owned(),
        port,
        username,
        password,
        from: "Emporium <no-reply@emporium.local>".to_owned(),
        timeout: std::time::Duration::from_secs(10),
    })
}

#[cfg(test)]
mod tests {
    use super::smtp_config;

    #[test]
    fn smtp_urls_name_host_port_and_optional_credentials() {
        let plain = smtp_config("smtp://mail.local").unwrap();
        assert_eq!((plain.host.as_str(), plain.port, plain.username), ("mail.local", 25, None));
        let full = smtp_config("smtp://ann:s3cret@127.0.0.1:2525").unwrap();
        assert_eq!((full.host.as_str(), full.port), ("127.0.0.1", 2525));
        assert_eq!((full.username.as_deref(), full.password.as_deref()), (Some("ann"), Some("s3cret")));
        assert!(smtp_config("smtp://:25").is_err());
        assert!(smtp_config("smtp://host:port").is_err());
    }
}
