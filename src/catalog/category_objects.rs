//! Categories in GraphQL: the tree (roots, children, ancestors, parent), the products of
//! a subtree, and the admin mutations that build and rearrange it.

use async_graphql::connection::Connection;
use async_graphql::{ComplexObject, Context, ID, InputObject, Object};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::categories::{self, CHILD_SLUG_TAKEN, Category, CategoryChanges, NewCategory, ROOT_SLUG_TAKEN};
use super::listing::{ProductFilter, Sort};
use super::loaders::Ancestry;
use super::product_objects::ProductView;
use super::query::product_connection;
use super::validate;
use crate::graphql::{
    ById, ConnectionTotal, GqlResultExt, MutationError, PageArgs, UserErrorCode, UserErrors, caller_scope, children_of,
    loader, parse_id,
};
use crate::outcome::{Violation, refuse, refused};
use crate::tenancy::Role;

#[ComplexObject]
impl Category {
    /// The category above it; null for a root.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Category>> {
        let Some(parent) = self.parent_id else { return Ok(None) };
        loader(ctx, ById::<Category>::new)?.load_one(parent).await.gql()
    }
    /// The categories directly below it, in order.
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Category>> {
        children_of::<Category, Category>(ctx, self.id).await
    }
    /// The path from the root down to its parent (root first; empty for a root).
    async fn ancestors(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Category>> {
        children_of::<Ancestry, Category>(ctx, self.id).await
    }
    /// Its products by creation time, including those of categories below it unless
    /// `includeDescendants` is false. Storefront tokens see active products only.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        #[graphql(default = true)] include_descendants: bool,
    ) -> async_graphql::Result<Connection<String, ProductView, ConnectionTotal>> {
        let filter = ProductFilter { category: Some((self.id, include_descendants)), ..ProductFilter::default() };
        product_connection(ctx, PageArgs { first, after, last, before }, filter, Sort::default(), None).await
    }
}

/// Category queries.
#[derive(Default)]
pub struct CategoryQuery;

#[Object]
impl CategoryQuery {
    /// The roots of the category tree, in order; follow `children` for the rest.
    async fn categories(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Category>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        categories::roots(&mut *scope.conn().await.gql()?).await.gql()
    }

    /// One category by id.
    async fn category(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Category>> {
        let id = parse_id(&id)?;
        loader(ctx, ById::<Category>::new)?.load_one(id).await.gql()
    }
}

/// A new category.
#[derive(InputObject)]
pub struct CategoryCreateInput {
    /// Lowercase words joined by `-`, unique among its siblings.
    slug: String,
    /// Display name.
    name: String,
    /// Long description.
    #[graphql(default)]
    description: String,
    /// The category to put it under; a root when absent.
    parent_id: Option<ID>,
    /// Order among its siblings.
    #[graphql(default)]
    position: i32,
}

/// Changes to a category's own fields; fields left out stay as they are (move it with
/// `categoryMove`).
#[derive(InputObject)]
pub struct CategoryUpdateInput {
    /// The category to change.
    id: ID,
    /// New slug, unique among its siblings.
    slug: Option<String>,
    /// New display name.
    name: Option<String>,
    /// New description.
    description: Option<String>,
    /// New order among its siblings.
    position: Option<i32>,
}

/// Where a category goes.
#[derive(InputObject)]
pub struct CategoryMoveInput {
    /// The category to move, with everything below it.
    id: ID,
    /// Its new parent; a root when absent or null.
    parent_id: Option<ID>,
    /// Its new order among its new siblings (kept when absent).
    position: Option<i32>,
}

/// Products to put in or take out of a category.
#[derive(InputObject)]
pub struct CategoryProductsInput {
    /// The category.
    category_id: ID,
    /// The products.
    product_ids: Vec<ID>,
}

crate::payload!(
    /// The result of a category mutation.
    CategoryPayload {
        /// The category as it is now; null when the mutation was refused.
        category: Category,
    }
);

/// What a category's unique constraints mean to the client: a slug is unique among its
/// siblings, roots and children alike.
const CONFLICTS: &[Violation] = &[
    Violation::new(ROOT_SLUG_TAKEN, "slug", UserErrorCode::Duplicate, SLUG_TAKEN),
    Violation::new(CHILD_SLUG_TAKEN, "slug", UserErrorCode::Duplicate, SLUG_TAKEN),
];
const SLUG_TAKEN: &str = "a sibling category has this slug";

/// The category `id`, or the userError saying it does not exist.
async fn existing(conn: &mut AsyncPgConnection, id: Uuid, field: &str) -> Result<Category, MutationError> {
    categories::by_ids(conn, &[id])
        .await?
        .remove(&id)
        .ok_or_else(|| MutationError::user(field, UserErrorCode::NotFound, "no such category"))
}

/// Category mutations (admin only).
#[derive(Default)]
pub struct CategoryMutation;

#[Object]
impl CategoryMutation {
    /// Creates a category, as a root or under a parent.
    async fn category_create(
        &self,
        ctx: &Context<'_>,
        input: CategoryCreateInput,
    ) -> async_graphql::Result<CategoryPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let parent = input.parent_id.as_ref().and_then(|id| errors.id_at(&["parentId"], id));
        let new = NewCategory {
            parent_id: parent,
            slug: validate::slug(&mut errors, &input.slug),
            name: validate::required_text(&mut errors, &["name"], &input.name, 200),
            description: crate::graphql::validate::text(
                &mut errors,
                &["description"],
                &input.description,
                crate::graphql::validate::DESCRIPTION_MAX,
            ),
            position: input.position,
        };
        if !errors.is_empty() {
            return CategoryPayload::from_outcome(Err(errors.into()));
        }
        let result = crate::in_transaction!(scope, async |conn| {
            categories::lock_tree(conn).await?;
            if let Some(parent) = parent {
                existing(conn, parent, "parentId").await?;
            }
            categories::insert(conn, &new).await.map_err(refused(CONFLICTS))
        });
        CategoryPayload::from_outcome(result)
    }

