//! Progress bars for long commands. A bar appears only when stderr is a terminal and the job is
//! large enough to be worth watching; otherwise (pipes, CI logs, small files) nothing is drawn,
//! so output stays clean for scripts.

use std::io::IsTerminal;
use std::sync::OnceLock;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A lazily created bar: the total is known only once the work reports it.
#[derive(Debug)]
pub struct Progress {
    bar: OnceLock<ProgressBar>,
    /// Jobs with fewer items than this get no bar.
    min_total: usize,
    visible: bool,
}

impl Progress {
    pub fn new(min_total: usize) -> Self {
        Self {
            bar: OnceLock::new(),
            min_total,
            visible: std::io::stderr().is_terminal(),
        }
    }

    /// Moves the bar to `done` of `total`, showing `phase` beside it.
    pub fn update(&self, phase: &'static str, done: usize, total: usize) {
        if !self.visible || total < self.min_total {
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg:>10} [{bar:40}] {human_pos}/{human_len} ({eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        });
        bar.set_length(total as u64);
        bar.set_message(phase);
        bar.set_position(done as u64);
    }

    /// Removes the bar so that the summary line stands alone.
    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}
