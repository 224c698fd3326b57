//! TODO(owner: index helper)
