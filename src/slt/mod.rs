//! slt
