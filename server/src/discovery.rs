//! Discovery
