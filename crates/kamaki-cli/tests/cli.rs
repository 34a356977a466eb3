//! End-to-end tests of the `kamaki` binary: a temporary HOME and config file,
//! and wiremock standing in for the cloud.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod cli {
    pub mod basics;
    pub mod common;
    pub mod compute;
    pub mod config;
    pub mod dc;
    pub mod dc_compute;
    pub mod dc_identity;
    pub mod dc_image;
    pub mod dc_network;
    pub mod dc_pithos;
    pub mod history;
    pub mod network;
    pub mod pithos;
    pub mod session;
}
