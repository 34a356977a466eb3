//! Waiting for a resource to reach a state (`spec/compute-cyclades.md` §9).

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::ClientError;

/// How often to poll and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitOptions {
    /// Time between two polls. kamaki's default: 1 s.
    pub delay: Duration,
    /// The deadline, counted from the first poll. kamaki's default: 100 s.
    pub max_wait: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            delay: Duration::from_secs(1),
            max_wait: Duration::from_secs(100),
        }
    }
}

/// How a wait ended. Each variant holds the last state seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitOutcome<T> {
    /// The target state was reached.
    Reached(T),
    /// A failure state was reached (e.g. `ERROR`); waiting stopped early.
    Failed(T),
    /// The deadline passed first. A timeout is not an error: callers decide.
    TimedOut(Option<T>),
}

impl<T> WaitOutcome<T> {
    /// True when the target state was reached.
    pub fn reached(&self) -> bool {
        matches!(self, WaitOutcome::Reached(_))
    }

    /// The last state seen.
    pub fn last(&self) -> Option<&T> {
        match self {
            WaitOutcome::Reached(t) | WaitOutcome::Failed(t) => Some(t),
            WaitOutcome::TimedOut(t) => t.as_ref(),
        }
    }

    /// The last state seen, by value.
    pub fn into_last(self) -> Option<T> {
        match self {
            WaitOutcome::Reached(t) | WaitOutcome::Failed(t) => Some(t),
            WaitOutcome::TimedOut(t) => t,
        }
    }
}

/// What a poll result means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitCheck {
    /// Keep waiting.
    Continue,
    /// The target is reached.
    Reached,
    /// A failure state: stop waiting.
    Failed,
}

/// Polls until `check` says `Reached` or `Failed`, or the deadline passes.
/// `on_poll` sees every state polled. Poll errors end the wait at once.
///
/// ```
/// use std::time::Duration;
/// use kamaki_core::{wait_for, WaitCheck, WaitOptions, WaitOutcome};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let mut n = 0;
/// let opts = WaitOptions { delay: Duration::from_millis(1), max_wait: Duration::from_secs(5) };
/// let outcome = wait_for(&opts, || { n += 1; let v = n; async move { Ok(v) } },
///     |v| if *v >= 3 { WaitCheck::Reached } else { WaitCheck::Continue }, |_| {}).await.unwrap();
/// assert_eq!(outcome, WaitOutcome::Reached(3));
/// # });
/// ```
///
/// # Errors
/// The first error `poll` returns.
pub async fn wait_for<T, F, Fut, C, P>(
    opts: &WaitOptions,
    mut poll: F,
    check: C,
    mut on_poll: P,
) -> Result<WaitOutcome<T>, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
    C: Fn(&T) -> WaitCheck,
    P: FnMut(&T),
{
    let deadline = Instant::now() + opts.max_wait;
    loop {
        let state = poll().await?;
        on_poll(&state);
        match check(&state) {
            WaitCheck::Reached => return Ok(WaitOutcome::Reached(state)),
            WaitCheck::Failed => return Ok(WaitOutcome::Failed(state)),
            WaitCheck::Continue => {}
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(WaitOutcome::TimedOut(Some(state)));
        }
        let sleep = opts.delay.min(deadline - now);
        tokio::time::sleep(sleep.max(Duration::from_millis(1))).await;
    }
}

/// Waits on a status string: `targets` end the wait as reached, `fail_on`
/// as failed (an empty `fail_on` is kamaki's behaviour).
///
/// # Errors
/// The first error `poll` returns.
pub async fn wait_for_status<T, F, Fut, S, P>(
    opts: &WaitOptions,
    poll: F,
    status_of: S,
    targets: &[&str],
    fail_on: &[&str],
    on_poll: P,
) -> Result<WaitOutcome<T>, ClientError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
    S: Fn(&T) -> String,
    P: FnMut(&T),
{
    wait_for(
        opts,
        poll,
        |t| {
            let s = status_of(t);
            if targets.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
                WaitCheck::Reached
            } else if fail_on.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
                WaitCheck::Failed
            } else {
                WaitCheck::Continue
            }
        },
        on_poll,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use std::cell::Cell;

    fn opts(delay_ms: u64, max_ms: u64) -> WaitOptions {
        WaitOptions {
            delay: Duration::from_millis(delay_ms),
            max_wait: Duration::from_millis(max_ms),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn reaches_target_and_reports_every_poll() {
        let states = ["BUILD", "BUILD", "ACTIVE"];
        let i = Cell::new(0);
        let mut seen = Vec::new();
        let out = wait_for_status(
            &opts(1000, 100_000),
            || {
                let s = states[i.get()];
                i.set(i.get() + 1);
                async move { Ok(s.to_string()) }
            },
            |s| s.clone(),
            &["ACTIVE"],
            &[],
            |s| seen.push(s.clone()),
        )
        .await
        .unwrap();
        assert_eq!(out, WaitOutcome::Reached("ACTIVE".to_string()));
        assert_eq!(seen, ["BUILD", "BUILD", "ACTIVE"]);
    }

    #[tokio::test(start_paused = true)]
    async fn failure_state_stops_early() {
        let out = wait_for_status(
            &opts(1000, 100_000),
            || async { Ok("ERROR".to_string()) },
            |s| s.clone(),
            &["ACTIVE"],
            &["ERROR"],
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(out, WaitOutcome::Failed("ERROR".to_string()));
        assert!(!out.reached());
    }

    #[tokio::test(start_paused = true)]
    async fn deadline_is_real_and_returns_last_state() {
        let polls = Cell::new(0u32);
        let started = Instant::now();
        let out = wait_for(
            &opts(1000, 3500),
            || {
                polls.set(polls.get() + 1);
                let n = polls.get();
                async move { Ok(n) }
            },
            |_| WaitCheck::Continue,
            |_| {},
        )
        .await
        .unwrap();
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(3500) && elapsed < Duration::from_millis(4500),
            "{elapsed:?}"
        );
        assert_eq!(out, WaitOutcome::TimedOut(Some(5)));
        assert_eq!(out.last(), Some(&5));
    }

    #[tokio::test(start_paused = true)]
    async fn poll_error_propagates() {
        let err = wait_for(
            &opts(10, 1000),
            || async { Err::<u32, _>(ClientError::new(ErrorKind::Connection, "down")) },
            |_| WaitCheck::Continue,
            |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.message, "down");
    }
}
