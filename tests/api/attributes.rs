//! Attributes: definitions of every type, sets, typed values on products and variants,
//! validation that writes nothing, required attributes, filtering, roles and tenants.

use serde_json::{Value, json};

use crate::fixtures::{PRODUCT_CREATE, pairs, product};
use crate::harness::{TestApp, TestTenant, error_code};

const DEFINITION_CREATE: &str = "mutation($input: AttributeDefinitionCreateInput!) {
    attributeDefinitionCreate(input: $input) {
        attributeDefinition { id code name type filterable minNumber maxNumber maxLength options { value label position } }
        userErrors { field code message } } }";

const DEFINITION_UPDATE: &str = "mutation($input: AttributeDefinitionUpdateInput!) {
    attributeDefinitionUpdate(input: $input) {
        attributeDefinition { code name filterable minNumber maxNumber maxLength options { value label position } }
        userErrors { field code message } } }";

const SET_CREATE: &str = "mutation($input: AttributeSetCreateInput!) { attributeSetCreate(input: $input) {
    attributeSet { id code name attributes { attribute { code } position required } }
    userErrors { field code message } } }";

const SET_UPDATE: &str = "mutation($input: AttributeSetUpdateInput!) { attributeSetUpdate(input: $input) {
    attributeSet { code name attributes { attribute { code } position required } }
    userErrors { field code message } } }";

const VALUES_SET: &str = "mutation($input: ProductAttributesSetInput!) { productAttributesSet(input: $input) {
    attributes { attribute { code } values }
    userErrors { field code message } } }";

const VALUES_OF: &str = "query($slug: String!) { product(slug: $slug) {
    attributes { attribute { code type options { value } } values options { value label } text number boolean date }
    variants { sku attributes { attribute { code } values options { value } number } } } }";

/// Creates an attribute definition through the API and asserts it worked.
async fn definition(app: &TestApp, t: &TestTenant, input: Value) -> Value {
    let body = app.gql(&t.admin, DEFINITION_CREATE, json!({ "input": input })).await;
    assert_eq!(body["data"]["attributeDefinitionCreate"]["userErrors"], json!([]), "{body}");
    body["data"]["attributeDefinitionCreate"]["attributeDefinition"].clone()
}

fn options(values: &[&str]) -> Value {
    values.iter().map(|v| json!({ "value": v, "label": v.to_uppercase() })).collect()
}

/// The definitions most tests use: one of each type.
async fn standard_definitions(app: &TestApp, t: &TestTenant) {
    for input in [
        json!({ "code": "color", "name": "Colour", "type": "SELECT", "options": options(&["red", "blue", "green"]) }),
        json!({ "code": "material", "name": "Material", "type": "MULTISELECT", "options": options(&["cotton", "wool", "linen"]) }),
        json!({ "code": "weight", "name": "Weight (kg)", "type": "NUMBER", "minNumber": "0", "maxNumber": "100" }),
        json!({ "code": "care", "name": "Care", "type": "TEXT", "maxLength": 20 }),
        json!({ "code": "organic", "name": "Organic", "type": "BOOLEAN" }),
        json!({ "code": "released", "name": "Released", "type": "DATE", "filterable": false }),
    ] {
        definition(app, t, input).await;
    }
}

/// Sets values (`[(code, [values])]`) of a product or variant and asserts it worked.
async fn set_values(
    app: &TestApp,
    t: &TestTenant,
    product_id: &Value,
    variant_id: Option<&Value>,
    values: &[(&str, &[&str])],
) {
    let body = app.gql(&t.admin, VALUES_SET, json!({ "input": values_input(product_id, variant_id, values) })).await;
    assert_eq!(body["data"]["productAttributesSet"]["userErrors"], json!([]), "{body}");
}

fn values_input(product_id: &Value, variant_id: Option<&Value>, values: &[(&str, &[&str])]) -> Value {
    let values: Vec<Value> = values.iter().map(|(code, values)| json!({ "code": code, "values": values })).collect();
    json!({ "productId": product_id, "variantId": variant_id, "values": values })
}

async fn variant_id(app: &TestApp, t: &TestTenant, sku: &str) -> Value {
    let body = app.gql(&t.admin, &format!("{{ variant(sku: \"{sku}\") {{ id }} }}"), json!({})).await;
    body["data"]["variant"]["id"].clone()
}

