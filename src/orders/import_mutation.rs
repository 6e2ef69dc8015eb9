//! `orderImport`: orders sold on a marketplace, brought in with the marketplace's prices.
//! An external order becomes one order, ever: the mapping's unique (channel, external id)
//! makes a repeated or concurrent import find the first one's order, and such a re-import
//! refreshes the mapping (its status there, when, and whether its lines still match).

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use sha2::{Digest, Sha256};

use super::create_mutation::{OrderLineInput, OrderPayload, parse_lines, store_code};
use super::import_data::{self, MAPPING_CONSTRAINT};
use super::model::{OrderRow, SyncStatus};
use super::objects::Order;
use super::payment_data::{self, NewPayment};
use super::place::{ImportRef, Placement, place};
use crate::graphql::{
    AddressInput, Decimal, GqlResultExt, MutationError, UserErrorCode, UserErrors, caller_scope, validate,
};
use crate::pricing::{PriceContext, SalesChannel};
use crate::tenancy::Role;

/// A line of an imported order, at the marketplace's price.
#[derive(InputObject, Clone)]
pub struct ImportLineInput {
    /// The variant, by id…
    pub variant_id: Option<ID>,
    /// …or by SKU.
    pub sku: Option<String>,
    /// Units.
    pub quantity: i32,
    /// What the marketplace charged per unit, in the order's currency.
    pub unit_price: Decimal,
}

/// An order from a marketplace.
#[derive(InputObject)]
pub struct OrderImportInput {
    /// The marketplace (`amazon-de`, `etsy`, …): 1 to 40 of `a-z 0-9 _ . -`.
    pub channel_name: String,
    /// The order's id there (unique per marketplace).
    pub external_id: String,
    /// The order's status there.
    pub external_status: Option<String>,
    /// The store it is booked to, by code (optional).
    pub store: Option<String>,
    /// The currency the marketplace charged in.
    pub currency: String,
    /// The buyer's email, if the marketplace shares it.
    pub email: Option<String>,
    /// The lines.
    pub items: Vec<ImportLineInput>,
    /// When it was placed there (default: now).
    pub placed_at: Option<DateTime<Utc>>,
    /// Where the goods go.
    pub shipping_address: Option<AddressInput>,
    /// Where the invoice goes.
    pub billing_address: Option<AddressInput>,
    /// The marketplace collected the money: record it as a captured payment.
    #[graphql(default)]
    pub paid: bool,
}

