//! `[[correlation]]`: Spearman rank correlations between (U) inputs, held as
//! one Gaussian copula over every input they name (docs/model.md,
//! "Correlated inputs").
//!
//! A rank r between two inputs is a normal correlation 2 sin(pi r / 6) in
//! the copula, which makes the Spearman correlation of the draws exactly r
//! whatever the two marginals are. The matrix of every named input must be
//! positive definite; when it is not, the error names the entries that
//! conflict and the ranks the last of them could take.

use super::*;

/// One `[[correlation]]` entry.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Correlation {
    /// Its position among the `[[correlation]]` entries, from 0 (`correlation.N`).
    pub entry: usize,
    /// The two (U) parameter paths, as written.
    pub inputs: [String; 2],
    /// The Spearman rank correlation asked for, in (-1, 1).
    pub rank: f64,
    /// The copula's normal correlation, 2 sin(pi rank / 6).
    #[serde(rename = "normal_correlation")]
    pub normal: f64,
}

/// The rank correlations of one setup as a Gaussian copula.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Copula {
    /// The entries, in file order (`correlation.0` first).
    pub entries: Vec<Correlation>,
    /// Every input an entry names, in order of first appearance.
    pub inputs: Vec<String>,
    /// The lower Cholesky factor of the normal correlation matrix, row by row.
    factor: Vec<f64>,
    /// Entries left out of this setup, and why: a variant, `--set` or a
    /// sweep point made one of their inputs a plain number.
    pub left_out: Vec<String>,
}

/// What a plain number at a correlated input means.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum PlainInput {
    /// An error if the file writes it; left out if `--set` gave it (the scenario itself).
    ErrorIfWritten,
    /// Left out (a variant: the scenario itself was read first, so a plain
    /// number written there was already an error).
    LeaveOut,
}

impl Copula {
    /// Whether the scenario correlates nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The position of an input among [`Copula::inputs`].
    pub fn index_of(&self, path: &str) -> Option<usize> {
        self.inputs.iter().position(|p| p == path)
    }

    /// The rank correlation asked between inputs `i` and `j`: 1 on the
    /// diagonal, 0 for a pair no entry names.
    pub fn rank(&self, i: usize, j: usize) -> f64 {
        if i == j {
            return 1.0;
        }
        let pair = [&self.inputs[i], &self.inputs[j]];
        self.entries
            .iter()
            .find(|e| pair.contains(&&e.inputs[0]) && pair.contains(&&e.inputs[1]))
            .map_or(0.0, |e| e.rank)
    }

    /// Correlated standard normals, one per input, from independent ones.
    pub fn correlate(&self, independent: &[f64]) -> Vec<f64> {
        let n = self.inputs.len();
        (0..n)
            .map(|i| {
                let row = &self.factor[i * n..i * n + i + 1];
                row.iter().zip(independent).map(|(l, e)| l * e).sum()
            })
            .collect()
    }
}

/// The copula's normal correlation for a Spearman rank correlation.
pub fn normal_correlation(rank: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rank / 6.0).sin()
}

/// Reads `[[correlation]]`, checking each input against the scenario's (U) values.
pub(super) fn read_correlations(
    root: &Reader<'_>,
    s: &Scenario,
    plain: PlainInput,
) -> InputResult<Copula> {
    let Some(node) = root.value("correlation") else {
        return Ok(Copula::default());
    };
    let Value::Array(items) = &node.value else {
        return Err(type_error(
            node,
            "correlation",
            "an array of tables: [[correlation]]",
        ));
    };
    let uncertain = s.uncertain_parameters();
    let mut entries: Vec<Correlation> = Vec::new();
    let mut seen: Vec<[String; 2]> = Vec::new();
    let mut left_out = Vec::new();
    let mut rank_origins = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let r = Reader::new(item, &format!("correlation.{i}"), "correlation")?;
        let (inputs, fixed) = read_inputs(&r, &uncertain, s, plain, root.node)?;
        let swapped = [inputs[1].clone(), inputs[0].clone()];
        if let Some(j) = seen.iter().position(|e| *e == inputs || *e == swapped) {
            return Err(r
                .error(
                    "inputs",
                    format!(
                        "correlation.{j} already correlates `{}` and `{}`",
                        inputs[0], inputs[1]
                    ),
                )
                .hint(format!(
                    "a pair appears once: change correlation.{j}.rank, or remove this entry"
                )));
        }
        seen.push(inputs.clone());
        let rank = read_rank(&r)?;
        if let Some(path) = fixed {
            left_out.push(format!(
                "correlation.{i} ({path} is a plain number in this setup)"
            ));
            continue;
        }
        rank_origins.push(
            r.value("rank")
                .map_or(item.origin.clone(), |n| n.origin.clone()),
        );
        entries.push(Correlation {
            entry: i,
            inputs,
            rank,
            normal: normal_correlation(rank),
        });
    }
    let mut inputs: Vec<String> = Vec::new();
    for e in &entries {
        for p in &e.inputs {
            if !inputs.contains(p) {
                inputs.push(p.clone());
            }
        }
    }
    let mut copula = Copula {
        entries,
        inputs,
        factor: Vec::new(),
        left_out,
    };
    match cholesky(&normal_matrix(&copula), copula.inputs.len()) {
        Some(factor) => {
            copula.factor = factor;
            Ok(copula)
        }
        None => Err(conflict(&copula, &rank_origins)),
    }
}

