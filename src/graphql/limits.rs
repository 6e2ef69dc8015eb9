/// Bounds on what one GraphQL request may ask for, configurable at startup.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Limits {
    /// Deepest selection nesting allowed (GraphiQL's introspection needs about 13).
    #[arg(long, env = "STOREGRAPH_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,
    /// Highest query complexity allowed (one per field, list fields times their page size).
    #[arg(long, env = "STOREGRAPH_MAX_COMPLEXITY", default_value_t = 10_000)]
    pub max_complexity: usize,
    /// Page size when a connection is asked for without `first` or `last`.
    #[arg(long, env = "STOREGRAPH_DEFAULT_PAGE_SIZE", default_value_t = 20)]
    pub default_page_size: usize,
    /// Largest `first`/`last` a connection accepts.
    #[arg(long, env = "STOREGRAPH_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_depth: 16, max_complexity: 10_000, default_page_size: 20, max_page_size: 100 }
    }
}
