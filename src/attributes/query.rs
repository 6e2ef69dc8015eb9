//! Attribute queries: definitions for storefronts and admins, sets for admins.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};

use super::data::{self, DefinitionFilter, SetFilter};
use super::loaders::{MembersBySet, OptionsByAttribute};
use super::model::{AttributeDefinition, AttributeSet};
use crate::db::Listing;
use crate::graphql::{ConnectionTotal, GqlResultExt, Limits, PageArgs, caller_scope, finish_listing, prime};
use crate::graphql::{RecordKey, id_or_key};
use crate::tenancy::Role;

/// Narrows a listing of attribute definitions.
#[derive(InputObject, Default)]
pub struct AttributeDefinitionFilterInput {
    /// Only filterable (true) or only not filterable (false) attributes.
    filterable: Option<bool>,
    /// Case-insensitive text in the code or name.
    search: Option<String>,
}

/// Narrows a listing of attribute sets.
#[derive(InputObject, Default)]
pub struct AttributeSetFilterInput {
    /// Case-insensitive text in the code or name.
    search: Option<String>,
}

/// `id` or `code`, exactly one, as a lookup.
fn id_or_code(id: Option<ID>, code: Option<String>) -> async_graphql::Result<(Option<uuid::Uuid>, Option<String>)> {
    Ok(match id_or_key(id.as_ref(), code.as_deref(), "code")? {
        RecordKey::Id(id) => (Some(id), None),
        RecordKey::Key(code) => (None, Some(code)),
    })
}

/// Attribute queries.
#[derive(Default)]
pub struct AttributeQuery;

#[Object]
impl AttributeQuery {
    /// Attribute definitions ordered by code (storefront and admin tokens).
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn attribute_definitions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AttributeDefinitionFilterInput>,
    ) -> async_graphql::Result<Connection<String, AttributeDefinition, ConnectionTotal>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let filter = filter.unwrap_or_default();
        let filter = DefinitionFilter {
            filterable: filter.filterable,
            search: crate::graphql::validate::search_arg(filter.search)?,
        };
        let page = PageArgs { first, after, last, before }.page(ctx.data::<Limits>()?, &filter.keyset())?;
        let rows = filter.page(&mut *scope.conn().await.gql()?, &page).await.gql()?;
        if crate::graphql::node_selected(ctx, &["options"]) {
            let ids: Vec<uuid::Uuid> = rows.iter().filter(|d| d.attribute_type.has_options()).map(|d| d.id).collect();
            prime(ctx, OptionsByAttribute::new, &ids).await?;
        }
        Ok(finish_listing(&scope, rows, &page, filter, |row| row))
    }

    /// One attribute definition, by `id` or `code` (storefront and admin tokens).
    async fn attribute_definition(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        code: Option<String>,
    ) -> async_graphql::Result<Option<AttributeDefinition>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let (id, code) = id_or_code(id, code)?;
        data::definition(&mut *scope.conn().await.gql()?, id, code.as_deref()).await.gql()
    }

    /// Attribute sets ordered by code (admin only).
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn attribute_sets(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AttributeSetFilterInput>,
    ) -> async_graphql::Result<Connection<String, AttributeSet, ConnectionTotal>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let filter = SetFilter { search: crate::graphql::validate::search_arg(filter.unwrap_or_default().search)? };
        let page = PageArgs { first, after, last, before }.page(ctx.data::<Limits>()?, &filter.keyset())?;
        let rows = filter.page(&mut *scope.conn().await.gql()?, &page).await.gql()?;
        if crate::graphql::node_selected(ctx, &["attributes"]) {
            let ids: Vec<uuid::Uuid> = rows.iter().map(|s| s.id).collect();
            prime(ctx, MembersBySet::new, &ids).await?;
        }
        Ok(finish_listing(&scope, rows, &page, filter, |row| row))
    }

    /// One attribute set, by `id` or `code` (admin only).
    async fn attribute_set(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        code: Option<String>,
    ) -> async_graphql::Result<Option<AttributeSet>> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let (id, code) = id_or_code(id, code)?;
        data::set(&mut *scope.conn().await.gql()?, id, code.as_deref()).await.gql()
    }
}
