//! Retry policies.
//!
//! The default is kamaki's: nothing is retried (`CONNECTION_RETRY_LIMIT` 0)
//! and HTTP error statuses never are. [`RetryPolicy::standard`] is the opt-in
//! policy: connection failures of idempotent requests and 429/503 answers are
//! retried with jittered exponential backoff, honouring `Retry-After`.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method};

/// When and how often a request is sent again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Extra attempts after the first (0 = never retry).
    pub max_retries: u32,
    /// Retry connection-level failures (refused, reset, closed early) and timeouts.
    pub on_connection_error: bool,
    /// HTTP statuses that are retried (e.g. 429 and 503).
    pub on_status: Vec<u16>,
    /// Retry requests that are not idempotent (POST) too.
    pub retry_non_idempotent: bool,
    /// First backoff delay; doubled at each attempt.
    pub base_delay: Duration,
    /// Upper bound for any delay, including one asked by `Retry-After`.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::none()
    }
}

impl RetryPolicy {
    /// kamaki's behaviour: one attempt, nothing retried.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            on_connection_error: false,
            on_status: Vec::new(),
            retry_non_idempotent: false,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }

    /// kamaki's `CONNECTION_RETRY_LIMIT = n`: connection failures of any
    /// request are sent again up to `n` times, without delay.
    pub fn kamaki(limit: u32) -> Self {
        RetryPolicy {
            max_retries: limit,
            on_connection_error: true,
            on_status: Vec::new(),
            retry_non_idempotent: true,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }

    /// The recommended opt-in policy: up to 4 retries of idempotent requests
    /// on connection errors, timeouts, 429 and 503, with backoff from 200 ms.
    pub fn standard() -> Self {
        RetryPolicy {
            max_retries: 4,
            on_connection_error: true,
            on_status: vec![429, 503],
            retry_non_idempotent: false,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
        }
    }

    /// Whether a request with this method may be retried at all.
    pub fn allows_method(&self, method: &Method, marked_idempotent: Option<bool>) -> bool {
        let idempotent = marked_idempotent.unwrap_or_else(|| is_idempotent(method));
        idempotent || self.retry_non_idempotent
    }

    /// The delay before retry number `attempt` (1-based): exponential with
    /// full jitter, at most `max_delay`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        if self.base_delay.is_zero() {
            return Duration::ZERO;
        }
        let exp = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let cap = exp.min(self.max_delay);
        let jitter: f64 = rand::random::<f64>();
        cap.mul_f64(0.5 + jitter / 2.0)
    }

    /// The delay a `Retry-After` header asks for, capped at `max_delay`.
    pub fn retry_after(&self, headers: &HeaderMap) -> Option<Duration> {
        parse_retry_after(headers, SystemTime::now()).map(|d| d.min(self.max_delay))
    }
}

/// GET, HEAD, PUT, DELETE and OPTIONS are idempotent.
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
    )
}

/// Parses `Retry-After` as seconds or an HTTP date relative to `now`.
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_kamaki_parity() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_retries, 0);
        assert!(p.on_status.is_empty());
    }

    #[test]
    fn idempotency_rules() {
        let p = RetryPolicy::standard();
        assert!(p.allows_method(&Method::GET, None));
        assert!(p.allows_method(&Method::PUT, None));
        assert!(!p.allows_method(&Method::POST, None));
        assert!(p.allows_method(&Method::POST, Some(true)));
        assert!(RetryPolicy::kamaki(2).allows_method(&Method::POST, None));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
            ..RetryPolicy::standard()
        };
        for _ in 0..50 {
            let d1 = p.backoff(1);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = p.backoff(3);
            assert!(d3 >= Duration::from_millis(175) && d3 <= Duration::from_millis(350));
            assert!(p.backoff(30) <= Duration::from_millis(350));
        }
        assert_eq!(RetryPolicy::kamaki(3).backoff(2), Duration::ZERO);
    }

    #[test]
    fn retry_after_seconds_and_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(http::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(12));
        h.insert(http::header::RETRY_AFTER, later.parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(12)));
        h.insert(http::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert(http::header::RETRY_AFTER, "100000".parse().unwrap());
        assert_eq!(
            RetryPolicy::standard().retry_after(&h),
            Some(Duration::from_secs(30))
        );
    }
}
