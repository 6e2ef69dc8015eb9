//! The customers API: profiles, lookups, the listing, addresses and their defaults, the
//! activity trail, customer-service notes by staff, anonymization, roles and tenants.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};
use storegraph::tenancy::Role;

use crate::fixtures::{as_staff, pairs, user_errors};
use crate::harness::{TestApp, TestTenant, error_code};

const FIELDS: &str = "id email firstName lastName phone authSubject locale marketingConsent marketingConsentAt
    preferences anonymized anonymizedAt createdAt updatedAt";

fn create_mutation() -> String {
    format!(
        "mutation($input: CustomerCreateInput!) {{ customerCreate(input: $input) {{
        customer {{ {FIELDS} }} userErrors {{ field code message }} }} }}"
    )
}

fn update_mutation() -> String {
    format!(
        "mutation($input: CustomerUpdateInput!) {{ customerUpdate(input: $input) {{
        customer {{ {FIELDS} }} userErrors {{ field code message }} }} }}"
    )
}

const ADDRESS_FIELDS: &str =
    "customerAddress { id isDefaultShipping isDefaultBilling address { firstName city country } }
    customer { defaultShippingAddress { id } defaultBillingAddress { id } addresses { id } }
    userErrors { field code message }";

const ACTIVITY: &str = "query($id: ID!, $first: Int, $after: String) { customer(id: $id) {
    activity(first: $first, after: $after) { pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { kind detail actor orderId } } } } }";

const NOTE_CREATE: &str = "mutation($input: CustomerNoteCreateInput!) { customerNoteCreate(input: $input) {
    note { id customerId orderId staffId body createdAt updatedAt } userErrors { field code message } } }";

const NOTE_UPDATE: &str = "mutation($input: CustomerNoteUpdateInput!) { customerNoteUpdate(input: $input) {
    note { id staffId body createdAt updatedAt } userErrors { field code message } } }";

const ANONYMIZE: &str = "mutation($input: CustomerAnonymizeInput!) { customerAnonymize(input: $input) {
    customer { id email firstName lastName phone authSubject locale marketingConsent preferences anonymized anonymizedAt
      addresses { id } }
    userErrors { field code message } } }";

/// Creates a customer and asserts it worked.
async fn customer(app: &TestApp, token: &str, input: Value) -> Value {
    let body = app.gql(token, &create_mutation(), json!({ "input": input })).await;
    assert_eq!(body["data"]["customerCreate"]["userErrors"], json!([]), "{body}");
    body["data"]["customerCreate"]["customer"].clone()
}

