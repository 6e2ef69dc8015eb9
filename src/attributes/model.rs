//! The rows of the attribute tables and the values that go into them.

use bigdecimal::BigDecimal;
use chrono::NaiveDate;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{attribute_definitions, attribute_options, attribute_sets, attribute_values};

crate::text_enum! {
    /// What kind of value an attribute holds, which decides how its values are checked,
    /// stored and compared.
    #[derive(async_graphql::Enum)]
    pub enum AttributeType {
        /// Free text (optionally with a maximum length).
        Text = "text",
        /// A decimal number (optionally within bounds).
        Number = "number",
        /// `true` or `false`.
        Boolean = "boolean",
        /// A calendar date, `YYYY-MM-DD`.
        Date = "date",
        /// Exactly one of the definition's options.
        Select = "select",
        /// Any number of the definition's options, each at most once.
        Multiselect = "multiselect",
    }
}

impl AttributeType {
    /// Whether values of this type are options of the definition.
    pub fn has_options(self) -> bool {
        matches!(self, Self::Select | Self::Multiselect)
    }
}

/// A row of `attribute_definitions`: what an attribute is called and what it may hold.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attribute_definitions)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct AttributeDefinition {
    /// Stable id.
    pub id: Uuid,
    /// Business key, unique in the tenant.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Kind of value.
    pub attribute_type: AttributeType,
    /// Whether storefronts may offer it as a filter.
    pub filterable: bool,
    /// Smallest allowed NUMBER value.
    pub min_number: Option<BigDecimal>,
    /// Largest allowed NUMBER value.
    pub max_number: Option<BigDecimal>,
    /// Longest allowed TEXT value, in characters.
    pub max_length: Option<i32>,
}

/// One allowed value of a SELECT or MULTISELECT attribute.
#[derive(Debug, Clone, Queryable, Selectable, async_graphql::SimpleObject)]
#[diesel(table_name = attribute_options)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct AttributeOption {
    /// Stable id (a UUID).
    #[graphql(skip_output, derived(name = "id", into = "async_graphql::ID", owned))]
    pub id: Uuid,
    /// The attribute it belongs to.
    #[graphql(skip)]
    pub attribute_id: Uuid,
    /// Machine value, unique within its attribute: what inputs and filters name.
    pub value: String,
    /// Display label.
    pub label: String,
    /// Order among the attribute's options, from 0.
    pub position: i32,
}

/// A product template: an ordered list of attributes, some required.
#[derive(Debug, Clone, Queryable, Selectable, async_graphql::SimpleObject)]
#[diesel(table_name = attribute_sets)]
#[diesel(check_for_backend(diesel::pg::Pg))]
#[graphql(complex)]
pub struct AttributeSet {
    /// Stable id (a UUID).
    #[graphql(skip_output, derived(name = "id", into = "async_graphql::ID", owned))]
    pub id: Uuid,
    /// Business key, unique in the tenant (`attributeSet(code:)`).
    pub code: String,
    /// Display name.
    pub name: String,
}

/// One attribute of a set, with its definition.
#[derive(Debug, Clone, async_graphql::SimpleObject)]
#[graphql(name = "AttributeSetMember")]
pub struct SetMember {
    /// The attribute.
    #[graphql(name = "attribute")]
    pub definition: AttributeDefinition,
    /// Order within the set, from 0.
    pub position: i32,
    /// Whether products of the set must have a value for it before they can be activated.
    pub required: bool,
}

/// The value columns of a row of `attribute_values` (exactly one of them is set).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = attribute_values)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ValueRow {
    /// The product it belongs to (also for a variant's value).
    pub product_id: Uuid,
    /// The variant it belongs to; `None` for a product-level value.
    pub variant_id: Option<Uuid>,
    /// The attribute.
    pub attribute_id: Uuid,
    /// TEXT value.
    pub text_value: Option<String>,
    /// NUMBER value.
    pub number_value: Option<BigDecimal>,
    /// BOOLEAN value.
    pub boolean_value: Option<bool>,
    /// DATE value.
    pub date_value: Option<NaiveDate>,
    /// Order among the values of one attribute (MULTISELECT).
    pub position: i32,
}

/// A stored value with its definition and (for select types) its option, as the
/// loaders hand them out.
#[derive(Debug, Clone)]
pub struct LoadedValue {
    /// The value columns.
    pub row: ValueRow,
    /// The attribute's definition.
    pub definition: AttributeDefinition,
    /// The chosen option, for SELECT and MULTISELECT.
    pub option: Option<AttributeOption>,
}

impl LoadedValue {
    /// The canonical string form: the option value, a plain decimal, `true`/`false`, or
    /// an ISO date.
    pub fn canonical(&self) -> String {
        if let Some(option) = &self.option {
            return option.value.clone();
        }
        let row = &self.row;
        if let Some(text) = &row.text_value {
            return text.clone();
        }
        if let Some(number) = &row.number_value {
            return number.normalized().to_plain_string();
        }
        if let Some(flag) = row.boolean_value {
            return flag.to_string();
        }
        row.date_value.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
    }
}

/// One typed value to store (exactly one is set, matching the attribute's type).
#[derive(Debug, Clone, PartialEq)]
pub enum TypedValue {
    /// TEXT.
    Text(String),
    /// NUMBER.
    Number(BigDecimal),
    /// BOOLEAN.
    Boolean(bool),
    /// DATE.
    Date(NaiveDate),
    /// SELECT or MULTISELECT: the option's id.
    Option(Uuid),
}

/// The columns of a new definition.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = attribute_definitions)]
pub struct NewDefinition {
    /// Business key.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Kind of value.
    pub attribute_type: AttributeType,
    /// Storefront filter hint.
    pub filterable: bool,
    /// Lower NUMBER bound.
    pub min_number: Option<BigDecimal>,
    /// Upper NUMBER bound.
    pub max_number: Option<BigDecimal>,
    /// TEXT length limit.
    pub max_length: Option<i32>,
}

/// A new option (value and label), before it has an attribute.
#[derive(Debug, Clone)]
pub struct NewOption {
    /// Machine value.
    pub value: String,
    /// Display label.
    pub label: String,
}

/// The columns a definition update changes (`None`: left as is; `Some(None)`: cleared).
#[derive(Debug, Default, Clone, AsChangeset)]
#[diesel(table_name = attribute_definitions)]
pub struct DefinitionChanges {
    /// New display name.
    pub name: Option<String>,
    /// New filter hint.
    pub filterable: Option<bool>,
    /// New lower bound.
    pub min_number: Option<Option<BigDecimal>>,
    /// New upper bound.
    pub max_number: Option<Option<BigDecimal>>,
    /// New length limit.
    pub max_length: Option<Option<i32>>,
}

impl DefinitionChanges {
    /// Whether it changes anything.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.filterable.is_none()
            && self.min_number.is_none()
            && self.max_number.is_none()
            && self.max_length.is_none()
    }
}

/// One attribute of a set being written: the attribute's id and whether it is required.
#[derive(Debug, Clone)]
pub struct NewMember {
    /// The attribute.
    pub attribute_id: Uuid,
    /// Whether products of the set must have it.
    pub required: bool,
}
