//! The GraphQL face of an order and what hangs off it. A storefront that placed an order
//! (and holds its token) reads its items, totals, addresses and statuses; payments,
//! refunds, who changed what, the customer and the marketplace mapping are admin-only.

use std::sync::Arc;

use async_graphql::{ComplexObject, Context, SimpleObject};
use bigdecimal::BigDecimal;

use super::model::{
    AddressKind, AddressRow, HistoryRow, ItemRow, MappingRow, OrderRow, PaymentRow, RefundRow, RegisterRow,
};
use crate::catalog::ProductType;
use crate::graphql::{Address, ById, ChildOf, GqlResultExt, Money, RoleGuard, children_of, loader};
use crate::pricing::PriceSource;
use crate::stores::StoreById;
use crate::tenancy::Role;

/// An order: what was bought, for how much, and where it stands. Its row is shared, so
/// the loaders that hand it out clone a pointer.
pub type Order = Arc<OrderRow>;

impl OrderRow {
    fn money(&self, amount: &BigDecimal) -> Money {
        Money::new(amount, &self.currency)
    }

    async fn redemption(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::promotions::RedemptionRow>> {
        let loader = loader(ctx, crate::promotions::RedemptionByOrder)?;
        loader.load_one(self.id).await.gql()
    }

    async fn children<T: ChildOf<OrderRow>>(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<T>> {
        children_of::<OrderRow, T>(ctx, self.id).await
    }

    async fn address(&self, ctx: &Context<'_>, kind: AddressKind) -> async_graphql::Result<Option<Address>> {
        let rows: Vec<AddressRow> = self.children(ctx).await?;
        Ok(rows.iter().find(|r| r.kind == kind).map(AddressRow::address))
    }
}

#[ComplexObject]
impl OrderRow {
    /// The human order number, unique and increasing in the tenant (`order(number:)`).
    async fn number(&self) -> String {
        self.number.to_string()
    }

    /// The store it was sold in.
    async fn store(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::stores::Store>> {
        let Some(id) = self.store_id else { return Ok(None) };
        loader(ctx, StoreById)?.load_one(id).await.gql()
    }

    /// Sum of the lines.
    async fn subtotal(&self) -> Money {
        self.money(&self.subtotal)
    }

    /// Discounts taken off the subtotal.
    async fn discount_total(&self) -> Money {
        self.money(&self.discount_total)
    }

    /// What the customer owes: subtotal less discounts.
    async fn total(&self) -> Money {
        self.money(&self.total)
    }

    /// The coupon code used on the order, if any (still shown after a cancellation
    /// released its use).
    async fn coupon_code(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        Ok(self.redemption(ctx).await?.map(|r| r.code))
    }

    /// Loyalty points the order earned (accrued when paid, less what refunds and
    /// cancellation took back) and redeemed (and did not give back).
    async fn loyalty_points(&self, ctx: &Context<'_>) -> async_graphql::Result<crate::loyalty::OrderPoints> {
        crate::loyalty::order_points(ctx, self.id).await
    }

    /// The coupon's use by this order: which coupon, what it took off, whether it still
    /// counts.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn coupon_redemption(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::promotions::CouponRedemption>> {
        self.redemption(ctx).await
    }

    /// Money captured by payments.
    async fn captured_total(&self) -> Money {
        self.money(&self.captured_total)
    }

    /// Money refunded.
    async fn refunded_total(&self) -> Money {
        self.money(&self.refunded_total)
    }

    /// The lines, in order.
    async fn items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OrderItem>> {
        let rows: Vec<ItemRow> = self.children(ctx).await?;
        let currency: Arc<str> = Arc::from(self.currency.as_str());
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
    async fn payments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PaymentRow>> {
        self.children(ctx).await
    }

    /// Refunds, oldest first.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn refunds(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RefundRow>> {
        self.children(ctx).await
    }

    /// For an order imported from a marketplace: its mapping to the external order.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn external_mapping(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MappingRow>> {
        Ok(self.children(ctx).await?.into_iter().next())
    }

    /// For a POS order: the register it was rung up at.
    async fn register(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<RegisterRow>> {
        let Some(id) = self.register_id else { return Ok(None) };
        loader(ctx, ById::<RegisterRow>::new)?.load_one(id).await.gql()
    }

    /// The customer it belongs to (null for a guest order).
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::customers::Customer>> {
        match self.customer_id {
            Some(id) => crate::customers::customer_by_id(ctx, id).await,
            None => Ok(None),
        }
    }

    /// Customer-service notes about the order, newest first.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::customers::ServiceNote>> {
        crate::customers::notes_of_order(ctx, self.id).await
    }

    /// Royalties allocated on the order's lines (sales, and reversals after refunds or
    /// cancellation), oldest first.
    #[graphql(guard = "RoleGuard(Role::Admin)")]
    async fn royalty_allocations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::royalty::RoyaltyAllocation>> {
        crate::royalty::allocations_of_order(ctx, self.id).await
    }
}

// One line of an order, with the product and variant as they were when it was placed:
// the row's plain columns, and its amounts in the order's currency. (No doc comment: it
// would describe the GraphQL type.)
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct OrderItem {
    #[graphql(flatten)]
    row: ItemRow,
    #[graphql(skip)]
    currency: Arc<str>,
}

#[ComplexObject]
impl OrderItem {
    /// The product's kind then.
    async fn product_type(&self) -> Option<ProductType> {
        ProductType::parse(&self.row.product_type)
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

#[ComplexObject]
impl PaymentRow {
    /// Amount of the attempt.
    async fn amount(&self) -> Money {
        Money::new(&self.amount, &self.currency)
    }

    /// Amount captured.
    async fn captured_amount(&self) -> Money {
        Money::new(&self.captured_amount, &self.currency)
    }

    /// Amount of it refunded.
    async fn refunded_amount(&self) -> Money {
        Money::new(&self.refunded_amount, &self.currency)
    }
}

#[ComplexObject]
impl RefundRow {
    /// How much.
    async fn amount(&self) -> Money {
        Money::new(&self.amount, &self.currency)
    }
}
