//! Attributes: typed, filterable facts about products and variants (brand, material,
//! size…). A definition says an attribute's type (TEXT, NUMBER, BOOLEAN, DATE,
//! SELECT, MULTISELECT) and how its values are checked; SELECT types list their options.
//! An attribute set is a product template: an ordered list of attributes, some required.
//!
//! Storefront and admin tokens read definitions; everything else needs an admin token.
//! The catalog shows a product's values through [`product_values`] and
//! [`variant_values`] (one statement for a whole page, see [`prime`]), filters products
//! with [`products_matching`], and refuses to activate a product that
//! [`missing_required`] names attributes for.
//!
//! Owns the tables `attribute_definitions`, `attribute_options`, `attribute_sets`,
//! `attribute_set_members`, `attribute_values`; no other domain reads or writes them. Exports
//! attribute filters for the product listing (`products_matching`, `has_value`) and value loaders.

mod data;
mod definition_mutation;
mod filter;
mod loaders;
mod model;
mod objects;
mod query;
mod set_mutation;
mod validate;
mod value_mutation;

use async_graphql::MergedObject;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

pub use definition_mutation::AttributeDefinitionMutation;
pub use filter::{AttributeFilterInput, has_value, products_matching};
pub use loaders::{AttributeValuesByProduct, prime, product_values, variant_values};
pub use model::{AttributeDefinition, AttributeOption, AttributeSet, AttributeType};
pub use objects::AttributeValue;
pub use query::AttributeQuery;
pub use set_mutation::AttributeSetMutation;
pub use value_mutation::ProductAttributeMutation;

/// Every attribute mutation (admin only), merged.
#[derive(MergedObject, Default)]
pub struct AttributeMutation(AttributeDefinitionMutation, AttributeSetMutation, ProductAttributeMutation);

/// The attribute with this code, and its options (none unless it is SELECT or
/// MULTISELECT): for other domains that name an attribute value by code and value, as
/// `productAttributesSet` does.
pub async fn definition_by_code(
    conn: &mut AsyncPgConnection,
    code: &str,
) -> QueryResult<Option<(AttributeDefinition, Vec<AttributeOption>)>> {
    let Some(definition) = data::definition(conn, None, Some(code)).await? else {
        return Ok(None);
    };
    let options = if definition.attribute_type.has_options() {
        data::options_of(conn, &[definition.id]).await?.remove(&definition.id).unwrap_or_default()
    } else {
        Vec::new()
    };
    Ok(Some((definition, options)))
}

/// The codes of the attributes the product's attribute set marks required that the
/// product has no product-level value for, in set order (empty when the product has no
/// set). The catalog refuses to activate a product while this is not empty.
pub async fn missing_required(conn: &mut AsyncPgConnection, product_id: Uuid) -> QueryResult<Vec<String>> {
    data::missing_required(conn, product_id).await
}
