//! The renderers on a constructed FY2021-Q3 report ([`common`]): the Markdown and HTML state the
//! figures and titles in both languages and escape what the data says ([`text`]); the XLSX opens
//! with calamine and its cells hold the figures ([`xlsx`]).

mod common;
mod text;
mod xlsx;
