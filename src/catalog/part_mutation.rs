//! Mutations on the parts of a product: its variants and its images.

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data;
use super::model::{NewImage, Product, Variant, VariantChanges};
use super::mutation::{
    CONFLICTS, OptionValueInput, ProductImageInput, ProductPayload, ProductVariantInput, option_values, variant,
};
use super::product_objects::ProductView;
use super::validate;
use crate::graphql::{Decimal, MutationError, UserErrorCode, UserErrors, caller_scope, validate as shared};
use crate::outcome::refused;
use crate::tenancy::Role;

/// A variant added to an existing product.
#[derive(InputObject)]
pub struct ProductVariantCreateInput {
    /// The product.
    product_id: ID,
    /// The variant.
    #[graphql(flatten)]
    variant: ProductVariantInput,
}

/// Changes to a variant; fields left out stay as they are.
#[derive(InputObject)]
pub struct ProductVariantUpdateInput {
    /// The variant to change.
    id: ID,
    /// New SKU, unique in the tenant.
    sku: Option<String>,
    /// New display name.
    name: Option<String>,
    /// New own price; `null` makes it sell at the product's base price.
    price: MaybeUndefined<Decimal>,
    /// New option values (replacing all of them).
    option_values: Option<Vec<OptionValueInput>>,
}

/// An image added to an existing product, after its other images.
#[derive(InputObject)]
pub struct ProductImageAddInput {
    /// The product.
    product_id: ID,
    /// The image.
    #[graphql(flatten)]
    image: ProductImageInput,
}

/// An image to remove.
#[derive(InputObject)]
pub struct ProductImageRemoveInput {
    /// The image.
    id: ID,
}

/// A new order for a product's images.
#[derive(InputObject)]
pub struct ProductImagesReorderInput {
    /// The product.
    product_id: ID,
    /// All of its images, in their new order.
    image_ids: Vec<ID>,
}

crate::payload!(
    /// The result of a variant mutation.
    ProductVariantPayload {
        /// The variant as it is now; null when the mutation was refused.
        variant: Variant,
    }
);

async fn product(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Product, MutationError> {
    data::product_by_id(conn, id)
        .await?
        .ok_or_else(|| MutationError::user("productId", UserErrorCode::NotFound, "no such product"))
}

async fn variant_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Variant, MutationError> {
    let price = crate::pricing::PriceContext::tenant_wide();
    Ok(data::variants_by_ids(conn, &[id], &price)
        .await?
        .remove(&id)
        .ok_or_else(|| MutationError::user("id", UserErrorCode::NotFound, "no such variant"))?
        .0)
}

/// Variant and image mutations (admin only).
#[derive(Default)]
pub struct ProductPartMutation;

#[Object]
impl ProductPartMutation {
    /// Adds a variant to a product, after its other variants.
    async fn product_variant_create(
        &self,
        ctx: &Context<'_>,
        input: ProductVariantCreateInput,
    ) -> async_graphql::Result<ProductVariantPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let product_id = errors.id_at(&["productId"], &input.product_id);
        let new = variant(&mut errors, &[], &input.variant, &mut HashSet::new());
        let Some(product_id) = product_id.filter(|_| errors.is_empty()) else {
            return ProductVariantPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            product(conn, product_id).await?;
            let ids = data::insert_variants(conn, product_id, std::slice::from_ref(&new))
                .await
                .map_err(refused(CONFLICTS))?;
            variant_by_id(conn, ids[0]).await
        });
        ProductVariantPayload::from_outcome(result)
    }

    /// Changes a variant.
    async fn product_variant_update(
        &self,
        ctx: &Context<'_>,
        input: ProductVariantUpdateInput,
    ) -> async_graphql::Result<ProductVariantPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let changes = VariantChanges {
            sku: input.sku.as_deref().map(|s| validate::sku(&mut errors, &["sku"], s, &mut HashSet::new())),
            name: input.name.as_deref().map(|n| n.trim().chars().take(300).collect()),
            price: input.price.as_opt_ref().map(|p| p.map(|p| shared::price(&mut errors, &["price"], &p.0))),
            option_values: input.option_values.as_deref().map(|o| option_values(&mut errors, &[], o)),
        };
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return ProductVariantPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            if changes.sku.is_some()
                || changes.name.is_some()
                || changes.price.is_some()
                || changes.option_values.is_some()
            {
                data::update_variant(conn, id, &changes).await.map_err(refused(CONFLICTS))?;
            }
            variant_by_id(conn, id).await
        });
        ProductVariantPayload::from_outcome(result)
    }

    /// Adds an image to a product, after its other images.
    async fn product_image_add(
        &self,
        ctx: &Context<'_>,
        input: ProductImageAddInput,
    ) -> async_graphql::Result<ProductPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let product_id = errors.id_at(&["productId"], &input.product_id);
        let image = NewImage {
            url: validate::url(&mut errors, &["url"], &input.image.url),
            alt: validate::optional_text(&mut errors, &["alt"], Some(&input.image.alt), 500).unwrap_or_default(),
        };
        let Some(product_id) = product_id.filter(|_| errors.is_empty()) else {
            return ProductPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let found = product(conn, product_id).await?;
            data::insert_images(conn, product_id, std::slice::from_ref(&image)).await?;
            Ok(found)
        });
        ProductPayload::from_outcome(result.map(ProductView::from))
    }

    /// Removes an image from its product.
    async fn product_image_remove(
        &self,
        ctx: &Context<'_>,
        input: ProductImageRemoveInput,
    ) -> async_graphql::Result<ProductPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let Some(id) = errors.id_at(&["id"], &input.id) else {
            return ProductPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let product_id = data::delete_image(conn, id)
                .await?
                .ok_or_else(|| MutationError::user("id", UserErrorCode::NotFound, "no such image"))?;
            product(conn, product_id).await
        });
        ProductPayload::from_outcome(result.map(ProductView::from))
    }

    /// Puts a product's images in a new order; the list must name each of them once.
    async fn product_images_reorder(
        &self,
        ctx: &Context<'_>,
        input: ProductImagesReorderInput,
    ) -> async_graphql::Result<ProductPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let product_id = errors.id_at(&["productId"], &input.product_id);
        let order: Vec<Uuid> = input.image_ids.iter().filter_map(|id| errors.id_at(&["imageIds"], id)).collect();
        let Some(product_id) = product_id.filter(|_| errors.is_empty()) else {
            return ProductPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let found = product(conn, product_id).await?;
            let mut current = data::image_ids(conn, product_id).await?;
            let mut given = order.clone();
            current.sort();
            given.sort();
            if current != given {
                let mut errors = UserErrors::default();
                errors.add("imageIds", UserErrorCode::Invalid, "list each of the product's images exactly once");
                return Err(errors.into());
            }
            data::reorder_images(conn, &order).await?;
            Ok(found)
        });
        ProductPayload::from_outcome(result.map(ProductView::from))
    }
}
