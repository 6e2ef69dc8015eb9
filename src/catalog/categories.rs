//! The category tree: its rows, and every diesel call about categories.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{categories, product_categories, products};

/// A node of the category tree.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, async_graphql::SimpleObject)]
#[diesel(table_name = categories)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(complex)]
pub struct Category {
    /// Stable id (a UUID).
    #[graphql(skip_output, derived(name = "id", into = "async_graphql::ID", owned))]
    pub id: Uuid,
    /// The category above it (`parent` serves it).
    #[graphql(skip)]
    pub parent_id: Option<Uuid>,
    /// Unique among its siblings.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Long description.
    pub description: String,
    /// Order among its siblings.
    pub position: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// The columns of a new category.
#[derive(Debug, Insertable)]
#[diesel(table_name = categories)]
pub struct NewCategory {
    pub parent_id: Option<Uuid>,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i32,
}

/// The columns a category update changes (`None`: left as is).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = categories)]
pub struct CategoryChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub position: Option<i32>,
}

impl CategoryChanges {
    /// Whether the update changes nothing (an empty SET is not SQL).
    pub fn is_empty(&self) -> bool {
        self.slug.is_none() && self.name.is_none() && self.description.is_none() && self.position.is_none()
    }
}

/// Applies `changes` to category `id`.
pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, changes: &CategoryChanges) -> QueryResult<Category> {
    diesel::update(categories::table.find(id)).set(changes).returning(Category::as_returning()).get_result(conn).await
}

/// The unique index a root category's slug violates when another root has it.
pub const ROOT_SLUG_TAKEN: &str = "categories_root_slug_key";
/// The unique constraint a child category's slug violates when a sibling has it.
pub const CHILD_SLUG_TAKEN: &str = "categories_child_slug_key";

fn ordered() -> (categories::position, categories::name, categories::id) {
    (categories::position, categories::name, categories::id)
}

/// The roots of the tree, in order.
pub async fn roots(conn: &mut AsyncPgConnection) -> QueryResult<Vec<Category>> {
    categories::table
        .filter(categories::parent_id.is_null())
        .order(ordered())
        .select(Category::as_select())
        .load(conn)
        .await
}

/// Categories by id.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, Category>> {
    let rows: Vec<Category> =
        categories::table.filter(categories::id.eq_any(ids)).select(Category::as_select()).load(conn).await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

/// The children of these categories, in order, by parent.
pub async fn children_of(conn: &mut AsyncPgConnection, parents: &[Uuid]) -> QueryResult<HashMap<Uuid, Vec<Category>>> {
    let rows: Vec<Category> = categories::table
        .filter(categories::parent_id.eq_any(parents))
        .order(ordered())
        .select(Category::as_select())
        .load(conn)
        .await?;
    Ok(crate::db::group_by(rows, |r| r.parent_id.expect("filtered on parent")))
}

#[derive(QueryableByName)]
struct AncestorRow {
    #[diesel(sql_type = SqlUuid)]
    start: Uuid,
    #[diesel(embed)]
    category: Category,
}

/// The ancestors of these categories, root first, by category.
pub async fn ancestors_of(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, Vec<Category>>> {
    let rows: Vec<AncestorRow> = diesel::sql_query(
        "WITH RECURSIVE up (start, id, depth) AS ( \
             SELECT c.id, c.parent_id, 1 FROM categories c WHERE c.id = ANY($1) AND c.parent_id IS NOT NULL \
             UNION ALL \
             SELECT up.start, p.parent_id, up.depth + 1 FROM up JOIN categories p ON p.id = up.id \
             WHERE p.parent_id IS NOT NULL) \
         SELECT up.start, up.depth, c.* FROM up JOIN categories c ON c.id = up.id ORDER BY up.start, up.depth DESC",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .load(conn)
    .await?;
    Ok(crate::db::group_pairs(rows.into_iter().map(|row| (row.start, row.category))))
}

/// The categories of these products, in tree order, by product.
pub async fn of_products(
    conn: &mut AsyncPgConnection,
    product_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<Category>>> {
    let rows: Vec<(Uuid, Category)> = product_categories::table
        .inner_join(categories::table)
        .filter(product_categories::product_id.eq_any(product_ids))
        .order((product_categories::product_id, categories::position, categories::name))
        .select((product_categories::product_id, Category::as_select()))
        .load(conn)
        .await?;
    Ok(crate::db::group_pairs(rows))
}

/// Serialises changes to the tree of the current tenant until the transaction ends, so two
/// concurrent moves cannot together make a cycle that each alone would not.
pub async fn lock_tree(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended('storegraph.categories:' || current_schema(), 0))")
        .execute(conn)
        .await
        .map(drop)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Whether `candidate` is `root` or below it.
pub async fn in_subtree(conn: &mut AsyncPgConnection, root: Uuid, candidate: Uuid) -> QueryResult<bool> {
    let found: Count = diesel::sql_query(
        "WITH RECURSIVE down (id) AS (SELECT $1::uuid UNION ALL \
             SELECT c.id FROM categories c JOIN down ON c.parent_id = down.id) \
         SELECT count(*) AS n FROM down WHERE id = $2",
    )
    .bind::<SqlUuid, _>(root)
    .bind::<SqlUuid, _>(candidate)
    .get_result(conn)
    .await?;
    Ok(found.n > 0)
}

/// Inserts a category.
pub async fn insert(conn: &mut AsyncPgConnection, new: &NewCategory) -> QueryResult<Category> {
    diesel::insert_into(categories::table).values(new).returning(Category::as_returning()).get_result(conn).await
}

/// Moves a category under `parent` (or to the roots), optionally to a new position.
pub async fn move_to(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    parent: Option<Uuid>,
    position: Option<i32>,
) -> QueryResult<Category> {
    let target = categories::table.find(id);
    match position {
        Some(position) => {
            diesel::update(target)
                .set((categories::parent_id.eq(parent), categories::position.eq(position)))
                .returning(Category::as_returning())
                .get_result(conn)
                .await
        }
        None => {
            diesel::update(target)
                .set(categories::parent_id.eq(parent))
                .returning(Category::as_returning())
                .get_result(conn)
                .await
        }
    }
}

/// Puts products in a category (those already in it stay). Returns how many were added.
pub async fn assign(conn: &mut AsyncPgConnection, category: Uuid, product_ids: &[Uuid]) -> QueryResult<usize> {
    let rows: Vec<_> = product_ids
        .iter()
        .map(|p| (product_categories::product_id.eq(*p), product_categories::category_id.eq(category)))
        .collect();
    diesel::insert_into(product_categories::table).values(rows).on_conflict_do_nothing().execute(conn).await
}

/// Takes products out of a category. Returns how many were removed.
pub async fn unassign(conn: &mut AsyncPgConnection, category: Uuid, product_ids: &[Uuid]) -> QueryResult<usize> {
    diesel::delete(
        product_categories::table
            .filter(product_categories::category_id.eq(category))
            .filter(product_categories::product_id.eq_any(product_ids)),
    )
    .execute(conn)
    .await
}

/// Which of these products exist.
pub async fn existing_products(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    products::table.filter(products::id.eq_any(ids)).select(products::id).load(conn).await
}