async fn address(app: &TestApp, token: &str, input: Value) -> Value {
    let mutation = format!(
        "mutation($input: CustomerAddressCreateInput!) {{ customerAddressCreate(input: $input) {{ {ADDRESS_FIELDS} }} }}"
    );
    let body = app.gql(token, &mutation, json!({ "input": input })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["customerAddressCreate"].clone()
}

fn postal(city: &str) -> Value {
    json!({ "firstName": "Ada", "lastName": "Lovelace", "line1": "1 Main St", "city": city, "country": "de" })
}

/// The kinds and details of a customer's activity, newest first.
async fn activity(app: &TestApp, token: &str, id: &Value) -> Vec<(String, String)> {
    let body = app.gql(token, ACTIVITY, json!({ "id": id, "first": 100 })).await;
    body["data"]["customer"]["activity"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no activity in {body}"))
        .iter()
        .map(|e| (e["node"]["kind"].as_str().unwrap().to_owned(), e["node"]["detail"].as_str().unwrap().to_owned()))
        .collect()
}

/// Runs SQL returning one uuid (as text, column `id`) on the test database.
async fn sql_id(app: &TestApp, sql: &str) -> String {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    let row: Row = diesel::sql_query(sql).get_result(&mut conn).await.unwrap();
    row.id
}

/// An order of `customer` (or a guest order) written straight into the tenant's tables,
/// with a contact email and a shipping address; returns its id.
async fn order_row(app: &TestApp, slug: &str, customer: Option<&Value>, email: &str) -> String {
    let customer = customer.map_or("NULL".to_owned(), |c| format!("'{}'", c.as_str().unwrap()));
    let id = sql_id(
        app,
        &format!(
            "INSERT INTO t_{slug}.orders (status, channel, customer_id, email, currency, subtotal, total, placed_by) \
             VALUES ('pending', 'online', {customer}, '{email}', 'EUR', 10, 10, 'test') RETURNING id::text AS id"
        ),
    )
    .await;
    sql_id(
        app,
        &format!(
            "INSERT INTO t_{slug}.order_addresses (order_id, kind, first_name, last_name, line1, city, country) \
             VALUES ('{id}', 'shipping', 'Ada', 'Lovelace', '1 Main St', 'Berlin', 'DE') RETURNING order_id::text AS id"
        ),
    )
    .await
}

/// An admin token whose key belongs to staff member `staff`.
async fn staff_token(app: &TestApp, slug: &str, staff: &str) -> String {
    let tenant = app.tenant_row(slug).await;
    app.control().create_key(&tenant, Role::Admin, "support", Some(staff)).await.unwrap().1.secret
}

#[tokio::test]
async fn customers_are_created_updated_and_found_by_id_or_by_email_in_any_case() {
    let app = TestApp::start().await;
    let t = app.tenant("cust_crud").await;
    let ada = customer(
        &app,
        &t.admin,
        json!({ "email": "  Ada.Lovelace@Example.COM ", "firstName": " Ada ", "lastName": "Lovelace",
                "phone": "+44 20 7946 0000", "authSubject": "oidc|ada", "locale": "en-GB",
                "preferences": { "sizes": ["M"], "newsletter": true } }),
    )
    .await;
    assert_eq!(ada["email"], "ada.lovelace@example.com");
    assert_eq!(ada["firstName"], "Ada");
    assert_eq!(ada["preferences"], json!({ "sizes": ["M"], "newsletter": true }));
    assert_eq!(ada["marketingConsent"], false);
    assert_eq!(ada["marketingConsentAt"], Value::Null);
    assert_eq!(ada["anonymized"], false);

    let by_email = "query($email: String!) { customer(email: $email) { id email } }";
    let body = app.gql(&t.admin, by_email, json!({ "email": "ADA.LOVELACE@example.com" })).await;
    assert_eq!(body["data"]["customer"]["id"], ada["id"], "{body}");
    let body = app.gql(&t.admin, by_email, json!({ "email": "nobody@example.com" })).await;
    assert_eq!(body["data"]["customer"], Value::Null);
    let by_id = "query($id: ID!) { customer(id: $id) { email locale authSubject } }";
    let body = app.gql(&t.admin, by_id, json!({ "id": ada["id"] })).await;
    assert_eq!(
        body["data"]["customer"],
        json!({ "email": "ada.lovelace@example.com", "locale": "en-GB", "authSubject": "oidc|ada" })
    );
    let body = app.gql(&t.admin, "{ customer(id: \"x\", email: \"a@b.c\") { id } }", json!({})).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");

    // An update changes what it names, clears what is null, and stamps consent.
    let body = app
        .gql(
            &t.admin,
            &update_mutation(),
            json!({ "input": { "id": ada["id"], "firstName": "Augusta Ada", "phone": null, "marketingConsent": true } }),
        )
        .await;
    assert_eq!(user_errors(&body, "customerUpdate"), []);
    let updated = &body["data"]["customerUpdate"]["customer"];
    assert_eq!(updated["firstName"], "Augusta Ada");
    assert_eq!(updated["lastName"], "Lovelace");
    assert_eq!(updated["phone"], Value::Null);
    assert_eq!(updated["locale"], "en-GB");
    assert_eq!(updated["marketingConsent"], true);
    assert!(updated["marketingConsentAt"].is_string(), "{updated}");
    assert_ne!(updated["updatedAt"], ada["updatedAt"]);

    // Signup and the update are in the trail, newest first, with the fields changed.
    assert_eq!(
        activity(&app, &t.admin, &ada["id"]).await,
        pairs(&[("PROFILE_UPDATED", "changed: firstName, phone, marketingConsent"), ("SIGNUP", "")])
    );
    // An update that changes nothing records nothing.
    let body =
        app.gql(&t.admin, &update_mutation(), json!({ "input": { "id": ada["id"], "lastName": "Lovelace" } })).await;
    assert_eq!(user_errors(&body, "customerUpdate"), []);
    assert_eq!(activity(&app, &t.admin, &ada["id"]).await.len(), 2);

    // Unknown ids are userErrors.
    let body = app
        .gql(
            &t.admin,
            &update_mutation(),
            json!({ "input": { "id": "5f0c0000-0000-4000-8000-000000000000", "lastName": "X" } }),
        )
        .await;
    assert_eq!(user_errors(&body, "customerUpdate"), pairs(&[("id", "NOT_FOUND")]));
}

async fn counts(app: &TestApp) -> (i64, i64) {
    (
        app.sql_count("SELECT count(*) AS n FROM t_cust_dup.customers").await,
        app.sql_count("SELECT count(*) AS n FROM t_cust_dup.customer_activities").await,
    )
}

#[tokio::test]
async fn a_duplicate_email_in_another_case_is_refused_and_writes_nothing() {
    let app = TestApp::start().await;
    let t = app.tenant("cust_dup").await;
    let first = customer(&app, &t.admin, json!({ "email": "grace@example.com", "authSubject": "sub-1" })).await;
    assert_eq!(counts(&app).await, (1, 1));

    let body = app.gql(&t.admin, &create_mutation(), json!({ "input": { "email": "GRACE@Example.com" } })).await;
    assert_eq!(user_errors(&body, "customerCreate"), pairs(&[("email", "DUPLICATE")]));
    assert_eq!(body["data"]["customerCreate"]["customer"], Value::Null);
    let body = app
        .gql(&t.admin, &create_mutation(), json!({ "input": { "email": "other@example.com", "authSubject": "sub-1" } }))
        .await;
    assert_eq!(user_errors(&body, "customerCreate"), pairs(&[("authSubject", "DUPLICATE")]));
    assert_eq!(counts(&app).await, (1, 1));

    // Taking another customer's email by update is refused too, and changes nothing.
    let second = customer(&app, &t.admin, json!({ "email": "hopper@example.com" })).await;
    let body = app
        .gql(
            &t.admin,
            &update_mutation(),
            json!({ "input": { "id": second["id"], "email": "Grace@EXAMPLE.com", "firstName": "G" } }),
        )
        .await;
    assert_eq!(user_errors(&body, "customerUpdate"), pairs(&[("email", "DUPLICATE")]));
    assert_eq!(counts(&app).await, (2, 2));
    let body = app
        .gql(&t.admin, "query($id: ID!) { customer(id: $id) { email firstName } }", json!({ "id": second["id"] }))
        .await;
    assert_eq!(body["data"]["customer"], json!({ "email": "hopper@example.com", "firstName": "" }));
    assert_ne!(first["id"], second["id"]);
}

#[tokio::test]
async fn invalid_input_is_refused_with_user_errors() {
    let app = TestApp::start().await;
    let t = app.tenant("cust_val").await;
    let body = app
        .gql(
            &t.admin,
            &create_mutation(),
            json!({ "input": { "email": "not-an-email", "firstName": "x".repeat(101), "locale": "english",
                               "phone": "1".repeat(41), "preferences": ["not", "an", "object"] } }),
        )
        .await;
    let mut errors = user_errors(&body, "customerCreate");
    errors.sort();
    assert_eq!(
        errors,
        pairs(&[
            ("email", "INVALID_EMAIL"),
            ("firstName", "TOO_LONG"),
            ("locale", "INVALID_LOCALE"),
            ("phone", "TOO_LONG"),
            ("preferences", "INVALID"),
        ])
    );
    let body = app.gql(&t.admin, &create_mutation(), json!({ "input": { "email": "  " } })).await;
    assert_eq!(user_errors(&body, "customerCreate"), pairs(&[("email", "REQUIRED")]));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cust_val.customers").await, 0);

    // An address with a country that is not one, and blank required fields.
    let c = customer(&app, &t.admin, json!({ "email": "val@example.com" })).await;
    let result = address(
        &app,
        &t.admin,
        json!({ "customerId": c["id"], "address": { "firstName": "A", "lastName": " ", "line1": "1 St", "city": "X", "country": "XX" } }),
    )
    .await;
    let mut errors: Vec<(String, String)> = result["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .skip(1)
                    .map(|f| f.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join("."),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    errors.sort();
    assert_eq!(errors, pairs(&[("address.country", "INVALID_COUNTRY"), ("address.lastName", "REQUIRED")]));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cust_val.customer_addresses").await, 0);
    // An unknown customer.
    let result = address(
        &app,
        &t.admin,
        json!({ "customerId": "5f0c0000-0000-4000-8000-000000000000", "address": postal("Berlin") }),
    )
    .await;
    assert_eq!(result["userErrors"][0]["code"], "NOT_FOUND");
}

const LIST: &str = "query($first: Int, $after: String, $last: Int, $before: String, $filter: CustomerFilterInput, $sortBy: CustomerSortInput) {
    customers(first: $first, after: $after, last: $last, before: $before, filter: $filter, sortBy: $sortBy) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { email lastName } } } }";

fn emails(body: &Value) -> Vec<String> {
    body["data"]["customers"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("no customers in {body}"))
        .iter()
        .map(|e| e["node"]["email"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// The five customers the listing tests use, in creation order: (email, given name,
/// family name, marketing consent).
const PEOPLE: [(&str, &str, &str, bool); 5] = [
    ("d.miller@example.com", "Dana", "Miller", false),
    ("a.zed@example.com", "Ann", "zed", true),
    ("c.baker@shop.test", "Carl", "Baker", false),
    ("b.adams@example.com", "Bob", "Adams", true),
    ("e.baker@example.com", "Eve", "Baker", false),
];

/// The emails of [`PEOPLE`] sorted by name (family then given, case-insensitively).
const BY_NAME: [&str; 5] =
    ["b.adams@example.com", "c.baker@shop.test", "e.baker@example.com", "d.miller@example.com", "a.zed@example.com"];

/// A tenant with [`PEOPLE`]; returns it and the created customers.
async fn people(app: &TestApp) -> (TestTenant, Vec<Value>) {
    let t = app.tenant("cust_list").await;
    let mut created = Vec::new();
    for (email, first, last, consent) in PEOPLE {
        let input = json!({ "email": email, "firstName": first, "lastName": last, "marketingConsent": consent });
        created.push(customer(app, &t.admin, input).await);
    }
    (t, created)
}

#[tokio::test]
async fn the_listing_keeps_creation_order_and_filters() {
    let app = TestApp::start().await;
    let (t, created) = people(&app).await;
    let list = |vars: Value| app.gql(&t.admin, LIST, vars);
    let body = list(json!({ "first": 10 })).await;
    assert_eq!(emails(&body), PEOPLE.map(|p| p.0));
    assert_eq!(body["data"]["customers"]["totalCount"], 5);
    let body = list(json!({ "first": 10, "filter": { "marketingConsent": true } })).await;
    assert_eq!(emails(&body), ["a.zed@example.com", "b.adams@example.com"]);
    assert_eq!(body["data"]["customers"]["totalCount"], 2);
    let body = list(json!({ "first": 10, "filter": { "email": "C.Baker@SHOP.test" } })).await;
    assert_eq!(emails(&body), ["c.baker@shop.test"]);
    let third = created[2]["createdAt"].clone();
    let body = list(json!({ "first": 10, "filter": { "createdAfter": third } })).await;
    assert_eq!(emails(&body), ["c.baker@shop.test", "b.adams@example.com", "e.baker@example.com"]);
    let body = list(json!({ "first": 10, "filter": { "createdBefore": third } })).await;
    assert_eq!(emails(&body), ["d.miller@example.com", "a.zed@example.com"]);
}

#[tokio::test]
async fn the_listing_searches_names_and_emails_case_insensitively_and_literally() {
    let app = TestApp::start().await;
    let (t, _) = people(&app).await;
    let search = |s: &str| app.gql(&t.admin, LIST, json!({ "first": 10, "filter": { "search": s } }));
    assert_eq!(emails(&search("BAKER").await), ["c.baker@shop.test", "e.baker@example.com"]);
    assert_eq!(emails(&search("eve bak").await), ["e.baker@example.com"]);
    assert_eq!(emails(&search("shop.TEST").await), ["c.baker@shop.test"]);
    assert_eq!(emails(&search("%").await), Vec::<String>::new());
}

#[tokio::test]
async fn the_listing_sorts_by_name_and_email_both_ways() {
    let app = TestApp::start().await;
    let (t, _) = people(&app).await;
    let sorted = |field: &str, direction: &str| {
        app.gql(&t.admin, LIST, json!({ "first": 10, "sortBy": { "field": field, "direction": direction } }))
    };
    assert_eq!(emails(&sorted("NAME", "ASC").await), BY_NAME);
    let mut reversed = BY_NAME;
    reversed.reverse();
    assert_eq!(emails(&sorted("NAME", "DESC").await), reversed);
    let mut by_email = PEOPLE.map(|p| p.0);
    by_email.sort_unstable();
    by_email.reverse();
    assert_eq!(emails(&sorted("EMAIL", "DESC").await), by_email);
}

#[tokio::test]
async fn the_listing_pages_forwards_and_backwards_without_gaps() {
    let app = TestApp::start().await;
    let (t, _) = people(&app).await;
    let list = |vars: Value| app.gql(&t.admin, LIST, vars);
    let sort = json!({ "field": "NAME" });
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = list(json!({ "first": 2, "after": after, "sortBy": sort })).await;
        seen.extend(emails(&body));
        let info = &body["data"]["customers"]["pageInfo"];
        assert_eq!(info["hasPreviousPage"], !after.is_null());
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].clone();
    }
    assert_eq!(seen, BY_NAME);
    let mut back = Vec::new();
    let mut before = Value::Null;
    loop {
        let body = list(json!({ "last": 2, "before": before, "sortBy": sort })).await;
        let mut page = emails(&body);
        page.extend(back);
        back = page;
        let info = &body["data"]["customers"]["pageInfo"];
        if info["hasPreviousPage"] != true {
            break;
        }
        before = info["startCursor"].clone();
    }
    assert_eq!(back, BY_NAME);
}

#[tokio::test]
async fn a_cursor_of_another_sort_or_a_forged_one_is_refused() {
    let app = TestApp::start().await;
    let (t, _) = people(&app).await;
    let by_name = app.gql(&t.admin, LIST, json!({ "first": 10, "sortBy": { "field": "NAME" } })).await;
    let cursor = by_name["data"]["customers"]["edges"][0]["cursor"].clone();
    let body = app.gql(&t.admin, LIST, json!({ "first": 2, "after": cursor })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
    let body = app.gql(&t.admin, LIST, json!({ "first": 2, "after": "bm9wZQ" })).await;
    assert_eq!(error_code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn anonymized_customers_are_listed_only_when_asked_for() {
    let app = TestApp::start().await;
    let (t, created) = people(&app).await;
    let list = |vars: Value| app.gql(&t.admin, LIST, vars);
    let body =
        app.gql(&t.admin, ANONYMIZE, json!({ "input": { "id": created[0]["id"], "reason": "erasure request" } })).await;
    assert_eq!(user_errors(&body, "customerAnonymize"), []);
    let body = list(json!({ "first": 10 })).await;
    assert_eq!(body["data"]["customers"]["totalCount"], 4);
    assert!(!emails(&body).contains(&"d.miller@example.com".to_owned()));
    // Sorted by email, the anonymized one (its email is gone) comes first.
    let body =
        list(json!({ "first": 10, "filter": { "includeAnonymized": true }, "sortBy": { "field": "EMAIL" } })).await;
    assert_eq!(body["data"]["customers"]["totalCount"], 5);
    assert_eq!(emails(&body)[0], "");
    let body = list(json!({ "first": 10, "filter": { "includeAnonymized": true, "search": "anonym" } })).await;
    assert_eq!(body["data"]["customers"]["totalCount"], 1);
}

/// How many default shipping and billing addresses the tenant cust_addr has.
async fn defaults(app: &TestApp) -> (i64, i64) {
    (
        app.sql_count("SELECT count(*) AS n FROM t_cust_addr.customer_addresses WHERE is_default_shipping").await,
        app.sql_count("SELECT count(*) AS n FROM t_cust_addr.customer_addresses WHERE is_default_billing").await,
    )
}

#[tokio::test]
async fn default_addresses_switch_and_each_kind_keeps_exactly_one() {
    let app = TestApp::start().await;
    let t = app.tenant("cust_addr").await;
    let c = customer(&app, &t.admin, json!({ "email": "addr@example.com" })).await;

    // The first address takes both defaults, even unasked.
    let first = address(&app, &t.admin, json!({ "customerId": c["id"], "address": postal("Berlin") })).await;
    assert_eq!(first["userErrors"], json!([]));
    let first_id = first["customerAddress"]["id"].clone();
    assert_eq!(first["customerAddress"]["address"], json!({ "firstName": "Ada", "city": "Berlin", "country": "DE" }));
    assert_eq!(first["customer"]["defaultShippingAddress"]["id"], first_id);
    assert_eq!(first["customer"]["defaultBillingAddress"]["id"], first_id);

    // A second one asked to be the shipping default takes it over; billing stays.
    let second = address(
        &app,
        &t.admin,
        json!({ "customerId": c["id"], "address": postal("Hamburg"), "defaultShipping": true }),
    )
    .await;
    let second_id = second["customerAddress"]["id"].clone();
    assert_eq!(second["customerAddress"]["isDefaultShipping"], true);
    assert_eq!(second["customerAddress"]["isDefaultBilling"], false);
    assert_eq!(second["customer"]["defaultShippingAddress"]["id"], second_id);
    assert_eq!(second["customer"]["defaultBillingAddress"]["id"], first_id);
    assert_eq!(defaults(&app).await, (1, 1));

    // customerDefaultAddressSet moves billing.
    let set = format!(
        "mutation($input: CustomerDefaultAddressSetInput!) {{ customerDefaultAddressSet(input: $input) {{ {ADDRESS_FIELDS} }} }}"
    );
    let body = app.gql(&t.admin, &set, json!({ "input": { "addressId": second_id, "kind": "BILLING" } })).await;
    let payload = &body["data"]["customerDefaultAddressSet"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["customer"]["defaultBillingAddress"]["id"], second_id);
    assert_eq!(defaults(&app).await, (1, 1));
    let body = app.gql(&t.admin, &set, json!({ "input": { "addressId": first_id, "kind": "SHIPPING" } })).await;
    assert_eq!(body["data"]["customerDefaultAddressSet"]["customer"]["defaultShippingAddress"]["id"], first_id);
    assert_eq!(defaults(&app).await, (1, 1));

    // An update changes the postal fields, and can give up a default.
    let update = format!(
        "mutation($input: CustomerAddressUpdateInput!) {{ customerAddressUpdate(input: $input) {{ {ADDRESS_FIELDS} }} }}"
    );
    let body = app
        .gql(
            &t.admin,
            &update,
            json!({ "input": { "id": second_id, "address": postal("Munich"), "defaultBilling": false } }),
        )
        .await;
    let payload = &body["data"]["customerAddressUpdate"];
    assert_eq!(payload["userErrors"], json!([]), "{body}");
    assert_eq!(payload["customerAddress"]["address"]["city"], "Munich");
    assert_eq!(payload["customer"]["defaultBillingAddress"], Value::Null);
    assert_eq!(defaults(&app).await, (1, 0));
    let body = app
        .gql(
            &t.admin,
            &update,
            json!({ "input": { "id": second_id, "defaultBilling": true, "defaultShipping": true } }),
        )
        .await;
    let payload = &body["data"]["customerAddressUpdate"];
    assert_eq!(payload["customer"]["defaultShippingAddress"]["id"], second_id);
    assert_eq!(payload["customer"]["defaultBillingAddress"]["id"], second_id);
    assert_eq!(defaults(&app).await, (1, 1));

    // Deleting the default hands it to the newest remaining address.
    let third = address(&app, &t.admin, json!({ "customerId": c["id"], "address": postal("Bonn") })).await;
    let third_id = third["customerAddress"]["id"].clone();
    assert_eq!(third["customerAddress"]["isDefaultShipping"], false);
    let delete = "mutation($input: CustomerAddressDeleteInput!) { customerAddressDelete(input: $input) {
        deletedId customer { defaultShippingAddress { id } defaultBillingAddress { id } addresses { id } } userErrors { code } } }";
    let body = app.gql(&t.admin, delete, json!({ "input": { "id": second_id } })).await;
    let payload = &body["data"]["customerAddressDelete"];
    assert_eq!(payload["deletedId"], second_id, "{body}");
    assert_eq!(payload["customer"]["defaultShippingAddress"]["id"], third_id);
    assert_eq!(payload["customer"]["defaultBillingAddress"]["id"], third_id);
    assert_eq!(payload["customer"]["addresses"], json!([{ "id": first_id }, { "id": third_id }]));
    assert_eq!(defaults(&app).await, (1, 1));
    let body = app.gql(&t.admin, delete, json!({ "input": { "id": second_id } })).await;
    assert_eq!(body["data"]["customerAddressDelete"]["userErrors"], json!([{ "code": "NOT_FOUND" }]));

    // Another customer's defaults are their own.
    let other = customer(&app, &t.admin, json!({ "email": "other@example.com" })).await;
    let theirs = address(&app, &t.admin, json!({ "customerId": other["id"], "address": postal("Kiel") })).await;
    assert_eq!(theirs["customerAddress"]["isDefaultShipping"], true);
    assert_eq!(defaults(&app).await, (2, 2));
}

#[tokio::test]
async fn storefront_tokens_are_refused_and_x_staff_id_needs_an_admin_token() {
    let app = TestApp::start().await;
    let t = app.tenant("cust_role").await;
    customer(&app, &t.admin, json!({ "email": "role@example.com" })).await;

    let body = app.gql(&t.storefront, "{ customers(first: 5) { edges { node { email } } } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    let body = app.gql(&t.storefront, "{ customer(email: \"role@example.com\") { email } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert_eq!(body["data"], Value::Null);
    let body = app.gql(&t.storefront, &create_mutation(), json!({ "input": { "email": "sneaky@example.com" } })).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cust_role.customers").await, 1);

    // X-Staff-Id with a storefront token: refused before anything runs.
    let auth = format!("Bearer {}", t.storefront);
    let (_, body) =
        app.post(&[("authorization", &auth), ("x-staff-id", "alice")], "{ tenant { slug } }", json!({})).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
}

/// A tenant with a customer; returns it and the customer.
async fn noted(app: &TestApp) -> (TestTenant, Value) {
    let t = app.tenant("cust_notes").await;
    let c = customer(app, &t.admin, json!({ "email": "notes@example.com" })).await;
    (t, c)
}

/// A note by alice (named by `X-Staff-Id`) with this input; returns the response.
async fn alice_notes(app: &TestApp, t: &TestTenant, input: Value) -> Value {
    as_staff(app, t, "alice", NOTE_CREATE, json!({ "input": input })).await
}

#[tokio::test]
async fn a_note_needs_a_staff_member_named_by_header_or_key() {
    let app = TestApp::start().await;
    let (t, c) = noted(&app).await;
    // No staff member: refused, nothing written.
    let body = app.gql(&t.admin, NOTE_CREATE, json!({ "input": { "customerId": c["id"], "body": "hello" } })).await;
    assert_eq!(user_errors(&body, "customerNoteCreate"), pairs(&[("staffId", "STAFF_REQUIRED")]));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cust_notes.customer_service_notes").await, 0);
    // X-Staff-Id names the author.
    let body = alice_notes(&app, &t, json!({ "customerId": c["id"], "body": "  Called about a late parcel.  " })).await;
    assert_eq!(user_errors(&body, "customerNoteCreate"), []);
    let note = &body["data"]["customerNoteCreate"]["note"];
    assert_eq!(note["staffId"], "alice");
    assert_eq!(note["body"], "Called about a late parcel.");
    assert_eq!(note["customerId"], c["id"]);
    assert_eq!(note["orderId"], Value::Null);
    // A key that belongs to a staff member writes as them; the header may repeat them,
    // but naming someone else is refused outright.
    let bob = staff_token(&app, "cust_notes", "bob").await;
    let body = app.gql(&bob, NOTE_CREATE, json!({ "input": { "customerId": c["id"], "body": "Refund." } })).await;
    assert_eq!(body["data"]["customerNoteCreate"]["note"]["staffId"], "bob", "{body}");
    let bob_auth = format!("Bearer {bob}");
    let input = json!({ "input": { "customerId": c["id"], "body": "Again." } });
    let (_, body) = app.post(&[("authorization", &bob_auth), ("x-staff-id", "bob")], NOTE_CREATE, input).await;
    assert_eq!(user_errors(&body, "customerNoteCreate"), []);
    let input = json!({ "input": { "customerId": c["id"], "body": "Not me." } });
    let (_, body) = app.post(&[("authorization", &bob_auth), ("x-staff-id", "alice")], NOTE_CREATE, input).await;
    assert_eq!(error_code(&body), "FORBIDDEN");
    assert_eq!(body["data"], Value::Null);
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cust_notes.customer_service_notes").await, 3);
}

#[tokio::test]
async fn only_a_notes_author_edits_it() {
    let app = TestApp::start().await;
    let (t, c) = noted(&app).await;
    let body = alice_notes(&app, &t, json!({ "customerId": c["id"], "body": "Called about a late parcel." })).await;
    let first = body["data"]["customerNoteCreate"]["note"].clone();
    let bob = staff_token(&app, "cust_notes", "bob").await;
    let body = app.gql(&bob, NOTE_UPDATE, json!({ "input": { "id": first["id"], "body": "Rewritten by bob" } })).await;
    assert_eq!(user_errors(&body, "customerNoteUpdate"), pairs(&[("id", "NOT_AUTHOR")]));
    let body = app.gql(&t.admin, NOTE_UPDATE, json!({ "input": { "id": first["id"], "body": "No one" } })).await;
    assert_eq!(user_errors(&body, "customerNoteUpdate"), pairs(&[("staffId", "STAFF_REQUIRED")]));
    let input = json!({ "input": { "id": first["id"], "body": "Called twice about a late parcel." } });
    let body = as_staff(&app, &t, "alice", NOTE_UPDATE, input).await;
    assert_eq!(user_errors(&body, "customerNoteUpdate"), []);
    let edited = &body["data"]["customerNoteUpdate"]["note"];
    assert_eq!(edited["body"], "Called twice about a late parcel.");
    assert_eq!(edited["createdAt"], first["createdAt"]);
    assert!(edited["updatedAt"].as_str().unwrap() > first["updatedAt"].as_str().unwrap(), "{edited}");
}

#[tokio::test]
async fn a_customers_notes_come_newest_first_and_each_is_in_the_activity() {
    let app = TestApp::start().await;
    let (t, c) = noted(&app).await;
    let mut ids = Vec::new();
    for text in ["first", "second", "third"] {
        let body = alice_notes(&app, &t, json!({ "customerId": c["id"], "body": text })).await;
        ids.insert(0, body["data"]["customerNoteCreate"]["note"]["id"].clone());
    }
    let body = app
        .gql(&t.admin, "query($id: ID!) { customer(id: $id) { notes { id staffId } } }", json!({ "id": c["id"] }))
        .await;
    let listed: Vec<Value> =
        body["data"]["customer"]["notes"].as_array().unwrap().iter().map(|n| n["id"].clone()).collect();
    assert_eq!(listed, ids);
    let trail = activity(&app, &t.admin, &c["id"]).await;
    assert_eq!(trail.iter().filter(|(kind, _)| kind == "NOTE_ADDED").count(), 3);
}

#[tokio::test]
async fn a_note_about_an_order_needs_the_order_and_its_customer() {
    let app = TestApp::start().await;
    let (t, c) = noted(&app).await;
    let other = customer(&app, &t.admin, json!({ "email": "other@example.com" })).await;
    let order = order_row(&app, "cust_notes", Some(&c["id"]), "notes@example.com").await;
    let body = alice_notes(&app, &t, json!({ "orderId": order, "customerId": other["id"], "body": "x" })).await;
    assert_eq!(user_errors(&body, "customerNoteCreate"), pairs(&[("orderId", "INVALID")]));
    let body = alice_notes(&app, &t, json!({ "orderId": "5f0c0000-0000-4000-8000-000000000000", "body": "x" })).await;
    assert_eq!(user_errors(&body, "customerNoteCreate"), pairs(&[("orderId", "NOT_FOUND")]));
    let body = alice_notes(&app, &t, json!({ "body": "about nothing" })).await;
    assert_eq!(user_errors(&body, "customerNoteCreate"), pairs(&[("customerId", "REQUIRED")]));
    let body = alice_notes(&app, &t, json!({ "orderId": order, "body": "Order only." })).await;
    assert_eq!(body["data"]["customerNoteCreate"]["note"]["orderId"], json!(order), "{body}");
    assert_eq!(body["data"]["customerNoteCreate"]["note"]["customerId"], Value::Null);
    let body = alice_notes(&app, &t, json!({ "orderId": order, "customerId": c["id"], "body": "Both." })).await;
    assert_eq!(user_errors(&body, "customerNoteCreate"), []);
    // The refused notes wrote nothing; the one naming the customer is in their activity.
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cust_notes.customer_service_notes").await, 2);
    let order_activity = format!(
        "SELECT count(*) AS n FROM t_cust_notes.customer_activities WHERE kind = 'NOTE_ADDED' AND order_id = '{order}'"
    );
    assert_eq!(app.sql_count(&order_activity).await, 1);
}

#[tokio::test]
async fn activity_is_recorded_paged_newest_first_and_only_reportable_kinds_are_accepted() {
    let app = TestApp::start().await;
    let t = app.tenant("cust_act").await;
    let c = customer(&app, &t.admin, json!({ "email": "act@example.com" })).await;
    let record = "mutation($input: CustomerActivityRecordInput!) { customerActivityRecord(input: $input) {
        customer { id } userErrors { field code } } }";
    for n in 0..4 {
        let body = app
            .gql(
                &t.admin,
                record,
                json!({ "input": { "customerId": c["id"], "kind": "LOGIN", "detail": format!("login {n}") } }),
            )
            .await;
        assert_eq!(user_errors(&body, "customerActivityRecord"), [], "{body}");
    }
    for kind in ["ORDER_PLACED", "ORDER_REFUNDED", "ANONYMIZED", "NOTE_ADDED"] {
        let body = app.gql(&t.admin, record, json!({ "input": { "customerId": c["id"], "kind": kind } })).await;
        assert_eq!(user_errors(&body, "customerActivityRecord"), pairs(&[("kind", "INVALID")]));
    }
    let body = app
        .gql(
            &t.admin,
            record,
            json!({ "input": { "customerId": "5f0c0000-0000-4000-8000-000000000000", "kind": "LOGIN" } }),
        )
        .await;
    assert_eq!(user_errors(&body, "customerActivityRecord"), pairs(&[("customerId", "NOT_FOUND")]));
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cust_act.customer_activities").await, 5);

    // Newest first, in pages.
    let page = |after: Value| app.gql(&t.admin, ACTIVITY, json!({ "id": c["id"], "first": 2, "after": after }));
    let body = page(Value::Null).await;
    let connection = &body["data"]["customer"]["activity"];
    let details: Vec<&str> =
        connection["edges"].as_array().unwrap().iter().map(|e| e["node"]["detail"].as_str().unwrap()).collect();
    assert_eq!(details, ["login 3", "login 2"]);
    assert_eq!(connection["pageInfo"]["hasNextPage"], true);
    assert_eq!(connection["edges"][0]["node"]["actor"], "admin");
    let body = page(connection["pageInfo"]["endCursor"].clone()).await;
    let connection = &body["data"]["customer"]["activity"];
    let details: Vec<&str> =
        connection["edges"].as_array().unwrap().iter().map(|e| e["node"]["detail"].as_str().unwrap()).collect();
    assert_eq!(details, ["login 1", "login 0"]);
    assert_eq!(connection["pageInfo"]["hasPreviousPage"], true);
    let body = page(connection["pageInfo"]["endCursor"].clone()).await;
    let connection = &body["data"]["customer"]["activity"];
    assert_eq!(connection["edges"][0]["node"]["kind"], "SIGNUP");
    assert_eq!(connection["pageInfo"]["hasNextPage"], false);

    // The actor is the staff member when one is known.
    let alice = staff_token(&app, "cust_act", "alice").await;
    app.gql(&alice, record, json!({ "input": { "customerId": c["id"], "kind": "OTHER", "detail": "exported" } })).await;
    let body = app.gql(&t.admin, ACTIVITY, json!({ "id": c["id"], "first": 1 })).await;
    assert_eq!(body["data"]["customer"]["activity"]["edges"][0]["node"]["actor"], "staff:alice");
}

/// A tenant with Eve (every personal field set, two addresses, an order) and Keep (one
/// address, an order), after staff member alice anonymized Eve.
struct Erased {
    t: TestTenant,
    eve: Value,
    keep: Value,
    eves_order: String,
    keeps_order: String,
    /// The response to `customerAnonymize`.
    body: Value,
}

async fn eve_anonymized(app: &TestApp) -> Erased {
    let t = app.tenant("cust_anon").await;
    let c = customer(
        app,
        &t.admin,
        json!({ "email": "erase@example.com", "firstName": "Eve", "lastName": "Smith", "phone": "+49 30 1234",
                "authSubject": "oidc|eve", "locale": "de-DE", "marketingConsent": true, "preferences": { "size": "S" } }),
    )
    .await;
    address(app, &t.admin, json!({ "customerId": c["id"], "address": postal("Berlin") })).await;
    address(app, &t.admin, json!({ "customerId": c["id"], "address": postal("Hamburg") })).await;
    let keep = customer(app, &t.admin, json!({ "email": "keep@example.com" })).await;
    address(app, &t.admin, json!({ "customerId": keep["id"], "address": postal("Bonn") })).await;
    let eves_order = order_row(app, "cust_anon", Some(&c["id"]), "erase@example.com").await;
    let keeps_order = order_row(app, "cust_anon", Some(&keep["id"]), "keep@example.com").await;
    let alice = staff_token(app, "cust_anon", "alice").await;
    let body =
        app.gql(&alice, ANONYMIZE, json!({ "input": { "id": c["id"], "reason": "GDPR erasure request #42" } })).await;
    Erased { t, eve: c, keep, eves_order, keeps_order, body }
}

#[tokio::test]
async fn anonymizing_removes_personal_data_and_addresses_and_keeps_the_row() {
    let app = TestApp::start().await;
    let Erased { t, eve: c, eves_order: order, keeps_order: others, body, .. } = eve_anonymized(&app).await;
    assert_eq!(user_errors(&body, "customerAnonymize"), [], "{body}");
    let gone = &body["data"]["customerAnonymize"]["customer"];
    assert_eq!(gone["id"], c["id"]);
    assert_eq!(gone["email"], Value::Null);
    assert_eq!(gone["firstName"], "Anonymized");
    assert_eq!(gone["lastName"], "");
    assert_eq!(gone["phone"], Value::Null);
    assert_eq!(gone["authSubject"], Value::Null);
    assert_eq!(gone["locale"], Value::Null);
    assert_eq!(gone["marketingConsent"], false);
    assert_eq!(gone["preferences"], json!({}));
    assert_eq!(gone["anonymized"], true);
    assert!(gone["anonymizedAt"].is_string());
    assert_eq!(gone["addresses"], json!([]));

    // In the database: the row stays, its addresses are gone, its order stays linked but
    // lost its email and addresses; the other customer's data is untouched.
    let id = c["id"].as_str().unwrap();
    assert_eq!(app.sql_count(&format!("SELECT count(*) AS n FROM t_cust_anon.customers WHERE id = '{id}'")).await, 1);
    assert_eq!(
        app.sql_count(&format!("SELECT count(*) AS n FROM t_cust_anon.customer_addresses WHERE customer_id = '{id}'"))
            .await,
        0
    );
    assert_eq!(app.sql_count("SELECT count(*) AS n FROM t_cust_anon.customer_addresses").await, 1);
    assert_eq!(app.sql_count(&format!("SELECT count(*) AS n FROM t_cust_anon.orders WHERE id = '{order}' AND customer_id = '{id}' AND email IS NULL")).await, 1);
    assert_eq!(
        app.sql_count(&format!("SELECT count(*) AS n FROM t_cust_anon.order_addresses WHERE order_id = '{order}'"))
            .await,
        0
    );
    assert_eq!(
        app.sql_count(&format!(
            "SELECT count(*) AS n FROM t_cust_anon.orders WHERE id = '{others}' AND email = 'keep@example.com'"
        ))
        .await,
        1
    );
    assert_eq!(
        app.sql_count(&format!("SELECT count(*) AS n FROM t_cust_anon.order_addresses WHERE order_id = '{others}'"))
            .await,
        1
    );
    assert_eq!(
        app.sql_count(
            "SELECT count(*) AS n FROM t_cust_anon.customers WHERE email LIKE '%erase%' OR first_name = 'Eve'"
        )
        .await,
        0
    );

    // The act is recorded, with who and why.
    let body = app.gql(&t.admin, ACTIVITY, json!({ "id": c["id"], "first": 1 })).await;
    let node = &body["data"]["customer"]["activity"]["edges"][0]["node"];
    assert_eq!(node["kind"], "ANONYMIZED");
    assert_eq!(node["detail"], "GDPR erasure request #42");
    assert_eq!(node["actor"], "staff:alice");
}

#[tokio::test]
async fn an_anonymized_customer_cannot_be_anonymized_or_changed_again() {
    let app = TestApp::start().await;
    let Erased { t, eve: c, keep, .. } = eve_anonymized(&app).await;
    let body = app.gql(&t.admin, ANONYMIZE, json!({ "input": { "id": c["id"], "reason": "again" } })).await;
    assert_eq!(user_errors(&body, "customerAnonymize"), pairs(&[("id", "CUSTOMER_ANONYMIZED")]));
    let body = app.gql(&t.admin, &update_mutation(), json!({ "input": { "id": c["id"], "firstName": "Eve" } })).await;
    assert_eq!(user_errors(&body, "customerUpdate"), pairs(&[("id", "CUSTOMER_ANONYMIZED")]));
    let result = address(&app, &t.admin, json!({ "customerId": c["id"], "address": postal("Kiel") })).await;
    assert_eq!(result["userErrors"][0]["code"], "CUSTOMER_ANONYMIZED");
    let body = app.gql(&t.admin, ANONYMIZE, json!({ "input": { "id": keep["id"], "reason": " " } })).await;
    assert_eq!(user_errors(&body, "customerAnonymize"), pairs(&[("reason", "REQUIRED")]));
}

#[tokio::test]
async fn an_anonymized_customers_email_is_free_again() {
    let app = TestApp::start().await;
    let Erased { t, eve: c, .. } = eve_anonymized(&app).await;
    let body = app.gql(&t.admin, "{ customer(email: \"erase@example.com\") { id } }", json!({})).await;
    assert_eq!(body["data"]["customer"], Value::Null);
    let again = customer(&app, &t.admin, json!({ "email": "erase@example.com" })).await;
    assert_ne!(again["id"], c["id"]);
}

#[tokio::test]
async fn two_tenants_never_see_each_others_customers() {
    let app = TestApp::start().await;
    let a = app.tenant("cust_ten_a").await;
    let b = app.tenant("cust_ten_b").await;
    let in_a = customer(&app, &a.admin, json!({ "email": "same@example.com", "firstName": "A" })).await;
    let in_b = customer(&app, &b.admin, json!({ "email": "same@example.com", "firstName": "B" })).await;
    assert_ne!(in_a["id"], in_b["id"]);

    let names = "{ customers(first: 10) { totalCount edges { node { id firstName } } } }";
    let body = app.gql(&a.admin, names, json!({})).await;
    assert_eq!(body["data"]["customers"]["totalCount"], 1);
    assert_eq!(body["data"]["customers"]["edges"][0]["node"]["firstName"], "A");
    let body = app.gql(&b.admin, names, json!({})).await;
    assert_eq!(body["data"]["customers"]["edges"][0]["node"]["firstName"], "B");

    // By id, another tenant's customer does not exist; by email, each sees its own.
    let by_id = "query($id: ID!) { customer(id: $id) { firstName } }";
    assert_eq!(app.gql(&a.admin, by_id, json!({ "id": in_b["id"] })).await["data"]["customer"], Value::Null);
    let body = app.gql(&b.admin, "{ customer(email: \"same@example.com\") { firstName } }", json!({})).await;
    assert_eq!(body["data"]["customer"]["firstName"], "B");
    // Nor can it be changed from there.
    let body = app.gql(&a.admin, &update_mutation(), json!({ "input": { "id": in_b["id"], "firstName": "X" } })).await;
    assert_eq!(user_errors(&body, "customerUpdate"), pairs(&[("id", "NOT_FOUND")]));
}

const CUSTOMER_PAGE: &str = "query($first: Int) { customers(first: $first) { edges { node {
    email addresses { address { city } } defaultShippingAddress { id } defaultBillingAddress { id }
    notes { body } activity(first: 3) { edges { node { kind } } } } } } }";

