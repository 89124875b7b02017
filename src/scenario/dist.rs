//! Uncertain numbers: the eight forms a scenario may write, fitted exactly as
//! docs/model.md says, truncated to the parameter's domain, with draws, CDFs and means.

use rand::{Rng, RngExt};
use rand_distr::{Beta as BetaDistr, Distribution, StandardNormal};

use super::special::{logistic, logit, normal_pdf};
pub use super::special::{normal_cdf, normal_quantile, regularized_beta};

/// The distribution forms a scenario may write, each the one key of its table.
pub const FORMS: [&str; 7] = [
    "range",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "beta",
];

/// 95% standard normal quantile (a `range` is a 90% interval).
pub const Z95: f64 = 1.644_853_6;
/// 90% standard normal quantile (the `p90` of a lognormal).
pub const Z90: f64 = 1.281_551_6;

/// The values a parameter may take.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    /// A probability in [0, 1].
    Probability,
    /// A count, money or a number of days: >= 0.
    NonNegative,
    /// A lead score in [0, 100].
    Score,
    /// Strictly positive (a half-life).
    Positive,
    /// Any number above -1 (monthly growth).
    Growth,
}

impl Domain {
    /// Lower and upper bound (inclusive for the checks of plain values).
    pub fn bounds(self) -> (f64, f64) {
        match self {
            Domain::Probability => (0.0, 1.0),
            Domain::NonNegative | Domain::Positive => (0.0, f64::INFINITY),
            Domain::Score => (0.0, 100.0),
            // More than doubling every month for years overflows any count.
            Domain::Growth => (-1.0, 1.0),
        }
    }

    /// Whether a plain value lies in the domain.
    pub fn contains(self, x: f64) -> bool {
        let (lo, hi) = self.bounds();
        match self {
            Domain::Positive | Domain::Growth => x > lo && x <= hi,
            _ => x >= lo && x <= hi,
        }
    }

    /// How the domain reads in an error message.
    pub fn describe(self) -> &'static str {
        match self {
            Domain::Probability => "a probability in [0, 1]",
            Domain::NonNegative => "a number >= 0",
            Domain::Score => "a score in [0, 100]",
            Domain::Positive => "a number > 0",
            Domain::Growth => "a number > -1 and at most 1 (e.g. 0.02 for 2% a month)",
        }
    }
}

/// The shape of a fitted distribution (before truncation).
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A plain number.
    Fixed(f64),
    /// A normal with this mean and standard deviation, in the parameter's unit.
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation, > 0.
        sd: f64,
    },
    /// A lognormal: its logarithm is normal with mean `mu` and sd `sigma`.
    LogNormal {
        /// Mean of the logarithm (ln of the median).
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// A normal on the logit scale, for probabilities.
    LogitNormal {
        /// Mean on the logit scale.
        mu: f64,
        /// Standard deviation on the logit scale.
        sigma: f64,
    },
    /// A uniform on [low, high].
    Uniform {
        /// The lower end.
        low: f64,
        /// The upper end.
        high: f64,
    },
    /// A triangular on [min, max] peaking at `mode`.
    Triangular {
        /// The lowest value.
        min: f64,
        /// The most likely value.
        mode: f64,
        /// The highest value.
        max: f64,
    },
    /// A beta on [low, high] (a PERT, or a plain beta on [0, 1]).
    Beta {
        /// The first shape parameter, > 0.
        alpha: f64,
        /// The second shape parameter, > 0.
        beta: f64,
        /// The lower end of the support.
        low: f64,
        /// The upper end of the support.
        high: f64,
    },
}

/// A fitted distribution truncated to its parameter's domain.
#[derive(Clone, Debug, PartialEq)]
pub struct Dist {
    /// The fitted shape, before truncation.
    pub shape: Shape,
    /// The values the parameter may take; draws outside it are redrawn.
    pub domain: Domain,
    /// The written form, for reports (`range = [300, 500]`).
    pub written: String,
}

