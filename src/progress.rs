//! Progress on stderr (indicatif): a spinner per stage, hidden under `--quiet` or when stderr is not a terminal,
//! so logs and CI output stay clean and output files never depend on it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct Progress {
    visible: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        Progress { visible: !quiet && std::io::stderr().is_terminal() }
    }
    pub fn hidden() -> Self {
        Progress { visible: false }
    }
    /// A spinner for a stage; it clears itself when dropped or finished.
    pub fn stage(&self, name: &str) -> ProgressBar {
        if !self.visible {
            return ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        }
        let pb = ProgressBar::new_spinner();
        pb.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"));
        pb.set_message(name.to_string());
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    }
}
