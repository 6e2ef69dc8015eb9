use async_graphql::{Context, Object};

use super::data;
use super::model::Location;
use crate::graphql::{GqlResultExt, caller_scope};
use crate::tenancy::Role;

/// Inventory queries.
#[derive(Default)]
pub struct InventoryQuery;

#[Object]
impl InventoryQuery {
    /// Every stock location, the default first (admin only).
    async fn locations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Location>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        data::locations(&mut *scope.conn().await.gql()?).await.gql()
    }
}
