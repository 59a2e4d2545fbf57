//! Tests of the rendered PDF, read back with lopdf.
