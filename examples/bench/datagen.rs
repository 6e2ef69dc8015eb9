//! The benchmark's data generator: provisions benchmark tenants, mints a storefront key for
//! each and bulk-loads a deterministic catalog into every tenant's schema.
//!
//! Rows are made by PostgreSQL itself, one `INSERT … SELECT … FROM generate_series(…)` per
//! table, all in one transaction per tenant, so a 10,000-product tenant fills in seconds.
//! Every value is derived from the row's numbers (product `p`, variant `v`, image `k`,
//! attribute `a`), ids included (`md5(…)::uuid`), so a spec always gives the same catalog
//! and children find their parents' ids by computing them instead of joining. The filled
//! tables are vacuumed and analyzed afterwards, so the benchmark meets the plans (and the
//! visibility map) of a settled catalog, not those of a table PostgreSQL has never seen.
//!
//! What one tenant holds, with `P` products:
//! - one store, `main`, in EUR (locale `en-US`);
//! - `attribute_definitions` attributes `attr_0`, `attr_1`, …, typed in turn SELECT (12
//!   options `o0`…`o11`), NUMBER, TEXT and BOOLEAN;
//! - `P` ACTIVE products `bench-product-<p>` named `Bench Product <p, 6 digits>`, in EUR,
//!   created one second apart from 2026-01-01 00:00:00 UTC in the order of `p`;
//!   CONFIGURABLE when they have more than one variant, else SIMPLE; every tenth one has
//!   its own name in the store (a `store_products` row), all are visible there;
//! - per product, `variants_per_product` variants `BENCH-<p, 6 digits>-<v>` with a `size`
//!   option; the last variant of a product with several costs 5.00 more than the base
//!   price (its own price), the others use the base price;
//! - per variant, 10 to 99 units at the default location with 0 to 4 of them reserved,
//!   and the movement that stocked them;
//! - per product, `images_per_product` images with a URL and alt text;
//! - per product, one value each of `attribute_values_per_product` different attributes,
//!   starting at `attr_<p mod definitions>`, with values that vary by product.

use std::time::Duration;

use anyhow::{Context as _, ensure};
use diesel_async::SimpleAsyncConnection as _;
use futures_util::{StreamExt as _, TryStreamExt as _};
use storegraph::db::{Database, PoolConfig, TenantSchema, tenant_connection};
use storegraph::tenancy::{self, ControlPlane, Role, Slug};

/// The catalog of one benchmark tenant: how big it is along each axis the storefront
/// page reads, so benchmarks can scale one axis at a time.
#[derive(Debug, Clone, Copy)]
pub struct CatalogSpec {
    /// ACTIVE products, all visible in the store.
    pub products: u32,
    /// Variants of each product, each with stock.
    pub variants_per_product: u32,
    /// Images of each product.
    pub images_per_product: u32,
    /// Attribute definitions of the tenant (`attr_0`, `attr_1`, …).
    pub attribute_definitions: u32,
    /// Attribute values of each product, each of a different attribute: at most
    /// `attribute_definitions`.
    pub attribute_values_per_product: u32,
}

impl Default for CatalogSpec {
    /// A mid-sized shop: 10,000 products of 3 variants, 2 images and 5 of 8 attributes.
    fn default() -> Self {
        Self {
            products: 10_000,
            variants_per_product: 3,
            images_per_product: 2,
            attribute_definitions: 8,
            attribute_values_per_product: 5,
        }
    }
}

/// A generated tenant, ready for storefront load: what a benchmark client needs to send
/// a storefront request to it.
pub struct BenchTenant {
    /// The tenant's slug.
    pub slug: String,
    /// A storefront API key's secret (`Authorization: Bearer …`).
    pub storefront_token: String,
    /// The code of the store the catalog is visible in (`X-Store: …`).
    pub store_code: String,
}

/// The code of the one store of every generated tenant.
const STORE_CODE: &str = "main";

/// Provisions `count` tenants named `{prefix}{i:05}` (i from 0) with
/// [`tenancy::create_tenant`], mints a storefront API key for each and fills each with the
/// deterministic catalog of `spec`, `jobs` tenants at a time. The tenants must not exist
/// yet. Returns them in the order of `i`.
pub async fn generate(
    url: &str,
    prefix: &str,
    count: usize,
    spec: CatalogSpec,
    jobs: usize,
) -> anyhow::Result<Vec<BenchTenant>> {
    ensure!(
        spec.attribute_values_per_product <= spec.attribute_definitions,
        "each product's attribute values are of different attributes: attribute_values_per_product ({}) \
         must not exceed attribute_definitions ({})",
        spec.attribute_values_per_product,
        spec.attribute_definitions
    );
    let jobs = jobs.max(1);
    // One connection per job; statements as long as a large fill needs.
    let pool = PoolConfig {
        max_size: u32::try_from(jobs).unwrap_or(u32::MAX),
        connection_timeout: Duration::from_secs(60),
        statement_timeout: Duration::from_secs(3600),
        ..PoolConfig::default()
    };
    let db = Database::connect(url, &pool).await.context("cannot connect to the benchmark database")?;
    let control = ControlPlane::new(db.control.clone());
    let sql = catalog_sql(&spec);
    futures_util::stream::iter(0..count)
        .map(|i| generate_one(url, &db, &control, &sql, format!("{prefix}{i:05}")))
        .buffered(jobs)
        .try_collect()
        .await
}