/// `inputs = ["a", "b"]`: two different (U) parameter paths, and the first
/// of them that is a plain number this setup may leave out.
fn read_inputs(
    r: &Reader<'_>,
    uncertain: &[&Uncertain],
    s: &Scenario,
    plain: PlainInput,
    tree: &Node,
) -> InputResult<([String; 2], Option<String>)> {
    let example = "e.g. inputs = [\"source.web_ads.leads_per_month\", \"sales.win_rate\"]";
    let key = r.path("inputs");
    let node = r.value("inputs").ok_or_else(|| {
        r.error("inputs", "a correlation needs its two inputs")
            .hint(example)
    })?;
    let paths: Option<Vec<(&str, &Origin)>> = match &node.value {
        Value::Array(items) => items
            .iter()
            .map(|n| match &n.value {
                Value::Str(p) => Some((p.as_str(), &n.origin)),
                _ => None,
            })
            .collect(),
        _ => None,
    };
    let Some([(a, a_at), (b, b_at)]) = paths.as_deref() else {
        return Err(InputError::new("expected a list of two parameter paths")
            .at(&node.origin)
            .key(key)
            .hint(example));
    };
    if a == b {
        return Err(InputError::new(format!("`{a}` is paired with itself"))
            .at(b_at)
            .key(key)
            .hint(
                "name two different (U) inputs; an input is always fully correlated with itself",
            ));
    }
    let mut fixed = None;
    for (p, at) in [(a, a_at), (b, b_at)] {
        match check_input(p, at, &key, uncertain, s) {
            Err(_) if leaves_out(p, uncertain, plain, tree) => {
                fixed = fixed.or(Some(p.to_string()))
            }
            Err(e) => return Err(e),
            Ok(()) => {}
        }
    }
    Ok(([a.to_string(), b.to_string()], fixed))
}

/// Whether a plain number at `path` leaves its entry out rather than being
/// an error: in a variant, or where `--set` (or a sweep point) gave it.
fn leaves_out(path: &str, uncertain: &[&Uncertain], plain: PlainInput, tree: &Node) -> bool {
    if !uncertain
        .iter()
        .any(|u| u.path == path && u.dist.is_fixed())
    {
        return false;
    }
    let given_by_argument = ParamPath::parse(path, tree, &Origin::Default)
        .ok()
        .and_then(|p| p.get(tree).map(|n| matches!(n.origin, Origin::Argument(_))))
        .unwrap_or(false);
    plain == PlainInput::LeaveOut || given_by_argument
}

/// An input must be a (U) value of this setup that holds a distribution.
fn check_input(
    path: &str,
    at: &Origin,
    key: &str,
    uncertain: &[&Uncertain],
    s: &Scenario,
) -> InputResult<()> {
    let found = uncertain.iter().find(|u| u.path == path);
    if found.is_some_and(|u| !u.dist.is_fixed()) {
        return Ok(());
    }
    let candidates: Vec<&str> = uncertain
        .iter()
        .filter(|u| !u.dist.is_fixed())
        .map(|u| u.path.as_str())
        .collect();
    let listed = if candidates.is_empty() {
        "this setup has no uncertain (U) value yet".to_string()
    } else {
        format!(
            "the uncertain (U) inputs of `{}` are: {}",
            s.name,
            candidates.join(", ")
        )
    };
    let per_item = [
        "score",
        "opportunity_lag_days",
        "sales_cycle_days",
        "monthly_revenue",
    ];
    let is_parameter = s.resolved_parameters().iter().any(|(p, _)| p == path);
    let (message, hint) = if let Some(u) = found {
        (
            format!(
                "`{path}` is a plain number ({}) in `{}`, not an uncertain (U) value",
                u.dist.written, s.name
            ),
            format!(
                "write it as a distribution, e.g. {{ range = [a, b] }}, or leave it out; {listed}"
            ),
        )
    } else if is_parameter && per_item.iter().any(|k| path.ends_with(k)) {
        (
            format!(
                "`{path}` is a (D) value, drawn anew for each lead, opportunity or deal: it has no value per run to correlate"
            ),
            listed,
        )
    } else if is_parameter {
        (
            format!("`{path}` takes a plain value, never a distribution: it cannot be correlated"),
            listed,
        )
    } else {
        let hint = match suggest(path, candidates.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? {listed}"),
            None => listed,
        };
        (
            format!("`{path}` is not a parameter of this scenario"),
            hint,
        )
    };
    Err(InputError::new(message).at(at).key(key).hint(hint))
}

