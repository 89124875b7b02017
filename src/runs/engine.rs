//! The Monte Carlo engine: every setup over the same run indices, in parallel.
//!
//! Run i of a setup depends only on (seed, i): its (U) values come from
//! per-path streams and its noise from the run's own stream. Results are
//! collected in run order, so the output is identical at any thread count.

use rayon::prelude::*;

use crate::error::{Error, InputError};
use crate::runs::measure::RunMetrics;
use crate::scenario::Setup;
use crate::sim::model::{Model, Streams};
use crate::sim::params::{Draw, RunParams};
use crate::sim::random;

/// Which runs to make and how: runs `0..runs` of `seed` on `threads` worker
/// threads, or with a `precision`, batches until every count's mean is that
/// close (with `runs` the most); `progress` is told of every finished run.
/// What every simulating command and analysis takes, checked once.
#[derive(Clone, Copy)]
pub struct RunPlan<'p> {
    /// Runs per setup (per point of a sweep), or the most with a precision.
    pub runs: u64,
    /// The seed: run i depends only on (seed, i).
    pub seed: u64,
    /// Worker threads; `None` for every core. Results do not depend on it.
    pub threads: Option<usize>,
    /// Stop when every count's mean is within this fraction at 95%.
    pub precision: Option<f64>,
    /// Told how many runs just finished.
    pub progress: &'p (dyn Fn(u64) + Sync),
}

impl<'p> RunPlan<'p> {
    /// `runs` runs of `seed` on every core, no precision, nobody told.
    pub fn new(runs: u64, seed: u64) -> RunPlan<'static> {
        RunPlan {
            runs,
            seed,
            threads: None,
            precision: None,
            progress: &|_| {},
        }
    }

    /// Runs `f` on a pool of the plan's threads (the global pool when none is asked).
    pub fn install<T: Send>(&self, f: impl FnOnce() -> T + Send) -> Result<T, Error> {
        match self.threads {
            None => Ok(f()),
            Some(0) => Err(InputError::new("--threads must be at least 1")
                .hint("leave --threads out to use every core")
                .into()),
            Some(n) => {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| Error::Run(format!("cannot start {n} threads: {e}")))?;
                Ok(pool.install(f))
            }
        }
    }

    /// Simulates every setup as planned; with a precision, also the precision reached.
    pub fn simulate(&self, setups: &[Setup]) -> Result<(Vec<SetupRuns>, Option<f64>), Error> {
        self.install(|| match self.precision {
            None => (run_all(setups, self.seed, self.runs, self.progress), None),
            Some(rel) => {
                let (all, reached) =
                    run_until_precise(setups, self.seed, rel, self.runs, self.progress);
                (all, Some(reached))
            }
        })
    }
}

/// The runs of one setup.
#[derive(Clone, Debug)]
pub struct SetupRuns {
    /// The setup simulated.
    pub setup: Setup,
    /// The setup's tables that do not change between runs, such as its calendar.
    pub model: Model,
    /// Run i at index i.
    pub runs: Vec<RunMetrics>,
}

/// Simulates run `run` of a setup.
pub fn simulate_run(setup: &Setup, model: &Model, seed: u64, run: u64) -> RunMetrics {
    let s = &setup.scenario;
    let params = RunParams::resolve(s, Draw::Run { seed, run });
    let stream = |label: &str| random::stream(seed, run, label);
    let mut arrivals = stream("arrivals");
    let mut classes: Vec<_> = s
        .sources
        .iter()
        .map(|src| stream(&format!("classes/{}", src.name)))
        .collect();
    let (mut follow_up, mut sales) = (stream("follow_up"), stream("sales"));
    let mut streams = Streams {
        arrivals: random::Random(&mut arrivals),
        classes: classes.iter_mut().map(random::Random).collect(),
        follow_up: random::Random(&mut follow_up),
        sales: random::Random(&mut sales),
    };
    let counts = model.simulate(s, &params, &mut streams);
    RunMetrics::from_counts(&counts, &params, s.deal.max_lifetime_months)
}

/// The expected funnel of a setup: every (U) at its mean, every count at its expectation.
pub fn expected_run(setup: &Setup) -> RunMetrics {
    let s = &setup.scenario;
    let params = RunParams::resolve(s, Draw::Mean);
    expected_run_with(setup, &Model::new(s), &params)
}

