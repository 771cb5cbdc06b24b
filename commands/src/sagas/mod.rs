//! Process managers (sagas): long-running workflows that follow the event log and
//! issue commands through the [`CommandHandler`](crate::CommandHandler).
//!
//! Every saga keeps its own state and checkpoint in the read store, committed in one
//! transaction, and derives each command id from the event that triggered the step,
//! so a redelivered event or a restart at any point never repeats an effect.
//! Layout:
//! - [`order_fulfilment`]: order → reserved stock → captured payment → confirmation,
//!   or a clean cancellation with compensation, with payment deadlines.

pub mod order_fulfilment;
