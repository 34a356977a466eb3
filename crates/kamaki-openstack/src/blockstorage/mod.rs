//! The blockstorage service client.
