//! A TOML document that remembers where each value came from.
//!
//! Scenario files, `extends` chains, `[[variant]].set` and `--set` all edit
//! one tree of [`Node`]s; every node keeps its [`Origin`] so that a bad value
//! is reported at the line and column where the user wrote it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use crate::error::{InputError, InputResult, Origin};

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value written.
    pub value: Value,
    /// Where it was written: a file position, a `--set` argument, or a default.
    pub origin: Origin,
}

/// A TOML value; tables keep their keys in file order.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date-time, kept as TOML text.
    Datetime(String),
    /// An array of values.
    Array(Vec<Node>),
    /// A table: its entries in file order.
    Table(Vec<Entry>),
}

/// One `key = value` of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// Where the key was written.
    pub key_origin: Origin,
    /// The value, with where it was written.
    pub node: Node,
}

impl Value {
    /// The TOML type name, for "expected a number, found a string" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

impl Node {
    /// An empty table with the given origin.
    pub fn table(origin: Origin) -> Node {
        Node {
            value: Value::Table(Vec::new()),
            origin,
        }
    }

    /// The entries of a table node, if it is one.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Table(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` in a table node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.node)
    }

    /// The `name = "..."` of a table node (sources and variants are keyed by it).
    pub fn name(&self) -> Option<&str> {
        match &self.get("name")?.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Sets `key` in a table node, replacing an earlier value.
    pub fn insert(&mut self, key: &str, key_origin: Origin, node: Node) {
        if let Value::Table(entries) = &mut self.value {
            match entries.iter_mut().find(|e| e.key == key) {
                Some(e) => e.node = node,
                None => entries.push(Entry {
                    key: key.to_string(),
                    key_origin,
                    node,
                }),
            }
        }
    }

    /// Removes `key` from a table node.
    pub fn remove(&mut self, key: &str) {
        if let Value::Table(entries) = &mut self.value {
            entries.retain(|e| e.key != key);
        }
    }

    /// A mutable reference to the value of `key` in a table node.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match &mut self.value {
            Value::Table(entries) => entries
                .iter_mut()
                .find(|e| e.key == key)
                .map(|e| &mut e.node),
            _ => None,
        }
    }
}

/// Maps byte offsets of a text to 1-based line and column (columns count characters).
struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, line_starts }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }
}

/// Parses TOML text into a tree; `label` names the source in positions (a file path or an argument).
pub fn parse_str(text: &str, label: &str) -> InputResult<Node> {
    let index = LineIndex::new(text);
    let label: Arc<str> = Arc::from(label);
    let origin_at = |offset: usize| {
        let (line, column) = index.position(offset);
        Origin::File {
            path: label.clone(),
            line,
            column,
        }
    };
    let table = DeTable::parse(text).map_err(|e| {
        let origin = origin_at(e.span().map_or(0, |s| s.start));
        InputError::new(format!("invalid TOML: {}", e.message().trim()))
            .at(&origin)
            .hint("check the quoting, brackets and `key = value` syntax at that position")
    })?;
    let root_origin = origin_at(0);
    convert_table(table.get_ref(), root_origin, &origin_at, "")
}

/// Parses one TOML value written on the command line (the `VALUE` of `--set PATH=VALUE`).
///
/// A bare word that is not TOML (`field_sales`) is taken as a string, so that
/// choices need no quotes on the command line.
pub fn parse_argument_value(text: &str, argument: &str) -> InputResult<Node> {
    let origin = Origin::Argument(Arc::from(argument));
    let wrapped = format!("v = {text}");
    let parsed = DeTable::parse(&wrapped);
    let at = |_: usize| origin.clone();
    match parsed {
        Ok(table) => {
            let root = convert_table(table.get_ref(), origin.clone(), &at, "")?;
            Ok(root.get("v").cloned().expect("the wrapper key is present"))
        }
        Err(_) if is_bare_word(text) => Ok(Node {
            value: Value::Str(text.to_string()),
            origin,
        }),
        Err(e) => Err(InputError::new(format!(
            "`{text}` is not a TOML value: {}",
            e.message().trim()
        ))
        .at(&origin)
        .hint("write numbers as 0.25, text as \"text\", distributions as '{ range = [a, b] }'")),
    }
}

fn is_bare_word(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !text.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}

fn convert_table(
    table: &DeTable<'_>,
    origin: Origin,
    origin_at: &dyn Fn(usize) -> Origin,
    path: &str,
) -> InputResult<Node> {
    let mut entries = Vec::with_capacity(table.len());
    for (key, value) in table.iter() {
        let key_path = if path.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{path}.{}", key.get_ref())
        };
        entries.push(Entry {
            key: key.get_ref().to_string(),
            key_origin: origin_at(key.span().start),
            node: convert_value(
                value.get_ref(),
                origin_at(value.span().start),
                origin_at,
                &key_path,
            )?,
        });
    }
    Ok(Node {
        value: Value::Table(entries),
        origin,
    })
}

