//! Report forms: the layout contract shared by the writer and the reader.

pub mod describe;
pub mod fill;
pub mod layout;
pub mod writer;