/// The largest magnitude a scenario number may have: sums over leads, months and
/// runs of larger numbers would lose precision or overflow to infinity.
pub const MAX_MAGNITUDE: f64 = 1e15;

/// Ways fitting can fail; the caller adds the position and key path.
pub type FitResult<T> = Result<T, String>;

impl Dist {
    /// A plain number, checked against the domain.
    pub fn fixed(x: f64, domain: Domain) -> FitResult<Dist> {
        if !x.is_finite() {
            return Err(format!("{x} is not a finite number"));
        }
        if x.abs() > MAX_MAGNITUDE {
            return Err(format!(
                "{x:e} is too large: funnelsim accepts numbers up to 1e15"
            ));
        }
        if !domain.contains(x) {
            return Err(format!(
                "{x} is outside the domain: expected {}",
                domain.describe()
            ));
        }
        Ok(Dist {
            shape: Shape::Fixed(x),
            domain,
            written: format_number(x),
        })
    }

    /// Fits one of the distribution forms; `form` is the key (`range`, `pert`, ...).
    pub fn fit(form: &str, args: &[f64], named: &[(&str, f64)], domain: Domain) -> FitResult<Dist> {
        if args
            .iter()
            .chain(named.iter().map(|(_, v)| v))
            .any(|x| !x.is_finite())
        {
            return Err("every number of a distribution must be finite".into());
        }
        let get = |k: &str| named.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        let shape = match form {
            "range" => {
                let [a, b] = two(args, "range = [a, b]")?;
                if a >= b {
                    return Err(format!("range = [{a}, {b}] needs a < b"));
                }
                fit_range(a, b, domain)?
            }
            "uniform" => {
                let [low, high] = two(args, "uniform = [a, b]")?;
                if low >= high {
                    return Err(format!("uniform = [{low}, {high}] needs a < b"));
                }
                Shape::Uniform { low, high }
            }
            "triangular" | "pert" => fit_three_point(form, args)?,
            "normal" => {
                let (mean, sd) = (need(get("mean"), "mean")?, need(get("sd"), "sd")?);
                if sd <= 0.0 {
                    return Err(format!("normal needs sd > 0, found {sd}"));
                }
                Shape::Normal { mean, sd }
            }
            "lognormal" => {
                let (median, p90) = (need(get("median"), "median")?, need(get("p90"), "p90")?);
                if median <= 0.0 || p90 <= median {
                    return Err(format!(
                        "lognormal needs 0 < median < p90, found median {median}, p90 {p90}"
                    ));
                }
                Shape::LogNormal {
                    mu: median.ln(),
                    sigma: (p90.ln() - median.ln()) / Z90,
                }
            }
            "beta" => fit_beta(need(get("mean"), "mean")?, need(get("sd"), "sd")?)?,
            other => return Err(format!("unknown distribution `{other}`")),
        };
        let dist = Dist {
            shape,
            domain,
            written: String::new(),
        };
        dist.check_support()?;
        Ok(dist)
    }

    /// Rejects a distribution that puts (almost) no mass inside the domain, or
    /// one that cannot leave it for a bounded shape (beta outside [0, 1] for a probability).
    fn check_support(&self) -> FitResult<()> {
        let (lo, hi) = self.domain.bounds();
        if let Shape::Beta { low, high, .. } = self.shape
            && (low < lo || high > hi)
        {
            return Err(format!(
                "its support [{low}, {high}] leaves the domain: expected {}",
                self.domain.describe()
            ));
        }
        let mass = self.raw_cdf(hi) - self.raw_cdf(lo);
        if mass.is_nan() || mass <= 1e-6 {
            return Err(format!(
                "it puts almost no probability inside the domain ({})",
                self.domain.describe()
            ));
        }
        Ok(())
    }

