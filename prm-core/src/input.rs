//! Reading JSON input into typed values, reporting every problem at once.
//!
//! [`read`] first tries serde, which is fast and, with `deny_unknown_fields`
//! on every input type, strict. When serde fails it stops at the first
//! mistake, so prm then walks the input against the type's JSON Schema (the
//! same schema published in `docs/schema/`) and reports **every** structural
//! problem with its path: unknown fields (with a "did you mean"), missing
//! fields, wrong types, floats where decimals belong, malformed dates,
//! unknown currencies, unknown variants. The schema and the reader can never
//! disagree, because they are the same thing.

use crate::calendar::Date;
use crate::error::{Error, ErrorCode, JsonPath, Problem};
use crate::money::{Currency, Decimal, Rate};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The deepest nesting the structural walk follows before it reports `nesting_too_deep`.
pub const MAX_DEPTH: usize = 128;

/// Reads `value` as a `T`, or reports every structural problem with its path.
///
/// # Errors
///
/// [`Error::Invalid`] with one [`Problem`] per mistake found;
/// [`Error::LimitExceeded`] (`nesting_too_deep`) for a value nested deeper
/// than [`MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH).
///
/// # Example
///
/// ```
/// use prm_core::{input, Partner};
/// let value = serde_json::json!({"id": "p1", "nmae": "X", "kind": "reseler", "status": "active"});
/// let err = input::read::<Partner>(&value).unwrap_err();
/// let codes: Vec<_> = err.problems().iter().map(|p| (p.code().as_str(), p.path())).collect();
/// assert_eq!(codes, vec![
///     ("missing_field", "$.name"),      // missing fields first,
///     ("missing_field", "$.country"),
///     ("unknown_field", "$.nmae"),      // then each field in input order
///     ("unknown_variant", "$.kind"),
/// ]);
/// ```
pub fn read<T: DeserializeOwned + JsonSchema>(value: &Value) -> Result<T, Error> {
    // serde's derive and the structural walk both recurse: refuse deep values first.
    crate::limits::check_depth(value)?;
    match T::deserialize(value) {
        Ok(typed) => Ok(typed),
        Err(_) => Err(explain_failure::<T>(value)),
    }
}

/// Reads `value` as a `T` at `path` (problems are reported under it).
///
/// # Errors
///
/// As [`read`], with paths under `path`.
pub fn read_at<T: DeserializeOwned + JsonSchema>(
    value: &Value,
    path: &JsonPath,
) -> Result<T, Error> {
    read::<T>(value).map_err(|e| e.under(path))
}

fn explain_failure<T: DeserializeOwned + JsonSchema>(value: &Value) -> Error {
    let schema = schemars::SchemaGenerator::default().into_root_schema_for::<T>();
    let schema = schema.as_value();
    let mut walk = Walk {
        root: schema,
        problems: Vec::new(),
    };
    walk.check(schema, value, &JsonPath::root(), 0);
    if !walk.problems.is_empty() {
        if walk.problems.iter().any(|p| p.code().is_limit()) {
            return Error::LimitExceeded(walk.problems);
        }
        return Error::Invalid(walk.problems);
    }
    // The schema found nothing: fall back to serde's own account, with its path.
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => Error::Internal(vec![
            Problem::new(ErrorCode::Internal, JsonPath::root())
                .message("input was refused and then accepted; please report this"),
        ]),
        Err(e) => {
            let path = serde_path(e.path());
            Error::problem(
                Problem::new(ErrorCode::InvalidValue, path).message(e.inner().to_string()),
            )
        }
    }
}

fn serde_path(path: &serde_path_to_error::Path) -> JsonPath {
    let mut out = JsonPath::root();
    for segment in path.iter() {
        out = match segment {
            serde_path_to_error::Segment::Seq { index } => out.index(*index),
            serde_path_to_error::Segment::Map { key } => out.key(key),
            serde_path_to_error::Segment::Enum { variant } => out.key(variant),
            serde_path_to_error::Segment::Unknown => out,
        };
    }
    out
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number with a fraction",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn matches_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn expected_types(types: &[&str]) -> String {
    let names: Vec<&str> = types
        .iter()
        .filter(|t| **t != "null")
        .map(|t| match *t {
            "boolean" => "a boolean",
            "integer" => "an integer",
            "number" => "a number",
            "string" => "a string",
            "array" => "an array",
            "object" => "an object",
            _ => "a value",
        })
        .collect();
    if names.is_empty() {
        "null".to_owned()
    } else {
        names.join(" or ")
    }
}

