//! Tokens: a secret that is never shown.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// An authentication token.
///
/// `Debug` and `Display` never show it; it is sent only as the value of the
/// `X-Auth-Token` header (and, for identity calls that need it, in a request
/// body that logging scrubs).
///
/// ```
/// use kamaki_core::Token;
///
/// let token = Token::new("s3cr3t-t0ken");
/// assert_eq!(format!("{token:?}"), "Token(***)");
/// assert_eq!(token.to_string(), "***");
/// assert_eq!(token.expose(), "s3cr3t-t0ken");
/// ```
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    /// Wraps a token string.
    pub fn new(token: impl Into<String>) -> Self {
        Token(SecretString::from(token.into()))
    }

    /// The token text. Only for building requests; never log it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// True when the token is the empty string.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Token {
    fn from(s: &str) -> Self {
        Token::new(s)
    }
}

impl From<String> for Token {
    fn from(s: String) -> Self {
        Token::new(s)
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Token {}