    /// Whether this is a plain number.
    pub fn is_fixed(&self) -> bool {
        matches!(self.shape, Shape::Fixed(_))
    }

    /// The same distribution with every value multiplied by `factor` (sweeps of a distribution).
    pub fn scaled(&self, factor: f64) -> Dist {
        let shape = match self.shape.clone() {
            Shape::Fixed(x) => Shape::Fixed(x * factor),
            Shape::Normal { mean, sd } => Shape::Normal {
                mean: mean * factor,
                sd: sd * factor.abs(),
            },
            Shape::LogNormal { mu, sigma } => Shape::LogNormal {
                mu: mu + factor.ln(),
                sigma,
            },
            Shape::LogitNormal { mu, sigma } => Shape::LogitNormal {
                mu: mu + factor.ln(),
                sigma,
            },
            Shape::Uniform { low, high } => Shape::Uniform {
                low: low * factor,
                high: high * factor,
            },
            Shape::Triangular { min, mode, max } => Shape::Triangular {
                min: min * factor,
                mode: mode * factor,
                max: max * factor,
            },
            Shape::Beta {
                alpha,
                beta,
                low,
                high,
            } => Shape::Beta {
                alpha,
                beta,
                low: low * factor,
                high: high * factor,
            },
        };
        Dist {
            shape,
            domain: self.domain,
            written: format!("{} × {}", self.written, format_number(factor)),
        }
    }

