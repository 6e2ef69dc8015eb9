//! The GraphQL face of an order and what hangs off it. A storefront that placed an order
//! (and holds its token) reads its items, totals, addresses and statuses; payments,
//! refunds, who changed what, the customer and the marketplace mapping are admin-only.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{
    AddressKind, AddressRow, HistoryRow, ItemRow, MappingRow, OrderRow, OrderStatus, PaymentRow, PaymentState,
    PaymentStatus, RefundRow, RegisterRow,
};
use crate::catalog::ProductType;
use crate::graphql::{Address, ById, ChildOf, GqlResultExt, Money, RoleGuard, children_of, loader};
use crate::pricing::{PriceSource, SalesChannel};
use crate::stores::StoreById;
use crate::tenancy::Role;

/// An order: what was bought, for how much, and where it stands.
#[derive(Clone)]
pub struct Order(pub(super) Arc<OrderRow>);

impl Order {
    /// Wraps an order row (other domains load rows through `ById<Order>`).
    pub fn new(row: OrderRow) -> Self {
        Self(Arc::new(row))
    }

    /// The order's id.
    pub fn uuid(&self) -> Uuid {
        self.0.id
    }

    fn money(&self, amount: &bigdecimal::BigDecimal) -> Money {
        Money::new(amount, &self.0.currency)
    }

    async fn redemption(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::promotions::RedemptionRow>> {
        let loader = loader(ctx, crate::promotions::RedemptionByOrder)?;
        loader.load_one(self.0.id).await.gql()
    }

    async fn children<T: ChildOf<OrderRow>>(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<T>> {
        children_of::<OrderRow, T>(ctx, self.0.id).await
    }

    async fn address(&self, ctx: &Context<'_>, kind: AddressKind) -> async_graphql::Result<Option<Address>> {
        let rows: Vec<AddressRow> = self.children(ctx).await?;
        Ok(rows.iter().find(|r| r.kind == kind).map(AddressRow::address))
    }
}

#[Object]
impl Order {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The human order number, unique and increasing in the tenant (`order(number:)`).
    async fn number(&self) -> String {
        self.0.number.to_string()
    }

    /// The secret a storefront reads the order back with (`order(token:)`).
    async fn token(&self) -> ID {
        ID(self.0.token.to_string())
    }

    /// Where the order is in its life.
    async fn status(&self) -> OrderStatus {
        self.0.status
    }

    /// Where its money stands.
    async fn payment_status(&self) -> PaymentStatus {
        self.0.payment_status
    }

    /// Where it was sold.
    async fn channel(&self) -> SalesChannel {
        self.0.channel
    }

    /// The store it was sold in.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::stores::Store>> {
        let Some(id) = self.0.store_id else { return Ok(None) };
        loader(ctx, StoreById)?.load_one(id).await.gql()
    }

    /// The contact email (the guest's, or the customer's when placed).
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// ISO 4217 code of every amount of the order.
    async fn currency(&self) -> &str {
        &self.0.currency
    }

    /// Sum of the lines.
    async fn subtotal(&self) -> Money {
        self.money(&self.0.subtotal)
    }

    /// Discounts taken off the subtotal.
    async fn discount_total(&self) -> Money {
        self.money(&self.0.discount_total)
    }

    /// What the customer owes: subtotal less discounts.
    async fn total(&self) -> Money {
        self.money(&self.0.total)
    }

    /// The coupon code used on the order, if any (still shown after a cancellation
    /// released its use).
    async fn coupon_code(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.redemption(ctx).await?.map(|r| r.code))
    }

    /// Loyalty points the order earned (accrued when paid, less what refunds and
    /// cancellation took back) and redeemed (and did not give back).
    async fn loyalty_points(&self, ctx: &Context<'_>) -> async_graphql::Result<crate::loyalty::OrderPoints> {
        crate::loyalty::order_points(ctx, self.0.id).await
    }

