//! How the generic loaders read the royalty domain's rows: the rules of a page of
//! allocations, and the allocations of a page of orders, one statement each.

use super::data;
use super::model::{RoyaltyAllocation, RoyaltyRule};
use crate::events::OrderFacts;

crate::keyed!(RoyaltyRule => data::rules_by_ids);

crate::child_of!(RoyaltyAllocation: OrderFacts => data::allocations_of_orders);
