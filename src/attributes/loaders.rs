//! Dataloaders of the attribute domain, and the functions the catalog calls to show a
//! product's (or variant's) attribute values: one statement for the values of every
//! product a request touches, variants included.

use async_graphql::{Context, Lookahead};
use uuid::Uuid;

use super::data;
use super::model::{AttributeDefinition, AttributeOption, AttributeSet, LoadedValue, SetMember};
use super::objects::AttributeValue;
use crate::catalog::Product;
use crate::graphql::{Children, children_of};

/// Every attribute value of a product, product-level and variant-level, with its
/// definition and option, by product id. One statement per batch of products.
pub type AttributeValuesByProduct = Children<Product, LoadedValue>;

/// The options of SELECT and MULTISELECT attributes, by attribute id.
pub type OptionsByAttribute = Children<AttributeDefinition, AttributeOption>;

/// The members of attribute sets with their definitions, by set id.
pub type MembersBySet = Children<AttributeSet, SetMember>;

crate::child_of!(LoadedValue: Product => data::values_of);

crate::child_of!(AttributeOption: AttributeDefinition => data::options_of);

crate::child_of!(SetMember: AttributeSet => data::members_of);

/// The product-level attribute values of a product, one object per attribute, in the
/// order of the product's attribute set (then by code). Batched across the request.
pub async fn product_values(ctx: &Context<'_>, product_id: Uuid) -> async_graphql::Result<Vec<AttributeValue>> {
    let values = children_of::<Product, LoadedValue>(ctx, product_id).await?;
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
    let values = children_of::<Product, LoadedValue>(ctx, product_id).await?;
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
    let values = crate::graphql::prime(ctx, AttributeValuesByProduct::new, product_ids).await?;
    if options_selected(ctx) {
        let mut attributes: Vec<Uuid> = values
            .values()
            .flatten()
            .filter(|v| v.definition.attribute_type.has_options())
            .map(|v| v.definition.id)
            .collect();
        attributes.sort();
        attributes.dedup();
        crate::graphql::prime(ctx, OptionsByAttribute::new, &attributes).await?;
    }
    Ok(())
}
