//! Catalog queries: the product listing (filters, sorts, keyset pages) and single
//! products and variants, all seen from the request's store.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use uuid::Uuid;

use super::bundles::BundleComponentsByProduct;
use super::categories::Category;
use super::data;
use super::listing::{self, ProductFilter, ProductListing, ProductSortField, Sort, SortDirection, View};
use super::loaders::{VariantsByProduct, online};
use super::model::{ImageRow, Product, ProductStatus, ProductType, Variant};
use super::product_objects::{ProductView, StoreKey};
use crate::db::{Listing, Page};
use crate::graphql::{
    Children, ConnectionTotal, Decimal, GqlResultExt, Limits, PageArgs, RecordKey, caller_scope, coded_error,
    finish_listing, id_or_key, node_selected, parse_id, prime,
};
use crate::stores::StoreRefusal;
use crate::tenancy::{Role, TenantScope};

/// A price range of a listing filter.
#[derive(InputObject, Default)]
pub struct PriceRangeInput {
    /// At least this.
    gte: Option<Decimal>,
    /// At most this.
    lte: Option<Decimal>,
}

/// Narrows a product listing.
#[derive(InputObject, Default)]
pub struct ProductFilterInput {
    /// Only these statuses (admin only; storefronts see ACTIVE products).
    status: Option<Vec<ProductStatus>>,
    /// Only these kinds of product.
    product_type: Option<Vec<ProductType>>,
    /// Case-insensitive text in the name (the store's or the product's own), slug or description.
    search: Option<String>,
    /// Only products in this category…
    category_id: Option<ID>,
    /// …or anywhere below it (the default).
    #[graphql(default = true)]
    include_descendants: bool,
    /// Shown price ("from" price, in this store) within this range.
    price: Option<PriceRangeInput>,
    /// Only products that can (true) or cannot (false) be bought now.
    available: Option<bool>,
    /// Only products (or products with a variant) having, for every filter, one of its
    /// values (and for numbers a value within its range).
    attributes: Option<Vec<crate::attributes::AttributeFilterInput>>,
}

/// How to sort a product listing.
#[derive(InputObject, Default)]
pub struct ProductSortInput {
    /// By what.
    field: ProductSortField,
    /// Which way (RELEVANCE reads best first either way you ask: DESC is best first).
    #[graphql(default)]
    direction: SortDirection,
}

/// The store a request sees the catalog from: the `store:` argument or the request's
/// store (`X-Store`, store domain); when both are given they must agree.
fn store_key(scope: &TenantScope, argument: Option<String>) -> async_graphql::Result<StoreKey> {
    let code = crate::stores::named_store(scope, argument.as_deref()).map_err(StoreRefusal::into_error)?;
    Ok(code.map(Arc::from))
}

/// Where the catalog is seen from: the store's prices and text, and whether an inactive
/// store may be seen from at all (admins).
fn view_from(scope: &TenantScope, store: &StoreKey) -> View {
    View { price: online(store), include_inactive_store: crate::stores::sees_inactive(scope) }
}

/// Fails when the listing came back saying the store does not exist (or may not be seen
/// by the caller). An empty listing says nothing, so then the store is looked up.
async fn check_store(scope: &TenantScope, store: &StoreKey, rows: &[listing::ListingRow]) -> async_graphql::Result<()> {
    let Some(code) = store else { return Ok(()) };
    let exists = match rows.first() {
        Some((_, _, store_id, _)) => store_id.is_some(),
        None => require_store(scope, &mut *scope.conn().await.gql()?, code).await.is_ok(),
    };
    if exists { Ok(()) } else { Err(StoreRefusal::NotFound(code.to_string()).into_error()) }
}

/// STORE_NOT_FOUND unless the caller may see the store with this code.
async fn require_store(
    scope: &TenantScope,
    conn: &mut diesel_async::AsyncPgConnection,
    code: &str,
) -> async_graphql::Result<()> {
    match crate::stores::visible_store(conn, scope, code).await.gql()? {
        Some(_) => Ok(()),
        None => Err(StoreRefusal::NotFound(code.to_owned()).into_error()),
    }
}

