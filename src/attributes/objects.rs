//! The GraphQL object types of the attribute domain.

use async_graphql::{ComplexObject, Context, ID, Object};
use chrono::NaiveDate;
use uuid::Uuid;

use super::model::{AttributeDefinition, AttributeOption, AttributeSet, AttributeType, LoadedValue, SetMember};
use crate::graphql::{Decimal, children_of};

#[Object]
impl AttributeDefinition {
    /// Stable id (a UUID).
    async fn id(&self) -> ID {
        ID(self.id.to_string())
    }
    /// Business key, unique in the tenant (`attributeDefinition(code:)`, filters, values).
    async fn code(&self) -> &str {
        &self.code
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.name
    }
    /// Kind of value.
    #[graphql(name = "type")]
    async fn attribute_type(&self) -> AttributeType {
        self.attribute_type
    }
    /// Whether storefronts may offer it as a filter.
    async fn filterable(&self) -> bool {
        self.filterable
    }
    /// The allowed values of a SELECT or MULTISELECT attribute, in order (empty for the
    /// other types; batched across the request).
    async fn options(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AttributeOption>> {
        if !self.attribute_type.has_options() {
            return Ok(Vec::new());
        }
        children_of::<AttributeDefinition, AttributeOption>(ctx, self.id).await
    }
    /// Smallest allowed value of a NUMBER attribute.
    async fn min_number(&self) -> Option<Decimal> {
        self.min_number.as_ref().map(|n| Decimal(n.normalized()))
    }
    /// Largest allowed value of a NUMBER attribute.
    async fn max_number(&self) -> Option<Decimal> {
        self.max_number.as_ref().map(|n| Decimal(n.normalized()))
    }
    /// Longest allowed value of a TEXT attribute, in characters.
    async fn max_length(&self) -> Option<i32> {
        self.max_length
    }
}

#[ComplexObject]
impl AttributeSet {
    /// Its attributes, in order (batched across the request).
    async fn attributes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SetMember>> {
        children_of::<AttributeSet, SetMember>(ctx, self.id).await
    }
}

/// The values of one attribute of a product or variant.
#[derive(Debug, Clone)]
pub struct AttributeValue {
    definition: AttributeDefinition,
    values: Vec<LoadedValue>,
}

impl AttributeValue {
    /// Groups stored values one object per attribute, keeping the order in which each
    /// attribute first appears (the loaders' order: set position, then code).
    pub fn group(values: impl IntoIterator<Item = LoadedValue>) -> Vec<AttributeValue> {
        let mut grouped: Vec<AttributeValue> = Vec::new();
        let mut index: std::collections::HashMap<Uuid, usize> = std::collections::HashMap::new();
        for value in values {
            let at = *index.entry(value.definition.id).or_insert_with(|| {
                grouped.push(AttributeValue { definition: value.definition.clone(), values: Vec::new() });
                grouped.len() - 1
            });
            grouped[at].values.push(value);
        }
        grouped
    }
}

#[Object]
impl AttributeValue {
    /// The attribute.
    async fn attribute(&self) -> &AttributeDefinition {
        &self.definition
    }
    /// Every value in its canonical string form: the option value (SELECT, MULTISELECT),
    /// a plain decimal (NUMBER), `true`/`false`, an ISO date `YYYY-MM-DD`, or the text.
    async fn values(&self) -> Vec<String> {
        self.values.iter().map(LoadedValue::canonical).collect()
    }
    /// The chosen options of a SELECT or MULTISELECT attribute, in the order they were given.
    async fn options(&self) -> Vec<&AttributeOption> {
        self.values.iter().filter_map(|v| v.option.as_ref()).collect()
    }
    /// The value of a TEXT attribute.
    async fn text(&self) -> Option<&str> {
        self.values.iter().find_map(|v| v.row.text_value.as_deref())
    }
    /// The value of a NUMBER attribute.
    async fn number(&self) -> Option<Decimal> {
        self.values.iter().find_map(|v| v.row.number_value.as_ref()).map(|n| Decimal(n.normalized()))
    }
    /// The value of a BOOLEAN attribute.
    async fn boolean(&self) -> Option<bool> {
        self.values.iter().find_map(|v| v.row.boolean_value)
    }
    /// The value of a DATE attribute.
    async fn date(&self) -> Option<NaiveDate> {
        self.values.iter().find_map(|v| v.row.date_value)
    }
}