    /// One draw, redrawn until it falls in the domain (truncation, not clipping).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let (lo, hi) = self.domain.bounds();
        loop {
            let x = self.raw_sample(rng);
            if x >= lo && x <= hi && !(self.domain == Domain::Positive && x == 0.0) {
                return x;
            }
        }
    }

    fn raw_sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.shape {
            Shape::Fixed(x) => x,
            Shape::Normal { mean, sd } => mean + sd * normal(rng),
            Shape::LogNormal { mu, sigma } => (mu + sigma * normal(rng)).exp(),
            Shape::LogitNormal { mu, sigma } => logistic(mu + sigma * normal(rng)),
            Shape::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Shape::Triangular { min, mode, max } => {
                let u: f64 = rng.random();
                let cut = (mode - min) / (max - min);
                if u < cut {
                    min + (u * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
                }
            }
            Shape::Beta {
                alpha,
                beta,
                low,
                high,
            } => {
                let b = BetaDistr::new(alpha, beta).expect("alpha and beta were checked positive");
                low + (high - low) * b.sample(rng)
            }
        }
    }

    /// CDF of the untruncated shape.
    fn raw_cdf(&self, x: f64) -> f64 {
        match self.shape {
            Shape::Fixed(v) => {
                if x >= v {
                    1.0
                } else {
                    0.0
                }
            }
            Shape::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            Shape::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mu) / sigma)
                }
            }
            Shape::LogitNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else if x >= 1.0 {
                    1.0
                } else {
                    normal_cdf((logit(x) - mu) / sigma)
                }
            }
            Shape::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
            Shape::Triangular { min, mode, max } => {
                if x <= min {
                    0.0
                } else if x >= max {
                    1.0
                } else if x <= mode {
                    (x - min).powi(2) / ((max - min) * (mode - min))
                } else {
                    1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
                }
            }
            Shape::Beta {
                alpha,
                beta,
                low,
                high,
            } => {
                let t = ((x - low) / (high - low)).clamp(0.0, 1.0);
                regularized_beta(t, alpha, beta)
            }
        }
    }

    /// CDF of the distribution truncated to the domain.
    pub fn cdf(&self, x: f64) -> f64 {
        if let Shape::Fixed(v) = self.shape {
            return if x >= v { 1.0 } else { 0.0 };
        }
        let (lo, hi) = self.domain.bounds();
        let f_lo = self.raw_cdf(lo);
        let mass = self.raw_cdf(hi) - f_lo;
        ((self.raw_cdf(x.clamp(lo, hi)) - f_lo) / mass).clamp(0.0, 1.0)
    }

    /// Mean of the truncated distribution (what `explain` uses for a (U) value).
    pub fn mean(&self) -> f64 {
        let (lo, hi) = self.domain.bounds();
        match self.shape {
            Shape::Fixed(x) => x,
            Shape::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Shape::Beta {
                alpha,
                beta,
                low,
                high,
            } => low + (high - low) * alpha / (alpha + beta),
            Shape::Uniform { low, high } => (low.max(lo) + high.min(hi)) / 2.0,
            Shape::Normal { mean, sd } => {
                // Mean of a normal truncated to [lo, hi].
                let (a, b) = ((lo - mean) / sd, (hi - mean) / sd);
                let mass = normal_cdf(b) - normal_cdf(a);
                mean + sd * (normal_pdf(a) - normal_pdf(b)) / mass
            }
            Shape::Triangular { min, mode, max } if min >= lo && max <= hi => {
                (min + mode + max) / 3.0
            }
            Shape::LogitNormal { .. } | Shape::Triangular { .. } => {
                // No closed form: integrate the quantile function numerically.
                let n = 4000;
                (0..n)
                    .map(|i| self.quantile((i as f64 + 0.5) / n as f64))
                    .sum::<f64>()
                    / n as f64
            }
        }
    }

    /// Quantile of the truncated distribution: the raw quantile of the
    /// matching share of the domain's mass (closed forms, Newton's method for
    /// a beta), else bisection on the CDF. `sample` and `quantile` of a uniform share
    /// have the same law, which is what the copula of `[[correlation]]` uses.
    pub fn quantile(&self, p: f64) -> f64 {
        if let Shape::Fixed(x) = self.shape {
            return x;
        }
        let (lo, hi) = self.domain.bounds();
        let f_lo = self.raw_cdf(lo);
        let share = f_lo + p.clamp(0.0, 1.0) * (self.raw_cdf(hi) - f_lo);
        // Where the share rounds onto an end of the domain (a far tail), the
        // closed form can give an infinity or an excluded bound: the
        // bisection below stays finite and inside.
        if let Some(x) = self.raw_quantile(share).map(|x| x.clamp(lo, hi))
            && x.is_finite()
            && self.domain.contains(x)
        {
            return x;
        }
        let mut a = lo;
        let mut b = if hi.is_finite() {
            hi
        } else {
            lo.max(0.0) + 1.0
        };
        while self.cdf(b) < p && b < 1e300 {
            b = b * 2.0 + 1.0;
        }
        for _ in 0..200 {
            let m = 0.5 * (a + b);
            if self.cdf(m) < p {
                a = m;
            } else {
                b = m;
            }
            if (b - a).abs() <= 1e-12 * b.abs().max(1.0) {
                break;
            }
        }
        0.5 * (a + b)
    }

    /// Inverse of the untruncated CDF, where it has a closed form.
    fn raw_quantile(&self, p: f64) -> Option<f64> {
        let z = || normal_quantile(p);
        Some(match self.shape {
            Shape::Normal { mean, sd } => mean + sd * z(),
            Shape::LogNormal { mu, sigma } => (mu + sigma * z()).exp(),
            Shape::LogitNormal { mu, sigma } => logistic(mu + sigma * z()),
            Shape::Uniform { low, high } => low + (high - low) * p,
            Shape::Triangular { min, mode, max } => {
                if p < (mode - min) / (max - min) {
                    min + (p * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
                }
            }
            Shape::Beta {
                alpha,
                beta,
                low,
                high,
            } => low + (high - low) * beta_quantile(p, alpha, beta),
            Shape::Fixed(_) => return None,
        })
    }

    /// Chance of each whole value 0..=max after rounding (halves up) a draw,
    /// plus the chance of a value above `max`: the per-item draws of a (D)
    /// parameter turned into a table the grouped engine can split counts over.
    pub fn rounded_pmf(&self, max: usize) -> (Vec<f64>, f64) {
        let mut pmf = Vec::with_capacity(max + 1);
        let mut below = 0.0;
        for k in 0..=max {
            let upper = self.cdf(k as f64 + 0.5);
            pmf.push((upper - below).max(0.0));
            below = upper;
        }
        if let Shape::Fixed(x) = self.shape {
            pmf.iter_mut().for_each(|p| *p = 0.0);
            let k = round_half_up(x) as usize;
            return if k <= max {
                pmf[k] = 1.0;
                (pmf, 0.0)
            } else {
                (pmf, 1.0)
            };
        }
        (pmf, (1.0 - below).max(0.0))
    }
}