#[tokio::test]
async fn a_page_of_customers_with_addresses_notes_and_activity_costs_the_same_statements_at_5_and_50() {
    let app = TestApp::one_connection().await;
    let t = app.tenant("cust_stmt").await;
    let staff = staff_token(&app, "cust_stmt", "alice").await;
    for i in 0..55 {
        let c = customer(&app, &t.admin, json!({ "email": format!("c{i:02}@example.com") })).await;
        address(&app, &t.admin, json!({ "customerId": c["id"], "address": postal("Berlin") })).await;
        address(&app, &t.admin, json!({ "customerId": c["id"], "address": postal("Bonn") })).await;
        let body = app
            .gql(&staff, NOTE_CREATE, json!({ "input": { "customerId": c["id"], "body": format!("note {i}") } }))
            .await;
        assert_eq!(user_errors(&body, "customerNoteCreate"), []);
    }
    let mut costs = Vec::new();
    for first in [5, 50, 5, 50] {
        let before = app.db.statements();
        let body = app.gql(&t.admin, CUSTOMER_PAGE, json!({ "first": first })).await;
        costs.push(app.db.statements() - before);
        assert!(body["errors"].is_null(), "{body}");
        let edges = body["data"]["customers"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), first as usize);
        let node = &edges[3]["node"];
        assert_eq!(node["addresses"].as_array().unwrap().len(), 2);
        assert!(node["defaultShippingAddress"]["id"].is_string());
        assert_eq!(node["notes"], json!([{ "body": "note 3" }]));
        let kinds: Vec<&str> =
            node["activity"]["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["NOTE_ADDED", "SIGNUP"]);
    }
    // The page, its addresses, notes and activity: 4 at any size (the token lookup is
    // remembered from the first request).
    assert_eq!(&costs[1..], &[4, 4, 4], "{costs:?}");
}

