//! Types and argument checks shared by the OpenStack clients (and the
//! Synnefo clients built on them).

use std::fmt;

use kamaki_core::ClientError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Unknown JSON fields of a response, kept so that nothing the server sent is lost.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// A resource id: Cyclades uses integers where OpenStack uses strings.
/// Accepts either in JSON; serializes back as it came.
///
/// ```
/// use kamaki_openstack::ResourceId;
/// let a: ResourceId = serde_json::from_str("42").unwrap();
/// let b: ResourceId = serde_json::from_str("\"42\"").unwrap();
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "42");
/// assert_eq!(serde_json::to_string(&a).unwrap(), "42");
/// ```
#[derive(Debug, Clone, Eq)]
pub struct ResourceId {
    text: String,
    numeric: bool,
}

impl ResourceId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl std::hash::Hash for ResourceId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for ResourceId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ResourceId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

impl PartialEq<str> for ResourceId {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for ResourceId {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<&str> for ResourceId {
    fn from(s: &str) -> Self {
        ResourceId {
            text: s.to_string(),
            numeric: false,
        }
    }
}

impl From<String> for ResourceId {
    fn from(s: String) -> Self {
        ResourceId {
            text: s,
            numeric: false,
        }
    }
}

impl From<u64> for ResourceId {
    fn from(n: u64) -> Self {
        ResourceId {
            text: n.to_string(),
            numeric: true,
        }
    }
}

impl AsRef<str> for ResourceId {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Serialize for ResourceId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.numeric, self.text.parse::<u64>()) {
            (true, Ok(n)) => s.serialize_u64(n),
            _ => s.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for ResourceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(ResourceId {
                text: s,
                numeric: false,
            }),
            serde_json::Value::Number(n) => Ok(ResourceId {
                text: n.to_string(),
                numeric: true,
            }),
            other => Err(serde::de::Error::custom(format!(
                "expected a string or number id, got {other}"
            ))),
        }
    }
}

/// Defines a status-like enum that accepts unknown values as `Other(String)`
/// and (de)serializes as the server's string.
///
/// ```
/// kamaki_openstack::string_enum! {
///     /// A door state.
///     pub enum DoorStatus { Open = "OPEN", Closed = "CLOSED" }
/// }
/// let s: DoorStatus = serde_json::from_str("\"OPEN\"").unwrap();
/// assert_eq!(s, DoorStatus::Open);
/// let o: DoorStatus = serde_json::from_str("\"AJAR\"").unwrap();
/// assert_eq!(o, DoorStatus::Other("AJAR".into()));
/// assert_eq!(o.as_str(), "AJAR");
/// ```
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("`", $text, "`")] $variant,)*
            /// No value was given.
            #[default]
            Unknown,
            /// A value this version does not know.
            Other(String),
        }

        impl $name {
            /// The server's text for this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Unknown => "",
                    $name::Other(s) => s.as_str(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($text => $name::$variant,)*
                    "" => $name::Unknown,
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let v = <Option<String> as ::serde::Deserialize>::deserialize(d)?;
                Ok(v.as_deref().map($name::from).unwrap_or_default())
            }
        }
    };
}

/// The longest id or name the clients accept before sending anything.
pub const MAX_ID_LEN: usize = 255;

/// Refuses an id or name that is empty (or only white space), longer than
/// [`MAX_ID_LEN`] characters or holding control characters, before any
/// request is sent; `what` names it in the message. Every client checks
/// its ids and names with it; clients built on these (Synnefo's) can too.
///
/// ```
/// use kamaki_openstack::common::check_id;
/// use kamaki_openstack::ErrorKind;
///
/// assert!(check_id("server id", "42").is_ok());
/// let e = check_id("server id", " ").unwrap_err();
/// assert_eq!((e.kind, e.message.as_str()), (ErrorKind::InvalidArgument, "server id must not be empty"));
/// assert!(check_id("server name", "a\nb").is_err());
/// ```
///
/// # Errors
/// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
/// saying what is wrong with `id`.
pub fn check_id(what: &str, id: &str) -> Result<(), ClientError> {
    if id.trim().is_empty() {
        return Err(ClientError::invalid_argument(format!(
            "{what} must not be empty"
        )));
    }
    if id.chars().count() > MAX_ID_LEN {
        return Err(ClientError::invalid_argument(format!(
            "{what} is longer than {MAX_ID_LEN} characters"
        )));
    }
    if id.chars().any(char::is_control) {
        return Err(ClientError::invalid_argument(format!(
            "{what} must not hold control characters"
        )));
    }
    Ok(())
}

/// Deserializes `null` as the type's default, for lists and maps that
/// servers send as `null` when empty (`#[serde(default, deserialize_with =
/// "de_null_default")]`).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Reply {
///     #[serde(default, deserialize_with = "kamaki_openstack::common::de_null_default")]
///     tags: Vec<String>,
/// }
/// let r: Reply = serde_json::from_str(r#"{"tags": null}"#).unwrap();
/// assert!(r.tags.is_empty());
/// ```
///
/// # Errors
/// The deserializer's error for a value that is neither `null` nor a `T`.
pub fn de_null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(check_id("id", "42").is_ok());
        assert!(check_id("id", "a b/c").is_ok());
        for bad in ["", "   ", "a\nb", "a\u{7}b"] {
            let e = check_id("id", bad).unwrap_err();
            assert_eq!(e.kind, kamaki_core::ErrorKind::InvalidArgument);
        }
        assert!(check_id("id", &"x".repeat(MAX_ID_LEN)).is_ok());
        assert!(check_id("id", &"x".repeat(MAX_ID_LEN + 1)).is_err());
    }
}
