//! The lines a wait (`--wait`, `deployment watch`) writes on stderr: progress where no spinner
//! runs (CI logs), warnings, and the final line. The spinner itself lives with the wait.

use std::time::Duration;

/// One progress line, stamped with the time since the wait began: `[   2.5s] 1/2 ready`.
pub fn wait_progress(elapsed: Duration, line: &str) -> String {
    format!("[{:>6.1}s] {line}", elapsed.as_secs_f64())
}

/// A warning during a wait (a container failed, the network hiccupped).
pub fn wait_warning(message: &str) -> String {
    format!("warning: {message}")
}

/// The last line of a wait that reached its goal.
pub fn wait_done(elapsed: Duration, line: &str) -> String {
    format!("Done in {:.1}s: {line}", elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_the_elapsed_time() {
        let t = Duration::from_millis(2540);
        assert_eq!(wait_progress(t, "1/2 ready"), "[   2.5s] 1/2 ready");
        assert_eq!(wait_done(t, "2/2 ready"), "Done in 2.5s: 2/2 ready");
        assert_eq!(wait_warning("x failed"), "warning: x failed");
    }
}
