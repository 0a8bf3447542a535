//! Settings: defaults in code, an optional TOML file, then `OUTFORCE_*` environment variables
//! (nested with `__`, as in `OUTFORCE_DATABASE__URL`). Loaded and validated once at start-up;
//! every error names the setting, as the admin wrote it.

pub mod addin;
pub mod load;
mod settings;

pub use load::{ConfigError, Loaded, load};
pub use settings::{
    AddinSettings, DatabaseSettings, Dialect, EntraSettings, GraphSettings, HttpSettings,
    JobSettings, LogFormat, LogSettings, OutboundSettings, SalesforceSettings, SecretsSettings,
    ServerSyncSettings, Settings, TlsSettings,
};
