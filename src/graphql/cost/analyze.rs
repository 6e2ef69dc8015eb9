//! The shape and the requested cost of a document, computed before validation and
//! execution in time linear in the document's size: each fragment is summarized once and
//! its summary reused wherever it is spread, so a document that would expand to millions
//! of fields is measured without being expanded.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql::{Positioned, Variables};
use async_graphql_value::{ConstValue, Name, Value};

use super::Refusal;
use super::model::{self, CostModel};
use crate::graphql::Limits;

/// What a document asks for, measured before it runs.
#[derive(Debug, Clone, Copy)]
pub struct Analysis {
    /// The calculated cost of the selected operation.
    pub cost: u64,
    /// Fields selected once fragments are expanded.
    pub fields: u64,
    /// Deepest field nesting.
    pub depth: u64,
    /// Query or mutation.
    pub operation: OperationType,
}

/// A selection set's measure. `fixed` is paid once; `per_item` is paid per node when the
/// set belongs to a connection (what sits under its `edges` or `nodes`).
#[derive(Debug, Clone, Copy, Default)]
struct Summary {
    fixed: u64,
    per_item: u64,
    fields: u64,
    depth: u64,
}

impl Summary {
    fn add(&mut self, other: Summary) {
        self.fixed = self.fixed.saturating_add(other.fixed);
        self.per_item = self.per_item.saturating_add(other.per_item);
        self.fields = self.fields.saturating_add(other.fields);
        self.depth = self.depth.max(other.depth);
    }
}

/// The operation a request selects: the only one, or the one named.
pub fn selected_operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<&'a Positioned<OperationDefinition>, Refusal> {
    let mut operations = document.operations.iter();
    match operation_name {
        Some(wanted) => {
            operations.find(|(name, _)| name.is_some_and(|n| n.as_str() == wanted)).map(|(_, op)| op).ok_or_else(|| {
                Refusal::bad_request("OPERATION_NOT_FOUND", format!("unknown operation named \"{wanted}\""))
            })
        }
        None => {
            let first = operations.next().map(|(_, op)| op);
            match (first, operations.next()) {
                (Some(op), None) => Ok(op),
                (None, _) => Err(Refusal::bad_request("GRAPHQL_PARSE_FAILED", "the document has no operation")),
                (Some(_), Some(_)) => Err(Refusal::bad_request(
                    "OPERATION_NAME_REQUIRED",
                    "the document has several operations: name one with operationName",
                )),
            }
        }
    }
}

/// Counts what the raw document holds (operations, aliases, directives), refusing it
/// when a count is over its limit.
pub fn check_counts(document: &ExecutableDocument, limits: &Limits) -> Result<(), Refusal> {
    let operations = document.operations.iter().count();
    if operations > limits.max_operations {
        return Err(Refusal::bad_request(
            "TOO_MANY_OPERATIONS",
            format!("the document has {operations} operations; at most {} are allowed", limits.max_operations),
        ));
    }
    let mut aliases = 0usize;
    let mut directives = 0usize;
    let mut sets: Vec<&SelectionSet> = Vec::new();
    for (_, op) in document.operations.iter() {
        if op
            .node
            .variable_definitions
            .iter()
            .any(|v| v.node.default_value.as_ref().is_some_and(|d| const_has_nul(&d.node)))
        {
            return Err(nul_refusal());
        }
        directives += op.node.directives.len();
        directives += op.node.variable_definitions.iter().map(|v| v.node.directives.len()).sum::<usize>();
        sets.push(&op.node.selection_set.node);
    }
    for fragment in document.fragments.values() {
        directives += fragment.node.directives.len();
        sets.push(&fragment.node.selection_set.node);
    }
    while let Some(set) = sets.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    if field.node.arguments.iter().any(|(_, value)| has_nul(&value.node)) {
                        return Err(nul_refusal());
                    }
                    aliases += usize::from(field.node.alias.is_some());
                    directives += field.node.directives.len();
                    sets.push(&field.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => directives += spread.node.directives.len(),
                Selection::InlineFragment(inline) => {
                    directives += inline.node.directives.len();
                    sets.push(&inline.node.selection_set.node);
                }
            }
        }
    }
    if aliases > limits.max_aliases {
        return Err(Refusal::bad_request(
            "TOO_MANY_ALIASES",
            format!("the document has {aliases} aliases; at most {} are allowed", limits.max_aliases),
        ));
    }
    if directives > limits.max_directives {
        return Err(Refusal::bad_request(
            "TOO_MANY_DIRECTIVES",
            format!("the document has {directives} directives; at most {} are allowed", limits.max_directives),
        ));
    }
    Ok(())
}

