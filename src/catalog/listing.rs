//! The product listing every storefront page runs: filters, sort orders and keyset
//! pagination, seen from a store. One statement per page, whatever the filters: the
//! store's visibility and text, prices, stock and attributes come in as SQL fragments from
//! their domains (`stores::sql`, `pricing::sql`, `inventory::sql`, attribute filters).

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::model::{Product, ProductStatus, ProductType};
use crate::db::schema::{product_categories, products};
use crate::db::{Bind, Cursor, Fragment, Keyset, Listing, Page, SortType};
use crate::pricing::PriceContext;

/// What a listing sorts by.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ProductSortField {
    /// Creation time (the default).
    #[default]
    CreatedAt,
    /// The name shown in the store.
    Name,
    /// The price shown in the store ("from": the lowest of the variants).
    Price,
    /// How well the name matches `filter.search` (best first when descending).
    Relevance,
}

/// Ascending or descending.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl ProductSortField {
    /// The SQL type of the sort value, which cursors carry as text, and the sort's tag.
    fn value_type(self) -> (SortType, &'static str) {
        match self {
            Self::CreatedAt => (SortType::Timestamptz, "CREATED_AT"),
            Self::Name => (SortType::Text, "NAME"),
            Self::Price => (SortType::Numeric, "PRICE"),
            Self::Relevance => (SortType::Integer, "RELEVANCE"),
        }
    }
}

/// Which products a listing covers, and from which store.
#[derive(Debug, Clone, Default)]
pub struct ProductFilter {
    /// Only this product (single lookups use the listing, so they see what it sees).
    pub id: Option<Uuid>,
    /// Only the product with this slug.
    pub slug: Option<String>,
    /// Only these statuses (all when empty).
    pub statuses: Vec<ProductStatus>,
    /// Only these kinds (all when empty).
    pub types: Vec<ProductType>,
    /// Case-insensitive text in the name, slug or description.
    pub search: Option<String>,
    /// Only products in this category (and, when true, anywhere below it).
    pub category: Option<(Uuid, bool)>,
    /// Attribute conditions, from the attribute domain.
    pub attributes: Option<Fragment>,
    /// Shown price at least this.
    pub price_min: Option<BigDecimal>,
    /// Shown price at most this.
    pub price_max: Option<BigDecimal>,
    /// Only products that can (true) or cannot (false) be bought now.
    pub available: Option<bool>,
}

/// Where the listing is seen from: the store (its visibility, text and prices) and the
/// channel.
#[derive(Debug, Clone)]
pub struct View {
    /// Prices are for this store and channel; the store also decides visibility and text.
    pub price: PriceContext,
    /// Whether an inactive store may be seen from (admins); otherwise it counts as unknown.
    pub include_inactive_store: bool,
}

impl View {
    fn store(&self) -> Option<&str> {
        self.price.store_code.as_deref()
    }

    /// The name shown: the store's, else the product's own.
    fn name(&self) -> Fragment<Text> {
        match self.store() {
            Some(code) => Fragment::<Text>::sql("COALESCE((")
                .append(crate::stores::sql::localized_text(code))
                .push(")[1], products.name)"),
            None => Fragment::sql("products.name"),
        }
    }
}

/// A row of the listing: the product, its text in the store (`{name, description}`, when
/// the store has its own), the store's id (NULL for an unknown store, or an inactive one
/// the view may not see), and its sort value.
pub type ListingRow = (Product, Option<Vec<Option<String>>>, Option<Uuid>, String);

/// The sort a listing uses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sort {
    /// By what.
    pub field: ProductSortField,
    /// Which way.
    pub direction: SortDirection,
}

/// The SQL of the sort value.
fn sort_value(sort: ProductSortField, view: &View, filter: &ProductFilter) -> Fragment<Text> {
    match sort {
        ProductSortField::CreatedAt => Fragment::sql("products.created_at"),
        ProductSortField::Name => view.name(),
        ProductSortField::Price => super::sql::from_price(&view.price).retype(),
        ProductSortField::Relevance => {
            let search = filter.search.clone().unwrap_or_default();
            let name = || view.name();
            Fragment::sql("(CASE WHEN lower(")
                .append(name())
                .push(") = lower(")
                .bind(Bind::Text(search.clone()))
                .push(") THEN 3 WHEN ")
                .append(name())
                .push(" ILIKE ")
                .bind(Bind::Text(prefix_pattern(&search)))
                .push(" THEN 2 WHEN ")
                .append(name())
                .push(" ILIKE ")
                .bind(Bind::Text(crate::db::contains_pattern(&search)))
                .push(" THEN 1 ELSE 0 END)")
        }
    }
}

fn prefix_pattern(search: &str) -> String {
    let mut pattern = crate::db::contains_pattern(search);
    pattern.remove(0);
    pattern
}

type Boxed = products::BoxedQuery<'static, diesel::pg::Pg>;

