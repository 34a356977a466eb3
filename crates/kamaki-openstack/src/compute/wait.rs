//! Waiting for a server to change state (`spec/compute-cyclades.md` §9).

use kamaki_core::{wait_for, ClientError, WaitCheck, WaitOptions, WaitOutcome};

use super::servers::{Server, ServerStatus};
use super::ComputeClient;
use crate::waiters::{self, Status};

impl ComputeClient {
    /// Polls [`get_server`](Self::get_server) every `opts.delay` until
    /// `check` says the wait is over or `opts.max_wait` has passed;
    /// `on_poll` sees every polled server (to drive a progress bar from
    /// `progress`, say).
    ///
    /// # Errors
    /// The first poll error (a 404 included); a timeout is not an error but
    /// [`WaitOutcome::TimedOut`] with the last server seen.
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
        wait_for(opts, || self.get_server(server_id), check, on_poll).await
    }

    /// Waits until the server's status is `target_status` (exact match,
    /// e.g. `"ACTIVE"`). As in kamaki there is no early exit on `ERROR`:
    /// use [`wait_server_with`](Self::wait_server_with) for that.
    ///
    /// # Errors
    /// As [`wait_server_with`](Self::wait_server_with).
    pub async fn wait_server_until(
        &self,
        server_id: &str,
        target_status: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Server>, ClientError> {
        self.wait_server_with(server_id, opts, waiters::until(target_status), |_| {})
            .await
    }

    /// Waits while the server's status is `current_status` (e.g. `"BUILD"`);
    /// any other status, `ERROR` included, ends the wait as reached.
    ///
    /// # Errors
    /// As [`wait_server_with`](Self::wait_server_with).
    pub async fn wait_server_while(
        &self,
        server_id: &str,
        current_status: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Server>, ClientError> {
        self.wait_server_with(server_id, opts, waiters::while_in(current_status), |_| {})
            .await
    }

    /// kamaki's `wait_server(id)`: waits while the server is `BUILD`, polling
    /// every second for up to 100 seconds. Check the outcome's status: a
    /// server that failed to build ends the wait in `ERROR`.
    ///
    /// # Errors
    /// As [`wait_server_with`](Self::wait_server_with).
    pub async fn wait_server(&self, server_id: &str) -> Result<WaitOutcome<Server>, ClientError> {
        self.wait_server_while(
            server_id,
            ServerStatus::Build.as_str(),
            &WaitOptions::default(),
        )
        .await
    }

    /// Waits for a deleted server to go: reached with `Some(server)` once its
    /// status is `DELETED`, or with `None` once it answers 404 (purged).
    ///
    /// # Errors
    /// Poll errors other than 404.
    pub async fn wait_server_deleted(
        &self,
        server_id: &str,
        opts: &WaitOptions,
    ) -> Result<WaitOutcome<Option<Server>>, ClientError> {
        waiters::until_gone(
            opts,
            || self.get_server(server_id),
            |s| s.status == ServerStatus::Deleted,
        )
        .await
    }
}

impl Status for Server {
    fn status(&self) -> &str {
        self.status.as_str()
    }
}
