//! End-to-end tests for kamaki-rs live in `tests/tests/`.