/// Provisions, keys and fills one tenant.
async fn generate_one(
    url: &str,
    db: &Database,
    control: &ControlPlane,
    sql: &CatalogSql,
    slug: String,
) -> anyhow::Result<BenchTenant> {
    let tenant = tenancy::create_tenant(url, &slug, &format!("Benchmark tenant {slug}"))
        .await
        .with_context(|| format!("cannot create benchmark tenant {slug}"))?;
    let (_, token) = control
        .create_key(&tenant, Role::Storefront, "benchmark", None)
        .await
        .with_context(|| format!("cannot mint a storefront key for {slug}"))?;
    let schema = TenantSchema::for_slug(&Slug::parse(&slug)?);
    let mut conn = tenant_connection(&db.pool, &schema).await?;
    // One simple-protocol query of several statements, which PostgreSQL runs as one
    // transaction: the catalog is there completely or not at all.
    conn.batch_execute(&sql.fill).await.with_context(|| format!("cannot fill the catalog of {slug}"))?;
    // VACUUM runs outside a transaction block, so one statement per call.
    for statement in &sql.settle {
        conn.batch_execute(statement).await.with_context(|| format!("{statement} failed for {slug}"))?;
    }
    Ok(BenchTenant { slug, storefront_token: token.secret, store_code: STORE_CODE.to_owned() })
}

/// The SQL that fills one tenant (run on a connection whose `search_path` is its schema):
/// the fill itself, one transaction, and the statements that settle the tables after it.
struct CatalogSql {
    fill: String,
    settle: Vec<String>,
}

/// The tables the fill writes, vacuumed and analyzed after it.
const FILLED_TABLES: &[&str] = &[
    "stores",
    "locations",
    "attribute_definitions",
    "attribute_options",
    "products",
    "store_products",
    "product_variants",
    "product_images",
    "inventory",
    "inventory_movements",
    "attribute_values",
];

/// Options of each SELECT attribute.
const OPTIONS_PER_SELECT: u32 = 12;

/// A product's id from its number `p` (a SQL expression in scope).
fn product_id(p: &str) -> String {
    format!("md5('product:' || {p})::uuid")
}

/// A variant's id from its product's number and its own.
fn variant_id(p: &str, v: &str) -> String {
    format!("md5('variant:' || {p} || ':' || {v})::uuid")
}

/// An attribute definition's id from its number.
fn attribute_id(a: &str) -> String {
    format!("md5('attribute:' || {a})::uuid")
}

/// An option's id from its attribute's number and its own.
fn option_id(a: &str, o: &str) -> String {
    format!("md5('option:' || {a} || ':' || {o})::uuid")
}

/// A product's base price, 5.00 to 499.99, scattered over the products.
fn base_price(p: &str) -> String {
    format!("((({p})::bigint * 7919 % 49500 + 500) / 100.0)::numeric(19, 4)")
}

/// When product `p` was created: one second apart, in the order of `p`.
fn product_created(p: &str) -> String {
    format!("(timestamptz '2026-01-01 00:00:00+00' + ({p}) * interval '1 second')")
}

