//! The admin mutation that sets a product's (or variant's) attribute values.

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, Object};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data;
use super::loaders::AttributeValuesByProduct;
use super::model::{LoadedValue, TypedValue};
use super::objects::AttributeValue;
use super::validate;
use crate::graphql::{MutationError, UserErrorCode, UserErrors, caller_scope, loader};
use crate::outcome::refuse;
use crate::tenancy::Role;

/// Most attributes one call sets.
const MAX_ITEMS: usize = 200;
/// Most values one attribute takes in one call.
const MAX_VALUES: usize = 200;

/// The values of one attribute.
#[derive(InputObject)]
pub struct AttributeValueInput {
    /// The attribute's code.
    code: String,
    /// Its values, written as in `AttributeValue.values`: an option value (SELECT takes
    /// one, MULTISELECT any number, each once), a decimal, `true`/`false`, a date
    /// `YYYY-MM-DD`, or text. An empty list removes the attribute's values.
    values: Vec<String>,
}

/// Attribute values of a product, or of one of its variants.
#[derive(InputObject)]
pub struct ProductAttributesSetInput {
    /// The product.
    product_id: ID,
    /// A variant of that product, to set the variant's values instead of the product's.
    variant_id: Option<ID>,
    /// For each listed attribute, its new values (replacing the ones it has); attributes
    /// not listed keep theirs.
    values: Vec<AttributeValueInput>,
}

crate::payload!(
    /// The result of `productAttributesSet`.
    ProductAttributesSetPayload {
        /// Every attribute value of the product (or of the variant) as it is now; null when the
        /// mutation was refused.
        attributes: Vec<AttributeValue>,
    }
);

/// One checked item of the input.
struct Item {
    attribute: Uuid,
    values: Vec<TypedValue>,
}

/// Checks every item against its definition, the options and the product's set, and
/// returns what to write; any problem refuses the whole input.
async fn checked_items(
    conn: &mut AsyncPgConnection,
    product: Uuid,
    variant: Option<Uuid>,
    input: &[AttributeValueInput],
) -> Result<Vec<Item>, MutationError> {
    let set = crate::catalog::lock_attribute_set(conn, product)
        .await?
        .ok_or_else(|| MutationError::user("productId", UserErrorCode::NotFound, "no product has this id"))?;
    if let Some(variant) = variant {
        if crate::catalog::product_of_variant(conn, variant).await? != Some(product) {
            return refuse("variantId", UserErrorCode::NotFound, "the product has no such variant");
        }
    }
    let codes: Vec<String> = input.iter().map(|item| item.code.trim().to_owned()).collect();
    let definitions = data::definitions_by_code(conn, &codes).await?;
    let with_options: Vec<Uuid> =
        definitions.values().filter(|d| d.attribute_type.has_options()).map(|d| d.id).collect();
    let mut options = data::options_of(conn, &with_options).await?;
    let required: HashSet<Uuid> = match (set, variant) {
        (Some(set), None) => data::required_attributes(conn, set).await?.into_iter().collect(),
        _ => HashSet::new(),
    };

    let mut errors = UserErrors::default();
    let mut items = Vec::with_capacity(input.len());
    for (i, (item, code)) in input.iter().zip(&codes).enumerate() {
        let i = i.to_string();
        let Some(definition) = definitions.get(code) else {
            errors.add_at(&["values", &i, "code"], UserErrorCode::NotFound, format!("there is no attribute '{code}'"));
            continue;
        };
        let path = ["values", i.as_str(), "values"];
        if item.values.is_empty() && required.contains(&definition.id) {
            errors.add_at(
                &path,
                UserErrorCode::MissingRequiredAttribute,
                format!("the product's attribute set requires a value for '{code}'"),
            );
            continue;
        }
        let allowed = options.entry(definition.id).or_default();
        let values = validate::values(&mut errors, &path, definition, allowed, &item.values);
        items.push(Item { attribute: definition.id, values });
    }
    if errors.is_empty() { Ok(items) } else { Err(errors.into()) }
}

/// Checks the input's shape before any query: ids, codes present and listed once, sizes.
fn checked_shape(errors: &mut UserErrors, input: &ProductAttributesSetInput) -> (Option<Uuid>, Option<Option<Uuid>>) {
    let product = errors.id_at(&["productId"], &input.product_id);
    let variant = match &input.variant_id {
        Some(id) => errors.id_at(&["variantId"], id).map(Some),
        None => Some(None),
    };
    if input.values.len() > MAX_ITEMS {
        errors.add("values", UserErrorCode::Invalid, format!("at most {MAX_ITEMS} attributes at once"));
        return (product, variant);
    }
    let mut seen = HashSet::new();
    for (i, item) in input.values.iter().enumerate() {
        let i = i.to_string();
        let code = item.code.trim();
        if code.is_empty() {
            errors.add_at(&["values", &i, "code"], UserErrorCode::Required, "code is required");
        } else if !seen.insert(code) {
            errors.add_at(
                &["values", &i, "code"],
                UserErrorCode::Duplicate,
                format!("attribute '{code}' is listed twice"),
            );
        }
        if item.values.len() > MAX_VALUES {
            errors.add_at(
                &["values", &i, "values"],
                UserErrorCode::InvalidAttributeValue,
                format!("at most {MAX_VALUES} values per attribute"),
            );
        }
    }
    (product, variant)
}

/// Product attribute mutations (admin only).
#[derive(Default)]
pub struct ProductAttributeMutation;

#[Object]
impl ProductAttributeMutation {
    /// Sets attribute values of a product, or of one of its variants: each listed attribute
    /// gets exactly the given values (an empty list removes them). Values are checked
    /// against their attribute's type, bounds and options; an attribute the product's set
    /// requires cannot be emptied on the product. All or nothing.
    async fn product_attributes_set(
        &self,
        ctx: &Context<'_>,
        input: ProductAttributesSetInput,
    ) -> async_graphql::Result<ProductAttributesSetPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let (product, variant) = checked_shape(&mut errors, &input);
        let (Some(product), Some(variant), true) = (product, variant, errors.is_empty()) else {
            return ProductAttributesSetPayload::from_outcome(Err(errors.into()));
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let items = checked_items(conn, product, variant, &input.values).await?;
            for item in &items {
                data::replace_values(conn, product, variant, item.attribute, &item.values).await?;
            }
            Ok(data::values_of(conn, &[product]).await?.remove(&product).unwrap_or_default())
        });
        let result = match result {
            Ok(stored) => {
                let mine: Vec<LoadedValue> = stored.iter().filter(|v| v.row.variant_id == variant).cloned().collect();
                // Later fields of this request read the product's values as they are now.
                loader(ctx, AttributeValuesByProduct::new)?.feed_one(product, stored).await;
                Ok(AttributeValue::group(mine))
            }
            Err(e) => Err(e),
        };
        ProductAttributesSetPayload::from_outcome(result)
    }
}