/// The expected funnel of a setup with the given (U) values: every count at its expectation.
pub fn expected_run_with(setup: &Setup, model: &Model, params: &RunParams) -> RunMetrics {
    let s = &setup.scenario;
    let n = s.sources.len();
    let mut streams = Streams {
        arrivals: random::Expected,
        classes: (0..n).map(|_| random::Expected).collect(),
        follow_up: random::Expected,
        sales: random::Expected,
    };
    let counts = model.simulate(s, params, &mut streams);
    RunMetrics::from_counts(&counts, params, s.deal.max_lifetime_months)
}

/// Simulates runs `from..to` of every setup (with its model); `progress` is
/// told how many runs finished.
pub fn simulate(
    setups: &[(&Setup, &Model)],
    seed: u64,
    from: u64,
    to: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Vec<RunMetrics>> {
    setups
        .iter()
        .map(|&(setup, model)| {
            (from as usize..to as usize)
                .into_par_iter()
                .with_min_len(16)
                .map(|run| {
                    // After Ctrl-C the remaining runs are skipped; the caller reports it.
                    if crate::runs::interrupt::requested().is_some() {
                        return None;
                    }
                    let m = simulate_run(setup, model, seed, run as u64);
                    progress(1);
                    Some(m)
                })
                .collect::<Option<Vec<_>>>()
                .unwrap_or_default()
        })
        .collect()
}

/// Simulates `runs` runs of every setup from run 0.
pub fn run_all(
    setups: &[Setup],
    seed: u64,
    runs: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<SetupRuns> {
    let models: Vec<Model> = setups.iter().map(|s| Model::new(&s.scenario)).collect();
    let pairs: Vec<(&Setup, &Model)> = setups.iter().zip(&models).collect();
    let runs = simulate(&pairs, seed, 0, runs, progress);
    runs.into_iter()
        .zip(setups.iter().zip(models))
        .map(|(runs, (setup, model))| SetupRuns {
            model,
            setup: setup.clone(),
            runs,
        })
        .collect()
}

/// Runs added at a time by [`run_until_precise`]; fixed, so the same seed and
/// precision always make the same runs.
pub const PRECISION_BATCH: u64 = 1000;

/// The largest 95% half-width of a count metric's mean relative to the mean,
/// over every setup (counts whose mean is 0 have nothing to estimate).
pub fn relative_precision(all: &[SetupRuns]) -> f64 {
    all.iter()
        .flat_map(|r| {
            crate::scenario::metric::Metric::ALL
                .iter()
                .filter(|m| m.is_count())
                .map(move |&m| {
                    let s = crate::runs::stats::Summary::of(r.runs.iter().map(|x| x.get(m)));
                    match (s.mean, s.half_width_95()) {
                        (Some(mean), Some(hw)) if mean.abs() > 0.0 => hw / mean.abs(),
                        (Some(_), _) => 0.0,
                        _ => f64::INFINITY,
                    }
                })
        })
        .fold(0.0, f64::max)
}

/// Adds runs in batches of [`PRECISION_BATCH`] until every count's mean is known
/// within `relative` (95% half-width / mean) or `max_runs` are made.
pub fn run_until_precise(
    setups: &[Setup],
    seed: u64,
    relative: f64,
    max_runs: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> (Vec<SetupRuns>, f64) {
    let mut all: Vec<SetupRuns> = setups
        .iter()
        .map(|s| SetupRuns {
            model: Model::new(&s.scenario),
            setup: s.clone(),
            runs: Vec::new(),
        })
        .collect();
    let mut made = 0;
    loop {
        let to = (made + PRECISION_BATCH).min(max_runs);
        let pairs: Vec<(&Setup, &Model)> = all.iter().map(|r| (&r.setup, &r.model)).collect();
        let more = simulate(&pairs, seed, made, to, progress);
        for (r, more) in all.iter_mut().zip(more) {
            r.runs.extend(more);
        }
        made = to;
        let reached = relative_precision(&all);
        if reached <= relative || made >= max_runs || crate::runs::interrupt::requested().is_some()
        {
            return (all, reached);
        }
    }
}