/// The statements for `spec`. The spec's numbers are the only values formatted into them.
fn catalog_sql(spec: &CatalogSpec) -> CatalogSql {
    let last_product = i64::from(spec.products) - 1;
    let last_variant = i64::from(spec.variants_per_product) - 1;
    let last_image = i64::from(spec.images_per_product) - 1;
    let last_attribute = i64::from(spec.attribute_definitions) - 1;
    let last_value = i64::from(spec.attribute_values_per_product) - 1;
    let definitions = spec.attribute_definitions.max(1);
    let last_option = OPTIONS_PER_SELECT - 1;
    let product_type = if spec.variants_per_product > 1 { "configurable" } else { "simple" };
    let p_id = product_id("p");
    let pv_id = variant_id("p", "v");
    let p_created = product_created("p");
    let p_price = base_price("p");
    // The attribute of a product's k-th value, and its kind: a mod 4 is 0 SELECT, 1
    // NUMBER, 2 TEXT, 3 BOOLEAN.
    let value_attribute = format!("((p + k) % {definitions})");
    let value_attribute_id = attribute_id(&value_attribute);
    let value_option_id = option_id(&value_attribute, &format!("((p * 7 + {value_attribute}) % {OPTIONS_PER_SELECT})"));
    let fill = format!(
        "INSERT INTO stores (code, name, locale, default_currency, created_at, updated_at)
VALUES ('{STORE_CODE}', 'Benchmark store', 'en-US', 'EUR', timestamptz '2026-01-01 00:00:00+00', timestamptz '2026-01-01 00:00:00+00');

INSERT INTO attribute_definitions (id, code, name, attribute_type, filterable, created_at)
SELECT {attr_id}, 'attr_' || a, 'Attribute ' || a,
       (ARRAY['select', 'number', 'text', 'boolean'])[a % 4 + 1], true,
       timestamptz '2025-12-31 00:00:00+00' + a * interval '1 second'
FROM generate_series(0, {last_attribute}) AS a;

INSERT INTO attribute_options (id, attribute_id, value, label, position)
SELECT {opt_id}, {attr_id}, 'o' || o, 'Option ' || o, o
FROM generate_series(0, {last_attribute}) AS a CROSS JOIN generate_series(0, {last_option}) AS o
WHERE a % 4 = 0;

INSERT INTO products (id, slug, name, description, status, product_type, base_price, currency, seo_title, created_at, updated_at)
SELECT {p_id}, 'bench-product-' || p, 'Bench Product ' || lpad(p::text, 6, '0'),
       'Benchmark product ' || p || ', deterministic and unremarkable.', 'active', '{product_type}',
       {p_price}, 'EUR', 'Bench Product ' || p || ' | Benchmark', {p_created}, {p_created}
FROM generate_series(0, {last_product}) AS p;

INSERT INTO store_products (store_id, product_id, visible, name, updated_at)
SELECT (SELECT id FROM stores WHERE code = '{STORE_CODE}'), {p_id}, true,
       'Bench Product ' || lpad(p::text, 6, '0') || ' (main)', {p_created}
FROM generate_series(0, {last_product}, 10) AS p;

INSERT INTO product_variants (id, product_id, sku, name, price, option_values, position, created_at)
SELECT {pv_id}, {p_id}, 'BENCH-' || lpad(p::text, 6, '0') || '-' || v,
       'Bench Product ' || lpad(p::text, 6, '0') || ' / ' || v,
       CASE WHEN v = {last_variant} AND v > 0 THEN {p_price} + 5 END,
       jsonb_build_object('size', CASE WHEN v < 6 THEN (ARRAY['XS', 'S', 'M', 'L', 'XL', 'XXL'])[v + 1] ELSE 'size-' || v END),
       v, {p_created} + v * interval '1 millisecond'
FROM generate_series(0, {last_product}) AS p CROSS JOIN generate_series(0, {last_variant}) AS v;

INSERT INTO product_images (id, product_id, url, alt, position)
SELECT md5('image:' || p || ':' || k)::uuid, {p_id},
       'https://images.example.com/bench/product-' || p || '-' || k || '.jpg',
       'Bench Product ' || lpad(p::text, 6, '0') || ', view ' || (k + 1), k
FROM generate_series(0, {last_product}) AS p CROSS JOIN generate_series(0, {last_image}) AS k;

INSERT INTO inventory (variant_id, location_id, quantity, reserved, updated_at)
SELECT {pv_id}, (SELECT id FROM locations WHERE is_default),
       10 + (p * 13 + v * 7) % 90, (p + v) % 5, {p_created}
FROM generate_series(0, {last_product}) AS p CROSS JOIN generate_series(0, {last_variant}) AS v;

INSERT INTO inventory_movements (id, variant_id, location_id, delta, quantity_after, reason, created_at)
SELECT md5('movement:' || p || ':' || v)::uuid, {pv_id}, (SELECT id FROM locations WHERE is_default),
       10 + (p * 13 + v * 7) % 90, 10 + (p * 13 + v * 7) % 90, 'benchmark: initial stock', {p_created}
FROM generate_series(0, {last_product}) AS p CROSS JOIN generate_series(0, {last_variant}) AS v;

INSERT INTO attribute_values (id, product_id, attribute_id, option_id, number_value, text_value, boolean_value, position)
SELECT md5('value:' || p || ':' || k)::uuid, {p_id}, {value_attribute_id},
       CASE WHEN {value_attribute} % 4 = 0 THEN {value_option_id} END,
       CASE WHEN {value_attribute} % 4 = 1 THEN ((p * 31 + {value_attribute}) % 1000) / 10.0 END,
       CASE WHEN {value_attribute} % 4 = 2 THEN 'text ' || {value_attribute} || '-' || p % 50 END,
       CASE WHEN {value_attribute} % 4 = 3 THEN (p + {value_attribute}) % 2 = 0 END,
       0
FROM generate_series(0, {last_product}) AS p CROSS JOIN generate_series(0, {last_value}) AS k;",
        attr_id = attribute_id("a"),
        opt_id = option_id("a", "o"),
    );
    let settle = FILLED_TABLES.iter().map(|table| format!("VACUUM (ANALYZE) {table}")).collect();
    CatalogSql { fill, settle }
}
