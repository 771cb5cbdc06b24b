//! Checkout from cart, one use case: the cart is checked out, its coupon redeemed and
//! the order created in **one atomic append** over the three streams
//! ([`EventStore::append_all`]), so a checkout either happened whole or not at all:
//! nothing ever undoes half of one, and two checkouts of one cart cannot both succeed
//! (the second meets the first's cart version).
//!
//! In two steps, because the caller keeps something outside the log in between (a
//! provider's payment token): [`prepare`] decides everything and writes nothing, so a
//! refusal leaves no trace; [`commit`] appends what was decided and, when another
//! writer moved one of the streams first, decides again on the new state (a bounded
//! number of times). Every request carries a command id derived from the order id,
//! so a retried checkout (the same `Idempotency-Key`) finds its first outcome.

use chrono::{DateTime, Utc};
use emporium_domain::Decider;
use emporium_domain::cart::{Cart, CartCheckedOut, CartCommand, CartError, CartEvent};
use emporium_domain::coupon::{Coupon, CouponCommand, CouponError, CouponEvent};
use emporium_domain::ids::{CartId, CouponId, CustomerId, OrderId, ProductId};
use emporium_domain::order::{
    Order, OrderCommand, OrderCoupon, OrderError, OrderEvent, OrderLine, OrderState, PlacedOrder, ShippingAddress,
};
use emporium_infra::accounts::AccountStore;
use emporium_infra::codec::{decode, encode};
use emporium_infra::event_store::{AppendRequest, EventMetadata, ExpectedVersion, StoreError};
use uuid::Uuid;

use crate::error::CommandError;
use crate::handler::{CommandHandler, backoff, stream_id};
use crate::ids::step;
use crate::lookups::{self, LookupError};

/// What the shopper asked for.
#[derive(Debug, Clone)]
pub struct CheckoutFromCart {
    /// The cart (the shopper's own).
    pub cart_id: CartId,
    /// The order to create (derived from the `Idempotency-Key` when there is one).
    pub order_id: OrderId,
    /// Who buys.
    pub customer_id: CustomerId,
    /// Where to ship, checked.
    pub shipping_address: ShippingAddress,
    /// The payment method as the order records it (a saved method's id or a reference).
    pub payment_method: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Correlation, actor and trace for every event.
    pub metadata: EventMetadata,
}

/// The ports checkout uses.
#[derive(Clone, Copy)]
pub struct CheckoutPorts<'a> {
    /// Loads the streams and appends.
    pub commands: &'a CommandHandler,
    /// Finds a coupon by its code.
    pub accounts: &'a dyn AccountStore,
}

/// Why a checkout did not happen.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// Nothing to order.
    #[error("your cart is empty: add items before ordering")]
    EmptyCart,
    /// A line's product does not exist.
    #[error("no product has the id {0}")]
    ProductNotFound(ProductId),
    /// A line's product is no longer sold.
    #[error("{0} is discontinued and can no longer be bought")]
    ProductDiscontinued(String),
    /// The cart's coupon code names no coupon.
    #[error("no coupon has the code {0}")]
    CouponNotFound(String),
    /// The cart refused to be checked out.
    #[error(transparent)]
    Cart(CartError),
    /// The coupon refused the redemption (expired, used up).
    #[error(transparent)]
    Coupon(CouponError),
    /// The order refused to be created.
    #[error(transparent)]
    Order(OrderError),
    /// Other writers kept moving the streams.
    #[error("the cart, its coupon or the order kept changing; gave up after {0} attempts")]
    Contention(u32),
    /// A stored event could not be read.
    #[error("reading {stream_id}: {reason}")]
    Codec {
        /// The stream.
        stream_id: String,
        /// What failed.
        reason: String,
    },
    /// The account store failed.
    #[error("looking up a coupon code: {0}")]
    Accounts(String),
    /// The event store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A checkout decided and not yet written.
#[derive(Debug, Clone)]
pub enum Prepared {
    /// The appends to make, in order: the cart, the coupon (if any), the order.
    Ready(Decided),
    /// This order was placed before (a retried request): nothing to write.
    Placed {
        /// The order (boxed: it is much larger than a decision).
        order: Box<PlacedOrder>,
        /// Its last event's position.
        position: u64,
    },
}