/// `rank`: a number strictly between -1 and 1.
fn read_rank(r: &Reader<'_>) -> InputResult<f64> {
    let hint = "a Spearman rank correlation strictly between -1 and 1, e.g. rank = -0.5";
    let node = r
        .value("rank")
        .ok_or_else(|| r.error("rank", "a correlation needs its rank").hint(hint))?;
    match as_f64(node) {
        Some(x) if x > -1.0 && x < 1.0 => Ok(x),
        Some(x) => Err(r
            .error(
                "rank",
                format!("rank = {} is outside (-1, 1)", dist::format_number(x)),
            )
            .hint(hint)),
        None => Err(r
            .error(
                "rank",
                format!("expected a number, found {}", node.value.type_name()),
            )
            .hint(hint)),
    }
}

/// The normal correlation matrix of the copula's inputs, row by row.
fn normal_matrix(c: &Copula) -> Vec<f64> {
    let n = c.inputs.len();
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    for e in &c.entries {
        let (i, j) = (
            c.index_of(&e.inputs[0]).expect("named"),
            c.index_of(&e.inputs[1]).expect("named"),
        );
        m[i * n + j] = e.normal;
        m[j * n + i] = e.normal;
    }
    m
}

/// The lower Cholesky factor of a symmetric matrix, if it is positive definite.
fn cholesky(m: &[f64], n: usize) -> Option<Vec<f64>> {
    // A pivot this small means the matrix is singular to rounding: the
    // copula would need two inputs to move in lockstep.
    const SMALLEST_PIVOT: f64 = 1e-9;
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum();
            let x = m[i * n + j] - dot;
            if i == j {
                if x <= SMALLEST_PIVOT {
                    return None;
                }
                l[i * n + i] = x.sqrt();
            } else {
                l[i * n + j] = x / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// Whether the principal submatrix of these inputs is positive definite.
fn holds_together(m: &[f64], n: usize, picked: &[usize]) -> bool {
    let k = picked.len();
    let sub: Vec<f64> = picked
        .iter()
        .flat_map(|&i| picked.iter().map(move |&j| m[i * n + j]))
        .collect();
    cholesky(&sub, k).is_some()
}

/// The error for ranks that no joint distribution has: the entries of the
/// smallest set of inputs that conflict (three, else all), and the ranks
/// the last of them could take with the others as written.
fn conflict(c: &Copula, rank_origins: &[Origin]) -> InputError {
    let n = c.inputs.len();
    let m = normal_matrix(c);
    let mut culprits: Vec<usize> = (0..n).collect();
    'search: for a in 0..n {
        for b in a + 1..n {
            for d in b + 1..n {
                if !holds_together(&m, n, &[a, b, d]) {
                    culprits = vec![a, b, d];
                    break 'search;
                }
            }
        }
    }
    let involved: Vec<usize> = (0..c.entries.len())
        .filter(|&e| {
            c.entries[e]
                .inputs
                .iter()
                .all(|p| culprits.contains(&c.index_of(p).expect("named")))
        })
        .collect();
    // The entry to fix: one whose rank the command line set (`--set`, a
    // sweep point), else the last one in the file.
    let last = involved
        .iter()
        .rev()
        .find(|&&e| matches!(rank_origins[e], Origin::Argument(_)))
        .or(involved.last())
        .copied()
        .expect("a conflict involves entries");
    let asked = c.entries[last].rank;
    // The ranks of the last entry that make the matrix positive definite
    // (an interval: positive definite matrices are a convex set).
    let valid: Vec<f64> = (-999..=999)
        .map(|k| k as f64 / 1000.0)
        .filter(|&r| {
            let mut trial = c.clone();
            trial.entries[last].rank = r;
            trial.entries[last].normal = normal_correlation(r);
            cholesky(&normal_matrix(&trial), n).is_some()
        })
        .collect();
    let names: Vec<String> = involved
        .iter()
        .map(|e| format!("correlation.{e}"))
        .collect();
    let inputs: Vec<&str> = culprits.iter().map(|&i| c.inputs[i].as_str()).collect();
    let message = format!(
        "the ranks of {} cannot hold together: no joint distribution of {} has them (their correlation matrix is not positive definite)",
        join_words(&names),
        join_words(&inputs)
    );
    let file_index = c.entries[last].entry;
    let hint = match (valid.first(), valid.last()) {
        (Some(lo), Some(hi)) => {
            let nearest = if asked < *lo { *lo } else { *hi };
            format!(
                "with the others as they are, correlation.{file_index}.rank must lie between {lo:.3} and {hi:.3}; the nearest valid rank is {nearest:.3}"
            )
        }
        _ => "no rank of the last entry fits the others: bring the other ranks closer to 0".into(),
    };
    InputError::new(message)
        .at(&rank_origins[last])
        .key(format!("correlation.{file_index}.rank"))
        .hint(hint)
}

/// "a, b and c".
fn join_words<S: AsRef<str>>(words: &[S]) -> String {
    match words {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter()
                .map(AsRef::as_ref)
                .collect::<Vec<_>>()
                .join(", "),
            last.as_ref()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copula(entries: &[(&str, &str, f64)]) -> (Copula, Option<Vec<f64>>) {
        let mut c = Copula::default();
        for &(a, b, r) in entries {
            for p in [a, b] {
                if c.index_of(p).is_none() {
                    c.inputs.push(p.into());
                }
            }
            c.entries.push(Correlation {
                entry: c.entries.len(),
                inputs: [a.into(), b.into()],
                rank: r,
                normal: normal_correlation(r),
            });
        }
        let f = cholesky(&normal_matrix(&c), c.inputs.len());
        (c, f)
    }

    /// The factor reproduces the matrix, and the map from rank to normal
    /// correlation is Pearson's: r = 6/pi asin(rho / 2).
    #[test]
    fn the_factor_reproduces_the_normal_correlations() {
        let (c, f) = copula(&[("a", "b", -0.5), ("b", "c", 0.3), ("a", "c", 0.2)]);
        let l = f.expect("positive definite");
        let n = 3;
        let m = normal_matrix(&c);
        for i in 0..n {
            for j in 0..n {
                let x: f64 = (0..n).map(|k| l[i * n + k] * l[j * n + k]).sum();
                assert!((x - m[i * n + j]).abs() < 1e-14, "{i} {j}");
            }
        }
        for r in [-0.9, -0.5, 0.0, 0.3, 0.99] {
            let back = 6.0 / std::f64::consts::PI * (normal_correlation(r) / 2.0).asin();
            assert!((back - r).abs() < 1e-14);
        }
        assert_eq!(
            normal_correlation(0.5),
            2.0 * (std::f64::consts::PI / 12.0).sin()
        );
        assert_eq!(c.rank(2, 0), 0.2);
        assert_eq!(c.rank(1, 1), 1.0);
    }

    /// a~b and b~c strongly positive with a~c strongly negative is not a
    /// correlation matrix; the error names the three and a rank that fits.
    #[test]
    fn conflicting_ranks_name_the_entries_and_a_rank_that_fits() {
        let (c, f) = copula(&[("a", "b", 0.9), ("b", "c", 0.9), ("a", "c", -0.9)]);
        assert!(f.is_none());
        let origins = vec![Origin::Default; 3];
        let e = conflict(&c, &origins);
        assert!(
            e.message
                .contains("correlation.0, correlation.1 and correlation.2"),
            "{}",
            e.message
        );
        assert_eq!(e.key_path.as_deref(), Some("correlation.2.rank"));
        let hint = e.hint.unwrap();
        let nearest: f64 = hint.rsplit(' ').next().unwrap().parse().unwrap();
        let (mut fixed, _) = copula(&[("a", "b", 0.9), ("b", "c", 0.9), ("a", "c", nearest)]);
        assert!(cholesky(&normal_matrix(&fixed), 3).is_some(), "{hint}");
        fixed.entries[2].rank = nearest - 0.01;
        fixed.entries[2].normal = normal_correlation(nearest - 0.01);
        assert!(
            cholesky(&normal_matrix(&fixed), 3).is_none(),
            "{hint}: not the nearest"
        );
    }
}
