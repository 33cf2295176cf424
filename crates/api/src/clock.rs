//! The time the application acts at. Tests drive a manual clock so that a shift can start and
//! end without anyone waiting for it.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

/// Where "now" comes from.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// A clock that only moves when told to.
    Manual(Arc<Mutex<DateTime<Utc>>>),
}

impl Clock {
    /// A manual clock starting at `at`.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Clock::Manual(Arc::new(Mutex::new(at)))
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(at) => *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        }
    }

    /// Moves a manual clock to `to`; the system clock cannot be moved.
    pub fn set(&self, to: DateTime<Utc>) {
        if let Clock::Manual(at) = self {
            *at.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
        }
    }

    /// Moves a manual clock forward.
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }
}
