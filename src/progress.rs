//! Progress on stderr (indicatif): a spinner per stage (a bar with a count where the work is countable), hidden under `--quiet` or when stderr is not a terminal,
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
    /// A bar for a stage of `len` units (`unit` names them); it clears itself when finished.
    pub fn bar(&self, name: &str, len: u64, unit: &str) -> ProgressBar {
        if !self.visible {
            return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        }
        let pb = ProgressBar::new(len);
        let template = format!("{{msg}} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} {{elapsed}} (eta {{eta}})");
        pb.set_style(ProgressStyle::with_template(&template).expect("valid template").progress_chars("=> "));
        pb.set_message(name.to_string());
        pb.enable_steady_tick(Duration::from_millis(200));
        pb
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

/// Columns a terminal shows a character in: two for CJK and other wide characters.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum()
}
