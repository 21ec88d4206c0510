//! enlist's one rule set. Every value a signup carries is a newtype that can only be built by
//! parsing; every failed rule is a [`Problem`] with a stable code. No I/O: the same code runs
//! in the widget (wasm32, in the browser) and in the Worker (wasm32, in workerd) and natively.

mod email;
mod messages;
mod password;
mod problem;
mod signup;

pub use email::Email;
pub use messages::{message, Lang};
pub use password::Password;
pub use problem::{Code, Field, Problem, UnknownName};
pub use signup::{validate, SignupForm, ValidSignup};