/// What one decision appends.
#[derive(Debug, Clone)]
pub struct Decided {
    cart: Vec<CartEvent>,
    cart_version: u64,
    coupon: Option<(CouponId, u64, Vec<CouponEvent>)>,
    order: Vec<OrderEvent>,
}

/// What a checkout did.
#[derive(Debug, Clone)]
pub struct CheckoutOutcome {
    /// The order as created.
    pub order: PlacedOrder,
    /// Global position of its last event (read-your-writes).
    pub position: u64,
    /// The events appended, cart's then coupon's then order's (none for a retry).
    pub appended: Vec<CheckoutEvent>,
    /// True when the order had been placed before.
    pub duplicate: bool,
}

/// One event a checkout appended.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckoutEvent {
    /// On the cart's stream.
    Cart(CartEvent),
    /// On the coupon's stream.
    Coupon(CouponEvent),
    /// On the order's stream.
    Order(OrderEvent),
}

/// Decides the checkout on the current state; writes nothing.
pub async fn prepare(ports: CheckoutPorts<'_>, request: &CheckoutFromCart) -> Result<Prepared, CheckoutError> {
    let commands = ports.commands;
    let (cart, cart_version, _) = commands.load::<Cart>(&request.cart_id.to_string()).await.map_err(loading)?;
    if cart.cart().is_some_and(|c| c.last_order_id == Some(request.order_id)) {
        let (order, position) = placed_before(commands, request).await?;
        return Ok(Prepared::Placed { order: Box::new(order), position });
    }
    let Some(open) = cart.cart().filter(|c| !c.is_empty()) else {
        return Err(CheckoutError::EmptyCart);
    };
    for line in &open.lines {
        lookups::product_on_sale(commands, line.product_id).await?;
    }
    let cart_events = Cart::decide(&cart, &check_out(request)).map_err(CheckoutError::Cart)?;
    let checked_out = cart_events
        .iter()
        .find_map(|event| match event {
            CartEvent::CartCheckedOut(checked_out) => Some(checked_out.clone()),
            _ => None,
        })
        .ok_or_else(|| CheckoutError::Cart(CartError::Empty))?;
    let coupon = match &checked_out.coupon {
        None => None,
        Some(applied) => {
            let not_found = || CheckoutError::CouponNotFound(applied.code.chars().take(64).collect());
            let (id, _) =
                lookups::coupon_by_code(commands, ports.accounts, &applied.code).await?.ok_or_else(not_found)?;
            let (coupon, version, _) = commands.load::<Coupon>(&id.to_string()).await.map_err(loading)?;
            let redeem = CouponCommand::Redeem { coupon_id: id, order_id: request.order_id, at: request.at };
            let events = Coupon::decide(&coupon, &redeem).map_err(CheckoutError::Coupon)?;
            Some((id, version, events))
        }
    };
    let order = Order::decide(&OrderState::default(), &create(request, &checked_out)).map_err(CheckoutError::Order)?;
    Ok(Prepared::Ready(Decided { cart: cart_events, cart_version, coupon, order }))
}

/// Appends what [`prepare`] decided, all three streams at once; decides again when
/// another writer moved one of them first.
pub async fn commit(
    ports: CheckoutPorts<'_>,
    request: &CheckoutFromCart,
    prepared: Prepared,
) -> Result<CheckoutOutcome, CheckoutError> {
    let mut prepared = prepared;
    let attempts = ports.commands.max_attempts();
    for attempt in 1..=attempts {
        let decided = match prepared {
            Prepared::Placed { order, position } => {
                return Ok(CheckoutOutcome { order: *order, position, appended: Vec::new(), duplicate: true });
            }
            Prepared::Ready(decided) => decided,
        };
        match ports.commands.store().append_all(appends(request, &decided)?).await {
            Ok(outcomes) if outcomes.iter().all(|o| o.duplicate) => {
                let (order, position) = placed_before(ports.commands, request).await?;
                return Ok(CheckoutOutcome { order, position, appended: Vec::new(), duplicate: true });
            }
            Ok(outcomes) => return remember(ports.commands, request, decided, &outcomes),
            Err(StoreError::Conflict { stream_id, .. }) if attempt < attempts => {
                tracing::debug!(attempt, %stream_id, order_id = %request.order_id, "checkout met another writer; deciding again");
                tokio::time::sleep(backoff(attempt)).await;
                prepared = prepare(ports, request).await?;
            }
            Err(StoreError::Conflict { .. }) => return Err(CheckoutError::Contention(attempts)),
            Err(other) => return Err(other.into()),
        }
    }
    Err(CheckoutError::Contention(attempts))
}

