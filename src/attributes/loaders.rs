//! Dataloaders of the attribute domain, and the functions the catalog calls to show a
//! product's (or variant's) attribute values: one statement for the values of every
//! product a request touches, variants included.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead};
use uuid::Uuid;

use super::data;
use super::model::{AttributeOption, LoadedValue, SetMember};
use super::objects::AttributeValue;
use crate::db::DbError;
use crate::graphql::{internal_error, loader};
use crate::tenancy::TenantScope;

/// Fills in an empty list for every key the database had nothing for, so a cached miss
/// never goes back to the database.
fn every_key<V: Default>(keys: &[Uuid], mut found: HashMap<Uuid, V>) -> HashMap<Uuid, V> {
    keys.iter().map(|key| (*key, found.remove(key).unwrap_or_default())).collect()
}

/// Every attribute value of a product, product-level and variant-level, with its
/// definition and option, by product id. One statement per batch of products.
pub struct AttributeValuesByProduct(pub Arc<TenantScope>);

impl Loader<Uuid> for AttributeValuesByProduct {
    type Value = Vec<LoadedValue>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, data::values_of(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// The options of SELECT and MULTISELECT attributes, by attribute id.
pub struct OptionsByAttribute(pub Arc<TenantScope>);

impl Loader<Uuid> for OptionsByAttribute {
    type Value = Vec<AttributeOption>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, data::options_of(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

/// The members of attribute sets with their definitions, by set id.
pub struct MembersBySet(pub Arc<TenantScope>);

impl Loader<Uuid> for MembersBySet {
    type Value = Vec<SetMember>;
    type Error = Arc<DbError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut conn = self.0.conn().await?;
        Ok(every_key(keys, data::members_of(&mut conn, keys).await.map_err(DbError::from)?))
    }
}

async fn values_of(ctx: &Context<'_>, product_id: Uuid) -> async_graphql::Result<Vec<LoadedValue>> {
    let values = loader(ctx, AttributeValuesByProduct)?.load_one(product_id).await.map_err(|e| internal_error(&e))?;
    Ok(values.unwrap_or_default())
}

/// The product-level attribute values of a product, one object per attribute, in the
/// order of the product's attribute set (then by code). Batched across the request.
pub async fn product_values(ctx: &Context<'_>, product_id: Uuid) -> async_graphql::Result<Vec<AttributeValue>> {
    let values = values_of(ctx, product_id).await?;
    Ok(AttributeValue::group(values.into_iter().filter(|v| v.row.variant_id.is_none())))
}

/// The attribute values of one variant of a product, one object per attribute. They load
/// with their product's values (keyed by `product_id`), so the products of a page and all
/// their variants cost one statement together.
pub async fn variant_values(
    ctx: &Context<'_>,
    product_id: Uuid,
    variant_id: Uuid,
) -> async_graphql::Result<Vec<AttributeValue>> {
    let values = values_of(ctx, product_id).await?;
    Ok(AttributeValue::group(values.into_iter().filter(|v| v.row.variant_id == Some(variant_id))))
}

/// Whether the selection of the current field (a product listing, or one product) asks
/// for the options of the attributes of its values.
fn options_selected(ctx: &Context<'_>) -> bool {
    let under = |node: Lookahead<'_>| {
        let wanted = |values: Lookahead<'_>| values.field("attribute").field("options").exists();
        wanted(node.field("attributes")) || wanted(node.field("variants").field("attributes"))
    };
    let ahead = ctx.look_ahead();
    under(ahead.field("edges").field("node")) || under(ahead.field("nodes")) || under(ctx.look_ahead())
}

/// Loads the attribute values of a whole page of products (and their variants) at once,
/// so the per-product and per-variant resolvers find them cached; when the selection
/// asks for the attributes' options, those are loaded for the page too.
pub async fn prime(ctx: &Context<'_>, product_ids: &[Uuid]) -> async_graphql::Result<()> {
    let values = crate::graphql::prime(ctx, AttributeValuesByProduct, product_ids).await?;
    if options_selected(ctx) {
        let mut attributes: Vec<Uuid> = values
            .values()
            .flatten()
            .filter(|v| v.definition.attribute_type.has_options())
            .map(|v| v.definition.id)
            .collect();
        attributes.sort();
        attributes.dedup();
        crate::graphql::prime(ctx, OptionsByAttribute, &attributes).await?;
    }
    Ok(())
}
