//! Where the simulator's time and ids come from: the system clock with random ids, or a manual
//! clock with sequential ids that tests drive (`podctl sim --clock manual`).
//!
//! The model never reads the time itself: the HTTP layer asks the [`Clock`] for `now` once per
//! request and hands it down, so under the manual clock nothing moves until
//! `POST /_sim/clock/advance?by=2s` says so, and every timestamp, version and id comes out the same
//! on every run. This module must not know about HTTP or the model.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// Where the manual clock starts: 2026-01-01T00:00:00Z, a fixed point so output is reproducible.
pub const MANUAL_START_SECS: u64 = 1_767_225_600;

/// The simulator's source of `now`.
#[derive(Debug)]
pub enum Clock {
    /// The system's wall clock.
    System,
    /// Stands still until advanced.
    Manual(Mutex<SystemTime>),
}

impl Clock {
    /// A manual clock at [`MANUAL_START_SECS`].
    pub fn manual() -> Clock {
        Clock::Manual(Mutex::new(
            SystemTime::UNIX_EPOCH + Duration::from_secs(MANUAL_START_SECS),
        ))
    }

    pub fn is_manual(&self) -> bool {
        matches!(self, Clock::Manual(_))
    }

    pub fn now(&self) -> SystemTime {
        match self {
            Clock::System => SystemTime::now(),
            Clock::Manual(now) => *now.lock().unwrap_or_else(PoisonError::into_inner),
        }
    }

    /// Moves a manual clock forward and returns the new time; `None` for the system clock.
    pub fn advance(&self, by: Duration) -> Option<SystemTime> {
        match self {
            Clock::System => None,
            Clock::Manual(now) => {
                let mut now = now.lock().unwrap_or_else(PoisonError::into_inner);
                // Far beyond any test's needs; saturate rather than overflow.
                *now = now.checked_add(by).unwrap_or(*now);
                Some(*now)
            }
        }
    }

    /// The ids that go with this clock: random for the system clock, sequential for the manual one.
    pub fn ids(&self) -> Ids {
        match self {
            Clock::System => Ids::Random,
            Clock::Manual(_) => Ids::Sequential(0),
        }
    }
}

/// A source of UUID-shaped ids (deployments, instances, the cluster).
#[derive(Debug, Clone)]
pub enum Ids {
    Random,
    /// `00000000-0000-4000-8000-000000000001`, `...002`, ...: still UUIDs to every client.
    Sequential(u64),
}

impl Ids {
    pub fn next_id(&mut self) -> String {
        match self {
            Ids::Random => uuid::Uuid::new_v4().to_string(),
            Ids::Sequential(n) => {
                *n += 1;
                format!("00000000-0000-4000-8000-{:012x}", *n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pod::time::format_timestamp;

    #[test]
    fn the_manual_clock_starts_fixed_and_moves_only_when_advanced() {
        let clock = Clock::manual();
        assert_eq!(format_timestamp(clock.now()), "2026-01-01T00:00:00.000Z");
        assert_eq!(clock.now(), clock.now());
        let later = clock.advance(Duration::from_millis(2500)).expect("manual");
        assert_eq!(format_timestamp(later), "2026-01-01T00:00:02.500Z");
        assert_eq!(clock.now(), later);
        assert!(Clock::System.advance(Duration::from_secs(1)).is_none());
        assert!(!Clock::System.is_manual() && clock.is_manual());
    }

    #[test]
    fn sequential_ids_are_uuids_in_order_and_random_ones_differ() {
        let mut ids = Clock::manual().ids();
        let first = ids.next_id();
        assert_eq!(first, "00000000-0000-4000-8000-000000000001");
        assert!(uuid::Uuid::parse_str(&first).is_ok());
        assert_eq!(ids.next_id(), "00000000-0000-4000-8000-000000000002");
        let mut random = Clock::System.ids();
        assert_ne!(random.next_id(), random.next_id());
    }
}
