use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use uuid::Uuid;

use super::data;
use super::store_product::{StoreProduct, StoreProductValues};
use crate::catalog::Product;
use crate::graphql::{Decimal, MutationError, UserErrorCode, UserErrors, caller_scope, children_of, validate};
use crate::outcome::refuse;
use crate::tenancy::Role;

/// How a product appears in one store; fields left out stay as they are, `null` clears.
#[derive(InputObject)]
pub struct StoreProductSetInput {
    /// The store, by id…
    store_id: Option<ID>,
    /// …or by code.
    store_code: Option<String>,
    /// The product.
    product_id: ID,
    /// Show or hide it in the store.
    visible: Option<bool>,
    /// The store's price of the product, in the store's currency; `null` removes it.
    price_override: MaybeUndefined<Decimal>,
    /// The product's name in the store; `null`: its own.
    name: MaybeUndefined<String>,
    /// The product's description in the store; `null`: its own.
    description: MaybeUndefined<String>,
}

crate::payload!(
    /// The result of `storeProductSet`.
    StoreProductPayload {
        /// The product's settings in the store as they are now; null when refused.
        store_product: StoreProduct,
    }
);

// A product's store settings are read for a page of products at once.
crate::child_of!(StoreProduct: Product => data::store_products_of);

/// The settings every store has for a product (admin only), batched across a page.
pub async fn store_settings(ctx: &Context<'_>, product: Uuid) -> async_graphql::Result<Vec<StoreProduct>> {
    caller_scope(ctx, Role::Admin)?;
    children_of::<Product, StoreProduct>(ctx, product).await
}

/// Store product mutations (admin only).
#[derive(Default)]
pub struct StoreProductMutation;

#[Object]
impl StoreProductMutation {
    /// Sets how a product appears in a store: visibility, price override, localized text.
    async fn store_product_set(
        &self,
        ctx: &Context<'_>,
        input: StoreProductSetInput,
    ) -> async_graphql::Result<StoreProductPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let store_id = match (&input.store_id, &input.store_code) {
            (Some(id), None) => errors.id_at(&["storeId"], id),
            (None, Some(_)) => None,
            _ => {
                errors.add("storeId", UserErrorCode::Required, "give exactly one of storeId or storeCode");
                None
            }
        };
        let product_id = errors.id_at(&["productId"], &input.product_id);
        let price = input
            .price_override
            .as_opt_ref()
            .map(|p| p.map(|p| validate::price(&mut errors, &["priceOverride"], &p.0)));
        let name = input.name.as_opt_ref().map(|n| n.map(|n| text(&mut errors, "name", n, 300)));
        let description = input
            .description
            .as_opt_ref()
            .map(|d| d.map(|d| text(&mut errors, "description", d, crate::graphql::validate::DESCRIPTION_MAX)));
        let (Some(product_id), true) = (product_id, errors.is_empty()) else {
            return StoreProductPayload::from_outcome(Err(errors.into()));
        };
        let code = input.store_code.as_deref().map(str::trim);
        let result = crate::in_transaction!(scope, async |conn| {
            let store = match (store_id, code) {
                (Some(id), _) => data::by_id(conn, id).await?,
                (None, Some(code)) => data::by_code(conn, code).await?,
                (None, None) => None,
            };
            let field = if store_id.is_some() { "storeId" } else { "storeCode" };
            let store = store.ok_or_else(|| MutationError::user(field, UserErrorCode::NotFound, "no such store"))?;
            if !crate::catalog::product_exists(conn, product_id).await? {
                return refuse("productId", UserErrorCode::NotFound, "no such product");
            }
            let current = data::store_product(conn, store.id, product_id).await?;
            let mut values = current.map_or(
                StoreProductValues {
                    store_id: store.id,
                    product_id,
                    visible: true,
                    price_override: None,
                    override_currency: None,
                    name: None,
                    description: None,
                },
                |c| StoreProductValues {
                    store_id: c.store_id,
                    product_id: c.product_id,
                    visible: c.visible,
                    price_override: c.price_override,
                    override_currency: c.override_currency,
                    name: c.name,
                    description: c.description,
                },
            );
            if let Some(visible) = input.visible {
                values.visible = visible;
            }
            if let Some(price) = price {
                values.override_currency = price.as_ref().map(|_| store.default_currency.clone());
                values.price_override = price;
            }
            if let Some(name) = name {
                values.name = name;
            }
            if let Some(description) = description {
                values.description = description;
            }
            Ok(data::upsert_store_product(conn, &values).await?)
        });
        StoreProductPayload::from_outcome(result)
    }
}

/// Localized text: trimmed, not blank, at most `max` characters.
fn text(errors: &mut UserErrors, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(
            field,
            UserErrorCode::Required,
            format!("{field} cannot be blank; pass null to use the product's own"),
        );
    } else if value.chars().count() > max {
        errors.add(field, UserErrorCode::TooLong, format!("{field} must be at most {max} characters"));
    }
    value.to_owned()
}