fn check_out(request: &CheckoutFromCart) -> CartCommand {
    CartCommand::CheckOut { cart_id: request.cart_id, order_id: request.order_id, at: request.at }
}

/// The order a checked-out cart becomes: its lines at the cart's prices, its coupon.
fn create(request: &CheckoutFromCart, checked_out: &CartCheckedOut) -> OrderCommand {
    OrderCommand::Create {
        order_id: request.order_id,
        customer_id: request.customer_id,
        lines: checked_out
            .lines
            .iter()
            .map(|l| OrderLine {
                product_id: l.product_id,
                sku: l.sku.clone(),
                name: l.name.clone(),
                unit_price: l.unit_price,
                quantity: l.quantity,
            })
            .collect(),
        coupon: checked_out.coupon.as_ref().map(|c| OrderCoupon { code: c.code.clone(), discount: c.discount }),
        shipping_address: request.shipping_address.clone(),
        payment_method: request.payment_method.clone(),
        at: request.at,
    }
}

/// The three appends, each with its expected version and its step's command id.
fn appends(request: &CheckoutFromCart, decided: &Decided) -> Result<Vec<AppendRequest>, CheckoutError> {
    let order_id = request.order_id;
    let mut appends = vec![append::<Cart>(
        request,
        &request.cart_id.to_string(),
        decided.cart_version,
        &decided.cart,
        step(order_id, "checkout"),
    )?];
    if let Some((coupon_id, version, events)) = &decided.coupon
        && !events.is_empty()
    {
        appends.push(append::<Coupon>(request, &coupon_id.to_string(), *version, events, step(order_id, "redeem"))?);
    }
    appends.push(append::<Order>(request, &order_id.to_string(), 0, &decided.order, step(order_id, "create"))?);
    Ok(appends)
}

fn append<D: Decider>(
    request: &CheckoutFromCart,
    aggregate_id: &str,
    version: u64,
    events: &[D::Event],
    command_id: Uuid,
) -> Result<AppendRequest, CheckoutError> {
    let stream_id = stream_id::<D>(aggregate_id);
    let mut metadata = request.metadata.clone();
    metadata.causation_id = Some(command_id);
    metadata.correlation_id = metadata.correlation_id.or(Some(command_id));
    let events = events
        .iter()
        .map(|event| encode(event, metadata.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CheckoutError::Codec { stream_id: stream_id.clone(), reason: e.to_string() })?;
    let expected = if version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exact(version) };
    Ok(AppendRequest { stream_id, expected, events, command_id: Some(command_id) })
}