/// `triangular` or `pert = [min, mode, max]` (PERT as the beta with
/// alpha = 1 + 4 (mode - min) / (max - min), beta = 1 + 4 (max - mode) / (max - min)).
fn fit_three_point(form: &str, args: &[f64]) -> FitResult<Shape> {
    let [min, mode, max] = three(args, form)?;
    if !(min <= mode && mode <= max && min < max) {
        return Err(format!(
            "{form} = [min, mode, max] needs min <= mode <= max and min < max"
        ));
    }
    Ok(if form == "triangular" {
        Shape::Triangular { min, mode, max }
    } else {
        Shape::Beta {
            alpha: 1.0 + 4.0 * (mode - min) / (max - min),
            beta: 1.0 + 4.0 * (max - mode) / (max - min),
            low: min,
            high: max,
        }
    })
}

/// `beta = { mean = m, sd = s }` by the method of moments on [0, 1].
fn fit_beta(m: f64, s: f64) -> FitResult<Shape> {
    if !(m > 0.0 && m < 1.0) || s <= 0.0 {
        return Err(format!(
            "beta needs 0 < mean < 1 and sd > 0, found mean {m}, sd {s}"
        ));
    }
    let k = m * (1.0 - m) / (s * s) - 1.0;
    if k <= 0.0 {
        return Err(format!(
            "beta with mean {m} cannot have sd {s}: the sd must be below {:.4}",
            (m * (1.0 - m)).sqrt()
        ));
    }
    Ok(Shape::Beta {
        alpha: m * k,
        beta: (1.0 - m) * k,
        low: 0.0,
        high: 1.0,
    })
}

fn two(args: &[f64], form: &str) -> FitResult<[f64; 2]> {
    <[f64; 2]>::try_from(args).map_err(|_| format!("expected {form} with two numbers"))
}

fn three(args: &[f64], form: &str) -> FitResult<[f64; 3]> {
    <[f64; 3]>::try_from(args)
        .map_err(|_| format!("expected {form} = [min, mode, max] with three numbers"))
}

fn need(v: Option<f64>, key: &str) -> FitResult<f64> {
    v.ok_or_else(|| format!("missing `{key}`"))
}

fn fit_range(a: f64, b: f64, domain: Domain) -> FitResult<Shape> {
    if domain == Domain::Probability {
        if !(a > 0.0 && b < 1.0) {
            return Err(format!(
                "a probability range must lie inside (0, 1), found [{a}, {b}]"
            ));
        }
        let (la, lb) = (logit(a), logit(b));
        return Ok(Shape::LogitNormal {
            mu: (la + lb) / 2.0,
            sigma: (lb - la) / (2.0 * Z95),
        });
    }
    if a > 0.0 {
        Ok(Shape::LogNormal {
            mu: (a.ln() + b.ln()) / 2.0,
            sigma: (b.ln() - a.ln()) / (2.0 * Z95),
        })
    } else {
        Ok(Shape::Normal {
            mean: (a + b) / 2.0,
            sd: (b - a) / (2.0 * Z95),
        })
    }
}

