//! TODO(owner: config helper)