    /// The coupon's use by this order: which coupon, what it took off, whether it still
    /// counts.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn coupon_redemption(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::promotions::CouponRedemption>> {
        Ok(self.redemption(ctx).await?.map(crate::promotions::CouponRedemption))
    }

    /// Money captured by payments.
    async fn captured_total(&self) -> Money {
        self.money(&self.0.captured_total)
    }

    /// Money refunded.
    async fn refunded_total(&self) -> Money {
        self.money(&self.0.refunded_total)
    }

    /// The lines, in order.
    async fn items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OrderItem>> {
        let rows: Vec<ItemRow> = self.children(ctx).await?;
        let currency: Arc<str> = Arc::from(self.0.currency.as_str());
        Ok(rows.into_iter().map(|row| OrderItem { row, currency: currency.clone() }).collect())
    }

    /// Where the goods go.
    async fn shipping_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Address>> {
        self.address(ctx, AddressKind::Shipping).await
    }

    /// Where the invoice goes.
    async fn billing_address(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Address>> {
        self.address(ctx, AddressKind::Billing).await
    }

    /// Every status the order has been in, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<HistoryRow>> {
        self.children(ctx).await
    }

    /// Payment attempts, oldest first.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn payments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Payment>> {
        let rows: Vec<PaymentRow> = self.children(ctx).await?;
        Ok(rows.into_iter().map(Payment).collect())
    }

    /// Refunds, oldest first.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn refunds(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Refund>> {
        let rows: Vec<RefundRow> = self.children(ctx).await?;
        Ok(rows.into_iter().map(Refund).collect())
    }

    /// For an order imported from a marketplace: its mapping to the external order.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn external_mapping(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MappingRow>> {
        Ok(self.children(ctx).await?.into_iter().next())
    }

    /// For a POS order: the register it was rung up at.
    async fn register(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<RegisterRow>> {
        let Some(id) = self.0.register_id else { return Ok(None) };
        loader(ctx, ById::<RegisterRow>::new)?.load_one(id).await.gql()
    }

    /// The location the order's stock was reserved at, when it named one (POS).
    async fn location_id(&self) -> Option<ID> {
        self.0.location_id.map(|id| ID(id.to_string()))
    }

    /// The order's reference outside (a marketplace's order id, a receipt number).
    async fn source_reference(&self) -> Option<&str> {
        self.0.source_reference.as_deref()
    }

    /// What the customer wrote with the order.
    async fn customer_note(&self) -> Option<&str> {
        self.0.customer_note.as_deref()
    }

    /// Who placed it (`storefront`, `admin`, `staff:<id>`).
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn placed_by(&self) -> &str {
        &self.0.placed_by
    }

    /// The idempotency key it was placed with.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn idempotency_key(&self) -> Option<&str> {
        self.0.idempotency_key.as_deref()
    }

    /// When it was placed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When it was fulfilled.
    async fn fulfilled_at(&self) -> Option<DateTime<Utc>> {
        self.0.fulfilled_at
    }

    /// The customer it belongs to (null for a guest order).
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::customers::Customer>> {
        match self.0.customer_id {
            Some(id) => crate::customers::customer_by_id(ctx, id).await,
            None => Ok(None),
        }
    }

    /// Customer-service notes about the order, newest first.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::customers::ServiceNote>> {
        crate::customers::notes_of_order(ctx, self.0.id).await
    }

    /// Royalties allocated on the order's lines (sales, and reversals after refunds or
    /// cancellation), oldest first.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn royalty_allocations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::royalty::RoyaltyAllocation>> {
        crate::royalty::allocations_of_order(ctx, self.0.id).await
    }
}

/// One line of an order, with the product and variant as they were when it was placed.
pub struct OrderItem {
    row: ItemRow,
    currency: Arc<str>,
}

#[Object]
impl OrderItem {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }

    /// Position in the order, from 1.
    async fn line(&self) -> i32 {
        self.row.line
    }

    /// The variant sold (null once deleted from the catalog).
    async fn variant_id(&self) -> Option<ID> {
        self.row.variant_id.map(|id| ID(id.to_string()))
    }

    /// The product sold (null once deleted from the catalog).
    async fn product_id(&self) -> Option<ID> {
        self.row.product_id.map(|id| ID(id.to_string()))
    }

    /// The product's name then.
    async fn product_name(&self) -> &str {
        &self.row.product_name
    }

    /// The product's slug then.
    async fn product_slug(&self) -> &str {
        &self.row.product_slug
    }

    /// The product's kind then.
    async fn product_type(&self) -> Option<ProductType> {
        ProductType::parse(&self.row.product_type)
    }

    /// The variant's SKU then.
    async fn sku(&self) -> &str {
        &self.row.variant_sku
    }

    /// The variant's name then.
    async fn variant_name(&self) -> &str {
        &self.row.variant_name
    }

    /// Units bought.
    async fn quantity(&self) -> i32 {
        self.row.quantity
    }

    /// Price of one unit.
    async fn unit_price(&self) -> Money {
        Money::new(&self.row.unit_price, &self.currency)
    }

    /// The pricing rule that decided the unit price (null for an imported line, priced by
    /// its marketplace).
    async fn price_source(&self) -> Option<PriceSource> {
        PriceSource::from_tag(&self.row.price_source)
    }

    /// Unit price × quantity, rounded to the currency's minor unit.
    async fn line_total(&self) -> Money {
        Money::new(&self.row.line_total, &self.currency)
    }

    /// The line's share of the order's discounts (spread in proportion to line totals).
    async fn discount_total(&self) -> Money {
        Money::new(&self.row.discount_total, &self.currency)
    }
}

/// A payment attempt.
pub struct Payment(pub(super) PaymentRow);

#[Object]
impl Payment {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The order paid for.
    async fn order_id(&self) -> ID {
        ID(self.0.order_id.to_string())
    }

    /// The payment provider.
    async fn provider(&self) -> &str {
        &self.0.provider
    }

    /// The provider's transaction id.
    async fn provider_transaction_id(&self) -> Option<&str> {
        self.0.provider_transaction_id.as_deref()
    }

    /// Amount of the attempt.
    async fn amount(&self) -> Money {
        Money::new(&self.0.amount, &self.0.currency)
    }

    /// Amount captured.
    async fn captured_amount(&self) -> Money {
        Money::new(&self.0.captured_amount, &self.0.currency)
    }

    /// Amount of it refunded.
    async fn refunded_amount(&self) -> Money {
        Money::new(&self.0.refunded_amount, &self.0.currency)
    }

    /// State of the attempt.
    async fn status(&self) -> PaymentState {
        self.0.status
    }

    /// Why it failed.
    async fn failure_reason(&self) -> Option<&str> {
        self.0.failure_reason.as_deref()
    }

    /// When it was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Money given back against a captured payment.
pub struct Refund(pub(super) RefundRow);

#[Object]
impl Refund {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The payment refunded.
    async fn payment_id(&self) -> ID {
        ID(self.0.payment_id.to_string())
    }

    /// How much.
    async fn amount(&self) -> Money {
        Money::new(&self.0.amount, &self.0.currency)
    }

    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Who refunded.
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// When.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