/// The refusal of a string holding a NUL character, which PostgreSQL cannot store.
pub fn nul_refusal() -> Refusal {
    Refusal::bad_user_input("strings may not contain the NUL character (\\u0000)")
}

/// Whether a document value holds a string with a NUL character.
fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::List(items) => items.iter().any(has_nul),
        Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn const_has_nul(value: &ConstValue) -> bool {
    match value {
        ConstValue::String(s) => s.contains('\0'),
        ConstValue::List(items) => items.iter().any(const_has_nul),
        ConstValue::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || const_has_nul(v)),
        _ => false,
    }
}

/// Whether a JSON value (the variables) holds a string with a NUL character.
pub fn json_has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(json_has_nul),
        serde_json::Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || json_has_nul(v)),
        _ => false,
    }
}

/// Measures the operation: expanded size, depth and cost, each checked against its limit.
pub fn analyze(
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    model: &CostModel,
    limits: &Limits,
) -> Result<Analysis, Refusal> {
    let mut walker = Walker {
        document,
        values: VariableValues::new(operation, variables),
        model,
        limits,
        memo: HashMap::new(),
        visiting: HashSet::new(),
    };
    let root = match operation.ty {
        OperationType::Mutation => model.mutation.clone(),
        _ => model.query.clone(),
    };
    let summary = walker.selection_set(&operation.selection_set.node, &root)?;
    let mut cost = summary.fixed;
    if operation.ty == OperationType::Mutation {
        let roots = walker.root_fields(&operation.selection_set.node);
        cost = cost.saturating_add(model::MUTATION.saturating_mul(roots));
    }
    if summary.fields > limits.max_fields as u64 {
        return Err(Refusal::bad_request(
            "QUERY_TOO_COMPLEX",
            format!(
                "query is too complex: it selects {} fields once its fragments are expanded; at most {} are allowed",
                summary.fields, limits.max_fields
            ),
        ));
    }
    if summary.depth > limits.max_depth as u64 {
        return Err(Refusal::bad_request(
            "QUERY_TOO_DEEP",
            format!("the query is nested too deep: {} levels; at most {} are allowed", summary.depth, limits.max_depth),
        ));
    }
    if cost > limits.max_query_cost {
        return Err(Refusal::bad_request(
            "QUERY_TOO_COMPLEX",
            format!("query is too complex: it costs {cost} points; at most {} are allowed", limits.max_query_cost),
        ));
    }
    Ok(Analysis { cost, fields: summary.fields, depth: summary.depth, operation: operation.ty })
}

/// The request's variables with the operation's defaults, for reading argument values.
pub(super) struct VariableValues<'a> {
    variables: &'a Variables,
    defaults: HashMap<Name, ConstValue>,
}

impl<'a> VariableValues<'a> {
    pub(super) fn new(operation: &OperationDefinition, variables: &'a Variables) -> Self {
        let defaults = operation
            .variable_definitions
            .iter()
            .filter_map(|v| Some((v.node.name.node.clone(), v.node.default_value.as_ref()?.node.clone())))
            .collect();
        Self { variables, defaults }
    }

    /// An argument's value with its variables filled in (unknown variables as null).
    pub(super) fn value(&self, value: &Value) -> ConstValue {
        value
            .clone()
            .into_const_with(|name| {
                Ok::<_, std::convert::Infallible>(
                    self.variables.get(&name).or_else(|| self.defaults.get(&name)).cloned().unwrap_or(ConstValue::Null),
                )
            })
            .unwrap_or(ConstValue::Null)
    }

    /// The weight of a field's arguments.
    pub(super) fn argument_weight(&self, field: &Field) -> u64 {
        model::argument_weight(field.arguments.iter().map(|(n, v)| (n.node.as_str(), self.value(&v.node))))
    }
}

