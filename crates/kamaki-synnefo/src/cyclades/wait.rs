//! Waiting for a Cyclades server to change state
//! (`spec/compute-cyclades.md` §9): kamaki's `wait_server`,
//! `wait_server_until` and `wait_server_while`, with its defaults (a poll
//! every second for up to 100 seconds), the last server seen in every
//! outcome, no error on timeout, and 404 as "gone" for deletions.

use kamaki_core::{ClientError, WaitCheck, WaitOptions, WaitOutcome};
use kamaki_openstack::compute::{Server, ServerStatus};

use super::compute::CycladesComputeClient;

/// The status a server wait ended with.
///
/// ```
/// use kamaki_core::WaitOutcome;
/// use kamaki_openstack::compute::{Server, ServerStatus};
/// use kamaki_synnefo::cyclades::FinalStatus;
/// let s: Server = serde_json::from_str(r#"{"id": 42, "status": "ERROR"}"#).unwrap();
/// assert_eq!(WaitOutcome::Reached(s).final_status(), ServerStatus::Error);
/// assert_eq!(WaitOutcome::<Server>::TimedOut(None).final_status(), ServerStatus::Unknown);
/// assert_eq!(WaitOutcome::<Option<Server>>::Reached(None).final_status(), ServerStatus::Deleted);
/// ```
pub trait FinalStatus {
    /// The status of the last server seen: `Unknown` when none was seen,
    /// `Deleted` when the server was gone (404).
    fn final_status(&self) -> ServerStatus;
}

impl FinalStatus for WaitOutcome<Server> {
    fn final_status(&self) -> ServerStatus {
        self.last().map(|s| s.status.clone()).unwrap_or_default()
    }
}

impl FinalStatus for WaitOutcome<Option<Server>> {
    fn final_status(&self) -> ServerStatus {
        match self.last() {
            Some(Some(s)) => s.status.clone(),
            Some(None) => ServerStatus::Deleted,
            None => ServerStatus::Unknown,
        }
    }
}

impl CycladesComputeClient {
    /// Polls GET `/servers/{id}` every `opts.delay` until `check` ends the
    /// wait or `opts.max_wait` has passed; `on_poll` sees every polled server
    /// (to drive a progress bar from `progress` while in `BUILD`).
    ///
    /// # Errors
    /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
    /// for an empty id; the first poll error (404 included). A timeout is
    /// not an error but [`WaitOutcome::TimedOut`] with the last server seen.
    pub async fn wait_server_with<C, P>(
        &self,
        server_id: &str,
        opts: &WaitOptions,
        check: C,
        on_poll: P,
    ) -> Result<WaitOutcome<Server>, ClientError>
    where
        C: Fn(&Server) -> WaitCheck,
        P: FnMut(&Server),
    {
        self.compute()
            .wait_server_with(server_id, opts, check, on_poll)
            .await
    }

    forward! { compute;
        /// Waits until the server's status is `target_status` (e.g. `"ACTIVE"`,
        /// `"STOPPED"`). As in kamaki there is no early exit on `ERROR`: a
        /// failed server keeps the wait going until the time is up (use
        /// [`wait_server_with`](Self::wait_server_with) to stop on it).
        ///
        /// # Errors
        /// As [`wait_server_with`](Self::wait_server_with).
        pub async fn wait_server_until(
            &self,
            server_id: &str,
            target_status: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Server> = wait_server_until;

        /// Waits while the server's status is `current_status` (e.g. `"BUILD"`
        /// after create, `"REBOOT"` after reboot, the old status after start or
        /// delete); any other status, `ERROR` included, ends the wait as reached.
        ///
        /// # Errors
        /// As [`wait_server_with`](Self::wait_server_with).
        pub async fn wait_server_while(
            &self,
            server_id: &str,
            current_status: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Server> = wait_server_while;

        /// kamaki's `wait_server(id)`: waits while the server is `BUILD`,
        /// polling every second for up to 100 seconds. Read the result with
        /// [`FinalStatus::final_status`]: `ACTIVE` for a good build, `ERROR`
        /// for a failed one, `BUILD` after a timeout.
        ///
        /// # Errors
        /// As [`wait_server_with`](Self::wait_server_with).
        pub async fn wait_server(&self, server_id: &str) -> WaitOutcome<Server> = wait_server;

        /// Waits for a deleted server to go: reached with `Some(server)` once
        /// its status is `DELETED`, or with `None` once it answers 404 (purged).
        ///
        /// # Errors
        /// An [`InvalidArgument`](kamaki_core::ErrorKind::InvalidArgument) error
        /// for an empty id; poll errors other than 404.
        pub async fn wait_server_deleted(
            &self,
            server_id: &str,
            opts: &WaitOptions,
        ) -> WaitOutcome<Option<Server>> = wait_server_deleted;
    }
}
