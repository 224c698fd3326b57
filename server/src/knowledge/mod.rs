//! DO knowledge
