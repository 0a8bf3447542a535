//! Emulators of Entra ID, Microsoft Graph and Salesforce that speak the real wire formats, for
//! outforce's tests, benchmarks and `outforce demo`.
//!
//! The emulators themselves arrive with the sandbox issue; this crate is part of the workspace
//! from the start so that nothing in the product ever depends on it (it is a dev-dependency of
//! the tests and a dependency of the demo only).
