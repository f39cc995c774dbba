//! Report forms: the layout contract shared by the writer and the reader.

pub mod layout;
pub mod writer;