fn view_of(row: listing::ListingRow, store: &StoreKey) -> ProductView {
    let (row, local, _, _) = row;
    let mut local = local.unwrap_or_default().into_iter();
    ProductView {
        row,
        store: store.clone(),
        local_name: local.next().flatten(),
        local_description: local.next().flatten(),
    }
}

/// Loads the nested lists of a whole page of products at once, if the selection asks for
/// them (under `edges.node` or `nodes`), so their resolvers find them cached.
async fn prime_nested_lists(ctx: &Context<'_>, products: &[ProductView]) -> async_graphql::Result<()> {
    if products.is_empty() {
        return Ok(());
    }
    let selected = |path: &[&str]| node_selected(ctx, path);
    let ids: Vec<Uuid> = products.iter().map(|p| p.row.id).collect();
    let keys: Vec<(Uuid, StoreKey)> = products.iter().map(|p| (p.row.id, p.store.clone())).collect();
    let availability = selected(&["available"]) || selected(&["availableQuantity"]);
    let mut stocked = Vec::new();
    if selected(&["variants"]) || selected(&["price"]) || selected(&["priceRange"]) || availability {
        let variants = prime(ctx, VariantsByProduct, &keys).await?;
        if selected(&["variants", "inventory"]) || availability {
            stocked.extend(variants.values().flatten().map(|v| v.row.id));
        }
    }
    let bundles: Vec<(Uuid, StoreKey)> = products
        .iter()
        .filter(|p| p.row.product_type == ProductType::Bundle)
        .map(|p| (p.row.id, p.store.clone()))
        .collect();
    if selected(&["bundleComponents"]) || availability {
        let components = prime(ctx, BundleComponentsByProduct, &bundles).await?;
        if selected(&["bundleComponents", "variant", "inventory"]) || availability {
            stocked.extend(components.values().flatten().map(|c| c.variant.row.id));
        }
    }
    if !stocked.is_empty() {
        crate::inventory::prime(ctx, stocked).await?;
    }
    if selected(&["images"]) {
        prime(ctx, Children::<Product, ImageRow>::new, &ids).await?;
    }
    if selected(&["categories"]) {
        prime(ctx, Children::<Product, Category>::new, &ids).await?;
    }
    if selected(&["attributes"]) || selected(&["variants", "attributes"]) {
        crate::attributes::prime(ctx, &ids).await?;
    }
    Ok(())
}

/// A page of products matching `filter` in `sort` order, seen from `store`, as a Relay
/// connection, with the nested lists the selection asks for loaded for the whole page.
/// Storefront callers only ever get active products, whatever the filter says.
pub(super) async fn product_connection(
    ctx: &Context<'_>,
    args: PageArgs,
    mut filter: ProductFilter,
    sort: Sort,
    store: Option<String>,
) -> async_graphql::Result<Connection<String, ProductView, ConnectionTotal>> {
    let scope = caller_scope(ctx, Role::Storefront)?;
    let store = store_key(&scope, store)?;
    if sort.field == ProductSortField::Relevance && filter.search.is_none() {
        return Err(coded_error("BAD_USER_INPUT", "sorting by RELEVANCE needs filter.search"));
    }
    if scope.role() != Some(Role::Admin) {
        filter.statuses = vec![ProductStatus::Active];
    }
    let listing = ProductListing { filter, view: view_from(&scope, &store), sort };
    let page = args.page(ctx.data::<Limits>()?, &listing.keyset())?;
    let rows = listing.page(&mut *scope.conn().await.gql()?, &page).await.gql()?;
    check_store(&scope, &store, &rows).await?;
    let shown: Vec<ProductView> = rows.iter().take(page.limit).cloned().map(|row| view_of(row, &store)).collect();
    prime_nested_lists(ctx, &shown).await?;
    Ok(finish_listing(&scope, rows, &page, listing, |row| view_of(row, &store)))
}

