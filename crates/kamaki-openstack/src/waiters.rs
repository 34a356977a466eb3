//! The status waiters of servers, volumes and ports
//! (`spec/compute-cyclades.md` §9), over [`kamaki_core::wait_for`]: wait
//! until a status, while a status, or until the resource is gone.

use std::future::Future;

use kamaki_core::{wait_for, ClientError, WaitCheck, WaitOptions, WaitOutcome};

/// A resource with a status to wait on.
pub(crate) trait Status {
    /// The server's text for the status.
    fn status(&self) -> &str;
}

/// Ends a wait as reached once the status is `target` (exact match).
pub(crate) fn until<T: Status>(target: &str) -> impl Fn(&T) -> WaitCheck + '_ {
    move |t| {
        if t.status() == target {
            WaitCheck::Reached
        } else {
            WaitCheck::Continue
        }
    }
}

/// Ends a wait as reached once the status is no longer `current` (exact
/// match).
pub(crate) fn while_in<T: Status>(current: &str) -> impl Fn(&T) -> WaitCheck + '_ {
    move |t| {
        if t.status() == current {
            WaitCheck::Continue
        } else {
            WaitCheck::Reached
        }
    }
}

/// Polls until the resource answers 404 (reached with `None`) or `gone`
/// holds for it (reached with `Some`); the last resource seen otherwise.
///
/// # Errors
/// Poll errors other than 404.
pub(crate) async fn until_gone<T, F, Fut>(
    opts: &WaitOptions,
    poll: F,
    gone: impl Fn(&T) -> bool,
) -> Result<WaitOutcome<Option<T>>, ClientError>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, ClientError>>,
{
    wait_for(
        opts,
        || async {
            match poll().await {
                Ok(t) => Ok(Some(t)),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        },
        |t| match t {
            Some(t) if !gone(t) => WaitCheck::Continue,
            _ => WaitCheck::Reached,
        },
        |_| {},
    )
    .await
}
