//! JSON paths that point into the caller's input, e.g. `$.tiers[2].requirements[0]`.

use std::fmt;

/// A location in a JSON document, written as a JSONPath (`$.partners[3].country`).
///
/// Paths are built as the input is read, so a problem always points at the
/// exact value the user has to fix.
///
/// ```
/// use prm_core::JsonPath;
/// let path = JsonPath::root().key("tiers").index(2).key("threshold");
/// assert_eq!(path.to_string(), "$.tiers[2].threshold");
/// assert_eq!(JsonPath::root().key("odd key").to_string(), "$[\"odd key\"]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPath(String);

impl JsonPath {
    /// The document itself: `$`.
    pub fn root() -> JsonPath {
        JsonPath("$".to_owned())
    }

    /// A path from its text form; the text is taken as it is.
    pub fn from_text(text: impl Into<String>) -> JsonPath {
        JsonPath(text.into())
    }

    /// The path of field `name` of the object at this path.
    pub fn key(&self, name: &str) -> JsonPath {
        let plain = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if plain {
            JsonPath(format!("{}.{name}", self.0))
        } else {
            let quoted = serde_json::Value::String(name.to_owned()).to_string();
            JsonPath(format!("{}[{quoted}]", self.0))
        }
    }

    /// The path of element `index` of the array at this path.
    pub fn index(&self, index: usize) -> JsonPath {
        JsonPath(format!("{}[{index}]", self.0))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&JsonPath> for JsonPath {
    fn from(path: &JsonPath) -> JsonPath {
        path.clone()
    }
}

impl From<&str> for JsonPath {
    fn from(text: &str) -> JsonPath {
        JsonPath(text.to_owned())
    }
}
