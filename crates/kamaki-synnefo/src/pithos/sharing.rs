//! `X-Object-Sharing` permissions (`spec/storage-pithos.md` §7.2).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Who may read and write an object: user UUIDs, groups written as
/// `<owner-uuid>:<group>`, or `*` for everyone.
///
/// The server reports `read=a,b; write=c`; this type sends `read=a,b;write=c`.
/// An empty value (no readers, no writers) removes all permissions.
///
/// ```
/// use kamaki_synnefo::pithos::Sharing;
///
/// let s: Sharing = "read=u1,acct:grp; write=u2".parse().unwrap();
/// assert_eq!(s.read, ["u1", "acct:grp"]);
/// assert_eq!(s.write, ["u2"]);
/// assert_eq!(s.to_string(), "read=u1,acct:grp;write=u2");
/// assert_eq!(Sharing::default().to_string(), "");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Sharing {
    /// Who may read.
    pub read: Vec<String>,
    /// Who may write (and read).
    pub write: Vec<String>,
}

impl Sharing {
    /// Permissions with the given readers and writers.
    pub fn new<R, W>(read: R, write: W) -> Self
    where
        R: IntoIterator,
        R::Item: Into<String>,
        W: IntoIterator,
        W::Item: Into<String>,
    {
        Sharing {
            read: read.into_iter().map(Into::into).collect(),
            write: write.into_iter().map(Into::into).collect(),
        }
    }

    /// True when nobody is granted anything.
    pub fn is_empty(&self) -> bool {
        self.read.is_empty() && self.write.is_empty()
    }

    /// Parses the server's form; unknown kinds are ignored, empty members dropped.
    pub fn parse(text: &str) -> Self {
        let mut out = Sharing::default();
        for part in text.split(';') {
            let Some((kind, members)) = part.split_once('=') else {
                continue;
            };
            let list: Vec<String> = members
                .split(',')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect();
            match kind.trim().to_ascii_lowercase().as_str() {
                "read" => out.read.extend(list),
                "write" => out.write.extend(list),
                _ => {}
            }
        }
        out
    }
}

impl FromStr for Sharing {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Sharing::parse(s))
    }
}

impl fmt::Display for Sharing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.read.is_empty() {
            parts.push(format!("read={}", self.read.join(",")));
        }
        if !self.write.is_empty() {
            parts.push(format!("write={}", self.write.join(",")));
        }
        f.write_str(&parts.join(";"))
    }
}

impl Serialize for Sharing {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Sharing {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Sharing::parse(&s))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parse_forms() {
        let s = Sharing::parse("read=*; write=2f6e9a7c-0000-4000-8000-000000000002");
        assert_eq!(s.read, ["*"]);
        assert_eq!(s.write, ["2f6e9a7c-0000-4000-8000-000000000002"]);
        let s = Sharing::parse("write=a ,b;read=");
        assert_eq!(s.write, ["a", "b"]);
        assert!(s.read.is_empty());
        assert!(Sharing::parse("").is_empty());
        let s = Sharing::new(["u1"], Vec::<String>::new());
        assert_eq!(s.to_string(), "read=u1");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, "\"read=u1\"");
        let back: Sharing = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }
}