/// Catalog queries.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// Products, filtered and sorted (by creation time unless `sortBy` says otherwise),
    /// seen from the store (`store:` or `X-Store`): its visibility, text and prices.
    /// Storefront tokens see active products only.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(0) as usize * child_complexity + 1")]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilterInput>,
        sort_by: Option<ProductSortInput>,
        store: Option<String>,
    ) -> async_graphql::Result<Connection<String, ProductView, ConnectionTotal>> {
        let input = filter.unwrap_or_default();
        let category = input.category_id.as_ref().map(parse_id).transpose()?.map(|id| (id, input.include_descendants));
        let search = crate::graphql::validate::search_arg(input.search)?;
        let price = input.price.unwrap_or_default();
        let attributes = input.attributes.as_deref().map(crate::attributes::products_matching).transpose()?;
        let filter = ProductFilter {
            attributes,
            statuses: input.status.unwrap_or_default(),
            types: input.product_type.unwrap_or_default(),
            search,
            category,
            price_min: price.gte.map(|d| d.0),
            price_max: price.lte.map(|d| d.0),
            available: input.available,
            ..ProductFilter::default()
        };
        let sort = sort_by.map_or_else(Sort::default, |s| Sort { field: s.field, direction: s.direction });
        product_connection(ctx, PageArgs { first, after, last, before }, filter, sort, store).await
    }

    /// One product, by `id` or `slug`, seen from the store (`store:` or `X-Store`).
    /// Storefront tokens see active products visible in the store only.
    async fn product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
        store: Option<String>,
    ) -> async_graphql::Result<Option<ProductView>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let store = store_key(&scope, store)?;
        let mut filter = match id_or_key(id.as_ref(), slug.as_deref(), "slug")? {
            RecordKey::Id(id) => ProductFilter { id: Some(id), ..ProductFilter::default() },
            RecordKey::Key(slug) => ProductFilter { slug: Some(slug), ..ProductFilter::default() },
        };
        if scope.role() != Some(Role::Admin) {
            filter.statuses = vec![ProductStatus::Active];
        }
        let listing = ProductListing { filter, view: view_from(&scope, &store), sort: Sort::default() };
        let rows = listing.page(&mut *scope.conn().await.gql()?, &Page::first(1)).await.gql()?;
        check_store(&scope, &store, &rows).await?;
        Ok(rows.into_iter().next().map(|row| view_of(row, &store)))
    }

    /// One variant, by `id` or `sku`, priced in the store (`store:` or `X-Store`).
    /// Storefront tokens see variants of active products only.
    async fn variant(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        sku: Option<String>,
        store: Option<String>,
    ) -> async_graphql::Result<Option<Variant>> {
        let scope = caller_scope(ctx, Role::Storefront)?;
        let store = store_key(&scope, store)?;
        let price = online(&store);
        let mut conn = scope.conn().await.gql()?;
        if let Some(code) = &store {
            require_store(&scope, &mut conn, code).await?;
        }
        let found = match id_or_key(id.as_ref(), sku.as_deref(), "sku")? {
            RecordKey::Id(id) => data::variants_by_ids(&mut conn, &[id], &price).await.gql()?.remove(&id),
            RecordKey::Key(sku) => data::variant_by_sku(&mut conn, &sku, &price).await.gql()?,
        };
        let Some((variant, status)) = found else { return Ok(None) };
        if scope.role() == Some(Role::Admin) {
            return Ok(Some(variant));
        }
        if status != ProductStatus::Active {
            return Ok(None);
        }
        // A storefront sees a variant only where it sees its product.
        let filter = ProductFilter {
            id: Some(variant.row.product_id),
            statuses: vec![ProductStatus::Active],
            ..ProductFilter::default()
        };
        let view = View { price, include_inactive_store: false };
        let shown =
            ProductListing { filter, view, sort: Sort::default() }.page(&mut conn, &Page::first(1)).await.gql()?;
        Ok(if shown.is_empty() { None } else { Some(variant) })
    }
}
