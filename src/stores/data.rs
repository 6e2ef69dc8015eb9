//! The stores table: every diesel call of this domain lives here.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{NewStore, Store, StoreChanges};
use crate::db::schema::stores;

/// Which stores a listing covers.
#[derive(Debug, Clone, Default)]
pub struct StoreFilter {
    /// Only active (true) or inactive (false) stores.
    pub active: Option<bool>,
    /// Case-insensitive substring of the code or name.
    pub search: Option<String>,
}

impl StoreFilter {
    fn filtered(&self) -> stores::BoxedQuery<'static, diesel::pg::Pg> {
        let filter = self;
        let mut query = stores::table.into_boxed();
        if let Some(active) = filter.active {
            query = query.filter(stores::active.eq(active));
        }
        if let Some(search) = &filter.search {
            let pattern = crate::db::contains_pattern(search);
            query = query.filter(stores::code.ilike(pattern.clone()).or(stores::name.ilike(pattern)));
        }
        query
    }
}

crate::code_listing!(StoreFilter, stores, Store);

/// The store with this code.
pub async fn by_code(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<Store>> {
    stores::table.filter(stores::code.eq(code)).select(Store::as_select()).first(conn).await.optional()
}

/// The store with this id.
pub async fn by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Store>> {
    stores::table.find(id).select(Store::as_select()).first(conn).await.optional()
}

/// The stores with these ids, by id.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<std::collections::HashMap<Uuid, Store>> {
    let rows: Vec<Store> = stores::table.filter(stores::id.eq_any(ids)).select(Store::as_select()).load(conn).await?;
    Ok(rows.into_iter().map(|s| (s.id, s)).collect())
}

/// The store with this id, locked until the transaction ends.
pub async fn by_id_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Store>> {
    stores::table.find(id).select(Store::as_select()).for_update().first(conn).await.optional()
}

/// Inserts a store.
pub async fn insert(conn: &mut AsyncPgConnection, store: &NewStore) -> QueryResult<Store> {
    diesel::insert_into(stores::table).values(store).returning(Store::as_returning()).get_result(conn).await
}

/// Applies `changes` to the store `id` and stamps `updated_at`.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, changes: &StoreChanges) -> QueryResult<Store> {
    diesel::update(stores::table.find(id))
        .set((changes, stores::updated_at.eq(diesel::dsl::now)))
        .returning(Store::as_returning())
        .get_result(conn)
        .await
}

/// The unique constraint a duplicate store code violates.
pub const CODE_TAKEN_CONSTRAINT: &str = "stores_code_key";
/// The unique constraint a duplicate domain (within the tenant) violates.
pub const DOMAIN_TAKEN_CONSTRAINT: &str = "stores_domain_key";

/// Writes how a product appears in a store (replacing what was there).
pub async fn upsert_store_product(
    conn: &mut AsyncPgConnection,
    values: &super::store_product::StoreProductValues,
) -> QueryResult<super::store_product::StoreProduct> {
    use crate::db::schema::store_products;
    diesel::insert_into(store_products::table)
        .values(values)
        .on_conflict((store_products::store_id, store_products::product_id))
        .do_update()
        .set((values, store_products::updated_at.eq(diesel::dsl::now)))
        .returning(super::store_product::StoreProduct::as_returning())
        .get_result(conn)
        .await
}

/// How one product appears in one store, if the store has settings for it.
pub async fn store_product(
    conn: &mut AsyncPgConnection,
    store: Uuid,
    product: Uuid,
) -> QueryResult<Option<super::store_product::StoreProduct>> {
    use crate::db::schema::store_products;
    store_products::table
        .find((store, product))
        .select(super::store_product::StoreProduct::as_select())
        .first(conn)
        .await
        .optional()
}

/// How these products appear in each store that has settings for them, by product.
pub async fn store_products_of(
    conn: &mut AsyncPgConnection,
    products: &[Uuid],
) -> QueryResult<std::collections::HashMap<Uuid, Vec<super::store_product::StoreProduct>>> {
    use crate::db::schema::store_products;
    let rows: Vec<super::store_product::StoreProduct> = store_products::table
        .filter(store_products::product_id.eq_any(products))
        .order((store_products::product_id, store_products::store_id))
        .select(super::store_product::StoreProduct::as_select())
        .load(conn)
        .await?;
    Ok(crate::db::group_by(rows, |r| r.product_id))
}