#[tokio::test]
async fn the_functions_other_domains_call_see_contacts_ids_and_record_activity() {
    use storegraph::customers::{ActivityKind, CustomerContact, contact_of, id_by_email, record_activity};

    let app = TestApp::start().await;
    let t = app.tenant("cust_api").await;
    let c = customer(&app, &t.admin, json!({ "email": "api@example.com" })).await;
    let id: uuid::Uuid = c["id"].as_str().unwrap().parse().unwrap();
    let order: uuid::Uuid = order_row(&app, "cust_api", Some(&c["id"]), "api@example.com").await.parse().unwrap();
    let schema = app.tenant_row("cust_api").await.schema().unwrap();
    {
        let mut conn = storegraph::db::tenant_connection(&app.db.pool, &schema).await.unwrap();
        assert_eq!(id_by_email(&mut conn, " API@Example.com ").await.unwrap(), Some(id));
        assert_eq!(id_by_email(&mut conn, "nobody@example.com").await.unwrap(), None);
        assert_eq!(
            contact_of(&mut conn, id).await.unwrap(),
            Some(CustomerContact { id, email: Some("api@example.com".into()), anonymized: false })
        );
        assert_eq!(contact_of(&mut conn, uuid::Uuid::new_v4()).await.unwrap(), None);
        // What the orders domain records: kind, order, detail (cut at 1,000 characters), actor.
        record_activity(&mut conn, id, ActivityKind::OrderPlaced, Some(order), &"x".repeat(1500), "staff:carol")
            .await
            .unwrap();
    }
    let body = app.gql(&t.admin, ACTIVITY, json!({ "id": c["id"], "first": 1 })).await;
    let node = &body["data"]["customer"]["activity"]["edges"][0]["node"];
    assert_eq!(node["kind"], "ORDER_PLACED", "{body}");
    assert_eq!(node["orderId"], json!(order.to_string()));
    assert_eq!(node["detail"].as_str().unwrap().len(), 1000);
    assert_eq!(node["actor"], "staff:carol");

    let body = app.gql(&t.admin, ANONYMIZE, json!({ "input": { "id": c["id"], "reason": "request" } })).await;
    assert_eq!(user_errors(&body, "customerAnonymize"), []);
    let mut conn = storegraph::db::tenant_connection(&app.db.pool, &schema).await.unwrap();
    assert_eq!(contact_of(&mut conn, id).await.unwrap(), Some(CustomerContact { id, email: None, anonymized: true }));
    assert_eq!(id_by_email(&mut conn, "api@example.com").await.unwrap(), None);
}
