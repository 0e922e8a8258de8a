//! Bytes -> Marathon pod status JSON -> the tables of `pod list` and `pod show`, and the
//! progress judgement `--wait` makes. Whatever a server answers, nothing may panic or hang.

#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;
use podctl::pod::progress::{assess, Goal, Snapshot};
use podctl::pod::status::PodSummary;
use podctl::pod::PodStatus;
use podctl::render::{pod_list, pod_show, Layout, Style};

/// Every table layout: the tree for people, and `--flat` (with and without headers) for scripts.
const LAYOUTS: [Layout; 3] = [
    Layout::DEFAULT,
    Layout {
        headers: true,
        flat: true,
    },
    Layout {
        headers: false,
        flat: true,
    },
];

const GOALS: [Goal; 4] = [
    Goal::Running {
        current_version: true,
    },
    Goal::Running {
        current_version: false,
    },
    Goal::Removed,
    Goal::Settled,
];

fuzz_target!(|data: &[u8]| {
    // A fixed clock keeps runs reproducible; timestamps in the input may be anywhere.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    // `pod list` reads the lean, borrowing summary; `pod show` the full status.
    if let Ok(pods) = serde_json::from_slice::<Vec<PodSummary>>(data) {
        for layout in LAYOUTS {
            let _ = pod_list(&pods, now, Style::PLAIN, layout);
        }
    }
    if let Ok(pod) = serde_json::from_slice::<PodSummary>(data) {
        let _ = pod_list(
            std::slice::from_ref(&pod),
            now,
            Style::PLAIN,
            Layout::DEFAULT,
        );
    }
    if let Ok(pod) = serde_json::from_slice::<PodStatus>(data) {
        for layout in LAYOUTS {
            let _ = pod_show(&pod, &[], now, Style::PLAIN, layout);
        }
        for goal in GOALS {
            let snapshot = Snapshot {
                deployment: None,
                status: Some(&pod),
            };
            let _ = assess(goal, snapshot);
        }
    }
});
