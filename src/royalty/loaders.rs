//! How the generic loaders read the royalty domain's rows: the rules of a page of
//! allocations, and the allocations of a page of orders, one statement each.

use super::data;
use super::model::{AllocationRow, RuleRow};
use crate::events::OrderFacts;

crate::keyed!(RuleRow => data::rules_by_ids);

crate::child_of!(AllocationRow: OrderFacts => data::allocations_of_orders);
