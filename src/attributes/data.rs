//! The attribute tables: every diesel call of this domain lives here.

use std::collections::HashMap;

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::{
    AttributeDefinition, AttributeOption, AttributeSet, DefinitionChanges, LoadedValue, NewDefinition, NewMember,
    NewOption, SetMember, TypedValue, ValueRow,
};
use crate::db::schema::{
    attribute_definitions, attribute_options, attribute_set_members, attribute_sets, attribute_values,
};
use crate::db::{Bind, Fragment};

/// The unique constraint a duplicate definition code violates.
pub const DEFINITION_CODE_TAKEN: &str = "attribute_definitions_code_key";
/// The unique constraint a duplicate set code violates.
pub const SET_CODE_TAKEN: &str = "attribute_sets_code_key";
/// The unique constraint a duplicate option value violates.
pub const OPTION_VALUE_TAKEN: &str = "attribute_options_attribute_id_value_key";

/// Which definitions a listing covers.
#[derive(Debug, Clone, Default)]
pub struct DefinitionFilter {
    /// Only filterable (true) or only not filterable (false) definitions.
    pub filterable: Option<bool>,
    /// Case-insensitive text in the code or name.
    pub search: Option<String>,
}

impl DefinitionFilter {
    fn filtered(&self) -> attribute_definitions::BoxedQuery<'static, diesel::pg::Pg> {
        let filter = self;
        let mut query = attribute_definitions::table.into_boxed();
        if let Some(filterable) = filter.filterable {
            query = query.filter(attribute_definitions::filterable.eq(filterable));
        }
        if let Some(search) = &filter.search {
            let pattern = crate::db::contains_pattern(search);
            query = query.filter(
                attribute_definitions::code.ilike(pattern.clone()).or(attribute_definitions::name.ilike(pattern)),
            );
        }
        query
    }
}

crate::code_listing!(DefinitionFilter, attribute_definitions, AttributeDefinition);

/// The definition with this id or code (give one).
pub async fn definition(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    code: Option<&str>,
) -> QueryResult<Option<AttributeDefinition>> {
    let mut query = attribute_definitions::table.select(AttributeDefinition::as_select()).into_boxed();
    if let Some(id) = id {
        query = query.filter(attribute_definitions::id.eq(id));
    }
    if let Some(code) = code {
        query = query.filter(attribute_definitions::code.eq(code.to_owned()));
    }
    query.first(conn).await.optional()
}

