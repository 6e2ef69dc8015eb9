use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::data::{self, ATTRIBUTE_SET_CONSTRAINT, SKU_TAKEN_CONSTRAINT, SLUG_TAKEN_CONSTRAINT};
use super::model::{NewImage, NewProduct, NewVariant, Product, ProductChanges, ProductStatus, ProductType};
use super::product_objects::ProductView;
use super::validate;
use crate::graphql::{Decimal, MutationError, UserErrorCode, UserErrors, caller_scope, validate as shared};
use crate::outcome::{Violation, refused};
use crate::tenancy::Role;

/// One option of a new variant.
#[derive(InputObject)]
pub struct OptionValueInput {
    /// The option, e.g. `size`.
    pub(super) name: String,
    /// Its value, e.g. `M`.
    pub(super) value: String,
}

/// A new variant.
#[derive(InputObject)]
pub struct ProductVariantInput {
    /// Stock-keeping unit, unique in the tenant.
    sku: String,
    /// Display name.
    #[graphql(default)]
    name: String,
    /// Its own price; without one it sells at the product's base price.
    price: Option<Decimal>,
    /// The options that tell it apart, e.g. size and colour.
    #[graphql(default)]
    option_values: Vec<OptionValueInput>,
}

/// A new image.
#[derive(InputObject)]
pub struct ProductImageInput {
    /// Absolute http(s) URL.
    pub(super) url: String,
    /// Alternative text.
    #[graphql(default)]
    pub(super) alt: String,
}

/// A new product with its variants and images.
#[derive(InputObject)]
pub struct ProductCreateInput {
    /// Business key: lowercase words joined by `-`.
    slug: String,
    /// Display name.
    name: String,
    /// Long description.
    #[graphql(default)]
    description: String,
    /// Life-cycle status (DRAFT unless given).
    #[graphql(default_with = "ProductStatus::Draft")]
    status: ProductStatus,
    /// Kind of product (SIMPLE unless given).
    #[graphql(default_with = "ProductType::Simple")]
    product_type: ProductType,
    /// Price of variants without their own.
    base_price: Decimal,
    /// ISO 4217 code of all the product's prices.
    currency: String,
    /// Search-engine title.
    seo_title: Option<String>,
    /// Search-engine description.
    seo_description: Option<String>,
    /// The attribute set it follows. A product whose set has required attributes is
    /// created without values, so it cannot start ACTIVE.
    attribute_set_id: Option<ID>,
    /// The variants, in order.
    #[graphql(default)]
    variants: Vec<ProductVariantInput>,
    /// The images, in order.
    #[graphql(default)]
    images: Vec<ProductImageInput>,
}

/// Changes to a product; fields left out stay as they are. Archive a product by setting
/// its status to ARCHIVED: it leaves storefronts and stays for orders and history.
#[derive(InputObject)]
pub struct ProductUpdateInput {
    /// The product to change.
    id: ID,
    /// New slug.
    slug: Option<String>,
    /// New display name.
    name: Option<String>,
    /// New description.
    description: Option<String>,
    /// New status.
    status: Option<ProductStatus>,
    /// New kind.
    product_type: Option<ProductType>,
    /// New base price.
    base_price: Option<Decimal>,
    /// New currency of all the product's prices.
    currency: Option<String>,
    /// New search-engine title; `null` removes it.
    seo_title: MaybeUndefined<String>,
    /// New search-engine description; `null` removes it.
    seo_description: MaybeUndefined<String>,
    /// New attribute set; `null` removes it.
    attribute_set_id: MaybeUndefined<ID>,
}

crate::payload!(
    /// The result of a product mutation.
    ProductPayload {
        /// The product as it is now; null when the mutation was refused.
        product: ProductView,
    }
);

/// What a product's (and its variants') constraints mean to the client.
pub(super) const CONFLICTS: &[Violation] = &[
    Violation::new(SLUG_TAKEN_CONSTRAINT, "slug", UserErrorCode::Duplicate, "another product has this slug"),
    Violation::new(ATTRIBUTE_SET_CONSTRAINT, "attributeSetId", UserErrorCode::NotFound, "no such attribute set"),
    Violation::new(
        SKU_TAKEN_CONSTRAINT,
        "variants",
        UserErrorCode::DuplicateSku,
        "a variant of another product has one of these SKUs",
    ),
];

/// Refuses an ACTIVE product that lacks a value of a required attribute of its set.
async fn check_required_attributes(
    conn: &mut diesel_async::AsyncPgConnection,
    product: &Product,
) -> Result<(), MutationError> {
    if product.status != ProductStatus::Active || product.attribute_set_id.is_none() {
        return Ok(());
    }
    let missing = crate::attributes::missing_required(conn, product.id).await?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(MutationError::user(
        "status",
        UserErrorCode::MissingRequiredAttribute,
        format!("set the required attributes first: {}", missing.join(", ")),
    ))
}

/// Validates option values given at `prefix` (e.g. `["variants", "0"]`) into a JSON object.
pub(super) fn option_values(errors: &mut UserErrors, prefix: &[&str], input: &[OptionValueInput]) -> serde_json::Value {
    let mut options = serde_json::Map::new();
    for (n, option) in input.iter().enumerate() {
        let n = n.to_string();
        let path: Vec<&str> = prefix.iter().copied().chain(["optionValues", n.as_str()]).collect();
        let name = validate::required_text(errors, &path, &option.name, 50);
        let value = validate::required_text(errors, &path, &option.value, 100);
        if options.insert(name.clone(), value.into()).is_some() {
            errors.add_at(&path, UserErrorCode::Duplicate, format!("option '{name}' is given twice"));
        }
    }
    options.into()
}

