//! Errors, split by who must act: bad input (exit code 2) or a failure while running (exit 1).

use std::fmt;
use std::sync::Arc;

/// Where a value came from, so an error can point at it.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A position in a scenario file (1-based line and column).
    File {
        /// The scenario file, as its path was given.
        path: Arc<str>,
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
    },
    /// A value given on the command line (`--set`, `--vary`, ...), quoted as written.
    Argument(Arc<str>),
    /// A documented default: no file position exists.
    Default,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { path, line, column } => write!(f, "{path}:{line}:{column}"),
            Origin::Argument(text) => write!(f, "argument `{text}`"),
            Origin::Default => write!(f, "default value"),
        }
    }
}

/// An input the user must fix: a scenario file, a `--set` value or a command-line argument.
#[derive(Clone, Debug, PartialEq)]
pub struct InputError {
    /// Where the bad value is, when known.
    pub origin: Option<Origin>,
    /// The parameter path or key path of the bad value (`follow_up.sla_days`).
    pub key_path: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What would be valid, or what to do.
    pub hint: Option<String>,
}

impl InputError {
    /// An error with only a message; add position, key path and hint with the builders.
    pub fn new(message: impl Into<String>) -> Self {
        InputError {
            origin: None,
            key_path: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Sets where the value came from.
    pub fn at(mut self, origin: &Origin) -> Self {
        if *origin != Origin::Default {
            self.origin = Some(origin.clone());
        }
        self
    }

    /// Sets the key path the error is about.
    pub fn key(mut self, key_path: impl Into<String>) -> Self {
        self.key_path = Some(key_path.into());
        self
    }

    /// Says what would be valid.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        if let Some(key) = &self.key_path {
            write!(f, "`{key}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  help: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// Any error funnelsim reports.
#[derive(Debug)]
pub enum Error {
    /// Bad input: exit code 2.
    Input(InputError),
    /// A failure while running (an unwritable output folder, ...): exit code 1.
    Run(String),
    /// The user interrupted the run (Ctrl-C, SIGTERM): exit 130 or 143.
    Interrupted(i32),
}

impl Error {
    /// The process exit code for this error, as cli.md specifies.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Run(_) => 1,
            Error::Interrupted(code) => *code,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(e) => write!(f, "{e}"),
            Error::Run(msg) => write!(f, "{msg}"),
            Error::Interrupted(_) => write!(f, "interrupted; no partial file was left behind"),
        }
    }
}

impl std::error::Error for Error {}

impl From<InputError> for Error {
    fn from(e: InputError) -> Self {
        Error::Input(e)
    }
}

/// Shorthand for results whose error is an [`InputError`].
pub type InputResult<T> = Result<T, InputError>;