/// The listing's rows before paging: every filter, and the store's visibility.
fn filtered(filter: &ProductFilter, view: &View) -> Boxed {
    let mut query = products::table.into_boxed();
    if let Some(id) = filter.id {
        query = query.filter(products::id.eq(id));
    }
    if let Some(slug) = &filter.slug {
        query = query.filter(products::slug.eq(slug.clone()));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(products::status.eq_any(filter.statuses.clone()));
    }
    if !filter.types.is_empty() {
        query = query.filter(products::product_type.eq_any(filter.types.clone()));
    }
    if let Some(code) = view.store() {
        query = query.filter(crate::stores::sql::visible_in(code));
    }
    if let Some((category, descendants)) = filter.category {
        query = if descendants {
            query.filter(
                Fragment::<Bool>::sql(
                    "products.id IN (SELECT pc.product_id FROM product_categories pc WHERE pc.category_id IN \
                     (WITH RECURSIVE tree (id) AS (SELECT ",
                )
                .bind(Bind::Uuid(category))
                .push(" UNION ALL SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id) SELECT id FROM tree))"),
            )
        } else {
            query.filter(
                products::id.eq_any(
                    product_categories::table
                        .filter(product_categories::category_id.eq(category))
                        .select(product_categories::product_id),
                ),
            )
        };
    }
    if let Some(search) = &filter.search {
        let pattern = crate::db::contains_pattern(search);
        let mut matches = Fragment::<Bool>::sql("(products.slug ILIKE ")
            .bind(Bind::Text(pattern.clone()))
            .push(" OR products.description ILIKE ")
            .bind(Bind::Text(pattern.clone()))
            .push(" OR ")
            .append(view.name())
            .push(" ILIKE ")
            .bind(Bind::Text(pattern.clone()));
        if view.store().is_some() {
            matches = matches.push(" OR products.name ILIKE ").bind(Bind::Text(pattern));
        }
        query = query.filter(matches.push(")"));
    }
    if let Some(attributes) = &filter.attributes {
        query = query.filter(attributes.clone());
    }
    if let Some(min) = &filter.price_min {
        let price = super::sql::from_price(&view.price);
        query = query.filter(Fragment::<Bool>::sql("(").append(price).push(") >= ").bind(Bind::Numeric(min.clone())));
    }
    if let Some(max) = &filter.price_max {
        let price = super::sql::from_price(&view.price);
        query = query.filter(Fragment::<Bool>::sql("(").append(price).push(") <= ").bind(Bind::Numeric(max.clone())));
    }
    if let Some(available) = filter.available {
        let test = available_sql();
        query = query.filter(if available { test } else { Fragment::sql("NOT ").append(test) });
    }
    query
}

/// True when the product can be bought now. VIRTUAL: always. BUNDLE: it has components
/// and each component variant has at least the bundle's quantity available. Others: some
/// variant has a unit available. `Product.available` says the same in Rust.
fn available_sql() -> Fragment<Bool> {
    Fragment::sql(
        "(CASE products.product_type WHEN 'virtual' THEN true \
         WHEN 'bundle' THEN EXISTS (SELECT 1 FROM bundle_components bc WHERE bc.bundle_id = products.id) \
         AND NOT EXISTS (SELECT 1 FROM bundle_components bc WHERE bc.bundle_id = products.id AND ",
    )
    .append(crate::inventory::sql::available_of("bc.variant_id"))
    .push(" < bc.quantity) ELSE EXISTS (SELECT 1 FROM product_variants pv WHERE pv.product_id = products.id AND ")
    .append(crate::inventory::sql::available_of("pv.id"))
    .push(" > 0) END)")
}

/// A page of the product listing: which products, seen from where, sorted how.
#[derive(Debug, Clone)]
pub struct ProductListing {
    /// Which products.
    pub filter: ProductFilter,
    /// Seen from where.
    pub view: View,
    /// Sorted how.
    pub sort: Sort,
}

impl Listing for ProductListing {
    type Row = ListingRow;

    fn keyset(&self) -> Keyset {
        let (kind, tag) = self.sort.field.value_type();
        Keyset::new(tag, "products.id")
            .key(sort_value(self.sort.field, &self.view, &self.filter), kind)
            .descending(self.sort.direction == SortDirection::Desc)
    }

    async fn page(&self, conn: &mut AsyncPgConnection, page: &Page) -> QueryResult<Vec<ListingRow>> {
        let view = &self.view;
        let local = match view.store() {
            Some(code) => crate::stores::sql::localized_text(code),
            None => Fragment::sql("NULL::text[]"),
        };
        let store_id = match view.store() {
            Some(code) => crate::stores::sql::store_id_of(code, view.include_inactive_store),
            None => Fragment::sql("NULL::uuid"),
        };
        let value = sort_value(self.sort.field, view, &self.filter);
        let query = filtered(&self.filter, view).select((
            Product::as_select(),
            local,
            store_id,
            Fragment::<Text>::sql("(").append(value).push(")::text"),
        ));
        self.keyset().seek(query, page).load(conn).await
    }

    async fn count(&self, conn: &mut AsyncPgConnection) -> QueryResult<i64> {
        filtered(&self.filter, &self.view).count().get_result(conn).await
    }

    fn cursor(&self, row: &ListingRow) -> Cursor {
        Cursor::new(self.sort.field.value_type().1, vec![row.3.clone()], row.0.id)
    }
}
