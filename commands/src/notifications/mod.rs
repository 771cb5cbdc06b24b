//! The notification dispatcher: a process manager that follows the log and tells
//! customers what happened — welcome, order and payment confirmations, shipping
//! updates, cancellations, refunds — and fans promotional campaigns out to those
//! who opted in, by e-mail (the [`Mailer`](emporium_infra::mailer::Mailer) port) or
//! SMS (the [`SmsSender`](emporium_infra::sms::SmsSender) port).
//!
//! Every message is a `notification` aggregate, queued already rendered under an id
//! derived from its cause, so a redelivered event never mails twice. Delivery is
//! tracked on that stream: a channel that fails or is down delays mail and loses
//! none — each failure is recorded and retried with exponential back-off from a
//! schedule kept in the read store, which survives restarts. Customer addresses and
//! order owners come from the dispatcher's own directory, learnt from the log and
//! committed with its checkpoint. (E-mail verification and password reset mails are
//! sent by the users endpoints directly.)
//!
//! Layout:
//! - [`NotificationDispatcher`] (runner.rs): construction, the
//!   log loop, the timer;
//! - [`NotificationSettings`] (settings.rs), [`DispatchError`] (error.rs),
//!   [`UnsubscribeKey`] (unsubscribe.rs): the signed links of campaign messages;
//! - react.rs: which events cause which messages; campaign.rs: campaign fan-out;
//!   queue.rs: rendering and queueing; deliver.rs: sending and recording attempts
//!   (attempt.rs: how one went);
//! - [`directory`]: customers and orders as messages need them; [`schedule`]: when
//!   each undelivered notification is due; overlay.rs: a batch's pending documents;
//! - [`facts`] and [`templates`]: what each message says and how it reads;
//! - [`ids`]: every derived id; dispatcher.rs: what the steps share.

mod attempt;
mod campaign;
mod deliver;
pub mod directory;
mod dispatcher;
mod error;
pub mod facts;
pub mod ids;
mod overlay;
mod queue;
mod react;
mod runner;
pub mod schedule;
mod settings;
pub mod templates;
mod unsubscribe;

pub use dispatcher::ACTOR;
pub use error::DispatchError;
pub use runner::NotificationDispatcher;
pub use settings::NotificationSettings;
pub use unsubscribe::UnsubscribeKey;
