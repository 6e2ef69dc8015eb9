//! Where orders meet customers: which customer an order belongs to, and the activity an
//! order writes into its customer's trail (in the order's own transaction).

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model::OrderRow;
use crate::customers::ActivityKind;
use crate::events::OrderEventKind;
use crate::outcome::refuse;
use crate::outcome::{MutationError, UserErrorCode};

/// The customer and contact email of a new order. A named customer must exist and not
/// be anonymized, and gives the email when none was sent; a guest email that belongs to a
/// customer links the order to them, so their history is complete.
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    customer_id: Option<Uuid>,
    email: Option<String>,
) -> Result<(Option<Uuid>, Option<String>), MutationError> {
    match customer_id {
        Some(id) => {
            let contact = crate::customers::contact_of(conn, id)
                .await?
                .ok_or_else(|| MutationError::user("customerId", UserErrorCode::NotFound, "no such customer"))?;
            if contact.anonymized {
                return refuse("customerId", UserErrorCode::CustomerAnonymized, "this customer has been anonymized");
            }
            Ok((Some(id), email.or(contact.email)))
        }
        None => match &email {
            Some(address) => Ok((crate::customers::id_by_email(conn, address).await?, email)),
            None => Ok((None, None)),
        },
    }
}

/// Records in the order's customer's trail what happened to it (nothing for guests, and
/// nothing for fulfilment and completion, which the trail does not show).
pub async fn record(
    conn: &mut AsyncPgConnection,
    order: &OrderRow,
    event: OrderEventKind,
    actor: &str,
) -> Result<(), MutationError> {
    let Some(customer) = order.customer_id else { return Ok(()) };
    let (kind, detail) = match event {
        OrderEventKind::Fulfilled | OrderEventKind::Completed => return Ok(()),
        OrderEventKind::Placed => (
            ActivityKind::OrderPlaced,
            format!("order {} placed, {} {}", order.number, order.total.normalized(), order.currency),
        ),
        OrderEventKind::Paid => (ActivityKind::OrderPaid, format!("order {} paid", order.number)),
        OrderEventKind::Cancelled => (ActivityKind::OrderCancelled, format!("order {} cancelled", order.number)),
        OrderEventKind::Refunded => (
            ActivityKind::OrderRefunded,
            format!("order {}: {} {} refunded in all", order.number, order.refunded_total.normalized(), order.currency),
        ),
    };
    crate::customers::record_activity(conn, customer, kind, Some(order.id), &detail, actor).await?;
    Ok(())
}
