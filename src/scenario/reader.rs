//! Reading a table of the scenario tree: typed values, checked keys, errors at their source.

use super::*;

pub(super) fn type_error(node: &Node, key_path: &str, expected: &str) -> InputError {
    InputError::new(format!(
        "expected {expected}, found {}",
        node.value.type_name()
    ))
    .at(&node.origin)
    .key(key_path)
    .hint(format!(
        "write `{}` as {expected}; the scenarios/ folder has commented examples",
        key_path.rsplit('.').next().unwrap_or(key_path)
    ))
}

/// Reads the tables of one table node, checking its keys against the schema.
pub(super) struct Reader<'a> {
    pub(super) node: &'a Node,
    pub(super) prefix: String,
}

impl<'a> Reader<'a> {
    pub(super) fn new(node: &'a Node, prefix: &str, schema: &str) -> InputResult<Reader<'a>> {
        let entries = node
            .entries()
            .ok_or_else(|| type_error(node, prefix, "a table"))?;
        let known = keys_of(schema);
        for entry in entries {
            let valid = if schema == "targets" {
                Metric::from_name(&entry.key).is_some()
            } else {
                known.contains(&entry.key.as_str())
            };
            if !valid {
                let path = join(prefix, &entry.key);
                let mut e = InputError::new(format!("unknown key `{}`", entry.key))
                    .at(&entry.key_origin)
                    .key(path);
                e = if schema == "targets" {
                    match suggest(&entry.key, Metric::ALL.iter().map(|m| m.name())) {
                        Some(s) => e.hint(format!("did you mean `{s}`? targets are metric names")),
                        None => e.hint(format!("targets are metric names: {}", metric_names())),
                    }
                } else {
                    match suggest(&entry.key, known.iter().copied()) {
                        Some(s) => e.hint(format!("did you mean `{s}`?")),
                        None => e.hint(format!("valid keys here are: {}", known.join(", "))),
                    }
                };
                return Err(e);
            }
        }
        Ok(Reader {
            node,
            prefix: prefix.to_string(),
        })
    }

    pub(super) fn path(&self, key: &str) -> String {
        join(&self.prefix, key)
    }

    pub(super) fn value(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// A sub-table; an absent one reads as empty (every key at its default).
    pub(super) fn table(&self, key: &str, schema: &str) -> InputResult<Reader<'a>> {
        static EMPTY: std::sync::OnceLock<Node> = std::sync::OnceLock::new();
        let node = self
            .value(key)
            .unwrap_or_else(|| EMPTY.get_or_init(|| Node::table(Origin::Default)));
        Reader::new(node, &self.path(key), schema)
    }

    pub(super) fn error(&self, key: &str, message: impl Into<String>) -> InputError {
        let origin = self
            .value(key)
            .map_or(self.node.origin.clone(), |n| n.origin.clone());
        InputError::new(message).at(&origin).key(self.path(key))
    }

    /// A (U) or (D) value: a number or one distribution.
    pub(super) fn dist(
        &self,
        key: &str,
        domain: Domain,
        default: Option<f64>,
    ) -> InputResult<Option<Dist>> {
        let Some(node) = self.value(key) else {
            return Ok(
                default.map(|d| Dist::fixed(d, domain).expect("defaults lie in their domain"))
            );
        };
        let fail = |msg: String| {
            InputError::new(msg).at(&node.origin).key(self.path(key)).hint(format!(
                "write a number ({}) or one of {{ range = [a, b] }}, {{ uniform = [a, b] }}, {{ triangular = [min, mode, max] }}, {{ pert = [min, mode, max] }}, {{ normal = {{ mean = m, sd = s }} }}, {{ lognormal = {{ median = m, p90 = q }} }}, {{ beta = {{ mean = m, sd = s }} }}",
                domain.describe()
            ))
        };
        match &node.value {
            Value::Int(_) | Value::Float(_) => Dist::fixed(as_f64(node).expect("a number"), domain)
                .map(Some)
                .map_err(fail),
            Value::Table(entries) => {
                let [entry] = entries.as_slice() else {
                    return Err(fail(
                        "a distribution is a table with exactly one key".into(),
                    ));
                };
                let form = entry.key.as_str();
                let (args, named) = form_arguments(form, &entry.node, &fail)?;
                let mut dist = Dist::fit(form, &args, &named, domain).map_err(fail)?;
                dist.written = format!("{{ {} }}", render_inline(entry));
                Ok(Some(dist))
            }
            _ => Err(fail(format!(
                "expected a number or a distribution, found {}",
                node.value.type_name()
            ))),
        }
    }

    pub(super) fn uncertain(
        &self,
        key: &str,
        domain: Domain,
        default: f64,
    ) -> InputResult<Uncertain> {
        let dist = self
            .dist(key, domain, Some(default))?
            .expect("a default was given");
        Ok(Uncertain {
            path: self.path(key),
            dist,
        })
    }

    pub(super) fn opt_uncertain(
        &self,
        key: &str,
        domain: Domain,
    ) -> InputResult<Option<Uncertain>> {
        Ok(self.dist(key, domain, None)?.map(|dist| Uncertain {
            path: self.path(key),
            dist,
        }))
    }

    /// A plain number (keys that do not take distributions).
    pub(super) fn number(&self, key: &str, domain: Domain, default: f64) -> InputResult<f64> {
        let Some(node) = self.value(key) else {
            return Ok(default);
        };
        let x = as_f64(node).ok_or_else(|| {
            let mut e = self.error(key, format!("expected a number, found {}", node.value.type_name()));
            if matches!(node.value, Value::Table(_)) {
                e = e.hint("only parameters marked (U) or (D) in the scenario format take distributions; this one takes a plain number");
            }
            e
        })?;
        if !x.is_finite() || !domain.contains(x) {
            return Err(self
                .error(key, format!("{x} is out of range"))
                .hint(format!("expected {}", domain.describe())));
        }
        Ok(x)
    }

    /// A whole number in [lo, hi].
    pub(super) fn whole(&self, key: &str, lo: u64, hi: u64, default: u64) -> InputResult<u64> {
        let Some(node) = self.value(key) else {
            return Ok(default);
        };
        let range_hint = format!("expected a whole number from {lo} to {hi}");
        match node.value {
            Value::Int(i) if i >= lo as i64 && (i as u64) <= hi => Ok(i as u64),
            Value::Int(i) => Err(self.error(key, format!("{i} is out of range")).hint(range_hint)),
            Value::Float(x) if x.fract() == 0.0 && x >= lo as f64 && x <= hi as f64 => Ok(x as u64),
            Value::Table(_) => Err(self.error(key, "expected a whole number, found a table")
                .hint(format!("{range_hint}; only parameters marked (U) or (D) in the scenario format take distributions"))),
            _ => Err(self.error(key, format!("expected a whole number, found {}", describe(node)))
                .hint(range_hint)),
        }
    }

    pub(super) fn boolean(&self, key: &str, default: bool) -> InputResult<bool> {
        match self.value(key).map(|n| &n.value) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self
                .error(
                    key,
                    format!("expected true or false, found {}", other.type_name()),
                )
                .hint(format!("write {key} = true or {key} = false"))),
        }
    }

    pub(super) fn string(&self, key: &str) -> InputResult<Option<String>> {
        match self.value(key).map(|n| &n.value) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self
                .error(
                    key,
                    format!("expected a string, found {}", other.type_name()),
                )
                .hint(format!("write {key} = \"...\" in double quotes"))),
        }
    }

    pub(super) fn choice<T: Copy>(
        &self,
        key: &str,
        choices: &[(&str, T)],
        default: T,
    ) -> InputResult<T> {
        let Some(text) = self.string(key)? else {
            return Ok(default);
        };
        let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
        choices
            .iter()
            .find(|(n, _)| *n == text)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                let mut e = self.error(key, format!("`{text}` is not a valid choice"));
                e = match suggest(&text, names.iter().copied()) {
                    Some(s) => e.hint(format!("did you mean \"{s}\"? valid: {}", names.join(", "))),
                    None => e.hint(format!("valid choices: {}", names.join(", "))),
                };
                e
            })
    }

    /// A required, non-blank name.
    pub(super) fn name(&self) -> InputResult<String> {
        let name = self.string("name")?.ok_or_else(|| {
            InputError::new("missing `name`")
                .at(&self.node.origin)
                .key(&self.prefix)
                .hint("add name = \"...\"")
        })?;
        check_name(&name).map_err(|m| self.error("name", m).hint(NAME_HINT))?;
        Ok(name)
    }

    /// `label`, what tables and charts show in place of the name (any
    /// language); the name stays the key of paths and random streams.
    pub(super) fn label(&self) -> InputResult<Option<String>> {
        let Some(label) = self.string("label")? else {
            return Ok(None);
        };
        check_name(&label).map_err(|m| self.error("label", m).hint(LABEL_HINT))?;
        Ok(Some(label))
    }
}

