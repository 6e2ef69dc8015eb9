use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};

use super::data::{self, StoreFilter};
use super::model::Store;
use crate::graphql::{
    ConnectionTotal, GqlResultExt, PageArgs, caller_scope, coded_error, listing_connection, parse_id,
};
use crate::tenancy::Role;

/// Narrows a store listing.
#[derive(InputObject, Default)]
pub struct StoreFilterInput {
    /// Only active or only inactive stores (admin only; storefronts see active stores).
    active: Option<bool>,
    /// Case-insensitive text in the code or name.
    search: Option<String>,
}

/// Store queries.
#[derive(Default)]
pub struct StoreQuery;

#[Object]
impl StoreQuery {
    /// The tenant's stores ordered by code. Storefront tokens see active stores only.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    #[allow(clippy::too_many_arguments)]
    async fn stores(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<StoreFilterInput>,
    ) -> async_graphql::Result<Connection<String, Store, ConnectionTotal>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let filter = filter.unwrap_or_default();
        let mut filter =
            StoreFilter { active: filter.active, search: crate::graphql::validate::search_arg(filter.search)? };
        if scope.role() != Some(Role::Admin) {
            filter.active = Some(true);
        }
        listing_connection(ctx, Role::Storefront, PageArgs { first, after, last, before }, filter, |s| s).await
    }

    /// One store, by `code` or by `id`. Storefront tokens see active stores only.
    async fn store(
        &self,
        ctx: &Context<'_>,
        code: Option<String>,
        id: Option<ID>,
    ) -> async_graphql::Result<Option<Store>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let mut conn = scope.conn().await.gql()?;
        let store = match (code, id) {
            (Some(code), None) => data::by_code(&mut conn, code.trim()).await,
            (None, Some(id)) => {
                let id = parse_id(&id)?;
                data::by_id(&mut conn, id).await
            }
            _ => return Err(coded_error("BAD_USER_INPUT", "pass exactly one of code or id")),
        }
        .gql()?;
        Ok(store.filter(|store| store.active || scope.role() == Some(Role::Admin)))
    }
}