/// A digest of the lines (SKU or variant, quantity, unit price), independent of their
/// order, to tell a re-import that carries other lines.
fn lines_digest(items: &[ImportLineInput]) -> String {
    let mut parts: Vec<String> = items
        .iter()
        .map(|i| {
            let what = i.variant_id.as_ref().map(|id| id.to_string()).or_else(|| i.sku.clone()).unwrap_or_default();
            format!("{}\u{1f}{}\u{1f}{}", what.trim(), i.quantity, i.unit_price.0.normalized())
        })
        .collect();
    parts.sort();
    Sha256::digest(parts.join("\u{1e}").as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Answers a re-import, if the external order was imported before: refreshes the mapping
/// in a transaction of its own, returns the order it made.
async fn reimport(
    conn: &mut AsyncPgConnection,
    channel: &str,
    external_id: &str,
    external_status: Option<&str>,
    digest: &str,
) -> Result<Option<(Order, bool)>, MutationError> {
    let Some(mapping) = import_data::find(conn, channel, external_id).await? else { return Ok(None) };
    let sync = if mapping.lines_digest == digest { SyncStatus::Synced } else { SyncStatus::Conflict };
    conn.transaction::<_, MutationError, _>(async |conn| {
        import_data::resync(conn, mapping.id, external_status, sync).await?;
        let order = super::data::find(conn, &super::data::OrderKey::Id(mapping.order_id)).await?;
        let order = order
            .ok_or_else(|| MutationError::user("externalId", UserErrorCode::NotFound, "the mapped order is gone"))?;
        Ok(Some((Order::new(order), true)))
    })
    .await
}

/// `orderImport`.
#[derive(Default)]
pub struct OrderImportMutation;

#[Object]
impl OrderImportMutation {
    /// Imports a marketplace order as an EXTERNAL order (admin). Importing the same
    /// external order again returns the order made the first time (`replayed`), never a
    /// second one, and refreshes its mapping.
    async fn order_import(&self, ctx: &Context<'_>, input: OrderImportInput) -> async_graphql::Result<OrderPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let channel = input.channel_name.trim().to_owned();
        if !validate::is_system_name(&channel) {
            errors.add("channelName", UserErrorCode::Invalid, "channelName must be 1 to 40 of a-z 0-9 _ . -");
        }
        let external_id = validate::required_text(&mut errors, &["externalId"], &input.external_id, 200);
        let external_status =
            validate::optional_text(&mut errors, &["externalStatus"], input.external_status.as_deref(), 100);
        let currency = validate::currency(&mut errors, "currency", &input.currency);
        let as_order_lines: Vec<OrderLineInput> = input
            .items
            .iter()
            .map(|i| OrderLineInput { variant_id: i.variant_id.clone(), sku: i.sku.clone(), quantity: i.quantity })
            .collect();
        let mut lines = parse_lines(&mut errors, &as_order_lines);
        for (i, (line, item)) in lines.iter_mut().zip(&input.items).enumerate() {
            line.unit_price =
                Some(validate::price(&mut errors, &["items", &i.to_string(), "unitPrice"], &item.unit_price.0));
        }
        let store = store_code(&mut errors, &scope, input.store.as_deref());
        validate::timestamp(&mut errors, &["placedAt"], input.placed_at.as_ref());
        let email = input.email.as_deref().map(|e| validate::email(&mut errors, &["email"], e));
        let shipping = input.shipping_address.as_ref().map(|a| a.validate(&mut errors, &["shippingAddress"]));
        let billing = input.billing_address.as_ref().map(|a| a.validate(&mut errors, &["billingAddress"]));
        if !errors.is_empty() {
            return OrderPayload::from_outcome(Err(errors.into()));
        }
        let digest = lines_digest(&input.items);
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        if let Some(done) =
            reimport(&mut conn, &channel, &external_id, external_status.as_deref(), &digest).await.transpose()
        {
            return OrderPayload::from_outcome(done);
        }
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let store_row = match &store {
                    Some(code) => Some(crate::stores::store_by_code(conn, code).await?.ok_or_else(|| {
                        MutationError::user("store", UserErrorCode::NotFound, format!("no store '{code}'"))
                    })?),
                    None => None,
                };
                let (customer_id, email) = super::customer_link::resolve(conn, None, email.clone()).await?;
                let placement = Placement {
                    store_id: store_row.as_ref().map(|s| s.id),
                    price: PriceContext { store_code: store.clone(), channel: SalesChannel::External },
                    currency: currency.clone(),
                    customer_id,
                    email,
                    register_id: None,
                    location_id: None,
                    idempotency: None,
                    source_reference: Some(format!("{channel}:{external_id}")),
                    customer_note: None,
                    shipping: shipping.clone(),
                    billing: billing.clone(),
                    lines: lines.clone(),
                    catalog_rules: false,
                    import: Some(ImportRef {
                        channel_name: &channel,
                        external_id: &external_id,
                        external_status: external_status.as_deref(),
                        digest: &digest,
                    }),
                    placed_at: input.placed_at,
                    actor: actor.clone(),
                    coupon_code: None,
                    loyalty_points: None,
                };
                let order: OrderRow = place(conn, &placement).await?;
                super::customer_link::record(conn, &order, crate::events::OrderEventKind::Placed, &actor).await?;
                let order = if input.paid && order.captured_total < order.total {
                    let amount = &order.total - &order.captured_total;
                    let new = NewPayment {
                        order_id: order.id,
                        provider: &channel,
                        provider_transaction_id: None,
                        amount: &amount,
                        currency: &order.currency,
                        captured: true,
                    };
                    payment_data::insert_payment(conn, &new).await?;
                    super::payment_mutation::apply_capture(conn, &order, &amount, &actor).await?
                } else {
                    order
                };
                Ok((Order::new(order), false))
            })
            .await;
        let result = match result {
            Err(MutationError::Db(e)) if e.unique_violation() == Some(MAPPING_CONSTRAINT) => {
                reimport(&mut conn, &channel, &external_id, external_status.as_deref(), &digest)
                    .await
                    .and_then(|done| done.ok_or(MutationError::Db(e)))
            }
            other => other,
        };
        OrderPayload::from_outcome(result)
    }
}
