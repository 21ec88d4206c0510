//! Every value a signup can carry, each a type that can only be built by parsing.

pub mod alias;
pub mod choice;
pub mod country;
pub mod email;
pub mod language;
pub mod password;
pub mod phone;
pub mod scalars;
pub mod state;
pub mod text;
pub mod timezone;
pub mod url;