fn convert_value(
    value: &DeValue<'_>,
    origin: Origin,
    origin_at: &dyn Fn(usize) -> Origin,
    path: &str,
) -> InputResult<Node> {
    let value = match value {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => {
            let parsed = i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| {
                InputError::new(format!("integer {} is too large", i.as_str()))
                    .at(&origin)
                    .key(path)
                    .hint("integers must lie within ±9.2e18")
            })?;
            Value::Int(parsed)
        }
        DeValue::Float(x) => {
            let parsed: f64 = x.as_str().parse().map_err(|_| {
                InputError::new(format!("`{}` is not a number", x.as_str()))
                    .at(&origin)
                    .key(path)
            })?;
            Value::Float(parsed)
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => {
            let mut nodes = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                nodes.push(convert_value(
                    item.get_ref(),
                    origin_at(item.span().start),
                    origin_at,
                    &format!("{path}[{i}]"),
                )?);
            }
            Value::Array(nodes)
        }
        DeValue::Table(t) => return convert_table(t, origin, origin_at, path),
    };
    Ok(Node { value, origin })
}

/// Reads a scenario file and resolves its `extends` chain into one tree.
pub fn load_file(path: &Path) -> InputResult<Node> {
    load_with_chain(path, &mut Vec::new())
}

fn read_text(path: &Path) -> InputResult<String> {
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::new(format!("cannot read scenario file {}: {e}", path.display()))
            .hint("check the path; scenario files are TOML, e.g. scenarios/baseline.toml")
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        let index = LineIndex::new(&text);
        let (line, column) = index.position(text.len());
        InputError::new("the file is not valid UTF-8 text")
            .at(&Origin::File {
                path: Arc::from(path.display().to_string()),
                line,
                column,
            })
            .hint("save the scenario as UTF-8 (Japanese names are fine in UTF-8)")
    })
}

fn load_with_chain(path: &Path, chain: &mut Vec<PathBuf>) -> InputResult<Node> {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let text = read_text(path)?;
    let mut root = parse_str(&text, &path.display().to_string())?;
    let Some(extends) = root.get("extends").cloned() else {
        return Ok(root);
    };
    let Value::Str(parent) = &extends.value else {
        return Err(InputError::new(format!(
            "expected a file path string, found {}",
            extends.value.type_name()
        ))
        .at(&extends.origin)
        .key("extends")
        .hint("write extends = \"other.toml\", a path relative to this file"));
    };
    let parent_path = path.parent().unwrap_or(Path::new(".")).join(parent);
    if !parent_path.is_file() {
        return Err(InputError::new(format!(
            "the scenario it extends, {}, does not exist",
            parent_path.display()
        ))
        .at(&extends.origin)
        .key("extends")
        .hint("`extends` is a path relative to the file that contains it"));
    }
    let parent_canonical = parent_path
        .canonicalize()
        .unwrap_or_else(|_| parent_path.clone());
    if parent_canonical == canonical || chain.contains(&parent_canonical) {
        let cycle: Vec<String> = chain
            .iter()
            .chain([&canonical, &parent_canonical])
            .map(|p| p.display().to_string())
            .collect();
        return Err(
            InputError::new(format!("`extends` forms a cycle: {}", cycle.join(" -> ")))
                .at(&extends.origin)
                .key("extends")
                .hint("a scenario may extend another, which must not extend it back"),
        );
    }
    chain.push(canonical);
    let base = load_with_chain(&parent_path, chain)?;
    chain.pop();
    root.remove("extends");
    Ok(merge(base, root))
}

/// Overrides `base` with `over`: tables merge key by key, `source` and
/// `variant` arrays merge their entries by `name`, other values are replaced.
/// A distribution (`{ pert = [...] }`) is a value, not a table to merge: it
/// replaces whatever the base held (a `range` does not linger beside it).
pub fn merge(mut base: Node, over: Node) -> Node {
    let Value::Table(over_entries) = over.value else {
        return over;
    };
    if !matches!(base.value, Value::Table(_)) {
        return Node {
            value: Value::Table(over_entries),
            origin: over.origin,
        };
    }
    for entry in over_entries {
        let merged = match base.get_mut(&entry.key) {
            Some(existing) if entry.key == "source" || entry.key == "variant" => {
                merge_named(existing.clone(), entry.node)
            }
            Some(existing)
                if matches!(existing.value, Value::Table(_)) && !is_distribution(&entry.node) =>
            {
                merge(existing.clone(), entry.node)
            }
            _ => entry.node,
        };
        base.insert(&entry.key, entry.key_origin, merged);
    }
    base
}

