//! Admin mutations on attribute definitions and their options.

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use bigdecimal::BigDecimal;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::data::{self, DEFINITION_CODE_TAKEN, Limit, OPTION_VALUE_TAKEN};
use super::loaders::OptionsByAttribute;
use super::model::{AttributeDefinition, AttributeOption, AttributeType, DefinitionChanges, NewDefinition};
use super::validate;
use crate::graphql::{Decimal, MutationError, UserErrorCode, UserErrors, caller_scope, loader};
use crate::outcome::{Violation, refused};
use crate::tenancy::Role;

/// An allowed value of a SELECT or MULTISELECT attribute.
#[derive(InputObject)]
pub struct AttributeOptionInput {
    /// Machine value, unique within the attribute (1 to 100 characters).
    value: String,
    /// Display label (1 to 200 characters); the value when left out.
    label: Option<String>,
}

/// A new attribute definition.
#[derive(InputObject)]
pub struct AttributeDefinitionCreateInput {
    /// Business key, unique in the tenant: a lowercase letter, then up to 39 of `a-z 0-9 _`.
    code: String,
    /// Display name.
    name: String,
    /// Kind of value; it cannot change later.
    #[graphql(name = "type")]
    attribute_type: AttributeType,
    /// Whether storefronts may offer it as a filter.
    #[graphql(default = true)]
    filterable: bool,
    /// The allowed values, in order: required (and not empty) for SELECT and MULTISELECT,
    /// refused for the other types.
    options: Option<Vec<AttributeOptionInput>>,
    /// Smallest allowed value (NUMBER only).
    min_number: Option<Decimal>,
    /// Largest allowed value (NUMBER only).
    max_number: Option<Decimal>,
    /// Longest allowed value in characters (TEXT only).
    max_length: Option<i32>,
}

/// Changes to an attribute definition; fields left out stay as they are. Its code and
/// type never change.
#[derive(InputObject)]
pub struct AttributeDefinitionUpdateInput {
    /// The definition to change.
    id: ID,
    /// New display name.
    name: Option<String>,
    /// New filter hint.
    filterable: Option<bool>,
    /// New smallest allowed value (NUMBER only); `null` removes the bound. Refused while
    /// stored values fall below it.
    min_number: MaybeUndefined<Decimal>,
    /// New largest allowed value (NUMBER only); `null` removes the bound. Refused while
    /// stored values are above it.
    max_number: MaybeUndefined<Decimal>,
    /// New length limit (TEXT only); `null` removes it. Refused while stored values are longer.
    max_length: MaybeUndefined<i32>,
    /// Options to add after the existing ones (SELECT and MULTISELECT only).
    add_options: Option<Vec<AttributeOptionInput>>,
    /// Values of options to remove. An option that products still use cannot be removed,
    /// and at least one option must remain.
    remove_options: Option<Vec<String>>,
}

crate::payload!(
    /// The result of an attribute definition mutation.
    AttributeDefinitionPayload {
        /// The definition as it is now; null when the mutation was refused.
        attribute_definition: AttributeDefinition,
    }
);

/// A definition as written, with its options (fed to the request's options loader, so
/// the payload shows them as they are now).
type Written = (AttributeDefinition, Vec<AttributeOption>);

async fn payload(
    ctx: &Context<'_>,
    result: Result<Written, MutationError>,
) -> async_graphql::Result<AttributeDefinitionPayload> {
    let result = match result {
        Ok((definition, options)) => {
            loader(ctx, OptionsByAttribute::new)?.feed_one(definition.id, options).await;
            Ok(definition)
        }
        Err(e) => Err(e),
    };
    AttributeDefinitionPayload::from_outcome(result)
}

/// What a definition's unique constraints mean to the client.
const CONFLICTS: &[Violation] = &[
    Violation::new(
        DEFINITION_CODE_TAKEN,
        "code",
        UserErrorCode::Duplicate,
        "another attribute definition has this code",
    ),
    Violation::new(OPTION_VALUE_TAKEN, "addOptions", UserErrorCode::Duplicate, "an option has this value"),
];

fn option_pairs(input: &[AttributeOptionInput]) -> Vec<(String, Option<String>)> {
    input.iter().map(|o| (o.value.clone(), o.label.clone())).collect()
}

/// A positive `maxLength`.
fn max_length(errors: &mut UserErrors, value: i32) -> i32 {
    if value < 1 {
        errors.add("maxLength", UserErrorCode::Invalid, "maxLength must be at least 1");
    }
    value
}

