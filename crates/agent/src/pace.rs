//! When the capture loop looks at the screen next.
//!
//! - While the screen is busy, pictures are taken on a steady 60 Hz tick; a
//!   slow picture is made up for by shorter waits before the next ones (as
//!   far as [`CATCH_UP`] periods back), so the rate holds on average while
//!   other programs share the CPU.
//! - A tick that finds nothing drawn on a busy screen looks once more soon
//!   after ([`RETRY`]) instead of a whole period later: the program drawing
//!   was only a little late, and its picture keeps the tick's slot.
//! - Shortly after injected input, the screen is looked at every
//!   [`INPUT_POLL`] ([`FIRST_POLL`] at first): the application the input
//!   went to draws within a few milliseconds, and a look that finds nothing
//!   costs little (no damage query without a damage event).
//! - A screen that stood still (nothing drawn, the pointer not moved) for
//!   [`QUIET`] is idle: the loop then waits for the display to report a
//!   drawing (which wakes it at once) and otherwise looks only
//!   [`IDLE_SLOWDOWN`] times less often, for the pointer.
//!
//! Pure arithmetic on instants the caller passes in, so it is tested
//! without sleeping.

use std::time::{Duration, Instant};

/// How many periods behind the capture loop may fall and still catch up.
const CATCH_UP: u32 = 3;
/// How soon a tick that found nothing on a busy screen looks again.
const RETRY: Duration = Duration::from_millis(4);
/// How long after the last drawing or pointer move the screen counts as busy.
const BUSY: Duration = Duration::from_millis(100);
/// How long after input the screen is looked at every [`INPUT_POLL`].
const AFTER_INPUT: Duration = Duration::from_millis(100);
const INPUT_POLL: Duration = Duration::from_millis(5);
/// For the first [`FIRST_AFTER_INPUT`] after input, every [`FIRST_POLL`].
const FIRST_AFTER_INPUT: Duration = Duration::from_millis(20);
const FIRST_POLL: Duration = Duration::from_millis(2);
/// After this long without drawing or pointer moves the screen is idle.
const QUIET: Duration = Duration::from_millis(250);
const IDLE_SLOWDOWN: u32 = 6;

#[derive(Debug)]
pub struct Pace {
    period: Duration,
    /// When the current picture was due.
    tick: Instant,
    /// When something was last drawn or the pointer last moved.
    active: Instant,
    /// Whether this tick already looked again after finding nothing.
    retried: bool,
    /// Whether the wait before the next look is an idle one.
    idle: bool,
}

/// What one look at the screen found.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look {
    /// A picture was taken (something was drawn, or one was needed anyway).
    pub pictured: bool,
    /// The pointer moved or changed shape.
    pub pointer_moved: bool,
    /// Time since the latest injected input, if any.
    pub since_input: Option<Duration>,
}

impl Pace {
    pub fn new(fps: u32, now: Instant) -> Pace {
        Pace {
            period: Duration::from_secs(1) / fps.max(1),
            tick: now,
            active: now,
            retried: false,
            idle: false,
        }
    }

    /// Starts afresh (sharing started again): the next look is due now.
    pub fn restart(&mut self, now: Instant) {
        self.tick = now;
        self.active = now;
        self.retried = false;
    }

    /// Whether the screen is idle since the last look: the caller may wait
    /// for the display to report a drawing instead of sleeping.
    pub fn idle(&self) -> bool {
        self.idle
    }

