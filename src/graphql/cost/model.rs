//! What each field of the schema costs. The model is read from the schema's own SDL, so a
//! field added to any domain is priced without being listed here: objects cost a point,
//! scalars nothing, a connection its page size times its nodes, and the arguments that make
//! PostgreSQL work harder (search, filters, expensive sorts) add their weight.

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use async_graphql_value::ConstValue;

/// A selected object (a row or a batched loader lookup).
pub const OBJECT: u64 = 1;
/// A connection, before its nodes: the page query.
pub const CONNECTION: u64 = 2;
/// `totalCount`: a `count(*)` over everything the filter matches.
pub const TOTAL_COUNT: u64 = 10;
/// A root mutation field: writes, locks and their history rows.
pub const MUTATION: u64 = 10;
/// A text search (`filter.search`): it reads every candidate row's text.
pub const SEARCH: u64 = 50;
/// A price filter or price sort: the effective price of every candidate variant (measured
/// at about ten times a plain page's database time on a small catalog).
pub const PRICE: u64 = 50;
/// Each attribute a filter names: one more join per attribute.
pub const ATTRIBUTE: u64 = 10;
/// Any other filter key.
pub const FILTER_KEY: u64 = 2;

/// Whether a field is a connection's own wrapper (`edges`, `pageInfo`), which costs
/// nothing by itself: only the nodes in it and the page query do.
pub fn is_free_wrapper(parent: &str, field: &str) -> bool {
    parent.ends_with("Connection") && matches!(field, "edges" | "pageInfo")
}

/// What the cost walker needs to know of a field: the named type it returns and whether
/// it is a Relay connection (its cost scales with the page size).
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// The innermost named type of the field (`Product` for `[Product!]!`).
    pub ty: String,
    /// Whether the field returns a `…Connection` paged by `first`/`last`.
    pub connection: bool,
}

/// Every object field of the schema, by parent type and field name.
#[derive(Debug, Default)]
pub struct CostModel {
    fields: HashMap<(String, String), FieldInfo>,
    /// The root query type's name.
    pub query: String,
    /// The root mutation type's name.
    pub mutation: String,
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

impl CostModel {
    /// Reads the model from the schema's SDL.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut model = Self { query: "Query".into(), mutation: "Mutation".into(), ..Self::default() };
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            return model;
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let parent = ty.node.name.node.to_string();
            let fields = match ty.node.kind {
                TypeKind::Object(object) => object.fields,
                TypeKind::Interface(interface) => interface.fields,
                _ => continue,
            };
            for field in fields {
                let field = field.node;
                let ty = named(&field.ty.node).to_owned();
                let paged = field.arguments.iter().any(|a| matches!(a.node.name.node.as_str(), "first" | "last"));
                let connection = paged && ty.ends_with("Connection");
                model.fields.insert((parent.clone(), field.name.node.to_string()), FieldInfo { ty, connection });
            }
        }
        model
    }

    /// The field `name` of type `parent`, if the schema has it.
    pub fn field(&self, parent: &str, name: &str) -> Option<&FieldInfo> {
        self.fields.get(&(parent.to_owned(), name.to_owned()))
    }
}

/// The weight of a field's arguments: its filter keys and an expensive sort.
pub fn argument_weight<'a>(arguments: impl Iterator<Item = (&'a str, ConstValue)>) -> u64 {
    let mut weight = 0u64;
    for (name, value) in arguments {
        match (name, value) {
            ("filter", ConstValue::Object(filter)) => {
                for (key, value) in filter {
                    weight = weight.saturating_add(match (key.as_str(), value) {
                        (_, ConstValue::Null) => 0,
                        ("search", _) => SEARCH,
                        ("price", _) => PRICE,
                        ("attributes", ConstValue::List(list)) => ATTRIBUTE.saturating_mul(list.len() as u64),
                        _ => FILTER_KEY,
                    });
                }
            }
            ("search" | "query", ConstValue::String(_)) => weight = weight.saturating_add(SEARCH),
            ("sortBy", ConstValue::Object(sort)) => {
                if let Some(ConstValue::Enum(field)) = sort.get("field")
                    && matches!(field.as_str(), "PRICE" | "RELEVANCE" | "TOTAL")
                {
                    weight = weight.saturating_add(PRICE);
                }
            }
            _ => {}
        }
    }
    weight
}
