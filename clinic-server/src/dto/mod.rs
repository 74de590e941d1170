//! The API's wire types. They convert to and from the core's types and hold no rule of their own; request
//! bodies refuse unknown fields so a typo is an error instead of a silently ignored setting.

pub mod catalog;
pub mod common;
pub mod people;

pub use catalog::*;
pub use common::*;
pub use people::*;