    /// Takes what the look at `now` found; returns when to look next.
    pub fn next(&mut self, now: Instant, look: Look) -> Instant {
        if look.pictured || look.pointer_moved {
            self.active = now;
        }
        let after_input = look.since_input.is_some_and(|d| d < AFTER_INPUT);
        self.idle = !after_input && now.duration_since(self.active) >= QUIET;
        let period = if look.since_input.is_some_and(|d| d < FIRST_AFTER_INPUT) {
            self.period.min(FIRST_POLL)
        } else if after_input {
            self.period.min(INPUT_POLL)
        } else if self.idle {
            self.period * IDLE_SLOWDOWN
        } else {
            self.period
        };
        if look.pictured {
            self.retried = false;
            let earliest = now.checked_sub(period * CATCH_UP).unwrap_or(now);
            self.tick = (self.tick + period).max(earliest);
            return self.tick;
        }
        if now.duration_since(self.active) < BUSY && !self.retried && RETRY < period {
            self.retried = true;
            return now + RETRY;
        }
        self.retried = false;
        self.tick = now + period;
        self.tick
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn pictured() -> Look {
        Look {
            pictured: true,
            ..Look::default()
        }
    }

    #[test]
    fn a_busy_screen_is_pictured_on_a_steady_tick() {
        let t0 = Instant::now();
        let mut pace = Pace::new(60, t0);
        let period = Duration::from_secs(1) / 60;
        // Each picture takes 5 ms: the next is due a period after the last was.
        assert_eq!(pace.next(t0 + 5 * MS, pictured()), t0 + period);
        assert_eq!(pace.next(t0 + period + 5 * MS, pictured()), t0 + 2 * period);
    }

    #[test]
    fn slow_pictures_are_made_up_for_within_limits() {
        let t0 = Instant::now();
        let mut pace = Pace::new(60, t0);
        let period = Duration::from_secs(1) / 60;
        // 25 ms for one picture: the next is due at once (it is late)...
        assert_eq!(pace.next(t0 + 25 * MS, pictured()), t0 + period);
        // ...and the one after keeps the original rhythm.
        assert_eq!(pace.next(t0 + 30 * MS, pictured()), t0 + 2 * period);
        // Half a second stuck: only three periods are made up for.
        let late = t0 + 500 * MS;
        assert_eq!(pace.next(late, pictured()), late - 3 * period);
    }

    #[test]
    fn a_busy_screen_with_nothing_new_is_looked_at_again_soon_once() {
        let t0 = Instant::now();
        let mut pace = Pace::new(60, t0);
        let period = Duration::from_secs(1) / 60;
        let due = pace.next(t0 + 2 * MS, pictured());
        assert_eq!(due, t0 + period);
        // Nothing drawn at the tick: look again 4 ms later, keeping the slot.
        assert_eq!(pace.next(due, Look::default()), due + RETRY);
        // Found then: the next picture is due a period after the slot.
        assert_eq!(pace.next(due + RETRY, pictured()), due + period);
        // Nothing at the tick, nothing at the retry: wait a whole period.
        let due = due + period;
        assert_eq!(pace.next(due, Look::default()), due + RETRY);
        assert_eq!(
            pace.next(due + RETRY, Look::default()),
            due + RETRY + period
        );
    }

    #[test]
    fn input_makes_the_loop_look_often() {
        let t0 = Instant::now();
        let mut pace = Pace::new(60, t0);
        let look = Look {
            since_input: Some(MS),
            ..Look::default()
        };
        let now = t0 + 300 * MS;
        assert_eq!(pace.next(now, look), now + FIRST_POLL);
        let look = Look {
            since_input: Some(FIRST_AFTER_INPUT),
            ..Look::default()
        };
        assert_eq!(pace.next(now, look), now + INPUT_POLL);
        let later = Look {
            since_input: Some(AFTER_INPUT),
            ..Look::default()
        };
        assert!(pace.next(now, later) > now + INPUT_POLL);
    }

    #[test]
    fn an_idle_screen_is_looked_at_less_often_until_something_moves() {
        let t0 = Instant::now();
        let mut pace = Pace::new(60, t0);
        let period = Duration::from_secs(1) / 60;
        let quiet = t0 + QUIET;
        assert!(!pace.idle());
        assert_eq!(pace.next(quiet, Look::default()), quiet + 6 * period);
        assert!(pace.idle());
        let moved = Look {
            pointer_moved: true,
            ..Look::default()
        };
        let later = quiet + 6 * period;
        assert_eq!(pace.next(later, moved), later + RETRY);
        assert!(!pace.idle());
        // Busy again: drawing resumes the 60 Hz tick.
        assert_eq!(pace.next(later + RETRY, pictured()), later + period);
    }
}