/// A bound as stored (normalized), refused on a type other than NUMBER.
fn bound(errors: &mut UserErrors, kind: AttributeType, field: &str, value: &Decimal) -> BigDecimal {
    if kind != AttributeType::Number {
        errors.add(field, UserErrorCode::Invalid, format!("{field} applies to NUMBER attributes only"));
    }
    value.0.normalized()
}

fn bounds_in_order(errors: &mut UserErrors, min: Option<&BigDecimal>, max: Option<&BigDecimal>) {
    if min.zip(max).is_some_and(|(min, max)| min > max) {
        errors.add("maxNumber", UserErrorCode::Invalid, "maxNumber must not be below minNumber");
    }
}

async fn options_of(conn: &mut AsyncPgConnection, id: Uuid) -> Result<Vec<AttributeOption>, MutationError> {
    Ok(data::options_of(conn, &[id]).await?.remove(&id).unwrap_or_default())
}

/// Attribute definition mutations (admin only).
#[derive(Default)]
pub struct AttributeDefinitionMutation;

#[Object]
impl AttributeDefinitionMutation {
    /// Creates an attribute definition with its options, all or nothing.
    async fn attribute_definition_create(
        &self,
        ctx: &Context<'_>,
        input: AttributeDefinitionCreateInput,
    ) -> async_graphql::Result<AttributeDefinitionPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let kind = input.attribute_type;
        let options = match (&input.options, kind.has_options()) {
            (Some(options), true) if !options.is_empty() => {
                validate::options(&mut errors, &["options"], &option_pairs(options))
            }
            (_, true) => {
                errors.add("options", UserErrorCode::Required, "SELECT and MULTISELECT attributes need options");
                Vec::new()
            }
            (Some(options), false) if !options.is_empty() => {
                errors.add("options", UserErrorCode::Invalid, "only SELECT and MULTISELECT attributes have options");
                Vec::new()
            }
            (_, false) => Vec::new(),
        };
        let definition = NewDefinition {
            code: validate::code(&mut errors, &["code"], &input.code),
            name: validate::required_text(&mut errors, &["name"], &input.name, 200),
            attribute_type: kind,
            filterable: input.filterable,
            min_number: input.min_number.as_ref().map(|n| bound(&mut errors, kind, "minNumber", n)),
            max_number: input.max_number.as_ref().map(|n| bound(&mut errors, kind, "maxNumber", n)),
            max_length: input.max_length.map(|n| {
                if kind != AttributeType::Text {
                    errors.add("maxLength", UserErrorCode::Invalid, "maxLength applies to TEXT attributes only");
                }
                max_length(&mut errors, n)
            }),
        };
        bounds_in_order(&mut errors, definition.min_number.as_ref(), definition.max_number.as_ref());
        if !errors.is_empty() {
            return payload(ctx, Err(errors.into())).await;
        }
        let result = crate::in_transaction!(scope, async |conn| {
            let created = data::insert_definition(conn, &definition, &options).await.map_err(refused(CONFLICTS))?;
            let options = options_of(conn, created.id).await?;
            Ok((created, options))
        });
        payload(ctx, result).await
    }

    /// Changes an attribute definition: its name, filter hint and bounds, and adds or
    /// removes options. All or nothing.
    async fn attribute_definition_update(
        &self,
        ctx: &Context<'_>,
        input: AttributeDefinitionUpdateInput,
    ) -> async_graphql::Result<AttributeDefinitionPayload> {
        let scope = caller_scope(ctx, Role::Admin)?;
        let mut errors = UserErrors::default();
        let id = errors.id_at(&["id"], &input.id);
        let name = input.name.as_deref().map(|n| validate::required_text(&mut errors, &["name"], n, 200));
        let length = input.max_length.as_opt_ref().map(|n| n.map(|n| max_length(&mut errors, *n)));
        let add =
            input.add_options.as_deref().map(|o| validate::options(&mut errors, &["addOptions"], &option_pairs(o)));
        let remove: Vec<String> = input.remove_options.iter().flatten().map(|v| v.trim().to_owned()).collect();
        let Some(id) = id.filter(|_| errors.is_empty()) else {
            return payload(ctx, Err(errors.into())).await;
        };
        let result = crate::in_transaction!(scope, async |conn| {
            let current = data::definition_for_update(conn, id).await?.ok_or_else(|| {
                MutationError::user("id", UserErrorCode::NotFound, "no attribute definition has this id")
            })?;
            let kind = current.attribute_type;
            let mut errors = UserErrors::default();
            let changes = DefinitionChanges {
                name: name.clone(),
                filterable: input.filterable,
                min_number: input.min_number.as_opt_ref().map(|n| n.map(|n| bound(&mut errors, kind, "minNumber", n))),
                max_number: input.max_number.as_opt_ref().map(|n| n.map(|n| bound(&mut errors, kind, "maxNumber", n))),
                max_length: length.inspect(|n| {
                    if n.is_some() && kind != AttributeType::Text {
                        errors.add("maxLength", UserErrorCode::Invalid, "maxLength applies to TEXT attributes only");
                    }
                }),
            };
            let min = changes.min_number.clone().unwrap_or_else(|| current.min_number.clone());
            let max = changes.max_number.clone().unwrap_or_else(|| current.max_number.clone());
            bounds_in_order(&mut errors, min.as_ref(), max.as_ref());

            let existing = options_of(conn, id).await?;
            let adding = add.as_deref().unwrap_or_default();
            if adding.is_empty() && remove.is_empty() {
                // No change to the options.
            } else if !kind.has_options() {
                let field = if adding.is_empty() { "removeOptions" } else { "addOptions" };
                errors.add(field, UserErrorCode::Invalid, "only SELECT and MULTISELECT attributes have options");
            } else {
                check_options(conn, &mut errors, id, &existing, adding, &remove).await?;
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }
            // Tightened limits must hold for the values already stored.
            let tightened = [
                ("minNumber", changes.min_number.clone().flatten().map(Limit::Below)),
                ("maxNumber", changes.max_number.clone().flatten().map(Limit::Above)),
                ("maxLength", changes.max_length.flatten().map(Limit::LongerThan)),
            ];
            for (field, limit) in tightened {
                let Some(limit) = limit else { continue };
                let outside = data::values_outside(conn, id, &limit).await?;
                if outside > 0 {
                    errors.add(
                        field,
                        UserErrorCode::Invalid,
                        format!("{outside} stored values break the new {field}; change them first"),
                    );
                }
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }

            let updated =
                if changes.is_empty() { current } else { data::update_definition(conn, id, &changes).await? };
            if !remove.is_empty() {
                data::delete_options(conn, id, &remove).await?;
            }
            data::insert_options(conn, id, adding).await.map_err(refused(CONFLICTS))?;
            let options = options_of(conn, id).await?;
            Ok((updated, options))
        });
        payload(ctx, result).await
    }
}