    /// Changes a category's slug, name, description or position.
    async fn category_update(
        &self,
        ctx: &Context<'_>,
        input: CategoryUpdateInput,
    ) -> async_graphql::Result<CategoryPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let changes = CategoryChanges {
            slug: input.slug.as_deref().map(|s| validate::slug(&mut errors, s)),
            name: input.name.as_deref().map(|n| validate::required_text(&mut errors, &["name"], n, 200)),
            description: input.description.as_deref().map(|d| {
                crate::graphql::validate::text(
                    &mut errors,
                    &["description"],
                    d,
                    crate::graphql::validate::DESCRIPTION_MAX,
                )
            }),
            position: input.position,
        };
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return CategoryPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let current = existing(conn, id, "id").await?;
            if changes.is_empty() {
                return Ok(current);
            }
            categories::update(conn, id, &changes).await.map_err(refused(CONFLICTS))
        });
        CategoryPayload::from_outcome(result)
    }

    /// Moves a category (with everything below it) under another, or to the roots.
    /// Moving it under itself or under one of its descendants is refused: CATEGORY_CYCLE.
    async fn category_move(
        &self,
        ctx: &Context<'_>,
        input: CategoryMoveInput,
    ) -> async_graphql::Result<CategoryPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let parent = input.parent_id.as_ref().and_then(|p| errors.id_at(&["parentId"], p));
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return CategoryPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            categories::lock_tree(conn).await?;
            existing(conn, id, "id").await?;
            if let Some(parent) = parent {
                existing(conn, parent, "parentId").await?;
                if categories::in_subtree(conn, id, parent).await? {
                    return refuse(
                        "parentId",
                        UserErrorCode::CategoryCycle,
                        "a category cannot move under itself or its descendants",
                    );
                }
            }
            categories::move_to(conn, id, parent, input.position).await.map_err(refused(CONFLICTS))
        });
        CategoryPayload::from_outcome(result)
    }

    /// Puts products in a category; those already in it stay.
    async fn category_assign_products(
        &self,
        ctx: &Context<'_>,
        input: CategoryProductsInput,
    ) -> async_graphql::Result<CategoryPayload> {
        change_products(ctx, input, true).await
    }

    /// Takes products out of a category.
    async fn category_unassign_products(
        &self,
        ctx: &Context<'_>,
        input: CategoryProductsInput,
    ) -> async_graphql::Result<CategoryPayload> {
        change_products(ctx, input, false).await
    }
}

async fn change_products(
    ctx: &Context<'_>,
    input: CategoryProductsInput,
    assign: bool,
) -> async_graphql::Result<CategoryPayload> {
    let scope = caller_scope(ctx, Role::Admin)?;
    let mut errors = UserErrors::default();
    let category = errors.id_at(&["categoryId"], &input.category_id);
    let products: Vec<Uuid> = input
        .product_ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| errors.id_at(&["productIds", &i.to_string()], id))
        .collect();
    if input.product_ids.len() > 1000 {
        errors.add("productIds", UserErrorCode::Invalid, "at most 1,000 products at a time");
    }
    let Some(category) = category.filter(|_| errors.is_empty()) else {
        return CategoryPayload::from_outcome(Err(errors.into()));
    };
    let result = crate::in_transaction!(scope, async |conn| {
        let found = existing(conn, category, "categoryId").await?;
        let known = categories::existing_products(conn, &products).await?;
        if let Some(missing) = products.iter().position(|p| !known.contains(p)) {
            let mut errors = UserErrors::default();
            errors.add_at(&["productIds", &missing.to_string()], UserErrorCode::NotFound, "no such product");
            return Err(errors.into());
        }
        if assign {
            categories::assign(conn, category, &products).await?;
        } else {
            categories::unassign(conn, category, &products).await?;
        }
        Ok(found)
    });
    CategoryPayload::from_outcome(result)
}
