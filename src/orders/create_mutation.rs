//! `orderCreate`: a storefront or an admin places an order. The server prices it, so a
//! client cannot choose its own prices; the same idempotency key always answers with the
//! same order.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use diesel_async::AsyncConnection;

use super::data::{self, IDEMPOTENCY_CONSTRAINT};
use super::idempotency::{IdempotencyClaim, IdempotencySettings, Shopper};
use super::objects::Order;
use super::place::{LineRequest, Placement, place, storefront_may_sell_in};
use super::register_data;
use crate::graphql::{
    AddressInput, GqlResultExt, MutationError, UserError, UserErrorCode, UserErrors, caller_scope, mutation_outcome,
    validate,
};
use crate::outcome::refuse;
use crate::pricing::{PriceContext, SalesChannel};
use crate::tenancy::{Role, TenantScope};

/// The most lines one order may have.
pub const MAX_LINES: usize = 100;

/// One line of a new order.
#[derive(InputObject, Clone)]
pub struct OrderLineInput {
    /// The variant, by id…
    pub variant_id: Option<ID>,
    /// …or by SKU.
    pub sku: Option<String>,
    /// Units, 1 to 10,000.
    pub quantity: i32,
}

/// A new order.
#[derive(InputObject)]
pub struct OrderCreateInput {
    /// The lines (1 to 100).
    pub items: Vec<OrderLineInput>,
    /// The store, by code (else the request's `X-Store` or store domain).
    pub store: Option<String>,
    /// Where it is sold: ONLINE (the default; the only one for storefront tokens), POS or
    /// EXTERNAL (admin).
    #[graphql(default_with = "SalesChannel::Online")]
    pub channel: SalesChannel,
    /// The customer (admin only). A storefront order belongs to the customer its
    /// `X-Customer-Token` signs in, else to the customer with its email, if any.
    pub customer_id: Option<ID>,
    /// Contact email (required unless a customer is given).
    pub email: Option<String>,
    /// Where the goods go.
    pub shipping_address: Option<AddressInput>,
    /// Where the invoice goes.
    pub billing_address: Option<AddressInput>,
    /// A key the client makes up per order: sending it again returns the same order.
    pub idempotency_key: Option<String>,
    /// POS orders: the register, by id…
    pub register_id: Option<ID>,
    /// …or by code.
    pub register_code: Option<String>,
    /// A note from the customer.
    pub customer_note: Option<String>,
    /// A coupon code (any case): its discount comes off the subtotal.
    pub coupon_code: Option<String>,
    /// Loyalty points to pay with (after the coupon), worth the program's point value
    /// each. Needs a customer: `customerId` (admin) or the storefront's `X-Customer-Token`.
    pub loyalty_points: Option<i32>,
}

/// The result of `orderCreate` and `orderImport`.
#[derive(SimpleObject)]
pub struct OrderPayload {
    /// The order; null when refused.
    pub order: Option<Order>,
    /// True when the order existed already (the idempotency key or the external order
    /// was seen before) and nothing new was written.
    pub replayed: bool,
    /// What was wrong with the input; empty on success.
    pub user_errors: Vec<UserError>,
}

impl OrderPayload {
    /// The payload of an order placed now, seen before, or refused.
    pub fn from_outcome(result: Result<(Order, bool), MutationError>) -> async_graphql::Result<Self> {
        let (outcome, user_errors) = mutation_outcome(result)?;
        let replayed = outcome.as_ref().is_some_and(|(_, replayed)| *replayed);
        Ok(Self { order: outcome.map(|(order, _)| order), replayed, user_errors })
    }
}