pub(super) const LABEL_HINT: &str = "a label is shown in tables and charts in place of the name: use visible text, e.g. label = \"展示会\"";

pub(super) const NAME_HINT: &str = "names are shown in tables and charts: use visible text, e.g. name = \"web_ads\" or name = \"展示会\"";

pub(super) fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("a name must not be empty or only spaces".into());
    }
    if name.chars().any(char::is_control) {
        return Err("a name must not contain control characters".into());
    }
    if name.chars().count() > 200 {
        return Err("a name must be at most 200 characters".into());
    }
    Ok(())
}

pub(super) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

pub(super) fn as_f64(node: &Node) -> Option<f64> {
    match node.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(x) => Some(x),
        _ => None,
    }
}

pub(super) fn describe(node: &Node) -> String {
    match &node.value {
        Value::Float(x) => format!("{x}"),
        other => other.type_name().to_string(),
    }
}

pub(super) fn render_inline(entry: &doc::Entry) -> String {
    fn value(node: &Node) -> String {
        match &node.value {
            Value::Int(i) => i.to_string(),
            Value::Float(x) => crate::scenario::dist::format_number(*x),
            Value::Array(items) => format!(
                "[{}]",
                items.iter().map(value).collect::<Vec<_>>().join(", ")
            ),
            Value::Table(entries) => format!(
                "{{ {} }}",
                entries
                    .iter()
                    .map(render_inline)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Str(s) => format!("{s:?}"),
            Value::Bool(b) => b.to_string(),
            Value::Datetime(d) => d.clone(),
        }
    }
    format!("{} = {}", entry.key, value(&entry.node))
}

/// The arguments of a distribution form: numbers in a list (`range`,
/// `uniform`, `triangular`, `pert`) or named numbers (`normal`, `lognormal`, `beta`).
type FormArguments = (Vec<f64>, Vec<(&'static str, f64)>);

fn form_arguments(
    form: &str,
    node: &Node,
    fail: &dyn Fn(String) -> InputError,
) -> InputResult<FormArguments> {
    Ok(match (&node.value, form) {
        (Value::Array(items), "range" | "uniform" | "triangular" | "pert") => {
            let mut args = Vec::new();
            for item in items {
                args.push(as_f64(item).ok_or_else(|| {
                    fail(format!(
                        "`{form}` takes numbers, found {}",
                        item.value.type_name()
                    ))
                })?);
            }
            (args, Vec::new())
        }
        (Value::Table(fields), "normal" | "lognormal" | "beta") => {
            let allowed: &[&str] = if form == "lognormal" {
                &["median", "p90"]
            } else {
                &["mean", "sd"]
            };
            let mut named = Vec::new();
            for f in fields {
                let Some(&k) = allowed.iter().find(|k| **k == f.key) else {
                    return Err(fail(format!(
                        "`{form}` takes {}, found `{}`",
                        allowed.join(" and "),
                        f.key
                    )));
                };
                named.push((
                    k,
                    as_f64(&f.node)
                        .ok_or_else(|| fail(format!("`{form}.{k}` must be a number")))?,
                ));
            }
            (Vec::new(), named)
        }
        _ => {
            let forms = dist::FORMS;
            let msg = match suggest(form, forms) {
                Some(s) if s != form => {
                    format!("unknown distribution `{form}`; did you mean `{s}`?")
                }
                _ if forms.contains(&form) => {
                    format!("`{form}` is written with the wrong shape")
                }
                _ => format!("unknown distribution `{form}`"),
            };
            return Err(fail(msg));
        }
    })
}