/// Whether a node is written as a distribution: a table whose keys are distribution forms.
fn is_distribution(node: &Node) -> bool {
    node.entries().is_some_and(|entries| {
        !entries.is_empty()
            && entries
                .iter()
                .all(|e| crate::scenario::dist::FORMS.contains(&e.key.as_str()))
    })
}

fn merge_named(base: Node, over: Node) -> Node {
    let (Value::Array(mut items), Value::Array(over_items)) = (base.value, over.value.clone())
    else {
        return over;
    };
    for item in over_items {
        let same = item
            .name()
            .and_then(|name| items.iter().position(|b| b.name() == Some(name)));
        match same {
            Some(i) => {
                let merged = merge_source_entry(items[i].clone(), item);
                items[i] = merged;
            }
            None => items.push(item),
        }
    }
    Node {
        value: Value::Array(items),
        origin: over.origin,
    }
}

/// Merges one source (or variant) table; `cost_per_lead` and `budget_per_month` replace each other.
fn merge_source_entry(base: Node, over: Node) -> Node {
    let mut base = base;
    for (key, other) in EXCLUSIVE_KEYS {
        if over.get(key).is_some() && over.get(other).is_none() {
            base.remove(other);
        }
    }
    merge(base, over)
}

/// Pairs of source keys where setting one removes the other.
pub const EXCLUSIVE_KEYS: [(&str, &str); 2] = [
    ("cost_per_lead", "budget_per_month"),
    ("budget_per_month", "cost_per_lead"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let err = parse_str("name = \"商談\"\nx = ", "f.toml").unwrap_err();
        assert_eq!(
            err.origin,
            Some(Origin::File {
                path: Arc::from("f.toml"),
                line: 2,
                column: 5
            })
        );
        let root = parse_str("a = 1\nb = \"商談\" \nc = 3", "f.toml").unwrap();
        assert_eq!(
            root.get("c").unwrap().origin,
            Origin::File {
                path: Arc::from("f.toml"),
                line: 3,
                column: 5
            }
        );
    }

    #[test]
    fn merge_by_name_and_replace_arrays() {
        let base = parse_str(
            "[[source]]\nname='a'\ncost_per_lead=1\nseasonality=[1,2]\n[[source]]\nname='b'\n[x]\ny=1\nz=2",
            "b",
        )
        .unwrap();
        let over = parse_str(
            "[[source]]\nname='a'\nbudget_per_month=5\nseasonality=[3]\n[[source]]\nname='c'\n[x]\ny=9",
            "o",
        )
        .unwrap();
        let m = merge(base, over);
        let Value::Array(sources) = &m.get("source").unwrap().value else {
            panic!()
        };
        assert_eq!(sources.len(), 3);
        assert!(sources[0].get("cost_per_lead").is_none());
        assert!(sources[0].get("budget_per_month").is_some());
        let Value::Array(season) = &sources[0].get("seasonality").unwrap().value else {
            panic!()
        };
        assert_eq!(season.len(), 1);
        assert_eq!(m.get("x").unwrap().get("y").unwrap().value, Value::Int(9));
        assert_eq!(m.get("x").unwrap().get("z").unwrap().value, Value::Int(2));
    }

    /// A distribution replaces the base's value whole: a `pert` over a
    /// `range` is a pert, not a table with both keys.
    #[test]
    fn a_distribution_replaces_the_one_it_extends() {
        let base = parse_str("[sales]\nwin_rate = { range = [0.2, 0.3] }\nreps = 5", "b").unwrap();
        let over = parse_str("[sales]\nwin_rate = { pert = [0.1, 0.2, 0.4] }", "o").unwrap();
        let m = merge(base, over);
        let sales = m.get("sales").unwrap();
        let rate = sales.get("win_rate").unwrap();
        assert!(rate.get("pert").is_some());
        assert!(rate.get("range").is_none(), "{rate:?}");
        assert_eq!(sales.get("reps").unwrap().value, Value::Int(5));
    }

    #[test]
    fn argument_values_accept_bare_words_and_toml() {
        let v = parse_argument_value("field_sales", "--set x=field_sales").unwrap();
        assert_eq!(v.value, Value::Str("field_sales".into()));
        let v = parse_argument_value("{ range = [1, 2] }", "a").unwrap();
        assert!(v.get("range").is_some());
        assert!(parse_argument_value("[1, ", "a").is_err());
    }
}