/// Parses order lines, recording problems under `items.<i>`.
pub fn parse_lines(errors: &mut UserErrors, items: &[OrderLineInput]) -> Vec<LineRequest> {
    if items.is_empty() {
        errors.add("items", UserErrorCode::EmptyOrder, "an order needs at least one item");
    } else if items.len() > MAX_LINES {
        errors.add("items", UserErrorCode::Invalid, format!("an order has at most {MAX_LINES} items"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let index = i.to_string();
            let (variant_id, sku) = errors.variant_ref(&["items", &index], &item.variant_id, &item.sku);
            if !(1..=10_000).contains(&item.quantity) {
                errors.add_at(&["items", &index, "quantity"], UserErrorCode::Invalid, "quantity must be 1 to 10,000");
            }
            LineRequest { variant_id, sku, quantity: item.quantity, unit_price: None }
        })
        .collect()
}

/// The store an order is placed in: the input's, else the request's; both must agree.
pub fn store_code(errors: &mut UserErrors, scope: &TenantScope, input: Option<&str>) -> Option<String> {
    match crate::stores::named_store(scope, input) {
        Ok(code) => code,
        Err(refusal) => {
            errors.add("store", UserErrorCode::Invalid, refusal.message());
            None
        }
    }
}

/// The store an order is placed in, looked up: STORE_NOT_FOUND when the caller may not
/// see it (a storefront naming an inactive store learns no more than for an unknown one),
/// and an admin cannot sell in an inactive store either.
pub async fn open_store(
    conn: &mut diesel_async::AsyncPgConnection,
    scope: &TenantScope,
    code: &str,
) -> Result<crate::stores::Store, MutationError> {
    let Some(store) = crate::stores::visible_store(conn, scope, code).await? else {
        let message = crate::stores::StoreRefusal::NotFound(code.to_owned()).message();
        return refuse("store", UserErrorCode::StoreNotFound, message);
    };
    if !store.active {
        return refuse("store", UserErrorCode::Invalid, "this store is closed");
    }
    Ok(store)
}

/// What an idempotency claim finds.
enum Prior {
    /// No order holds the key.
    Free,
    /// An order placed before `oldest_live` holds it: the new order takes it over.
    Expired,
    /// A live order with the same input holds it: the answer is that order, replayed.
    Replay(Order),
}

/// The order holding an idempotency claim's key, if any: placed at or after `oldest_live`
/// (when given) it is answered as a replay, or refused with IDEMPOTENCY_KEY_REUSED when
/// it was placed with another input, so nothing of it is shown.
async fn prior_order(
    conn: &mut diesel_async::AsyncPgConnection,
    claim: &IdempotencyClaim,
    oldest_live: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Prior, MutationError> {
    let Some((order, fingerprint)) = data::by_idempotency_key(conn, &claim.scope, &claim.key).await? else {
        return Ok(Prior::Free);
    };
    if oldest_live.is_some_and(|oldest| order.created_at < oldest) {
        return Ok(Prior::Expired);
    }
    if fingerprint.as_deref() == Some(claim.fingerprint.as_str()) {
        return Ok(Prior::Replay(Order::new(order)));
    }
    Err(MutationError::user(
        "idempotencyKey",
        UserErrorCode::IdempotencyKeyReused,
        "this idempotency key was used for an order with another input: use a new key for a new order",
    ))
}

/// The answer to a placement's transaction. A request that ran into the idempotency key
/// of an order placed meanwhile (a concurrent replay) is answered with that order, or
/// refused when it was placed with another input.
async fn answer_duplicate(
    conn: &mut diesel_async::AsyncPgConnection,
    result: Result<super::model::OrderRow, MutationError>,
    claim: Option<&IdempotencyClaim>,
) -> Result<(Order, bool), MutationError> {
    match (result, claim) {
        (Ok(order), _) => Ok((Order::new(order), false)),
        (Err(MutationError::Db(e)), Some(claim)) if e.unique_violation() == Some(IDEMPOTENCY_CONSTRAINT) => {
            match prior_order(conn, claim, None).await? {
                Prior::Replay(order) => Ok((order, true)),
                Prior::Free | Prior::Expired => Err(MutationError::Db(e)),
            }
        }
        (Err(e), _) => Err(e),
    }
}

/// The canonical form of an order's input, whose hash an idempotency key is bound to:
/// every value as validated, in a JSON object (whose keys serialize sorted).
fn canonical_input(
    input: &OrderCreateInput,
    store: Option<&str>,
    lines: &[LineRequest],
    shipping: Option<&crate::graphql::Address>,
    billing: Option<&crate::graphql::Address>,
) -> serde_json::Value {
    let lines: Vec<serde_json::Value> =
        lines.iter().map(|l| serde_json::json!([l.variant_id, l.sku, l.quantity])).collect();
    serde_json::json!({
        "store": store,
        "channel": crate::graphql::enum_name(&input.channel),
        "customerId": input.customer_id.as_deref(),
        "email": input.email.as_deref().map(|e| e.trim().to_lowercase()),
        "items": lines,
        "shippingAddress": shipping.map(|a| format!("{a:?}")),
        "billingAddress": billing.map(|a| format!("{a:?}")),
        "registerId": input.register_id.as_deref(),
        "registerCode": input.register_code.as_deref().map(str::trim),
        "customerNote": input.customer_note.as_deref().map(str::trim),
        "couponCode": input.coupon_code.as_deref().map(|c| c.trim().to_lowercase()),
        "loyaltyPoints": input.loyalty_points,
    })
}

/// `orderCreate`.
#[derive(Default)]
pub struct OrderCreateMutation;

#[Object]
impl OrderCreateMutation {
    /// Places an order. The server prices every line (the effective price for the store
    /// and channel), snapshots what was bought, reserves the stock and answers with the
    /// order and its number. Refused orders (unknown or unavailable items, not enough
    /// stock, another currency, no items) write and reserve nothing.
    async fn order_create(&self, ctx: &Context<'_>, input: OrderCreateInput) -> async_graphql::Result<OrderPayload> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let admin = scope.role() == Some(Role::Admin);
        let mut errors = UserErrors::default();
        let lines = parse_lines(&mut errors, &input.items);
        let store = store_code(&mut errors, &scope, input.store.as_deref());
        if store.is_none() && errors.is_empty() {
            errors.add("store", UserErrorCode::Required, "name the store (input.store or X-Store)");
        }
        if !admin && !storefront_may_sell_in(input.channel) {
            errors.add("channel", UserErrorCode::Invalid, "storefront tokens place ONLINE orders only");
        }
        let customer_id = match &input.customer_id {
            Some(_) if !admin => {
                errors.add("customerId", UserErrorCode::Invalid, "only admin tokens name a customer");
                None
            }
            Some(id) => errors.id_at(&["customerId"], id),
            None => None,
        };
        // A storefront request may carry a signed-in customer (checked before the
        // connection is taken for the transaction).
        let customer_id = match customer_id {
            Some(id) => Some(id),
            None if !admin => crate::customers::signed_in_customer(&scope).await?,
            None => None,
        };
        // Points are spent only by a customer the request proves: an admin's customerId or
        // the storefront's customer token, never a guest email that matches a customer.
        if input.loyalty_points.is_some() && customer_id.is_none() {
            errors.add(
                "loyaltyPoints",
                UserErrorCode::CustomerRequired,
                "redeeming points needs a signed-in customer (customerId, or X-Customer-Token)",
            );
        }
        let email = input.email.as_deref().map(|e| validate::email(&mut errors, &["email"], e));
        if email.is_none() && customer_id.is_none() {
            errors.add("email", UserErrorCode::Required, "a contact email is required for a guest order");
        }
        let shipping = input.shipping_address.as_ref().map(|a| a.validate(&mut errors, &["shippingAddress"]));
        let billing = input.billing_address.as_ref().map(|a| a.validate(&mut errors, &["billingAddress"]));
        let key = validate::optional_text(&mut errors, &["idempotencyKey"], input.idempotency_key.as_deref(), 200);
        let note = validate::optional_text(&mut errors, &["customerNote"], input.customer_note.as_deref(), 2000);
        let coupon_code = validate::optional_text(&mut errors, &["couponCode"], input.coupon_code.as_deref(), 40);
        let register_id = input.register_id.as_ref().and_then(|id| errors.id_at(&["registerId"], id));
        let register_code = input.register_code.as_deref().map(str::trim).map(str::to_owned);
        let wants_register = input.register_id.is_some() || register_code.is_some();
        match (input.channel, wants_register) {
            (SalesChannel::Pos, false) => {
                errors.add("registerId", UserErrorCode::Required, "a POS order names its register")
            }
            (SalesChannel::Pos, true) => {}
            (_, true) => errors.add("registerId", UserErrorCode::Invalid, "only POS orders name a register"),
            _ => {}
        }
        if !errors.is_empty() {
            return OrderPayload::from_outcome(Err(errors.into()));
        }
        let settings = ctx.data_opt::<IdempotencySettings>().copied().unwrap_or_default();
        let oldest_live = settings.oldest_live(chrono::Utc::now());
        let claim = key.map(|key| {
            let shopper = match (customer_id, &email) {
                (Some(id), _) => Shopper::Customer(id),
                (None, email) => Shopper::Email(email.clone().unwrap_or_default()),
            };
            let canonical = canonical_input(&input, store.as_deref(), &lines, shipping.as_ref(), billing.as_ref());
            IdempotencyClaim::new(key, scope.api_key(), &shopper, &canonical)
        });
        let mut expired_key = false;
        if let Some(claim) = &claim {
            match prior_order(&mut *scope.conn().await.gql()?, claim, Some(oldest_live)).await {
                Ok(Prior::Free) => {}
                Ok(Prior::Expired) => expired_key = true,
                Ok(Prior::Replay(order)) => return OrderPayload::from_outcome(Ok((order, true))),
                Err(refused) => return OrderPayload::from_outcome(Err(refused)),
            }
        }
        let store = store.expect("checked above");
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let store_row = open_store(conn, &scope, &store).await?;
                let (register_id, location_id) = if wants_register {
                    let register = register_data::find(conn, register_id, register_code.as_deref())
                        .await?
                        .filter(|r| r.active)
                        .ok_or_else(|| {
                            MutationError::user("registerId", UserErrorCode::NotFound, "no such active register")
                        })?;
                    (Some(register.id), Some(register.location_id))
                } else {
                    (None, None)
                };
                let (customer_id, email) = super::customer_link::resolve(conn, customer_id, email.clone()).await?;
                let placement = Placement {
                    store_id: Some(store_row.id),
                    price: PriceContext { store_code: Some(store.clone()), channel: input.channel },
                    currency: store_row.default_currency.clone(),
                    customer_id,
                    email,
                    register_id,
                    location_id,
                    idempotency: claim.clone(),
                    source_reference: None,
                    customer_note: note.clone(),
                    shipping: shipping.clone(),
                    billing: billing.clone(),
                    lines: lines.clone(),
                    catalog_rules: true,
                    import: None,
                    placed_at: None,
                    actor: actor.clone(),
                    coupon_code: coupon_code.clone(),
                    loyalty_points: input.loyalty_points.map(i64::from),
                };
                if let Some(claim) = claim.as_ref().filter(|_| expired_key) {
                    data::release_idempotency_key(conn, &claim.scope, &claim.key, oldest_live).await?;
                }
                let order = place(conn, &placement).await?;
                super::customer_link::record(conn, &order, crate::events::OrderEventKind::Placed, &actor).await?;
                Ok(order)
            })
            .await;
        let result = answer_duplicate(&mut conn, result, claim.as_ref()).await;
        OrderPayload::from_outcome(result)
    }
}