/// Validates a new variant given at `prefix`.
pub(super) fn variant(
    errors: &mut UserErrors,
    prefix: &[&str],
    input: &ProductVariantInput,
    seen: &mut HashSet<String>,
) -> NewVariant {
    let at = |field: &'static str| prefix.iter().copied().chain([field]).collect::<Vec<_>>();
    NewVariant {
        sku: validate::sku(errors, &at("sku"), &input.sku, seen),
        name: input.name.trim().chars().take(300).collect(),
        price: input.price.as_ref().map(|p| shared::price(errors, &at("price"), &p.0)),
        option_values: option_values(errors, prefix, &input.option_values),
    }
}

/// A product input that passed validation, ready to insert.
pub(super) struct ValidProduct {
    product: NewProduct,
    variants: Vec<NewVariant>,
    images: Vec<NewImage>,
}

impl ValidProduct {
    /// Inserts it (call inside a transaction); a taken slug or SKU is a userError.
    pub(super) async fn insert(&self, conn: &mut diesel_async::AsyncPgConnection) -> Result<Product, MutationError> {
        let product =
            data::insert(conn, &self.product, &self.variants, &self.images).await.map_err(refused(CONFLICTS))?;
        check_required_attributes(conn, &product).await?;
        Ok(product)
    }
}

/// Validates a new product. `slugs` and `skus` collect what earlier products of the same
/// call used, so a batch cannot repeat them.
pub(super) fn validate_create(
    errors: &mut UserErrors,
    input: &ProductCreateInput,
    slugs: &mut HashSet<String>,
    skus: &mut HashSet<String>,
) -> ValidProduct {
    let product = NewProduct {
        slug: validate::slug(errors, &input.slug),
        name: validate::required_text(errors, &["name"], &input.name, 300),
        description: crate::graphql::validate::text(
            errors,
            &["description"],
            &input.description,
            crate::graphql::validate::DESCRIPTION_MAX,
        ),
        status: input.status,
        product_type: input.product_type,
        base_price: shared::price(errors, &["basePrice"], &input.base_price.0),
        currency: shared::currency(errors, "currency", &input.currency),
        seo_title: validate::optional_text(errors, &["seoTitle"], input.seo_title.as_deref(), 300),
        seo_description: validate::optional_text(errors, &["seoDescription"], input.seo_description.as_deref(), 1000),
        attribute_set_id: input.attribute_set_id.as_ref().and_then(|id| errors.id_at(&["attributeSetId"], id)),
    };
    if !product.slug.is_empty() && !slugs.insert(product.slug.clone()) {
        errors.add("slug", UserErrorCode::Duplicate, "an earlier product of this call has this slug");
    }
    let variants: Vec<NewVariant> = input
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| variant(errors, &["variants", &i.to_string()], v, skus))
        .collect();
    let images: Vec<NewImage> = input
        .images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            let i = i.to_string();
            NewImage {
                url: validate::url(errors, &["images", &i, "url"], &image.url),
                alt: validate::optional_text(errors, &["images", &i, "alt"], Some(&image.alt), 500).unwrap_or_default(),
            }
        })
        .collect();
    ValidProduct { product, variants, images }
}

/// Catalog mutations (admin only).
#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Changes a product's own fields (its variants and images have mutations of their own).
    async fn product_update(
        &self,
        ctx: &Context<'_>,
        input: ProductUpdateInput,
    ) -> async_graphql::Result<ProductPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let changes = ProductChanges {
            slug: input.slug.as_deref().map(|s| validate::slug(&mut errors, s)),
            name: input.name.as_deref().map(|n| validate::required_text(&mut errors, &["name"], n, 300)),
            description: input.description.as_deref().map(|d| {
                crate::graphql::validate::text(
                    &mut errors,
                    &["description"],
                    d,
                    crate::graphql::validate::DESCRIPTION_MAX,
                )
            }),
            status: input.status,
            product_type: input.product_type,
            base_price: input.base_price.as_ref().map(|p| shared::price(&mut errors, &["basePrice"], &p.0)),
            currency: input.currency.as_deref().map(|c| shared::currency(&mut errors, "currency", c)),
            seo_title: input
                .seo_title
                .as_opt_ref()
                .map(|t| t.and_then(|t| validate::optional_text(&mut errors, &["seoTitle"], Some(t), 300))),
            seo_description: input
                .seo_description
                .as_opt_ref()
                .map(|d| d.and_then(|d| validate::optional_text(&mut errors, &["seoDescription"], Some(d), 1000))),
            attribute_set_id: match &input.attribute_set_id {
                MaybeUndefined::Value(id) => Some(errors.id_at(&["attributeSetId"], id)),
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Undefined => None,
            },
        };
        let (Some(id), true) = (id, errors.is_empty()) else {
            return ProductPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let product = data::update(conn, id, &changes)
                .await
                .map_err(refused(CONFLICTS))?
                .ok_or_else(|| MutationError::user("id", UserErrorCode::NotFound, "no product has this id"))?;
            check_required_attributes(conn, &product).await?;
            Ok(product)
        });
        ProductPayload::from_outcome(result.map(ProductView::from))
    }

    /// Creates a product with its variants and images, all or nothing.
    async fn product_create(
        &self,
        ctx: &Context<'_>,
        input: ProductCreateInput,
    ) -> async_graphql::Result<ProductPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let valid = validate_create(&mut errors, &input, &mut HashSet::new(), &mut HashSet::new());
        if !errors.is_empty() {
            return ProductPayload::from_outcome(Err(errors.into()));
        }
        let result = crate::in_transaction!(scope, async |conn| valid.insert(conn).await);
        ProductPayload::from_outcome(result.map(ProductView::from))
    }
}
