//! enlist's one rule set. Every value a signup carries is a newtype that can only be built by
//! parsing; every failed rule is a [`Problem`] with a stable code; a campaign's [`Policy`] says
//! which fields are asked for and how strict the rules are. No I/O: the same code runs in the
//! widget (wasm32, in the browser), in the Worker (wasm32, in workerd) and natively.

mod field_map;
mod lower;
mod messages;
mod policy;
mod problem;
mod signup;
pub mod values;

pub use field_map::FieldMap;
pub use lower::lowercase;
pub use messages::{
    catalogue_ready, install_catalogue, keyed_lines, message, parse_catalogue, template, CatalogueError, Locale,
};
pub use policy::{Policy, PolicyError, Presence, ReconciliationKey};
pub use problem::{Code, Field, Problem, UnknownName};
pub use signup::{text_limit, validate, SignupForm, ValidSignup};
pub use values::alias::Alias;
pub use values::country::Country;
pub use values::email::Email;
pub use values::language::Language;
pub use values::password::{common_list_ready, install_common_list, strength, Composition, Password, PasswordRules};
pub use values::phone::Phone;
pub use values::state::UsState;
pub use values::text::Text;
pub use values::timezone::{install_zones, zones_ready, TimeZone};
pub use values::url::WebUrl;