/// Suggests the closest of `candidates` to `found`, when one is close enough.
pub(crate) fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(found, c), c))
        .filter(|(distance, c)| *distance <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

struct Walk<'s> {
    root: &'s Value,
    problems: Vec<Problem>,
}

impl<'s> Walk<'s> {
    fn resolve(&self, schema: &'s Value) -> &'s Value {
        let mut current = schema;
        for _ in 0..32 {
            match current.get("$ref").and_then(Value::as_str) {
                Some(reference) => match reference
                    .strip_prefix('#')
                    .and_then(|p| self.root.pointer(p))
                {
                    Some(target) => current = target,
                    None => return current,
                },
                None => return current,
            }
        }
        current
    }

    fn check(&mut self, schema: &'s Value, value: &Value, path: &JsonPath, depth: usize) {
        if depth > MAX_DEPTH {
            self.problems.push(
                Problem::new(ErrorCode::NestingTooDeep, path)
                    .message(format!("input is nested more than {MAX_DEPTH} levels deep")),
            );
            return;
        }
        let schema = self.resolve(schema);
        let Some(object) = schema.as_object() else {
            return;
        };
        if let Some(branches) = object
            .get("anyOf")
            .or_else(|| object.get("oneOf"))
            .and_then(Value::as_array)
        {
            self.check_branches(branches, value, path, depth);
            return;
        }
        if let Some(parts) = object.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.check(part, value, path, depth + 1);
            }
        }
        let format = object.get("format").and_then(Value::as_str).unwrap_or("");
        if let Some(types) = type_list(object.get("type"))
            && !types.iter().any(|t| matches_type(value, t))
        {
            self.type_problem(&types, format, value, path);
            return;
        }
        if let Some(allowed) = object.get("const")
            && allowed != value
        {
            self.variant_problem(std::slice::from_ref(allowed), value, path);
            return;
        }
        if let Some(allowed) = object.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            self.variant_problem(allowed, value, path);
            return;
        }
        self.check_format(format, value, path);
        self.check_range(object, value, path);
        match value {
            Value::Object(fields) => self.check_object(object, fields, path, depth),
            Value::Array(items) => {
                if let Some(item_schema) = object.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &path.index(i), depth + 1);
                    }
                }
                if let Some(min) = object.get("minItems").and_then(Value::as_u64)
                    && (items.len() as u64) < min
                {
                    self.problems
                        .push(Problem::new(ErrorCode::OutOfRange, path).message(format!(
                            "expected at least {min} items, found {}",
                            items.len()
                        )));
                }
            }
            _ => {}
        }
    }

    fn type_problem(&mut self, types: &[&str], format: &str, value: &Value, path: &JsonPath) {
        let decimal_like = matches!(format, "decimal" | "rate");
        if decimal_like
            && value
                .as_f64()
                .is_some_and(|f| f.fract() == 0.0 && f.abs() >= 1e19)
        {
            // An integer beyond u64: JSON readers hold it as a float, already rounded.
            self.problems.push(
                Problem::new(ErrorCode::DecimalMustBeString, path)
                    .message(format!(
                        "expected a decimal string, found an integer too large to read exactly from a JSON number (about {value})"
                    ))
                    .help("write the exact digits as a string, such as \"79228162514264337593543950335\""),
            );
        } else if decimal_like && value.is_f64() {
            self.problems.push(
                Problem::new(ErrorCode::DecimalMustBeString, path)
                    .message(format!(
                        "expected a decimal string, found the number {value}"
                    ))
                    .help(format!("write it as a string: \"{value}\"")),
            );
        } else {
            self.problems
                .push(Problem::new(ErrorCode::WrongType, path).message(format!(
                    "expected {}, found {}",
                    expected_types(types),
                    type_name(value)
                )));
        }
    }

    fn variant_problem(&mut self, allowed: &[Value], value: &Value, path: &JsonPath) {
        let names: Vec<String> = allowed.iter().map(value_text).collect();
        let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let found = value_text(value);
        let mut problem = Problem::new(ErrorCode::UnknownVariant, path).message(format!(
            "expected one of {}, found `{found}`",
            listed.join(", ")
        ));
        if let Some(close) = did_you_mean(&found, names.iter().map(String::as_str)) {
            problem = problem.help(format!("did you mean `{close}`?"));
        }
        self.problems.push(problem);
    }

    fn check_format(&mut self, format: &str, value: &Value, path: &JsonPath) {
        let Some(text) = value.as_str() else {
            if matches!(format, "decimal" | "rate") && value.is_f64() {
                self.type_problem(&["string"], format, value, path);
            }
            return;
        };
        let result = match format {
            "decimal" => Decimal::parse_at(text, path).map(|_| ()),
            "rate" => Rate::parse_at(text, path).map(|_| ()),
            "currency" => Currency::parse_at(text, path).map(|_| ()),
            "date" => Date::parse_at(text, path).map(|_| ()),
            "date-time" => chrono::DateTime::parse_from_rfc3339(text).map(|_| ()).map_err(|_| {
                Error::problem(
                    Problem::new(ErrorCode::InvalidInstant, path)
                        .message(format!("expected an RFC 3339 instant with offset, found `{text}`"))
                        .help("write instants like `2026-01-05T09:30:00Z` or `2026-01-05T10:30:00+01:00`"),
                )
            }),
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.problems.extend(e.problems().iter().cloned());
        }
    }

    fn check_range(
        &mut self,
        object: &serde_json::Map<String, Value>,
        value: &Value,
        path: &JsonPath,
    ) {
        let Some(number) = value.as_f64() else { return };
        let below = object
            .get("minimum")
            .and_then(Value::as_f64)
            .filter(|min| number < *min);
        let above = object
            .get("maximum")
            .and_then(Value::as_f64)
            .filter(|max| number > *max);
        if below.is_some() || above.is_some() {
            let low = object
                .get("minimum")
                .map_or("-∞".to_owned(), Value::to_string);
            let high = object
                .get("maximum")
                .map_or("∞".to_owned(), Value::to_string);
            self.problems
                .push(Problem::new(ErrorCode::OutOfRange, path).message(format!(
                    "expected a value from {low} to {high}, found {value}"
                )));
        }
    }

    fn check_object(
        &mut self,
        object: &'s serde_json::Map<String, Value>,
        fields: &serde_json::Map<String, Value>,
        path: &JsonPath,
        depth: usize,
    ) {
        let properties = object.get("properties").and_then(Value::as_object);
        if let Some(required) = object.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !fields.contains_key(name) {
                    self.problems.push(
                        Problem::new(ErrorCode::MissingField, path.key(name))
                            .message(format!("missing required field `{name}`")),
                    );
                }
            }
        }
        let additional = object.get("additionalProperties");
        for (name, field) in fields {
            let field_path = path.key(name);
            match properties.and_then(|p| p.get(name)) {
                Some(field_schema) => self.check(field_schema, field, &field_path, depth + 1),
                None => match additional {
                    Some(Value::Bool(false)) => {
                        let known =
                            properties.map(|p| p.keys().map(String::as_str).collect::<Vec<_>>());
                        let mut problem = Problem::new(ErrorCode::UnknownField, &field_path)
                            .message(format!("unknown field `{name}`"));
                        if let Some(close) = known.and_then(|k| did_you_mean(name, k)) {
                            problem = problem.help(format!("did you mean `{close}`?"));
                        } else if let Some(known) =
                            properties.map(|p| p.keys().cloned().collect::<Vec<_>>())
                        {
                            problem = problem.help(format!("known fields: {}", known.join(", ")));
                        }
                        self.problems.push(problem);
                    }
                    Some(extra) if extra.is_object() => {
                        self.check(extra, field, &field_path, depth + 1)
                    }
                    _ => {}
                },
            }
        }
    }

    fn check_branches(
        &mut self,
        branches: &'s [Value],
        value: &Value,
        path: &JsonPath,
        depth: usize,
    ) {
        let mut attempts: Vec<(usize, bool, Vec<Problem>)> = Vec::new();
        let mut discriminators: Vec<(String, Value)> = Vec::new();
        for branch in branches {
            let resolved = self.resolve(branch);
            // A branch is ruled out when a constant property (a `kind` tag) differs.
            let mut ruled_out = false;
            // ... and certainly fails when that tag is present with another
            // value, or absent where the branch requires it.
            let mut fails = false;
            if let (Some(fields), Some(props)) = (
                value.as_object(),
                resolved.get("properties").and_then(Value::as_object),
            ) {
                let required = resolved.get("required").and_then(Value::as_array);
                for (name, prop) in props {
                    let prop = self.resolve(prop);
                    let constant = prop.get("const").or_else(|| {
                        prop.get("enum")
                            .and_then(Value::as_array)
                            .filter(|e| e.len() == 1)?
                            .first()
                    });
                    if let Some(constant) = constant {
                        discriminators.push((name.clone(), constant.clone()));
                        match fields.get(name) {
                            Some(found) if found == constant => {}
                            Some(_) => {
                                ruled_out = true;
                                fails |= !has_branches(prop);
                            }
                            None => {
                                ruled_out = true;
                                fails |= required
                                    .is_some_and(|r| r.iter().any(|n| n.as_str() == Some(name)));
                            }
                        }
                    }
                }
            }
            if fails && !has_branches(resolved) {
                // Its problems would never be reported (the tag's are, below),
                // and walking it would follow every child: in a tree of tagged
                // nodes, once per branch per level, which is exponential.
                attempts.push((usize::MAX, false, Vec::new()));
                continue;
            }
            let mut sub = Walk {
                root: self.root,
                problems: Vec::new(),
            };
            sub.check(resolved, value, path, depth + 1);
            if sub.problems.is_empty() {
                return;
            }
            let type_fits = type_list(resolved.get("type")).is_none_or(|types| {
                types.iter().any(|t| matches_type(value, t))
                    || (value.is_f64()
                        && matches!(
                            resolved.get("format").and_then(Value::as_str),
                            Some("decimal" | "rate")
                        ))
            });
            let scalar_constant = resolved.get("const").is_some() || resolved.get("enum").is_some();
            attempts.push((
                sub.problems.len(),
                !ruled_out && type_fits && !scalar_constant,
                sub.problems,
            ));
        }
        // Every branch is a constant: an enumeration of spellings.
        if branches.iter().all(|b| {
            let r = self.resolve(b);
            r.get("const").is_some() || r.get("enum").is_some()
        }) {
            let mut allowed = Vec::new();
            for b in branches {
                let r = self.resolve(b);
                if let Some(c) = r.get("const") {
                    allowed.push(c.clone());
                } else if let Some(e) = r.get("enum").and_then(Value::as_array) {
                    allowed.extend(e.iter().cloned());
                }
            }
            if value.is_string() {
                self.variant_problem(&allowed, value, path);
            } else {
                self.problems.push(
                    Problem::new(ErrorCode::WrongType, path)
                        .message(format!("expected a string, found {}", type_name(value))),
                );
            }
            return;
        }
        let candidates: Vec<&(usize, bool, Vec<Problem>)> =
            attempts.iter().filter(|a| a.1).collect();
        if candidates.is_empty() {
            if let (Some(fields), Some((tag, _))) = (value.as_object(), discriminators.first()) {
                let allowed: Vec<Value> = discriminators
                    .iter()
                    .filter(|(name, _)| name == tag)
                    .map(|(_, v)| v.clone())
                    .collect();
                match fields.get(tag) {
                    Some(found) => self.variant_problem(&allowed, found, &path.key(tag)),
                    None => {
                        let listed: Vec<String> = allowed
                            .iter()
                            .map(|v| format!("`{}`", value_text(v)))
                            .collect();
                        self.problems.push(
                            Problem::new(ErrorCode::MissingField, path.key(tag)).message(format!(
                                "missing required field `{tag}` (one of {})",
                                listed.join(", ")
                            )),
                        );
                    }
                }
                return;
            }
            // No branch fits the value's type: report against the first.
            if let Some((_, _, problems)) = attempts.into_iter().min_by_key(|a| a.0) {
                self.problems.extend(problems);
            }
            return;
        }
        if let Some(best) = candidates.into_iter().min_by_key(|a| a.0) {
            self.problems.extend(best.2.iter().cloned());
        }
    }
}

