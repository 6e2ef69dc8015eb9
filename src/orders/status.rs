//! The order state machine and the payment status, as pure functions: the mutations ask
//! here whether a change is allowed, so the rules are stated once and unit-tested.
//!
//! ```text
//! PENDING ──pay──▶ PAID ──fulfil──▶ FULFILLED ──complete──▶ COMPLETED
//!    │              │  ╲                 ╲                      ╲
//!  cancel         cancel  refund          refund                 refund
//!    ▼              ▼      ▼               ▼                      ▼
//! CANCELLED     CANCELLED  PARTIALLY_REFUNDED / REFUNDED
//! ```
//! A partially refunded order can still be fulfilled (if it was not yet) or completed (if
//! it was), and refunded further. CANCELLED and REFUNDED are final; a cancelled order's
//! captured money can still be refunded, which changes its payment status only.

use bigdecimal::{BigDecimal, Zero};

use super::model::{OrderStatus, PaymentStatus};

/// Whether an order in `from` may move to `to`. `fulfilled` says whether the order has
/// been fulfilled before (it matters for PARTIALLY_REFUNDED).
pub fn allowed(from: OrderStatus, to: OrderStatus, fulfilled: bool) -> bool {
    use OrderStatus::*;
    match (from, to) {
        (Pending, Paid | Cancelled) => true,
        (Paid, Fulfilled | Cancelled | PartiallyRefunded | Refunded) => true,
        (Fulfilled, Completed | PartiallyRefunded | Refunded) => true,
        (Completed, PartiallyRefunded | Refunded) => true,
        (PartiallyRefunded, PartiallyRefunded | Refunded) => true,
        (PartiallyRefunded, Fulfilled) => !fulfilled,
        (PartiallyRefunded, Completed) => fulfilled,
        _ => false,
    }
}

/// The statuses an order may be refunded in (and change status by it).
pub fn refund_moves_status(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Paid | OrderStatus::Fulfilled | OrderStatus::Completed | OrderStatus::PartiallyRefunded
    )
}

/// Whether the order still holds reserved stock: placed, not fulfilled, not cancelled
/// or refunded in full.
pub fn holds_stock(status: OrderStatus, fulfilled: bool) -> bool {
    !fulfilled && matches!(status, OrderStatus::Pending | OrderStatus::Paid | OrderStatus::PartiallyRefunded)
}

/// The payment status of an order with this total, captured and refunded money.
pub fn payment_status(total: &BigDecimal, captured: &BigDecimal, refunded: &BigDecimal) -> PaymentStatus {
    if !refunded.is_zero() {
        if refunded >= captured { PaymentStatus::Refunded } else { PaymentStatus::PartiallyRefunded }
    } else if captured >= total {
        PaymentStatus::Paid
    } else if captured.is_zero() {
        PaymentStatus::Unpaid
    } else {
        PaymentStatus::PartiallyPaid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    const ALL: [OrderStatus; 7] = [Pending, Paid, Fulfilled, Completed, Cancelled, PartiallyRefunded, Refunded];

    #[test]
    fn final_statuses_go_nowhere() {
        for to in ALL {
            assert!(!allowed(Cancelled, to, false) && !allowed(Cancelled, to, true));
            assert!(!allowed(Refunded, to, false) && !allowed(Refunded, to, true));
        }
    }

    #[test]
    fn the_happy_path_and_its_shortcuts() {
        assert!(allowed(Pending, Paid, false));
        assert!(allowed(Paid, Fulfilled, false));
        assert!(allowed(Fulfilled, Completed, true));
        assert!(!allowed(Pending, Fulfilled, false), "unpaid orders are not fulfilled");
        assert!(!allowed(Pending, Completed, false));
        assert!(!allowed(Paid, Completed, false), "completion follows fulfilment");
        assert!(!allowed(Fulfilled, Cancelled, true), "shipped goods are refunded, not cancelled");
        assert!(!allowed(Completed, Pending, true));
    }

    #[test]
    fn partial_refunds_keep_fulfilment_going() {
        assert!(allowed(PartiallyRefunded, Fulfilled, false));
        assert!(!allowed(PartiallyRefunded, Fulfilled, true));
        assert!(allowed(PartiallyRefunded, Completed, true));
        assert!(!allowed(PartiallyRefunded, Completed, false));
        assert!(!allowed(PartiallyRefunded, Cancelled, false));
    }

    #[test]
    fn payment_status_follows_the_money() {
        let d = |s: &str| s.parse::<BigDecimal>().unwrap();
        assert_eq!(payment_status(&d("10"), &d("0"), &d("0")), PaymentStatus::Unpaid);
        assert_eq!(payment_status(&d("10"), &d("4.50"), &d("0")), PaymentStatus::PartiallyPaid);
        assert_eq!(payment_status(&d("10"), &d("10.00"), &d("0")), PaymentStatus::Paid);
        assert_eq!(payment_status(&d("10"), &d("10"), &d("0.01")), PaymentStatus::PartiallyRefunded);
        assert_eq!(payment_status(&d("10"), &d("10"), &d("10")), PaymentStatus::Refunded);
        assert_eq!(payment_status(&d("0"), &d("0"), &d("0")), PaymentStatus::Paid);
    }

    #[test]
    fn only_live_orders_hold_stock() {
        assert!(holds_stock(Pending, false) && holds_stock(Paid, false) && holds_stock(PartiallyRefunded, false));
        assert!(!holds_stock(Paid, true) && !holds_stock(Cancelled, false) && !holds_stock(Refunded, false));
    }
}