/// Checks options to add and remove against the existing ones: removed values must exist
/// and be unused, added values must be new (or removed in the same call), and at least
/// one option must remain.
async fn check_options(
    conn: &mut AsyncPgConnection,
    errors: &mut UserErrors,
    id: Uuid,
    existing: &[AttributeOption],
    adding: &[super::model::NewOption],
    remove: &[String],
) -> Result<(), MutationError> {
    let existing_values: HashSet<&str> = existing.iter().map(|o| o.value.as_str()).collect();
    let mut removing = HashSet::new();
    for (i, value) in remove.iter().enumerate() {
        let i = i.to_string();
        if !existing_values.contains(value.as_str()) {
            errors.add_at(&["removeOptions", &i], UserErrorCode::NotFound, format!("there is no option '{value}'"));
        } else if !removing.insert(value.as_str()) {
            errors.add_at(&["removeOptions", &i], UserErrorCode::Duplicate, format!("option '{value}' is given twice"));
        }
    }
    let usage = data::option_usage(conn, id, remove).await?;
    for (i, value) in remove.iter().enumerate() {
        if let Some(used) = usage.get(value) {
            errors.add_at(
                &["removeOptions", &i.to_string()],
                UserErrorCode::Invalid,
                format!("option '{value}' is used by {used} values; change them first"),
            );
        }
    }
    for (i, option) in adding.iter().enumerate() {
        if existing_values.contains(option.value.as_str()) && !removing.contains(option.value.as_str()) {
            errors.add_at(
                &["addOptions", &i.to_string(), "value"],
                UserErrorCode::Duplicate,
                format!("option '{}' exists already", option.value),
            );
        }
    }
    if existing.len() - removing.len() + adding.len() == 0 {
        errors.add("removeOptions", UserErrorCode::Invalid, "at least one option must remain");
    }
    Ok(())
}
