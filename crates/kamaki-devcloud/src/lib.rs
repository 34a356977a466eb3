//! A local Synnefo cloud on loopback.
