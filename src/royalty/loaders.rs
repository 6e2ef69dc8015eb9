//! How the generic loaders read the royalty domain's rows: the rules of a page of
//! allocations, and the allocations of a page of orders, one statement each.

use std::collections::HashMap;
use std::future::Future;

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data;
use super::model::{RoyaltyAllocation, RoyaltyRule};
use crate::events::OrderFacts;
use crate::graphql::{ChildOf, Keyed};

impl Keyed for RoyaltyRule {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Self>>> + Send {
        data::rules_by_ids(conn, ids)
    }
}

impl ChildOf<OrderFacts> for RoyaltyAllocation {
    fn load(
        conn: &mut AsyncPgConnection,
        ids: &[Uuid],
    ) -> impl Future<Output = QueryResult<HashMap<Uuid, Vec<Self>>>> + Send {
        data::allocations_of_orders(conn, ids)
    }
}
