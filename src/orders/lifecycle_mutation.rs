//! Admin mutations that move an order along its life: cancel, fulfil, complete.

use async_graphql::{Context, ID, InputObject, Object};
use diesel_async::AsyncConnection;

use super::customer_link;
use super::lifecycle::{locked, transition};
use super::model::OrderStatus;
use super::objects::Order;
use crate::graphql::{GqlResultExt, MutationError, UserErrors, caller_scope, validate};
use crate::tenancy::Role;

/// An order to move, and why.
#[derive(InputObject)]
pub struct OrderTransitionInput {
    /// The order.
    pub id: ID,
    /// A note for the history (why it was cancelled, a tracking number, …).
    pub note: Option<String>,
}

crate::payload!(
    /// The result of a change to an order.
    OrderUpdatePayload {
        /// The order as it is now; null when refused.
        order: Order,
    }
);

/// Order lifecycle mutations (admin only).
#[derive(Default)]
pub struct OrderLifecycleMutation;

impl OrderLifecycleMutation {
    async fn change(
        ctx: &Context<'_>,
        input: OrderTransitionInput,
        to: OrderStatus,
    ) -> async_graphql::Result<OrderUpdatePayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let note = validate::optional_text(&mut errors, &["note"], input.note.as_deref(), 1000);
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return OrderUpdatePayload::from_outcome(Err(errors.into()));
        };
        let actor = scope.actor();
        let mut conn = scope.conn().await.gql()?;
        let result = conn
            .transaction::<_, MutationError, _>(async |conn| {
                let order = locked(conn, id, "id").await?;
                let order = transition(conn, &order, to, &actor, note.as_deref()).await?;
                if to == OrderStatus::Cancelled {
                    customer_link::record(conn, &order, crate::events::OrderEventKind::Cancelled, &actor).await?;
                }
                Ok(Order::new(order))
            })
            .await;
        OrderUpdatePayload::from_outcome(result)
    }
}

#[Object]
impl OrderLifecycleMutation {
    /// Cancels a PENDING or PAID order and releases its reserved stock. Captured money
    /// is not returned by this: refund it with `refundCreate`.
    async fn order_cancel(
        &self,
        ctx: &Context<'_>,
        input: OrderTransitionInput,
    ) -> async_graphql::Result<OrderUpdatePayload> {
        Self::change(ctx, input, OrderStatus::Cancelled).await
    }

    /// Marks a paid order handed over: its reserved stock leaves the inventory.
    async fn order_fulfill(
        &self,
        ctx: &Context<'_>,
        input: OrderTransitionInput,
    ) -> async_graphql::Result<OrderUpdatePayload> {
        Self::change(ctx, input, OrderStatus::Fulfilled).await
    }

    /// Closes a fulfilled order.
    async fn order_complete(
        &self,
        ctx: &Context<'_>,
        input: OrderTransitionInput,
    ) -> async_graphql::Result<OrderUpdatePayload> {
        Self::change(ctx, input, OrderStatus::Completed).await
    }
}
