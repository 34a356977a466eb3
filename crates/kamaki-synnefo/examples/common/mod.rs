//! What the tutorial examples share: where the cloud is and who you are.
//!
//! The tutorial hard-codes `AUTHENTICATION_URL` and `TOKEN`; the examples
//! read them from the environment instead, so they run against any cloud
//! (and, with `cargo xtask demo`, against the built-in local one).

#![allow(dead_code)]

use std::process::ExitCode;

/// `KAMAKI_AUTH_URL` and `KAMAKI_TOKEN`, or a usage message.
pub fn credentials() -> Result<(String, String), ExitCode> {
    match (
        std::env::var("KAMAKI_AUTH_URL"),
        std::env::var("KAMAKI_TOKEN"),
    ) {
        (Ok(url), Ok(token)) if !url.is_empty() && !token.is_empty() => Ok((url, token)),
        _ => {
            eprintln!(
                "Set KAMAKI_AUTH_URL (e.g. https://accounts.example.com/identity/v2.0) and \
                 KAMAKI_TOKEN, or run `cargo xtask demo` to try this on a local cloud."
            );
            Err(ExitCode::from(2))
        }
    }
}

/// An optional setting from the environment.
pub fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Prints an error the way the tutorial's Example 1.5 does.
pub fn print_error(e: &kamaki_synnefo::ClientError) {
    println!("Error: {}", e.message.trim_end());
    if e.status != 0 {
        println!("- error code: {}", e.status);
    }
    for detail in &e.details {
        println!("- {detail}");
    }
}