struct Walker<'a> {
    document: &'a ExecutableDocument,
    values: VariableValues<'a>,
    model: &'a CostModel,
    limits: &'a Limits,
    memo: HashMap<&'a str, Summary>,
    visiting: HashSet<&'a str>,
}

impl<'a> Walker<'a> {
    /// The page size a connection field will be served with.
    fn page_size(&self, field: &Field) -> u64 {
        let max = self.limits.max_page_size as u64;
        let mut size = None;
        for (name, value) in &field.arguments {
            if matches!(name.node.as_str(), "first" | "last") {
                match self.values.value(&value.node) {
                    ConstValue::Null => {}
                    ConstValue::Number(n) => size = Some(n.as_u64().map_or(max, |n| n.min(max))),
                    _ => size = Some(max),
                }
            }
        }
        size.unwrap_or(self.limits.default_page_size.min(self.limits.max_page_size) as u64)
    }

    /// Root fields of a mutation, fragments included.
    fn root_fields(&self, set: &SelectionSet) -> u64 {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(inline) => self.root_fields(&inline.node.selection_set.node),
                Selection::FragmentSpread(spread) => self
                    .document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .map_or(0, |f| self.root_fields(&f.node.selection_set.node)),
            })
            .sum()
    }

    fn selection_set(&mut self, set: &'a SelectionSet, parent: &str) -> Result<Summary, Refusal> {
        let mut summary = Summary::default();
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let (cost, inner) = self.field(&field.node, parent)?;
                    let per_node =
                        parent.ends_with("Connection") && matches!(field.node.name.node.as_str(), "edges" | "nodes");
                    let mut part = Summary {
                        fields: inner.fields.saturating_add(1),
                        depth: inner.depth + 1,
                        ..Summary::default()
                    };
                    if per_node {
                        part.per_item = cost;
                    } else {
                        part.fixed = cost;
                    }
                    summary.add(part);
                }
                Selection::InlineFragment(inline) => {
                    let on = inline.node.type_condition.as_ref().map_or(parent, |c| c.node.on.node.as_str());
                    let on = on.to_owned();
                    summary.add(self.selection_set(&inline.node.selection_set.node, &on)?);
                }
                Selection::FragmentSpread(spread) => {
                    summary.add(self.fragment(spread.node.fragment_name.node.as_str())?)
                }
            }
        }
        Ok(summary)
    }

    fn fragment(&mut self, name: &'a str) -> Result<Summary, Refusal> {
        if let Some(summary) = self.memo.get(name) {
            return Ok(*summary);
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            // Unknown fragments are reported by validation.
            return Ok(Summary::default());
        };
        if !self.visiting.insert(name) {
            return Err(Refusal::bad_request(
                "GRAPHQL_VALIDATION_FAILED",
                format!("fragment \"{name}\" spreads itself"),
            ));
        }
        let on = fragment.node.type_condition.node.on.node.to_string();
        let summary = self.selection_set(&fragment.node.selection_set.node, &on)?;
        self.visiting.remove(name);
        self.memo.insert(name, summary);
        Ok(summary)
    }

    /// A field's cost and the summary of what it selects.
    fn field(&mut self, field: &'a Field, parent: &str) -> Result<(u64, Summary), Refusal> {
        let name = field.name.node.as_str();
        if name.starts_with("__") && field.selection_set.node.items.is_empty() {
            return Ok((0, Summary::default()));
        }
        let info = self.model.field(parent, name).cloned();
        let child_type = info.as_ref().map_or_else(String::new, |i| i.ty.clone());
        let inner = self.selection_set(&field.selection_set.node, &child_type)?;
        let arguments = self.values.argument_weight(field);
        let cost = if info.as_ref().is_some_and(|i| i.connection) {
            let items = self.page_size(field).saturating_mul(inner.per_item);
            model::CONNECTION.saturating_add(inner.fixed).saturating_add(items)
        } else if name == "totalCount" {
            model::TOTAL_COUNT
        } else if field.selection_set.node.items.is_empty() {
            0
        } else if model::is_free_wrapper(parent, name) {
            inner.fixed.saturating_add(inner.per_item)
        } else {
            model::OBJECT.saturating_add(inner.fixed).saturating_add(inner.per_item)
        };
        Ok((cost.saturating_add(arguments), inner))
    }
}