/// Tells the command handler the states the append produced (its cache would
/// otherwise meet a conflict on the next command to these streams) and reports them.
fn remember(
    commands: &CommandHandler,
    request: &CheckoutFromCart,
    decided: Decided,
    outcomes: &[emporium_infra::event_store::AppendOutcome],
) -> Result<CheckoutOutcome, CheckoutError> {
    let position = outcomes.iter().map(|o| o.last_position).max().unwrap_or(0);
    let cart_outcome = outcomes[0];
    commands.remember_appended::<Cart>(&request.cart_id.to_string(), &decided.cart, decided.cart_version, cart_outcome);
    let mut rest = outcomes[1..].iter();
    if let Some((coupon_id, version, events)) = &decided.coupon
        && !events.is_empty()
        && let Some(outcome) = rest.next()
    {
        commands.remember_appended::<Coupon>(&coupon_id.to_string(), events, *version, *outcome);
    }
    if let Some(outcome) = rest.next() {
        commands.remember_appended::<Order>(&request.order_id.to_string(), &decided.order, 0, *outcome);
    }
    let order = decided.order.iter().fold(OrderState::default(), Order::evolve);
    let order = order.order().cloned().ok_or_else(|| CheckoutError::Codec {
        stream_id: stream_id::<Order>(&request.order_id.to_string()),
        reason: "the order's events create no order".into(),
    })?;
    let mut appended: Vec<CheckoutEvent> = decided.cart.into_iter().map(CheckoutEvent::Cart).collect();
    appended.extend(decided.coupon.into_iter().flat_map(|(_, _, events)| events).map(CheckoutEvent::Coupon));
    appended.extend(decided.order.into_iter().map(CheckoutEvent::Order));
    Ok(CheckoutOutcome { order, position, appended, duplicate: false })
}

/// The order placed by an earlier run of this checkout. A cart checked out for it
/// without the order (only possible in a log written before checkout was one append)
/// has its order created now, from the cart's `CartCheckedOut`.
async fn placed_before(
    commands: &CommandHandler,
    request: &CheckoutFromCart,
) -> Result<(PlacedOrder, u64), CheckoutError> {
    let (order, _, position) = commands.load::<Order>(&request.order_id.to_string()).await.map_err(loading)?;
    if let Some(order) = order.order() {
        return Ok((order.clone(), position));
    }
    let checked_out = checked_out_for(commands, request).await?;
    let command = crate::Command {
        command_id: step(request.order_id, "create"),
        aggregate_id: request.order_id.to_string(),
        payload: create(request, &checked_out),
        metadata: request.metadata.clone(),
    };
    let outcome = commands.handle::<Order>(&command).await.map_err(|error| match error {
        CommandError::Domain(refusal) => CheckoutError::Order(refusal),
        other => loading(other),
    })?;
    let (order, _, _) = commands.load::<Order>(&request.order_id.to_string()).await.map_err(loading)?;
    let order = order.order().cloned().ok_or(CheckoutError::Contention(1))?;
    Ok((order, outcome.position))
}

/// The `CartCheckedOut` of this order in the cart's stream (newest first).
async fn checked_out_for(
    commands: &CommandHandler,
    request: &CheckoutFromCart,
) -> Result<CartCheckedOut, CheckoutError> {
    let stream = stream_id::<Cart>(&request.cart_id.to_string());
    let recorded = commands.store().read_stream(&stream, 1, usize::MAX).await?;
    for event in recorded.iter().rev() {
        let decoded: CartEvent =
            decode(event).map_err(|e| CheckoutError::Codec { stream_id: stream.clone(), reason: e.to_string() })?;
        if let CartEvent::CartCheckedOut(checked_out) = decoded
            && checked_out.order_id == request.order_id
        {
            return Ok(checked_out);
        }
    }
    Err(CheckoutError::Cart(CartError::Empty))
}

impl From<LookupError> for CheckoutError {
    fn from(error: LookupError) -> Self {
        match error {
            LookupError::ProductNotFound(id) => Self::ProductNotFound(id),
            LookupError::ProductDiscontinued(name) => Self::ProductDiscontinued(name),
            LookupError::Store(store) => Self::Store(store),
            LookupError::Unreadable { stream_id, reason } => Self::Codec { stream_id, reason },
            LookupError::Accounts(accounts) => Self::Accounts(accounts.to_string()),
        }
    }
}

/// A failure to load a stream (never a domain refusal: loading decides nothing).
fn loading<E: std::error::Error + 'static>(error: CommandError<E>) -> CheckoutError {
    match error {
        CommandError::Store(store) => CheckoutError::Store(store),
        CommandError::Codec { stream_id, source } => CheckoutError::Codec { stream_id, reason: source.to_string() },
        CommandError::Contention { attempts, .. } => CheckoutError::Contention(attempts),
        CommandError::Domain(refusal) => CheckoutError::Codec { stream_id: String::new(), reason: refusal.to_string() },
    }
}
