//! What a request actually cost, and its response put back in the selection set's order.
//!
//! async-graphql resolves the fields of an object concurrently and writes each into the
//! result as it finishes, so `{ totalCount edges }` may come back as `edges, totalCount`,
//! differently from one request to the next. GraphQL's execution is ordered: the response
//! follows the order of the selection set. The same walk over the response prices what was
//! really served: a connection costs its actual nodes, not the page size asked for.

use std::collections::HashMap;

use async_graphql::Variables;
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationDefinition, OperationType, Selection, SelectionSet,
};
use async_graphql_value::{ConstValue, Name};

use super::analyze::VariableValues;
use super::model::{self, CostModel};

/// Reorders `data` (the response of `operation`) into selection order and returns the
/// cost actually incurred.
pub fn settle(
    data: &mut ConstValue,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    model: &CostModel,
) -> u64 {
    let walker = Walker { document, model, values: VariableValues::new(operation, variables) };
    let root = match operation.ty {
        OperationType::Mutation => model.mutation.as_str(),
        _ => model.query.as_str(),
    };
    let mut cost = walker.object(data, &[&operation.selection_set.node], root);
    if operation.ty == OperationType::Mutation
        && let ConstValue::Object(fields) = data
    {
        cost = cost.saturating_add(model::MUTATION.saturating_mul(fields.len() as u64));
    }
    cost
}

struct Walker<'a> {
    document: &'a ExecutableDocument,
    model: &'a CostModel,
    values: VariableValues<'a>,
}

impl<'a> Walker<'a> {
    /// The fields of `sets` by response key, in the order they first appear.
    fn collect(&self, sets: &[&'a SelectionSet]) -> Vec<(&'a Name, Vec<&'a Field>)> {
        let mut order: Vec<(&'a Name, Vec<&'a Field>)> = Vec::new();
        let mut index: HashMap<&'a Name, usize> = HashMap::new();
        let mut stack: Vec<&'a SelectionSet> = sets.iter().rev().copied().collect();
        // Depth-first, in document order: a stack of item iterators.
        let mut iters: Vec<std::slice::Iter<'a, async_graphql::Positioned<Selection>>> = Vec::new();
        while let Some(set) = stack.pop() {
            iters.push(set.items.iter());
            while let Some(iter) = iters.last_mut() {
                let Some(item) = iter.next() else {
                    iters.pop();
                    continue;
                };
                match &item.node {
                    Selection::Field(field) => {
                        let key = field.node.alias.as_ref().map_or(&field.node.name.node, |a| &a.node);
                        match index.get(key) {
                            Some(&at) => order[at].1.push(&field.node),
                            None => {
                                index.insert(key, order.len());
                                order.push((key, vec![&field.node]));
                            }
                        }
                    }
                    Selection::InlineFragment(inline) => iters.push(inline.node.selection_set.node.items.iter()),
                    Selection::FragmentSpread(spread) => {
                        if let Some(fragment) = self.document.fragments.get(&spread.node.fragment_name.node) {
                            iters.push(fragment.node.selection_set.node.items.iter());
                        }
                    }
                }
            }
        }
        order
    }

    /// Orders one object value and returns the cost of its fields.
    fn object(&self, value: &mut ConstValue, sets: &[&'a SelectionSet], ty: &str) -> u64 {
        let ConstValue::Object(map) = value else {
            return 0;
        };
        let mut old = std::mem::take(map);
        let mut ordered = IndexMap::with_capacity(old.len());
        let mut cost = 0u64;
        for (key, fields) in self.collect(sets) {
            let Some(mut child) = old.shift_remove(key) else {
                continue;
            };
            let first = fields[0];
            let name = first.name.node.as_str();
            let info = self.model.field(ty, name);
            let child_ty = info.map_or("", |i| i.ty.as_str());
            let child_sets: Vec<&'a SelectionSet> = fields.iter().map(|f| &f.selection_set.node).collect();
            let per_node = ty.ends_with("Connection") && matches!(name, "edges" | "nodes");
            let selects = child_sets.iter().any(|s| !s.items.is_empty());
            let free = model::is_free_wrapper(ty, name) || info.is_some_and(|i| i.connection);
            let value_cost = if selects { self.value(&mut child, &child_sets, child_ty, per_node, free) } else { 0 };
            let field_cost = if info.is_some_and(|i| i.connection) {
                model::CONNECTION.saturating_add(value_cost)
            } else if name == "totalCount" {
                model::TOTAL_COUNT
            } else {
                value_cost
            };
            let arguments = if child == ConstValue::Null { 0 } else { self.values.argument_weight(first) };
            cost = cost.saturating_add(field_cost).saturating_add(arguments);
            ordered.insert(key.clone(), child);
        }
        // Anything the walk did not name (nothing, for a valid response) keeps its place at the end.
        ordered.extend(old);
        *map = ordered;
        cost
    }

    /// The cost of a selected value: an object is a point plus its fields; a list is the
    /// sum of its items under a connection (each node was served) and its dearest item
    /// elsewhere (nested lists are loaded in one batch).
    fn value(&self, value: &mut ConstValue, sets: &[&'a SelectionSet], ty: &str, per_node: bool, free: bool) -> u64 {
        match value {
            ConstValue::List(items) => {
                let costs = items.iter_mut().map(|item| self.value(item, sets, ty, false, free));
                if per_node { costs.fold(0, u64::saturating_add) } else { costs.max().unwrap_or(0) }
            }
            ConstValue::Object(_) => {
                let own = if free { 0 } else { model::OBJECT };
                own.saturating_add(self.object(value, sets, ty))
            }
            _ => 0,
        }
    }
}