/// The definition with this id, locked until the transaction ends.
pub async fn definition_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<AttributeDefinition>> {
    attribute_definitions::table
        .find(id)
        .select(AttributeDefinition::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The definitions with these codes, by code (unknown codes have no entry).
pub async fn definitions_by_code(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> QueryResult<HashMap<String, AttributeDefinition>> {
    let rows: Vec<AttributeDefinition> = attribute_definitions::table
        .filter(attribute_definitions::code.eq_any(codes))
        .select(AttributeDefinition::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|d| (d.code.clone(), d)).collect())
}

/// The options of these attributes, in position order, by attribute.
pub async fn options_of(
    conn: &mut AsyncPgConnection,
    attribute_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<AttributeOption>>> {
    let rows: Vec<AttributeOption> = attribute_options::table
        .filter(attribute_options::attribute_id.eq_any(attribute_ids))
        .order((attribute_options::attribute_id, attribute_options::position, attribute_options::value))
        .select(AttributeOption::as_select())
        .load(conn)
        .await?;
    Ok(crate::db::group_by(rows, |r| r.attribute_id))
}

/// Inserts a definition with its options (call inside a transaction).
pub async fn insert_definition(
    conn: &mut AsyncPgConnection,
    definition: &NewDefinition,
    options: &[NewOption],
) -> QueryResult<AttributeDefinition> {
    let created: AttributeDefinition = diesel::insert_into(attribute_definitions::table)
        .values(definition)
        .returning(AttributeDefinition::as_returning())
        .get_result(conn)
        .await?;
    insert_options(conn, created.id, options).await?;
    Ok(created)
}

/// Appends options to an attribute, after the ones it has.
pub async fn insert_options(conn: &mut AsyncPgConnection, attribute: Uuid, options: &[NewOption]) -> QueryResult<()> {
    if options.is_empty() {
        return Ok(());
    }
    let last: Option<i32> = attribute_options::table
        .filter(attribute_options::attribute_id.eq(attribute))
        .select(diesel::dsl::max(attribute_options::position))
        .first(conn)
        .await?;
    let start = last.map_or(0, |p| p + 1);
    let rows: Vec<_> = options
        .iter()
        .enumerate()
        .map(|(i, option)| {
            (
                attribute_options::attribute_id.eq(attribute),
                attribute_options::value.eq(option.value.clone()),
                attribute_options::label.eq(option.label.clone()),
                attribute_options::position.eq(start + i as i32),
            )
        })
        .collect();
    diesel::insert_into(attribute_options::table).values(rows).execute(conn).await.map(drop)
}

/// Removes these options (by value) of an attribute.
pub async fn delete_options(conn: &mut AsyncPgConnection, attribute: Uuid, values: &[String]) -> QueryResult<()> {
    diesel::delete(
        attribute_options::table
            .filter(attribute_options::attribute_id.eq(attribute))
            .filter(attribute_options::value.eq_any(values)),
    )
    .execute(conn)
    .await
    .map(drop)
}

/// How many stored values use each of these options of an attribute, by option value
/// (unused options have no entry).
pub async fn option_usage(
    conn: &mut AsyncPgConnection,
    attribute: Uuid,
    values: &[String],
) -> QueryResult<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = attribute_values::table
        .inner_join(attribute_options::table)
        .filter(attribute_options::attribute_id.eq(attribute))
        .filter(attribute_options::value.eq_any(values))
        .group_by(attribute_options::value)
        .select((attribute_options::value, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Applies `changes` to definition `id`.
pub async fn update_definition(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &DefinitionChanges,
) -> QueryResult<AttributeDefinition> {
    diesel::update(attribute_definitions::table.find(id))
        .set(changes)
        .returning(AttributeDefinition::as_returning())
        .get_result(conn)
        .await
}

diesel::define_sql_function! {
    /// PostgreSQL's `char_length`: the length of a text in characters.
    fn char_length(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Integer>;
}

/// A limit a definition update sets, to check the stored values against.
#[derive(Debug, Clone)]
pub enum Limit {
    /// Numbers below this break it.
    Below(BigDecimal),
    /// Numbers above this break it.
    Above(BigDecimal),
    /// Texts longer than this many characters break it.
    LongerThan(i32),
}

/// How many stored values of an attribute break `limit`.
pub async fn values_outside(conn: &mut AsyncPgConnection, attribute: Uuid, limit: &Limit) -> QueryResult<i64> {
    let query = attribute_values::table.filter(attribute_values::attribute_id.eq(attribute)).into_boxed();
    let query = match limit {
        Limit::Below(min) => query.filter(attribute_values::number_value.lt(min.clone())),
        Limit::Above(max) => query.filter(attribute_values::number_value.gt(max.clone())),
        Limit::LongerThan(length) => query.filter(char_length(attribute_values::text_value).gt(*length)),
    };
    query.count().get_result(conn).await
}

/// Which sets a listing covers.
#[derive(Debug, Clone, Default)]
pub struct SetFilter {
    /// Case-insensitive text in the code or name.
    pub search: Option<String>,
}

impl SetFilter {
    fn filtered(&self) -> attribute_sets::BoxedQuery<'static, diesel::pg::Pg> {
        let filter = self;
        let mut query = attribute_sets::table.into_boxed();
        if let Some(search) = &filter.search {
            let pattern = crate::db::contains_pattern(search);
            query = query.filter(attribute_sets::code.ilike(pattern.clone()).or(attribute_sets::name.ilike(pattern)));
        }
        query
    }
}

crate::code_listing!(SetFilter, attribute_sets, AttributeSet);

/// The set with this id or code (give one).
pub async fn set(
    conn: &mut AsyncPgConnection,
    id: Option<Uuid>,
    code: Option<&str>,
) -> QueryResult<Option<AttributeSet>> {
    let mut query = attribute_sets::table.select(AttributeSet::as_select()).into_boxed();
    if let Some(id) = id {
        query = query.filter(attribute_sets::id.eq(id));
    }
    if let Some(code) = code {
        query = query.filter(attribute_sets::code.eq(code.to_owned()));
    }
    query.first(conn).await.optional()
}

/// Inserts a set with its members (call inside a transaction).
pub async fn insert_set(
    conn: &mut AsyncPgConnection,
    code: &str,
    name: &str,
    members: &[NewMember],
) -> QueryResult<AttributeSet> {
    let created: AttributeSet = diesel::insert_into(attribute_sets::table)
        .values((attribute_sets::code.eq(code), attribute_sets::name.eq(name)))
        .returning(AttributeSet::as_returning())
        .get_result(conn)
        .await?;
    insert_members(conn, created.id, members).await?;
    Ok(created)
}

/// Changes a set's code and name; `None` if there is no such set.
pub async fn update_set(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    code: Option<&str>,
    name: Option<&str>,
) -> QueryResult<Option<AttributeSet>> {
    let found =
        attribute_sets::table.find(id).select(AttributeSet::as_select()).for_update().first(conn).await.optional()?;
    let Some(found) = found else { return Ok(None) };
    if code.is_none() && name.is_none() {
        return Ok(Some(found));
    }
    diesel::update(attribute_sets::table.find(id))
        .set((
            attribute_sets::code.eq(code.unwrap_or(&found.code)),
            attribute_sets::name.eq(name.unwrap_or(&found.name)),
        ))
        .returning(AttributeSet::as_returning())
        .get_result(conn)
        .await
        .map(Some)
}

/// Replaces the members of a set with `members`, in their order.
pub async fn replace_members(conn: &mut AsyncPgConnection, set: Uuid, members: &[NewMember]) -> QueryResult<()> {
    diesel::delete(attribute_set_members::table.filter(attribute_set_members::set_id.eq(set))).execute(conn).await?;
    insert_members(conn, set, members).await
}

async fn insert_members(conn: &mut AsyncPgConnection, set: Uuid, members: &[NewMember]) -> QueryResult<()> {
    if members.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            (
                attribute_set_members::set_id.eq(set),
                attribute_set_members::attribute_id.eq(m.attribute_id),
                attribute_set_members::position.eq(i as i32),
                attribute_set_members::required.eq(m.required),
            )
        })
        .collect();
    diesel::insert_into(attribute_set_members::table).values(rows).execute(conn).await.map(drop)
}

/// The members of these sets with their definitions, in position order, by set.
pub async fn members_of(conn: &mut AsyncPgConnection, sets: &[Uuid]) -> QueryResult<HashMap<Uuid, Vec<SetMember>>> {
    let rows: Vec<(Uuid, i32, bool, AttributeDefinition)> = attribute_set_members::table
        .inner_join(attribute_definitions::table)
        .filter(attribute_set_members::set_id.eq_any(sets))
        .order((attribute_set_members::set_id, attribute_set_members::position, attribute_definitions::code))
        .select((
            attribute_set_members::set_id,
            attribute_set_members::position,
            attribute_set_members::required,
            AttributeDefinition::as_select(),
        ))
        .load(conn)
        .await?;
    let members = rows
        .into_iter()
        .map(|(set_id, position, required, definition)| (set_id, SetMember { definition, position, required }));
    Ok(crate::db::group_pairs(members))
}

/// The attributes a set marks required.
pub async fn required_attributes(conn: &mut AsyncPgConnection, set: Uuid) -> QueryResult<Vec<Uuid>> {
    attribute_set_members::table
        .filter(attribute_set_members::set_id.eq(set))
        .filter(attribute_set_members::required)
        .select(attribute_set_members::attribute_id)
        .load(conn)
        .await
}

/// Replaces the values of one attribute of a product (or of one of its variants) with
/// `values`, in their order.
pub async fn replace_values(
    conn: &mut AsyncPgConnection,
    product: Uuid,
    variant: Option<Uuid>,
    attribute: Uuid,
    values: &[TypedValue],
) -> QueryResult<()> {
    let owner = attribute_values::product_id.eq(product).and(attribute_values::attribute_id.eq(attribute));
    match variant {
        Some(variant) => {
            diesel::delete(attribute_values::table.filter(owner).filter(attribute_values::variant_id.eq(variant)))
                .execute(conn)
                .await?
        }
        None => {
            diesel::delete(attribute_values::table.filter(owner).filter(attribute_values::variant_id.is_null()))
                .execute(conn)
                .await?
        }
    };
    if values.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let (mut option, mut text, mut number, mut boolean, mut date) = (None, None, None, None, None);
            match value {
                TypedValue::Option(id) => option = Some(*id),
                TypedValue::Text(t) => text = Some(t.clone()),
                TypedValue::Number(n) => number = Some(n.clone()),
                TypedValue::Boolean(b) => boolean = Some(*b),
                TypedValue::Date(d) => date = Some(*d),
            }
            (
                attribute_values::product_id.eq(product),
                attribute_values::variant_id.eq(variant),
                attribute_values::attribute_id.eq(attribute),
                attribute_values::option_id.eq(option),
                attribute_values::text_value.eq(text),
                attribute_values::number_value.eq(number),
                attribute_values::boolean_value.eq(boolean),
                attribute_values::date_value.eq(date),
                attribute_values::position.eq(i as i32),
            )
        })
        .collect();
    diesel::insert_into(attribute_values::table).values(rows).execute(conn).await.map(drop)
}

type ValueJoin = (ValueRow, AttributeDefinition, Option<AttributeOption>);

/// Every value of these products, product-level and variant-level, with its definition
/// and option, in one statement. Grouped by product; within a product ordered by the
/// attribute's position in the product's set (attributes outside the set last), then by
/// attribute code, then by the value's own position.
pub async fn values_of(
    conn: &mut AsyncPgConnection,
    products_ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, Vec<LoadedValue>>> {
    let rows: Vec<ValueJoin> = attribute_values::table
        .inner_join(attribute_definitions::table)
        .left_join(attribute_options::table)
        .left_join(
            attribute_set_members::table.on(attribute_set_members::set_id
                .nullable()
                .eq(crate::catalog::attribute_set_of(Fragment::sql("attribute_values.product_id")))
                .and(attribute_set_members::attribute_id.eq(attribute_values::attribute_id))),
        )
        .filter(attribute_values::product_id.eq_any(products_ids))
        .order((
            attribute_values::product_id,
            attribute_set_members::position.nullable().asc().nulls_last(),
            attribute_definitions::code,
            attribute_values::variant_id,
            attribute_values::position,
            attribute_values::id,
        ))
        .select((ValueRow::as_select(), AttributeDefinition::as_select(), Option::<AttributeOption>::as_select()))
        .load(conn)
        .await?;
    let values =
        rows.into_iter().map(|(row, definition, option)| (row.product_id, LoadedValue { row, definition, option }));
    Ok(crate::db::group_pairs(values))
}

/// The codes of the attributes the product's set marks required that the product has
/// no product-level value for, in set order. Empty when the product has no set (or does
/// not exist).
pub async fn missing_required(conn: &mut AsyncPgConnection, product_id: Uuid) -> QueryResult<Vec<String>> {
    let set = crate::catalog::attribute_set_of(Fragment::default().bind(Bind::Uuid(product_id)));
    attribute_set_members::table
        .inner_join(attribute_definitions::table)
        .filter(attribute_set_members::set_id.nullable().eq(set))
        .filter(attribute_set_members::required)
        .filter(
            attribute_set_members::attribute_id.ne_all(
                attribute_values::table
                    .filter(attribute_values::product_id.eq(product_id))
                    .filter(attribute_values::variant_id.is_null())
                    .select(attribute_values::attribute_id),
            ),
        )
        .order((attribute_set_members::position, attribute_definitions::code))
        .select(attribute_definitions::code)
        .load(conn)
        .await
}
