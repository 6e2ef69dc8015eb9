//! How the generic loaders read the orders domain's rows: everything that hangs off an
//! order (items, addresses, history, payments, refunds, mapping) by order, so a page of
//! orders costs one statement per kind of child, and registers by id.

use super::model::{AddressRow, HistoryRow, ItemRow, MappingRow, OrderRow, PaymentRow, RefundRow, RegisterRow};
use super::{data, import_data, payment_data, register_data};

crate::child_of!(ItemRow: OrderRow => data::items_of);
crate::child_of!(AddressRow: OrderRow => data::addresses_of);
crate::child_of!(HistoryRow: OrderRow => data::history_of);
crate::child_of!(PaymentRow: OrderRow => payment_data::payments_of);
crate::child_of!(RefundRow: OrderRow => payment_data::refunds_of);
crate::child_of!(MappingRow: OrderRow => import_data::mappings_of);
crate::keyed!(RegisterRow => register_data::by_ids);