/// The inverse of the regularized incomplete beta I_x(a, b) = p: Newton's
/// steps on the density, kept inside a bisection bracket (a step that would
/// leave it halves the bracket instead).
fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = a / (a + b);
    for _ in 0..100 {
        let f = regularized_beta(x, a, b) - p;
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let density = ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta).exp();
        // At an end where the density is 0 or infinite, Newton says nothing: bisect.
        let next = if density.is_finite() && density > 0.0 {
            x - f / density
        } else {
            f64::NAN
        };
        let next = if next.is_finite() && next > lo && next < hi {
            next
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= 1e-15 * x.max(1e-300) || hi - lo <= 1e-15 {
            return next;
        }
        x = next;
    }
    x
}

/// Rounds to the nearest whole number, halves up (docs/model.md).
pub fn round_half_up(x: f64) -> f64 {
    (x + 0.5).floor()
}

/// A standard normal draw.
pub fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    StandardNormal.sample(rng)
}

/// Formats a number the way a scenario would write it (no trailing zeros).
pub fn format_number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn fit(form: &str, args: &[f64], named: &[(&str, f64)], d: Domain) -> Dist {
        Dist::fit(form, args, named, d).unwrap()
    }

    /// The closed-form quantiles (and the bisection for beta) invert the
    /// truncated CDF, truncation to the domain included.
    #[test]
    fn quantile_inverts_the_truncated_cdf() {
        let dists = [
            fit("range", &[0.1, 0.3], &[], Domain::Probability),
            fit("range", &[300.0, 500.0], &[], Domain::NonNegative),
            fit("range", &[-0.02, 0.05], &[], Domain::Growth),
            fit(
                "normal",
                &[],
                &[("mean", 1.0), ("sd", 2.0)],
                Domain::NonNegative,
            ),
            fit("uniform", &[-1.0, 3.0], &[], Domain::NonNegative),
            fit("triangular", &[-2.0, 1.0, 5.0], &[], Domain::NonNegative),
            fit("pert", &[0.1, 0.2, 0.6], &[], Domain::Probability),
            fit(
                "lognormal",
                &[],
                &[("median", 45.0), ("p90", 120.0)],
                Domain::NonNegative,
            ),
            fit(
                "beta",
                &[],
                &[("mean", 0.3), ("sd", 0.1)],
                Domain::Probability,
            ),
        ];
        // Far tails of a law the domain cuts to a sliver stay finite and inside.
        let sliver = fit(
            "normal",
            &[],
            &[("mean", -4.5), ("sd", 1.0)],
            Domain::NonNegative,
        );
        for p in [1e-300, 1e-13, 0.5, 1.0 - 1e-12, 1.0 - f64::EPSILON] {
            let x = sliver.quantile(p);
            assert!(x.is_finite() && x >= 0.0, "{p}: {x}");
        }
        let positive = fit("range", &[0.5, 2.0], &[], Domain::Positive);
        assert!(positive.quantile(1e-300) > 0.0);
        for d in &dists {
            let (lo, hi) = d.domain.bounds();
            for i in 1..200 {
                let p = i as f64 / 200.0;
                let x = d.quantile(p);
                assert!(lo <= x && x <= hi, "{} at {p}: {x}", d.written);
                assert!((d.cdf(x) - p).abs() < 1e-9, "{} at {p}: {x}", d.written);
            }
        }
    }

    #[test]
    fn range_is_a_90_percent_interval() {
        for (args, d) in [
            ([300.0, 500.0], Domain::NonNegative),
            ([0.1, 0.3], Domain::Probability),
            ([-0.02, 0.05], Domain::Growth),
        ] {
            let dist = fit("range", &args, &[], d);
            assert!((dist.cdf(args[0]) - 0.05).abs() < 1e-6, "{args:?}");
            assert!((dist.cdf(args[1]) - 0.95).abs() < 1e-6, "{args:?}");
        }
    }

    #[test]
    fn lognormal_median_and_p90() {
        let d = fit(
            "lognormal",
            &[],
            &[("median", 45.0), ("p90", 120.0)],
            Domain::NonNegative,
        );
        assert!((d.cdf(45.0) - 0.5).abs() < 1e-9);
        assert!((d.cdf(120.0) - 0.9).abs() < 1e-7);
    }

    #[test]
    fn beta_fit_matches_mean_and_sd_and_rejects_impossible_sd() {
        let d = fit(
            "beta",
            &[],
            &[("mean", 0.3), ("sd", 0.1)],
            Domain::Probability,
        );
        let Shape::Beta { alpha, beta, .. } = d.shape else {
            panic!()
        };
        let var = alpha * beta / ((alpha + beta).powi(2) * (alpha + beta + 1.0));
        assert!((alpha / (alpha + beta) - 0.3).abs() < 1e-12);
        assert!((var.sqrt() - 0.1).abs() < 1e-12);
        assert!(
            Dist::fit(
                "beta",
                &[],
                &[("mean", 0.3), ("sd", 0.5)],
                Domain::Probability
            )
            .is_err()
        );
    }

    #[test]
    fn incomplete_beta_known_values() {
        // I_x(1, 1) = x; I_x(2, 3) = 6x^2 - 8x^3 + 3x^4 at x = 0.4.
        assert!((regularized_beta(0.37, 1.0, 1.0) - 0.37).abs() < 1e-12);
        let x: f64 = 0.4;
        let exact = 6.0 * x.powi(2) - 8.0 * x.powi(3) + 3.0 * x.powi(4);
        assert!((regularized_beta(x, 2.0, 3.0) - exact).abs() < 1e-12);
    }

    #[test]
    fn truncated_draws_stay_in_domain_and_match_cdf() {
        let d = fit(
            "normal",
            &[],
            &[("mean", 5.0), ("sd", 10.0)],
            Domain::NonNegative,
        );
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let n = 200_000;
        let draws: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        assert!(draws.iter().all(|&x| x >= 0.0));
        let below = draws.iter().filter(|&&x| x < 5.0).count() as f64 / n as f64;
        let p = d.cdf(5.0);
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!((below - p).abs() < 4.0 * se, "{below} vs {p}");
        let mean = draws.iter().sum::<f64>() / n as f64;
        assert!((mean - d.mean()).abs() < 4.0 * 10.0 / (n as f64).sqrt());
    }

    #[test]
    fn pert_and_triangular_means() {
        let p = fit("pert", &[0.0, 3.0, 10.0], &[], Domain::NonNegative);
        assert!((p.mean() - (0.0 + 4.0 * 3.0 + 10.0) / 6.0).abs() < 1e-12);
        let t = fit("triangular", &[0.0, 3.0, 10.0], &[], Domain::NonNegative);
        assert!((t.mean() - 13.0 / 3.0).abs() < 1e-3);
    }

    #[test]
    fn rounded_pmf_sums_to_one() {
        let d = fit("range", &[3.0, 14.0], &[], Domain::NonNegative);
        let (pmf, tail) = d.rounded_pmf(20);
        assert!((pmf.iter().sum::<f64>() + tail - 1.0).abs() < 1e-12);
        let fixed = Dist::fixed(2.5, Domain::NonNegative).unwrap();
        assert_eq!(fixed.rounded_pmf(5).0[3], 1.0);
    }

    #[test]
    fn domain_errors() {
        assert!(Dist::fixed(1.2, Domain::Probability).is_err());
        assert!(Dist::fixed(f64::NAN, Domain::NonNegative).is_err());
        assert!(Dist::fit("range", &[0.5, 1.2], &[], Domain::Probability).is_err());
        assert!(Dist::fit("range", &[5.0, 5.0], &[], Domain::NonNegative).is_err());
        assert!(Dist::fit("pert", &[0.0, 0.5, 1.5], &[], Domain::Probability).is_err());
    }
}
