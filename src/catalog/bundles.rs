//! Bundles: a BUNDLE product is sold as one item made of variants of other products, each
//! in a quantity. Its price is its own (its variants'); its availability follows its
//! components' stock.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::data;
use super::loaders::{by_store, online};
use super::model::{ProductType, Variant};
use super::mutation::ProductPayload;
use super::product_objects::{ProductView, StoreKey};
use crate::db::DbError;
use crate::db::schema::{bundle_components, products};
use crate::graphql::{MutationError, UserErrorCode, UserErrors, caller_scope};
use crate::outcome::refuse;
use crate::pricing::PriceContext;
use crate::tenancy::{Role, TenantScope};

/// The most components a bundle may have.
const MAX_COMPONENTS: usize = 50;

/// One part of a bundle.
#[derive(SimpleObject, Debug, Clone)]
pub struct BundleComponent {
    /// The variant included, priced where the bundle is seen.
    pub variant: Variant,
    /// How many of it one bundle holds.
    pub quantity: i32,
    /// Order among the bundle's components, from 0.
    pub position: i32,
}

/// The components of these bundles with their variants priced in `price`, by bundle.
async fn components_of(
    conn: &mut AsyncPgConnection,
    bundles: &[Uuid],
    price: &PriceContext,
) -> QueryResult<HashMap<Uuid, Vec<BundleComponent>>> {
    let rows: Vec<(Uuid, Uuid, i32, i32)> = bundle_components::table
        .filter(bundle_components::bundle_id.eq_any(bundles))
        .order((bundle_components::bundle_id, bundle_components::position))
        .select((
            bundle_components::bundle_id,
            bundle_components::variant_id,
            bundle_components::quantity,
            bundle_components::position,
        ))
        .load(conn)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.1).collect::<HashSet<_>>().into_iter().collect();
    let variants = data::variants_by_ids(conn, &ids, price).await?;
    Ok(crate::db::group_pairs(rows.into_iter().filter_map(|(bundle, variant, quantity, position)| {
        let (variant, _) = variants.get(&variant)?;
        Some((bundle, BundleComponent { variant: variant.clone(), quantity, position }))
    })))
}

/// Replaces a bundle's components with `rows` (variant, quantity), in order.
async fn replace_components(conn: &mut AsyncPgConnection, bundle: Uuid, rows: &[(Uuid, i32)]) -> QueryResult<()> {
    diesel::delete(bundle_components::table.filter(bundle_components::bundle_id.eq(bundle))).execute(conn).await?;
    let values: Vec<_> = rows
        .iter()
        .enumerate()
        .map(|(position, (variant, quantity))| {
            (
                bundle_components::bundle_id.eq(bundle),
                bundle_components::variant_id.eq(*variant),
                bundle_components::quantity.eq(*quantity),
                bundle_components::position.eq(position as i32),
            )
        })
        .collect();
    diesel::insert_into(bundle_components::table).values(values).execute(conn).await?;
    diesel::update(products::table.find(bundle)).set(products::updated_at.eq(diesel::dsl::now)).execute(conn).await?;
    Ok(())
}

/// Bundle components by bundle product and the store they are seen from.
pub struct BundleComponentsByProduct(pub Arc<TenantScope>);

impl Loader<(Uuid, StoreKey)> for BundleComponentsByProduct {
    type Value = Vec<BundleComponent>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[(Uuid, StoreKey)]) -> Result<HashMap<(Uuid, StoreKey), Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        let mut out = HashMap::with_capacity(keys.len());
        for (store, ids) in by_store(keys) {
            let mut found = components_of(&mut conn, &ids, &online(&store)).await.map_err(DbError::from)?;
            out.extend(ids.into_iter().map(|id| ((id, store.clone()), found.remove(&id).unwrap_or_default())));
        }
        Ok(out)
    }
}

/// One component of a bundle.
#[derive(InputObject)]
pub struct BundleComponentInput {
    /// The variant, by id…
    variant_id: Option<ID>,
    /// …or by SKU.
    sku: Option<String>,
    /// How many of it one bundle holds (1 to 10000).
    #[graphql(default = 1)]
    quantity: i32,
}

/// The complete list of a bundle's components, replacing what it had.
#[derive(InputObject)]
pub struct ProductBundleSetInput {
    /// The BUNDLE product.
    product_id: ID,
    /// Its components, in order (at most 50).
    components: Vec<BundleComponentInput>,
}

/// Bundle mutations (admin only).
#[derive(Default)]
pub struct BundleMutation;

#[Object]
impl BundleMutation {
    /// Sets what a BUNDLE product is made of. Components are variants of other products
    /// that are not bundles themselves, each listed once.
    async fn product_bundle_set(
        &self,
        ctx: &Context<'_>,
        input: ProductBundleSetInput,
    ) -> async_graphql::Result<ProductPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let product_id = errors.id_at(&["productId"], &input.product_id);
        if input.components.len() > MAX_COMPONENTS {
            errors.add(
                "components",
                UserErrorCode::Invalid,
                format!("a bundle has at most {MAX_COMPONENTS} components"),
            );
        }
        let mut wanted = Vec::new();
        for (n, component) in input.components.iter().enumerate() {
            let n = n.to_string();
            let (id, sku) = errors.variant_ref(&["components", &n], &component.variant_id, &component.sku);
            if !(1..=10_000).contains(&component.quantity) {
                errors.add_at(&["components", &n, "quantity"], UserErrorCode::Invalid, "quantity must be 1 to 10000");
            }
            wanted.push((id, sku, component.quantity));
        }
        let (Some(product_id), true) = (product_id, errors.is_empty()) else {
            return ProductPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let bundle = data::product_by_id(conn, product_id)
                .await?
                .ok_or_else(|| MutationError::user("productId", UserErrorCode::NotFound, "no such product"))?;
            if bundle.product_type != ProductType::Bundle {
                return refuse("productId", UserErrorCode::Invalid, "the product is not a BUNDLE");
            }
            let mut errors = UserErrors::default();
            let mut rows = Vec::new();
            let mut seen = HashSet::new();
            for (n, (id, sku, quantity)) in wanted.iter().enumerate() {
                let n = n.to_string();
                let field = if id.is_some() { "variantId" } else { "sku" };
                let Some(variant) = data::variant_id(conn, *id, sku.as_deref()).await? else {
                    errors.add_at(&["components", &n, field], UserErrorCode::NotFound, "no such variant");
                    continue;
                };
                let owner = data::owner_of(conn, variant).await?;
                if owner.0 == product_id || owner.1 == ProductType::Bundle {
                    errors.add_at(
                        &["components", &n, field],
                        UserErrorCode::Invalid,
                        "a component must be a variant of another product that is not a bundle",
                    );
                } else if !seen.insert(variant) {
                    errors.add_at(&["components", &n, field], UserErrorCode::Duplicate, "this variant is listed twice");
                }
                rows.push((variant, *quantity));
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }
            replace_components(conn, product_id, &rows).await?;
            Ok(bundle)
        });
        ProductPayload::from_outcome(result.map(ProductView::from))
    }
}