/// `(field path joined by '.', code)` of each userError of a payload.
fn user_errors(payload: &Value) -> Vec<(String, String)> {
    payload["userErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("no userErrors in {payload}"))
        .iter()
        .map(|e| {
            let field: Vec<&str> = e["field"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            (field.join("."), e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

async fn count(app: &TestApp, schema: &str, table: &str) -> i64 {
    app.sql_count(&format!("SELECT count(*) AS n FROM t_{schema}.{table}")).await
}

#[tokio::test]
async fn definitions_of_every_type_are_listed_with_their_bounds_and_options() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_defs").await;
    standard_definitions(&app, &t).await;
    let body = app
        .gql(
            &t.storefront,
            "{ attributeDefinitions(first: 10) { totalCount edges { node { code type filterable minNumber maxNumber maxLength options { value label position } } } } }",
            json!({}),
        )
        .await;
    let nodes: Vec<Value> = body["data"]["attributeDefinitions"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(body["data"]["attributeDefinitions"]["totalCount"], 6);
    let codes: Vec<&str> = nodes.iter().map(|n| n["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["care", "color", "material", "organic", "released", "weight"]);
    assert_eq!(
        nodes[1],
        json!({ "code": "color", "type": "SELECT", "filterable": true, "minNumber": null, "maxNumber": null, "maxLength": null,
                "options": [{ "value": "red", "label": "RED", "position": 0 }, { "value": "blue", "label": "BLUE", "position": 1 },
                            { "value": "green", "label": "GREEN", "position": 2 }] })
    );
    assert_eq!(nodes[0]["maxLength"], 20);
    assert_eq!(
        (&nodes[5]["type"], &nodes[5]["minNumber"], &nodes[5]["maxNumber"]),
        (&json!("NUMBER"), &json!("0"), &json!("100"))
    );
    assert_eq!((&nodes[4]["type"], &nodes[4]["filterable"]), (&json!("DATE"), &json!(false)));
    assert_eq!(nodes[3]["type"], "BOOLEAN");
    assert_eq!(nodes[2]["options"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn definitions_page_by_code_both_ways() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_defs").await;
    standard_definitions(&app, &t).await;
    let page = "query($first: Int, $after: String, $last: Int, $before: String) {
        attributeDefinitions(first: $first, after: $after, last: $last, before: $before) {
            pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { node { code } } } }";
    let body = app.gql(&t.storefront, page, json!({ "first": 4 })).await;
    let end = body["data"]["attributeDefinitions"]["pageInfo"]["endCursor"].clone();
    let body = app.gql(&t.storefront, page, json!({ "first": 4, "after": end })).await;
    let rest: Vec<&str> = body["data"]["attributeDefinitions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(rest, ["released", "weight"]);
    let body = app.gql(&t.storefront, page, json!({ "last": 2 })).await;
    let last: Vec<&str> = body["data"]["attributeDefinitions"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(last, ["released", "weight"]);
}

#[tokio::test]
async fn a_definition_is_found_by_code_or_by_id() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_defs").await;
    standard_definitions(&app, &t).await;
    let body = app.gql(&t.storefront, "{ attributeDefinition(code: \"material\") { id type } }", json!({})).await;
    assert_eq!(body["data"]["attributeDefinition"]["type"], "MULTISELECT");
    let id = body["data"]["attributeDefinition"]["id"].as_str().unwrap().to_owned();
    let body = app.gql(&t.storefront, &format!("{{ attributeDefinition(id: \"{id}\") {{ code }} }}"), json!({})).await;
    assert_eq!(body["data"]["attributeDefinition"]["code"], "material");
    let body = app.gql(&t.storefront, "{ attributeDefinition(code: \"nope\") { code } }", json!({})).await;
    assert_eq!(body["data"]["attributeDefinition"], Value::Null);
}

#[tokio::test]
async fn invalid_definitions_are_refused_and_write_nothing() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_defs").await;
    standard_definitions(&app, &t).await;
    let before = count(&app, "attr_defs", "attribute_definitions").await;
    let options_before = count(&app, "attr_defs", "attribute_options").await;
    for (input, expected) in [
        (json!({ "code": "color", "name": "Again", "type": "TEXT" }), vec![("input.code", "DUPLICATE")]),
        (json!({ "code": "size", "name": "Size", "type": "SELECT" }), vec![("input.options", "REQUIRED")]),
        (
            json!({ "code": "size", "name": "Size", "type": "MULTISELECT", "options": [] }),
            vec![("input.options", "REQUIRED")],
        ),
        (
            json!({ "code": "note", "name": "Note", "type": "TEXT", "options": options(&["a"]) }),
            vec![("input.options", "INVALID")],
        ),
        (
            json!({ "code": "note", "name": "Note", "type": "TEXT", "minNumber": "1" }),
            vec![("input.minNumber", "INVALID")],
        ),
        (
            json!({ "code": "qty", "name": "Qty", "type": "NUMBER", "maxLength": 3 }),
            vec![("input.maxLength", "INVALID")],
        ),
        (
            json!({ "code": "qty", "name": "Qty", "type": "NUMBER", "minNumber": "5", "maxNumber": "1" }),
            vec![("input.maxNumber", "INVALID")],
        ),
        (
            json!({ "code": "note", "name": "Note", "type": "TEXT", "maxLength": 0 }),
            vec![("input.maxLength", "INVALID")],
        ),
        (
            json!({ "code": "Bad Code", "name": "", "type": "TEXT" }),
            vec![("input.code", "INVALID"), ("input.name", "REQUIRED")],
        ),
        (
            json!({ "code": "size", "name": "Size", "type": "SELECT", "options": [{ "value": "s" }, { "value": "s" }, { "value": " " }] }),
            vec![("input.options.1.value", "DUPLICATE"), ("input.options.2.value", "REQUIRED")],
        ),
    ] {
        let body = app.gql(&t.admin, DEFINITION_CREATE, json!({ "input": input })).await;
        let payload = &body["data"]["attributeDefinitionCreate"];
        assert_eq!(user_errors(payload), pairs(&expected), "{body}");
        assert_eq!(payload["attributeDefinition"], Value::Null);
    }
    assert_eq!(count(&app, "attr_defs", "attribute_definitions").await, before);
    assert_eq!(count(&app, "attr_defs", "attribute_options").await, options_before);
}

#[tokio::test]
async fn an_options_label_defaults_to_its_value() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_defs").await;
    standard_definitions(&app, &t).await;
    let created = definition(
        &app,
        &t,
        json!({ "code": "size", "name": "Size", "type": "SELECT", "options": [{ "value": "m" }] }),
    )
    .await;
    assert_eq!(created["options"], json!([{ "value": "m", "label": "m", "position": 0 }]));
}

#[tokio::test]
async fn definition_updates_change_bounds_and_options_unless_stored_values_forbid() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_upd").await;
    standard_definitions(&app, &t).await;
    let p = product(&app, &t, "mug", "ACTIVE", &["MUG-1"]).await;
    set_values(&app, &t, &p["id"], None, &[("color", &["red"]), ("weight", &["40"]), ("care", &["hand wash only"])])
        .await;
    let id_of = |code: &'static str| {
        let app = &app;
        let token = t.admin.clone();
        async move {
            let body =
                app.gql(&token, &format!("{{ attributeDefinition(code: \"{code}\") {{ id }} }}"), json!({})).await;
            body["data"]["attributeDefinition"]["id"].clone()
        }
    };
    let color = id_of("color").await;
    let weight = id_of("weight").await;
    let care = id_of("care").await;

    let body = app
        .gql(
            &t.admin,
            DEFINITION_UPDATE,
            json!({ "input": {
            "id": color, "name": "Color", "filterable": false,
            "addOptions": [{ "value": "black", "label": "Black" }], "removeOptions": ["green"] }}),
        )
        .await;
    let updated = &body["data"]["attributeDefinitionUpdate"]["attributeDefinition"];
    assert_eq!((&updated["name"], &updated["filterable"]), (&json!("Color"), &json!(false)), "{body}");
    let values: Vec<&str> =
        updated["options"].as_array().unwrap().iter().map(|o| o["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["red", "blue", "black"]);
    assert_eq!(updated["options"][2]["position"], 2);

    let options_before = count(&app, "attr_upd", "attribute_options").await;
    for (input, expected) in [
        // "red" is in use; "pink" does not exist; "blue" exists already.
        (json!({ "id": color, "removeOptions": ["red"] }), vec![("input.removeOptions.0", "INVALID")]),
        (
            json!({ "id": color, "removeOptions": ["pink"], "name": "Renamed" }),
            vec![("input.removeOptions.0", "NOT_FOUND")],
        ),
        (json!({ "id": color, "addOptions": [{ "value": "blue" }] }), vec![("input.addOptions.0.value", "DUPLICATE")]),
        (json!({ "id": weight, "addOptions": [{ "value": "x" }] }), vec![("input.addOptions", "INVALID")]),
        (json!({ "id": color, "maxLength": 5 }), vec![("input.maxLength", "INVALID")]),
        (json!({ "id": weight, "maxNumber": "30" }), vec![("input.maxNumber", "INVALID")]),
        (json!({ "id": weight, "minNumber": "200" }), vec![("input.maxNumber", "INVALID")]),
        (json!({ "id": care, "maxLength": 5 }), vec![("input.maxLength", "INVALID")]),
        (json!({ "id": weight, "minNumber": "41", "maxNumber": "90" }), vec![("input.minNumber", "INVALID")]),
        (json!({ "id": "00000000-0000-0000-0000-000000000000", "name": "X" }), vec![("input.id", "NOT_FOUND")]),
    ] {
        let body = app.gql(&t.admin, DEFINITION_UPDATE, json!({ "input": input })).await;
        assert_eq!(user_errors(&body["data"]["attributeDefinitionUpdate"]), pairs(&expected), "{body}");
    }
    assert_eq!(count(&app, "attr_upd", "attribute_options").await, options_before);
    assert_eq!(
        app.sql_count("SELECT count(*) AS n FROM t_attr_upd.attribute_definitions WHERE name = 'Color'").await,
        1
    );

    // Limits that the stored values meet are fine; null removes a bound.
    let body = app
        .gql(&t.admin, DEFINITION_UPDATE, json!({ "input": { "id": weight, "maxNumber": "40", "minNumber": null } }))
        .await;
    let updated = &body["data"]["attributeDefinitionUpdate"]["attributeDefinition"];
    assert_eq!((&updated["minNumber"], &updated["maxNumber"]), (&Value::Null, &json!("40")), "{body}");
}

#[tokio::test]
async fn invalid_values_are_refused_with_their_path_and_write_nothing() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_bad").await;
    standard_definitions(&app, &t).await;
    let p = product(&app, &t, "scarf", "ACTIVE", &["SCARF-1"]).await;
    product(&app, &t, "hat", "ACTIVE", &["HAT-1"]).await;
    set_values(&app, &t, &p["id"], None, &[("color", &["blue"]), ("weight", &["0.25"])]).await;
    let stored = || app.sql_count("SELECT count(*) AS n FROM t_attr_bad.attribute_values");
    let before = stored().await;
    assert_eq!(before, 2);

    let long = "x".repeat(21);
    // (the items given, the userErrors expected)
    type Case<'a> = (Vec<(&'a str, Vec<&'a str>)>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (vec![("care", vec![long.as_str()])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("care", vec!["  "])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("weight", vec!["heavy"])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("weight", vec!["1e2"])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("weight", vec!["100.01"])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("weight", vec!["-1"])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("weight", vec!["1", "2"])], vec![("input.values.0.values", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("organic", vec!["yes"])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("released", vec!["2026-02-30"])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("released", vec!["15/01/2026"])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("color", vec!["purple"])], vec![("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")]),
        (vec![("color", vec!["red", "blue"])], vec![("input.values.0.values", "INVALID_ATTRIBUTE_VALUE")]),
        (
            vec![("material", vec!["wool", "silk", "wool"])],
            vec![
                ("input.values.0.values.1", "INVALID_ATTRIBUTE_VALUE"),
                ("input.values.0.values.2", "INVALID_ATTRIBUTE_VALUE"),
            ],
        ),
        (vec![("nope", vec!["x"])], vec![("input.values.0.code", "NOT_FOUND")]),
        // Good items do not get written when another item is bad.
        (
            vec![("color", vec![]), ("organic", vec!["true"]), ("material", vec!["linen", "felt"])],
            vec![("input.values.2.values.1", "INVALID_ATTRIBUTE_VALUE")],
        ),
        (vec![("organic", vec!["true"]), ("organic", vec!["false"])], vec![("input.values.1.code", "DUPLICATE")]),
    ];
    for (values, expected) in cases {
        let values: Vec<Value> = values.iter().map(|(code, v)| json!({ "code": code, "values": v })).collect();
        let body = app.gql(&t.admin, VALUES_SET, json!({ "input": { "productId": p["id"], "values": values } })).await;
        let payload = &body["data"]["productAttributesSet"];
        assert_eq!(user_errors(payload), pairs(&expected), "{body}");
        assert_eq!(payload["attributes"], Value::Null);
        assert_eq!(stored().await, before, "{body}");
    }

    // A variant of another product, an unknown product.
    let foreign = variant_id(&app, &t, "HAT-1").await;
    let body = app
        .gql(
            &t.admin,
            VALUES_SET,
            json!({ "input": values_input(&p["id"], Some(&foreign), &[("organic", &["true"])]) }),
        )
        .await;
    assert_eq!(
        user_errors(&body["data"]["productAttributesSet"]),
        pairs(&[("input.variantId", "NOT_FOUND")]),
        "{body}"
    );
    let missing = json!("00000000-0000-0000-0000-000000000000");
    let body = app
        .gql(&t.admin, VALUES_SET, json!({ "input": values_input(&missing, None, &[("organic", &["true"])]) }))
        .await;
    assert_eq!(
        user_errors(&body["data"]["productAttributesSet"]),
        pairs(&[("input.productId", "NOT_FOUND")]),
        "{body}"
    );
    let body = app.gql(&t.admin, VALUES_SET, json!({ "input": values_input(&json!("not-an-id"), None, &[]) })).await;
    assert_eq!(user_errors(&body["data"]["productAttributesSet"]), pairs(&[("input.productId", "INVALID")]), "{body}");
    assert_eq!(stored().await, before);

    // The stored values are the ones set before, untouched.
    let body = app.gql(&t.admin, VALUES_OF, json!({ "slug": "scarf" })).await;
    let values: Vec<(&str, &Value)> = body["data"]["product"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["attribute"]["code"].as_str().unwrap(), &a["values"]))
        .collect();
    assert_eq!(values, [("color", &json!(["blue"])), ("weight", &json!(["0.25"]))]);
    assert_eq!(
        app.gql(&t.admin, VALUES_OF, json!({ "slug": "hat" })).await["data"]["product"]["attributes"],
        json!([])
    );
}

#[tokio::test]
async fn values_show_on_products_and_variants_typed_and_are_replaced_or_removed() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_show").await;
    standard_definitions(&app, &t).await;
    let p = product(&app, &t, "shirt", "ACTIVE", &["SH-S", "SH-M"]).await;
    let small = variant_id(&app, &t, "SH-S").await;
    let body = app
        .gql(
            &t.admin,
            VALUES_SET,
            json!({ "input": values_input(&p["id"], None, &[
            ("material", &["wool", "cotton"]), ("weight", &["0.450"]), ("care", &[" dry clean "]),
            ("organic", &["false"]), ("released", &["2026-01-15"]),
        ]) }),
        )
        .await;
    // The payload holds every value of the product, in definition-code order (no set).
    let returned: Vec<&str> = body["data"]["productAttributesSet"]["attributes"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|a| a["attribute"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(returned, ["care", "material", "organic", "released", "weight"]);
    set_values(&app, &t, &p["id"], Some(&small), &[("color", &["red"]), ("weight", &["0.4"])]).await;

    let body = app.gql(&t.storefront, VALUES_OF, json!({ "slug": "shirt" })).await;
    let product = &body["data"]["product"];
    assert_eq!(
        product["attributes"],
        json!([
            { "attribute": { "code": "care", "type": "TEXT", "options": [] }, "values": ["dry clean"], "options": [],
              "text": "dry clean", "number": null, "boolean": null, "date": null },
            { "attribute": { "code": "material", "type": "MULTISELECT", "options": [{ "value": "cotton" }, { "value": "wool" }, { "value": "linen" }] },
              "values": ["wool", "cotton"], "options": [{ "value": "wool", "label": "WOOL" }, { "value": "cotton", "label": "COTTON" }],
              "text": null, "number": null, "boolean": null, "date": null },
            { "attribute": { "code": "organic", "type": "BOOLEAN", "options": [] }, "values": ["false"], "options": [],
              "text": null, "number": null, "boolean": false, "date": null },
            { "attribute": { "code": "released", "type": "DATE", "options": [] }, "values": ["2026-01-15"], "options": [],
              "text": null, "number": null, "boolean": null, "date": "2026-01-15" },
            { "attribute": { "code": "weight", "type": "NUMBER", "options": [] }, "values": ["0.45"], "options": [],
              "text": null, "number": "0.45", "boolean": null, "date": null },
        ]),
        "{body}"
    );
    assert_eq!(
        product["variants"],
        json!([
            { "sku": "SH-S", "attributes": [
                { "attribute": { "code": "color" }, "values": ["red"], "options": [{ "value": "red" }], "number": null },
                { "attribute": { "code": "weight" }, "values": ["0.4"], "options": [], "number": "0.4" } ] },
            { "sku": "SH-M", "attributes": [] },
        ])
    );

    // Listed attributes are replaced, others kept; an empty list removes.
    set_values(&app, &t, &p["id"], None, &[("material", &["linen"]), ("care", &[])]).await;
    let body = app.gql(&t.admin, VALUES_OF, json!({ "slug": "shirt" })).await;
    let codes: Vec<(&str, &Value)> = body["data"]["product"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["attribute"]["code"].as_str().unwrap(), &a["values"]))
        .collect();
    assert_eq!(
        codes,
        [
            ("material", &json!(["linen"])),
            ("organic", &json!(["false"])),
            ("released", &json!(["2026-01-15"])),
            ("weight", &json!(["0.45"]))
        ]
    );
    assert_eq!(body["data"]["product"]["variants"][0]["attributes"].as_array().unwrap().len(), 2);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_attr_show.attribute_values").await, 6);
}

#[tokio::test]
async fn a_page_of_products_with_variant_attributes_costs_the_same_statements_at_any_size() {
    let app = TestApp::one_connection().await;
    let t = app.tenant("attr_cost").await;
    standard_definitions(&app, &t).await;
    for i in 0..12 {
        let p = product(&app, &t, &format!("c{i:02}"), "ACTIVE", &[&format!("C{i:02}-A"), &format!("C{i:02}-B")]).await;
        let variant = variant_id(&app, &t, &format!("C{i:02}-A")).await;
        set_values(&app, &t, &p["id"], None, &[("material", &["wool", "linen"]), ("weight", &["2"])]).await;
        set_values(&app, &t, &p["id"], Some(&variant), &[("color", &["green"])]).await;
    }
    let page = "query($first: Int) { products(first: $first) { edges { node { slug
        attributes { attribute { code options { value } } values }
        variants { sku attributes { attribute { code options { value } } values options { label } } } } } } }";
    let mut costs = Vec::new();
    for first in [2, 10, 2, 10] {
        let before = app.db.statements();
        let body = app.gql(&t.storefront, page, json!({ "first": first })).await;
        costs.push(app.db.statements() - before);
        let edges = body["data"]["products"]["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(edges.len(), first as usize);
        for edge in edges {
            assert_eq!(edge["node"]["attributes"][0]["values"], json!(["wool", "linen"]), "{body}");
            assert_eq!(edge["node"]["variants"][0]["attributes"][0]["options"], json!([{ "label": "GREEN" }]));
            assert_eq!(edge["node"]["variants"][1]["attributes"], json!([]));
        }
    }
    // The page, the variants, the values of products and variants together, and the
    // options of their attributes (the token was looked up by the first request).
    assert_eq!(&costs[1..], &[4, 4, 4], "{costs:?}");
}

/// A tenant with the standard definitions and the set `apparel` (material required,
/// color, care required): the tenant, the response that created the set, and its id.
async fn apparel(app: &TestApp) -> (TestTenant, Value, Value) {
    let t = app.tenant("attr_sets").await;
    standard_definitions(app, &t).await;
    let input = json!({ "code": "apparel", "name": "Apparel", "attributes": [
        { "code": "material", "required": true }, { "code": "color" }, { "code": "care", "required": true } ] });
    let body = app.gql(&t.admin, SET_CREATE, json!({ "input": input })).await;
    let set_id = body["data"]["attributeSetCreate"]["attributeSet"]["id"].clone();
    (t, body, set_id)
}

#[tokio::test]
async fn a_set_keeps_its_members_in_the_order_given() {
    let app = TestApp::start().await;
    let (_, body, _) = apparel(&app).await;
    assert_eq!(
        body["data"]["attributeSetCreate"]["attributeSet"]["attributes"],
        json!([
            { "attribute": { "code": "material" }, "position": 0, "required": true },
            { "attribute": { "code": "color" }, "position": 1, "required": false },
            { "attribute": { "code": "care" }, "position": 2, "required": true },
        ]),
        "{body}"
    );
}

#[tokio::test]
async fn invalid_sets_are_refused_and_write_nothing() {
    let app = TestApp::start().await;
    let (t, _, _) = apparel(&app).await;
    let sets_before = count(&app, "attr_sets", "attribute_sets").await;
    for (input, expected) in [
        (json!({ "code": "apparel", "name": "Again" }), vec![("input.code", "DUPLICATE")]),
        (
            json!({ "code": "other", "name": "Other", "attributes": [{ "code": "color" }, { "code": "nope" }, { "code": "color" }] }),
            vec![("input.attributes.2.code", "DUPLICATE")],
        ),
        (
            json!({ "code": "other", "name": "Other", "attributes": [{ "code": "color" }, { "code": "nope" }] }),
            vec![("input.attributes.1.code", "NOT_FOUND")],
        ),
    ] {
        let body = app.gql(&t.admin, SET_CREATE, json!({ "input": input })).await;
        assert_eq!(user_errors(&body["data"]["attributeSetCreate"]), pairs(&expected), "{body}");
    }
    assert_eq!(count(&app, "attr_sets", "attribute_sets").await, sets_before);
}

#[tokio::test]
async fn updating_a_set_replaces_its_members_and_a_refused_update_changes_nothing() {
    let app = TestApp::start().await;
    let (t, _, set_id) = apparel(&app).await;
    let body = app
        .gql(
            &t.admin,
            SET_UPDATE,
            json!({ "input": { "id": set_id, "name": "Clothes", "attributes": [
            { "code": "care", "required": true }, { "code": "material", "required": true }, { "code": "weight" } ] } }),
        )
        .await;
    assert_eq!(
        body["data"]["attributeSetUpdate"]["attributeSet"],
        json!({ "code": "apparel", "name": "Clothes", "attributes": [
            { "attribute": { "code": "care" }, "position": 0, "required": true },
            { "attribute": { "code": "material" }, "position": 1, "required": true },
            { "attribute": { "code": "weight" }, "position": 2, "required": false } ] }),
        "{body}"
    );
    let body = app
        .gql(
            &t.admin,
            SET_UPDATE,
            json!({ "input": { "id": set_id, "name": "Gone", "attributes": [{ "code": "nope" }] } }),
        )
        .await;
    assert_eq!(user_errors(&body["data"]["attributeSetUpdate"]), pairs(&[("input.attributes.0.code", "NOT_FOUND")]));
    let body = app
        .gql(&t.admin, "{ attributeSet(code: \"apparel\") { name attributes { attribute { code } } } }", json!({}))
        .await;
    assert_eq!(body["data"]["attributeSet"]["name"], "Clothes");
    assert_eq!(body["data"]["attributeSet"]["attributes"].as_array().unwrap().len(), 3);
    let body = app
        .gql(
            &t.admin,
            "{ attributeSets(first: 5) { totalCount edges { node { code attributes { position } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["attributeSets"]["totalCount"], 1, "{body}");
}

#[tokio::test]
async fn a_required_attribute_cannot_be_emptied_on_a_product_of_the_set() {
    let app = TestApp::start().await;
    let (t, _, _) = apparel(&app).await;
    let p = product(&app, &t, "coat", "DRAFT", &["COAT-1"]).await;
    let assigned = app
        .sql_count("WITH u AS (UPDATE t_attr_sets.products SET attribute_set_id = (SELECT id FROM t_attr_sets.attribute_sets WHERE code = 'apparel') WHERE slug = 'coat' RETURNING 1) SELECT count(*) AS n FROM u")
        .await;
    assert_eq!(assigned, 1);
    let missing = || missing_required(&app, "attr_sets", &p["id"]);
    assert_eq!(missing().await, ["material", "care"]);

    set_values(&app, &t, &p["id"], None, &[("material", &["wool"]), ("care", &["air"]), ("weight", &["3"])]).await;
    assert!(missing().await.is_empty());
    let before = app.sql_count("SELECT count(*) AS n FROM t_attr_sets.attribute_values").await;
    let body = app
        .gql(&t.admin, VALUES_SET, json!({ "input": values_input(&p["id"], None, &[("weight", &[]), ("care", &[])]) }))
        .await;
    assert_eq!(
        user_errors(&body["data"]["productAttributesSet"]),
        pairs(&[("input.values.1.values", "MISSING_REQUIRED_ATTRIBUTE")]),
        "{body}"
    );
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_attr_sets.attribute_values").await, before);
    // Not required: removed. A variant's own value of a required attribute may be emptied.
    set_values(&app, &t, &p["id"], None, &[("weight", &[])]).await;
    let variant = variant_id(&app, &t, "COAT-1").await;
    set_values(&app, &t, &p["id"], Some(&variant), &[("care", &["wipe"])]).await;
    set_values(&app, &t, &p["id"], Some(&variant), &[("care", &[])]).await;
    assert!(missing().await.is_empty());
    // Values stored straight in the table are what the check reads.
    app.sql_count("WITH d AS (DELETE FROM t_attr_sets.attribute_values av USING t_attr_sets.attribute_definitions ad WHERE ad.id = av.attribute_id AND ad.code = 'care' RETURNING 1) SELECT count(*) AS n FROM d").await;
    assert_eq!(missing().await, ["care"]);
}

/// What `attributes::missing_required` says of a product, on a tenant connection.
async fn missing_required(app: &TestApp, slug: &str, product_id: &Value) -> Vec<String> {
    let schema = app.tenant_row(slug).await.schema().unwrap();
    let product_id: uuid::Uuid = product_id.as_str().unwrap().parse().unwrap();
    let mut conn = storegraph::db::tenant_connection(&app.db.pool, &schema).await.unwrap();
    storegraph::attributes::missing_required(&mut conn, product_id).await.unwrap()
}

/// The slugs a product filter returns.
async fn filtered(app: &TestApp, token: &str, attributes: Value) -> Vec<String> {
    let body = app
        .gql(
            token,
            "query($attributes: [AttributeFilterInput!]) { products(first: 50, filter: { attributes: $attributes }) { edges { node { slug } } } }",
            json!({ "attributes": attributes }),
        )
        .await;
    let edges = body["data"]["products"]["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
    let mut slugs: Vec<String> = edges.iter().map(|e| e["node"]["slug"].as_str().unwrap().to_owned()).collect();
    slugs.sort();
    slugs
}

/// A tenant with the standard definitions and eight active products whose values (their
/// own or their variant's) the filter tests match against.
async fn filter_shop(app: &TestApp) -> TestTenant {
    let t = app.tenant("attr_filter").await;
    standard_definitions(app, &t).await;
    type Values<'a> = &'a [(&'a str, &'a [&'a str])];
    let products: [(&str, Values, Values); 8] = [
        // Both attributes on the product.
        ("p1-red-cotton", &[("color", &["red"]), ("material", &["cotton"]), ("weight", &["1.5"])], &[]),
        // Colour matches, material does not.
        ("p2-blue-linen", &[("color", &["blue"]), ("material", &["linen"]), ("weight", &["3"])], &[]),
        // Material matches, colour does not.
        ("p3-green-wool", &[("color", &["green"]), ("material", &["wool"]), ("weight", &["10"])], &[]),
        // Colour only through a variant.
        (
            "p4-variant-blue",
            &[("material", &["wool"]), ("organic", &["true"])],
            &[("color", &["blue"]), ("weight", &["2.5"])],
        ),
        // No values.
        ("p5-bare", &[], &[]),
        // A multiselect with one matching option among others.
        (
            "p6-red-mixed",
            &[
                ("color", &["red"]),
                ("material", &["linen", "wool"]),
                ("weight", &["2.999"]),
                ("released", &["2026-01-15"]),
            ],
            &[],
        ),
        // Colour on the product, the matching material only on a variant.
        ("p7-variant-cotton", &[("color", &["blue"])], &[("material", &["cotton"])]),
        // The text "red" is not the option "red".
        ("p8-text-red", &[("care", &["red"]), ("material", &["wool"])], &[]),
    ];
    for (slug, own, variant) in products {
        let sku = format!("{}-V", slug.to_uppercase());
        let p = product(app, &t, slug, "ACTIVE", &[&sku]).await;
        if !own.is_empty() {
            set_values(app, &t, &p["id"], None, own).await;
        }
        if !variant.is_empty() {
            let v = variant_id(app, &t, &sku).await;
            set_values(app, &t, &p["id"], Some(&v), variant).await;
        }
    }
    t
}

#[tokio::test]
async fn products_filter_by_several_attributes_through_their_own_or_their_variants_values() {
    let app = TestApp::start().await;
    let t = filter_shop(&app).await;
    let sf = t.storefront.as_str();
    let two =
        json!([{ "code": "color", "values": ["red", "blue"] }, { "code": "material", "values": ["cotton", "wool"] }]);
    assert_eq!(
        filtered(&app, sf, two).await,
        ["p1-red-cotton", "p4-variant-blue", "p6-red-mixed", "p7-variant-cotton"]
    );
    let one = json!([{ "code": "color", "values": ["blue"] }]);
    assert_eq!(filtered(&app, sf, one).await, ["p2-blue-linen", "p4-variant-blue", "p7-variant-cotton"]);
    assert_eq!(
        filtered(&app, sf, json!([{ "code": "color", "values": ["red"] }])).await,
        ["p1-red-cotton", "p6-red-mixed"]
    );
    assert_eq!(filtered(&app, sf, json!([{ "code": "care", "values": ["red"] }])).await, ["p8-text-red"]);
}

#[tokio::test]
async fn number_filters_compare_as_numbers_in_values_and_ranges() {
    let app = TestApp::start().await;
    let t = filter_shop(&app).await;
    let sf = t.storefront.as_str();
    assert_eq!(
        filtered(&app, sf, json!([{ "code": "weight", "values": ["3.00", "10"] }])).await,
        ["p2-blue-linen", "p3-green-wool"]
    );
    assert_eq!(
        filtered(&app, sf, json!([{ "code": "weight", "gte": "2", "lte": "3" }])).await,
        ["p2-blue-linen", "p4-variant-blue", "p6-red-mixed"]
    );
    assert_eq!(filtered(&app, sf, json!([{ "code": "weight", "gte": "3" }])).await, ["p2-blue-linen", "p3-green-wool"]);
    assert_eq!(
        filtered(&app, sf, json!([{ "code": "weight", "lte": "2.5" }, { "code": "color", "values": ["red", "blue"] }]))
            .await,
        ["p1-red-cotton", "p4-variant-blue"]
    );
}

#[tokio::test]
async fn boolean_and_date_filters_match_their_values() {
    let app = TestApp::start().await;
    let t = filter_shop(&app).await;
    let sf = t.storefront.as_str();
    assert_eq!(filtered(&app, sf, json!([{ "code": "organic", "values": ["true"] }])).await, ["p4-variant-blue"]);
    assert_eq!(filtered(&app, sf, json!([{ "code": "released", "values": ["2026-01-15"] }])).await, ["p6-red-mixed"]);
}

#[tokio::test]
async fn unknown_codes_and_values_match_nothing() {
    let app = TestApp::start().await;
    let t = filter_shop(&app).await;
    let sf = t.storefront.as_str();
    assert!(filtered(&app, sf, json!([{ "code": "nope", "values": ["red"] }])).await.is_empty());
    assert!(filtered(&app, sf, json!([{ "code": "color", "values": ["red' OR '1'='1"] }])).await.is_empty());
}

#[tokio::test]
async fn attribute_filters_combine_with_the_storefronts_active_only_rule() {
    let app = TestApp::start().await;
    let t = filter_shop(&app).await;
    let sf = t.storefront.as_str();
    let p = product(&app, &t, "p9-draft-red", "DRAFT", &["P9"]).await;
    set_values(&app, &t, &p["id"], None, &[("color", &["red"])]).await;
    let red = json!([{ "code": "color", "values": ["red"] }]);
    assert_eq!(filtered(&app, sf, red.clone()).await, ["p1-red-cotton", "p6-red-mixed"]);
    assert_eq!(filtered(&app, &t.admin, red).await, ["p1-red-cotton", "p6-red-mixed", "p9-draft-red"]);
    let body = app
        .gql(
            sf,
            "{ products(filter: { attributes: [{ code: \"color\", values: [\"red\"] }] }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["products"]["totalCount"], 2, "{body}");
}

#[tokio::test]
async fn bad_attribute_filters_are_refused() {
    let app = TestApp::start().await;
    let t = filter_shop(&app).await;
    let sf = t.storefront.as_str();
    let many: Vec<Value> = (0..21).map(|_| json!({ "code": "color", "values": ["red"] })).collect();
    for bad in [
        json!([{ "code": "color" }]),
        json!([{ "code": "color", "values": [] }]),
        json!(many),
        json!([{ "code": "weight", "gte": "5", "lte": "1" }]),
    ] {
        let body = app
            .gql(sf, "query($a: [AttributeFilterInput!]) { products(filter: { attributes: $a }) { edges { node { slug } } } }", json!({ "a": bad }))
            .await;
        assert_eq!(error_code(&body), "BAD_USER_INPUT", "{body}");
    }
}

#[tokio::test]
async fn storefront_tokens_read_definitions_but_change_nothing() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_roles").await;
    standard_definitions(&app, &t).await;
    let p = product(&app, &t, "cap", "ACTIVE", &["CAP-1"]).await;
    let body = app.gql(&t.admin, SET_CREATE, json!({ "input": { "code": "caps", "name": "Caps" } })).await;
    let set_id = body["data"]["attributeSetCreate"]["attributeSet"]["id"].clone();
    let color = app.gql(&t.admin, "{ attributeDefinition(code: \"color\") { id } }", json!({})).await["data"]["attributeDefinition"]["id"].clone();
    let before = app
        .sql_count("SELECT (SELECT count(*) FROM t_attr_roles.attribute_definitions) + (SELECT count(*) FROM t_attr_roles.attribute_options) + (SELECT count(*) FROM t_attr_roles.attribute_sets) + (SELECT count(*) FROM t_attr_roles.attribute_values) AS n")
        .await;

    for (query, input) in [
        (DEFINITION_CREATE, json!({ "code": "sneaky", "name": "S", "type": "TEXT" })),
        (DEFINITION_UPDATE, json!({ "id": color, "addOptions": [{ "value": "pink" }] })),
        (SET_CREATE, json!({ "code": "sneaky", "name": "S" })),
        (SET_UPDATE, json!({ "id": set_id, "name": "S" })),
        (VALUES_SET, values_input(&p["id"], None, &[("color", &["red"])])),
    ] {
        let body = app.gql(&t.storefront, query, json!({ "input": input })).await;
        assert_eq!(error_code(&body), "FORBIDDEN", "{body}");
    }
    for query in ["{ attributeSets { edges { node { code } } } }", "{ attributeSet(code: \"caps\") { code } }"] {
        assert_eq!(error_code(&app.gql(&t.storefront, query, json!({})).await), "FORBIDDEN");
    }
    let after = app
        .sql_count("SELECT (SELECT count(*) FROM t_attr_roles.attribute_definitions) + (SELECT count(*) FROM t_attr_roles.attribute_options) + (SELECT count(*) FROM t_attr_roles.attribute_sets) + (SELECT count(*) FROM t_attr_roles.attribute_values) AS n")
        .await;
    assert_eq!(after, before);
    let body = app.gql(&t.storefront, "{ attributeDefinitions { totalCount } }", json!({})).await;
    assert_eq!(body["data"]["attributeDefinitions"]["totalCount"], 6);
    // Without any token nothing is read.
    let (_, body) = app.post(&[], "{ attributeDefinitions { totalCount } }", json!({})).await;
    assert_eq!(error_code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn two_tenants_may_use_the_same_attribute_codes() {
    let app = TestApp::start().await;
    let a = app.tenant("attr_ten_a").await;
    let b = app.tenant("attr_ten_b").await;
    definition(
        &app,
        &a,
        json!({ "code": "color", "name": "Colour", "type": "SELECT", "options": options(&["red", "blue"]) }),
    )
    .await;
    definition(
        &app,
        &b,
        json!({ "code": "color", "name": "Farbe", "type": "MULTISELECT", "options": options(&["rot", "red"]) }),
    )
    .await;
    let pa = product(&app, &a, "tee", "ACTIVE", &["TEE-1"]).await;
    let pb = product(&app, &b, "tee", "ACTIVE", &["TEE-1"]).await;
    set_values(&app, &a, &pa["id"], None, &[("color", &["blue"])]).await;
    set_values(&app, &b, &pb["id"], None, &[("color", &["rot", "red"])]).await;
    // Tenant a's options are not tenant b's.
    let body =
        app.gql(&a.admin, VALUES_SET, json!({ "input": values_input(&pa["id"], None, &[("color", &["rot"])]) })).await;
    assert_eq!(
        user_errors(&body["data"]["productAttributesSet"]),
        pairs(&[("input.values.0.values.0", "INVALID_ATTRIBUTE_VALUE")])
    );

    let query = "{ attributeDefinition(code: \"color\") { name type options { value } } product(slug: \"tee\") { attributes { values } } }";
    let body = app.gql(&a.storefront, query, json!({})).await;
    assert_eq!(
        body["data"]["attributeDefinition"],
        json!({ "name": "Colour", "type": "SELECT", "options": [{ "value": "red" }, { "value": "blue" }] })
    );
    assert_eq!(body["data"]["product"]["attributes"], json!([{ "values": ["blue"] }]));
    let body = app.gql(&b.storefront, query, json!({})).await;
    assert_eq!(body["data"]["attributeDefinition"]["name"], "Farbe");
    assert_eq!(body["data"]["product"]["attributes"], json!([{ "values": ["rot", "red"] }]));
    let red = json!([{ "code": "color", "values": ["red"] }]);
    assert!(filtered(&app, &a.storefront, red.clone()).await.is_empty());
    assert_eq!(filtered(&app, &b.storefront, red).await, ["tee"]);
}

#[tokio::test]
async fn a_product_cannot_be_active_without_the_required_attributes_of_its_set() {
    let app = TestApp::start().await;
    let t = app.tenant("attr_active").await;
    definition(
        &app,
        &t,
        json!({ "code": "material", "name": "Material", "type": "SELECT",
        "options": [{ "value": "wool" }, { "value": "linen" }] }),
    )
    .await;
    let body = app
        .gql(&t.admin, SET_CREATE, json!({ "input": { "code": "coats", "name": "Coats", "attributes": [{ "code": "material", "required": true }] } }))
        .await;
    let set_id = body["data"]["attributeSetCreate"]["attributeSet"]["id"].clone();
    let create = |status: &str, slug: &str| {
        json!({ "input": { "slug": slug, "name": "Coat", "status": status, "basePrice": "100", "currency": "EUR",
                           "attributeSetId": set_id, "variants": [{ "sku": slug.to_uppercase() }] } })
    };
    let body = app.gql(&t.admin, PRODUCT_CREATE, create("ACTIVE", "coat")).await;
    assert_eq!(
        body["data"]["productCreate"]["userErrors"],
        json!([{ "field": ["input", "status"], "code": "MISSING_REQUIRED_ATTRIBUTE", "message": "set the required attributes first: material" }])
    );
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_attr_active.products").await, 0);
    let unknown = json!({ "input": { "slug": "x", "name": "X", "basePrice": "1", "currency": "EUR", "attributeSetId": "00000000-0000-0000-0000-000000000000" } });
    let body = app.gql(&t.admin, PRODUCT_CREATE, unknown).await;
    assert_eq!(body["data"]["productCreate"]["userErrors"][0]["code"], "NOT_FOUND", "{body}");

    let body = app.gql(&t.admin, PRODUCT_CREATE, create("DRAFT", "coat")).await;
    let id = body["data"]["productCreate"]["product"]["id"].clone();
    let activate = "mutation($id: ID!) { productUpdate(input: { id: $id, status: ACTIVE }) { product { status } userErrors { code } } }";
    let body = app.gql(&t.admin, activate, json!({ "id": id })).await;
    assert_eq!(body["data"]["productUpdate"]["userErrors"], json!([{ "code": "MISSING_REQUIRED_ATTRIBUTE" }]));
    let body = app
        .gql(
            &t.admin,
            VALUES_SET,
            json!({ "input": { "productId": id, "values": [{ "code": "material", "values": ["wool"] }] } }),
        )
        .await;
    assert_eq!(body["data"]["productAttributesSet"]["userErrors"], json!([]), "{body}");
    let body = app.gql(&t.admin, activate, json!({ "id": id })).await;
    assert_eq!(body["data"]["productUpdate"]["product"]["status"], "ACTIVE", "{body}");
}
