//! The plankton client.
