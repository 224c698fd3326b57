//! Project model
