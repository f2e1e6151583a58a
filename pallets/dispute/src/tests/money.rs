//! Settlement: who pays whom, and nothing is created or lost.