/// Whether a schema chooses among branches (`anyOf`, `oneOf`) before anything else.
fn has_branches(schema: &Value) -> bool {
    schema.get("anyOf").is_some() || schema.get("oneOf").is_some()
}

fn type_list(types: Option<&Value>) -> Option<Vec<&str>> {
    match types? {
        Value::String(one) => Some(vec![one.as_str()]),
        Value::Array(many) => Some(many.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partner::Partner;
    use serde_json::json;

    fn problems<T: DeserializeOwned + JsonSchema>(value: Value) -> Vec<(String, String)> {
        match read::<T>(&value) {
            Ok(_) => Vec::new(),
            Err(e) => e
                .problems()
                .iter()
                .map(|p| (p.code().to_string(), p.path().to_owned()))
                .collect(),
        }
    }

    #[test]
    fn reports_every_problem_in_a_list() {
        let found = problems::<Vec<Partner>>(json!([
            {"id": "a", "name": "A", "kind": "reseller", "status": "active", "country": "DE"},
            {"id": "b", "name": "B", "kind": "reseller", "status": "actve", "country": "DE", "joined_on": "2024-02-30"},
            {"id": "c", "name": 7, "kind": "reseller", "status": "active", "country": "DE", "location": {"lat": 1}}
        ]));
        assert_eq!(
            found,
            vec![
                ("unknown_variant".into(), "$[1].status".into()),
                ("invalid_date".into(), "$[1].joined_on".into()),
                ("wrong_type".into(), "$[2].name".into()),
                ("missing_field".into(), "$[2].location.lon".into()),
            ]
        );
    }

    #[test]
    fn unknown_field_suggests_the_closest_name() -> Result<(), String> {
        let value = json!({"id": "a", "name": "A", "kind": "reseller", "status": "active", "country": "DE", "postcode": "1010"});
        let err = read::<Partner>(&value).err().ok_or("accepted")?;
        let problem = err.problems().first().ok_or("no problem")?;
        assert_eq!(problem.code(), ErrorCode::UnknownField);
        assert_eq!(problem.suggestion(), Some("did you mean `postal_code`?"));
        Ok(())
    }

    /// A recursive tagged enum like the requirement and condition trees.
    #[derive(Debug, serde::Deserialize, JsonSchema)]
    #[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
    #[expect(dead_code, reason = "only read, to test the walk")]
    enum Tree {
        AllOf { items: Vec<Tree> },
        AnyOf { items: Vec<Tree> },
        Leaf { value: u32 },
    }

    fn tree(depth: usize, leaf: Value) -> Value {
        (0..depth).fold(leaf, |inner, _| json!({"kind": "all_of", "items": [inner]}))
    }

    #[test]
    fn deep_tagged_tree_is_walked_once_per_level() {
        // Walking every branch at every level would take 2^30 walks of the tree below.
        let found = problems::<Tree>(tree(30, json!({"kind": "leaf", "valu": 1})));
        let path = format!("${}", ".items[0]".repeat(30));
        assert_eq!(
            found,
            vec![
                ("missing_field".into(), format!("{path}.value")),
                ("unknown_field".into(), format!("{path}.valu")),
            ]
        );
    }

    #[test]
    fn missing_tag_deep_in_a_tree_is_reported_at_its_node() {
        let mut node = tree(40, json!({"kind": "leaf", "value": 1}));
        let top = node.get_mut("items").and_then(|i| i.get_mut(0)).unwrap();
        let inner = top.as_object_mut().unwrap();
        inner.remove("kind");
        let found = problems::<Tree>(node);
        assert_eq!(
            found,
            vec![("missing_field".into(), "$.items[0].kind".into())]
        );
    }

    #[test]
    fn unknown_tag_lists_the_variants() {
        let err = read::<Tree>(&json!({"kind": "none_of", "items": []})).unwrap_err();
        let problem = err.problems().first().unwrap();
        assert_eq!(problem.code(), ErrorCode::UnknownVariant);
        assert_eq!(problem.path(), "$.kind");
    }
}
