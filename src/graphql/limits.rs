/// Bounds on what one GraphQL request may ask for, configurable at startup. Every one of
/// them is checked before a resolver runs: the body's size before it is read, the
/// document's length and tokens before it is parsed, its shape and cost before it is
/// validated and executed.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Limits {
    /// Deepest selection nesting allowed (GraphiQL's introspection needs about 13).
    #[arg(long, env = "STOREGRAPH_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,
    /// Most fields a document may select once its fragments are expanded (every spread
    /// counted as often as it is used; async-graphql's own validation would otherwise walk
    /// the expanded tree).
    #[arg(long, env = "STOREGRAPH_MAX_FIELDS", default_value_t = 2_000)]
    pub max_fields: usize,
    /// Page size when a connection is asked for without `first` or `last`.
    #[arg(long, env = "STOREGRAPH_DEFAULT_PAGE_SIZE", default_value_t = 20)]
    pub default_page_size: usize,
    /// Largest `first`/`last` a connection accepts.
    #[arg(long, env = "STOREGRAPH_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: usize,
    /// Largest request body, in bytes; a larger one is refused without being read.
    #[arg(long, env = "STOREGRAPH_MAX_BODY_BYTES", default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// Longest GraphQL document, in bytes.
    #[arg(long, env = "STOREGRAPH_MAX_DOCUMENT_BYTES", default_value_t = 100_000)]
    pub max_document_bytes: usize,
    /// Most lexical tokens in a GraphQL document.
    #[arg(long, env = "STOREGRAPH_MAX_TOKENS", default_value_t = 15_000)]
    pub max_tokens: usize,
    /// Most operations in one document (only one of them runs).
    #[arg(long, env = "STOREGRAPH_MAX_OPERATIONS", default_value_t = 20)]
    pub max_operations: usize,
    /// Most aliased fields in one document.
    #[arg(long, env = "STOREGRAPH_MAX_ALIASES", default_value_t = 100)]
    pub max_aliases: usize,
    /// Most directives in one document.
    #[arg(long, env = "STOREGRAPH_MAX_DIRECTIVES", default_value_t = 50)]
    pub max_directives: usize,
    /// Highest calculated cost of one request (see README, "Limits and costs").
    #[arg(long, env = "STOREGRAPH_MAX_QUERY_COST", default_value_t = 5_000)]
    pub max_query_cost: u64,
    /// Cost points a tenant's bucket holds when full.
    #[arg(long, env = "STOREGRAPH_TENANT_BUDGET", default_value_t = 20_000)]
    pub tenant_budget: u64,
    /// Cost points a tenant's bucket regains per second.
    #[arg(long, env = "STOREGRAPH_TENANT_RESTORE_RATE", default_value_t = 10_000)]
    pub tenant_restore_rate: u64,
    /// Cost points the bucket of one API key at one client address holds when full.
    #[arg(long, env = "STOREGRAPH_KEY_BUDGET", default_value_t = 10_000)]
    pub key_budget: u64,
    /// Cost points that bucket regains per second.
    #[arg(long, env = "STOREGRAPH_KEY_RESTORE_RATE", default_value_t = 5_000)]
    pub key_restore_rate: u64,
    /// Cost points the bucket of requests that name no tenant (introspection, GraphiQL)
    /// holds when full; one bucket per client address.
    #[arg(long, env = "STOREGRAPH_ANONYMOUS_BUDGET", default_value_t = 2_000)]
    pub anonymous_budget: u64,
    /// Cost points the anonymous bucket regains per second.
    #[arg(long, env = "STOREGRAPH_ANONYMOUS_RESTORE_RATE", default_value_t = 200)]
    pub anonymous_restore_rate: u64,
    /// Longest a request may run, in milliseconds; its database work is cancelled then.
    #[arg(long, env = "STOREGRAPH_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// How many automatic persisted queries are remembered (least recently used go first).
    #[arg(long, env = "STOREGRAPH_PERSISTED_QUERIES", default_value_t = 1_000)]
    pub persisted_queries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_fields: 2_000,
            default_page_size: 20,
            max_page_size: 100,
            max_body_bytes: 1 << 20,
            max_document_bytes: 100_000,
            max_tokens: 15_000,
            max_operations: 20,
            max_aliases: 100,
            max_directives: 50,
            max_query_cost: 5_000,
            tenant_budget: 20_000,
            tenant_restore_rate: 10_000,
            key_budget: 10_000,
            key_restore_rate: 5_000,
            anonymous_budget: 2_000,
            anonymous_restore_rate: 200,
            request_timeout_ms: 10_000,
            persisted_queries: 1_000,
        }
    }
}

impl Limits {
    /// The request deadline.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.request_timeout_ms)
    }
}
