//! The command side over HTTP. The shop's write endpoints (users, catalog, cart,
//! orders, payments) arrive with the HTTP issue; today this crate only re-exports
//! the command handler the binary wires in, so the dependency arrows stand.

pub use emporium_commands::CommandHandler;
