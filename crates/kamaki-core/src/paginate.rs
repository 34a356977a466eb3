//! Listings as streams across pages.

use std::collections::VecDeque;
use std::future::Future;

use futures::Stream;

use crate::error::ClientError;

/// One page of a listing: its items and what to ask for the next page
/// (a marker, or a next-page link), or `None` when this is the last page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The marker or link for the next page; `None` ends the listing.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// A page for a marker-based listing: when the page is full (`limit`
    /// items), the next marker is `marker_of` the last item.
    pub fn by_marker(items: Vec<T>, limit: usize, marker_of: impl Fn(&T) -> String) -> Self {
        let next = if limit > 0 && items.len() >= limit {
            items.last().map(marker_of)
        } else {
            None
        };
        Page { items, next }
    }

    /// The last page.
    pub fn last(items: Vec<T>) -> Self {
        Page { items, next: None }
    }
}

/// Turns a page fetcher into a stream of items. `fetch(None)` gets the first
/// page; `fetch(Some(next))` the following ones. Nothing is fetched until the
/// stream is polled; an error ends the stream after being yielded.
///
/// ```
/// use futures::{StreamExt, TryStreamExt};
/// use kamaki_core::{paginate, Page};
///
/// # tokio_test(async {
/// let all: Vec<u32> = (1..=5).collect();
/// let stream = paginate(move |marker: Option<String>| {
///     let all = all.clone();
///     async move {
///         let start = marker.map(|m| m.parse::<usize>().unwrap()).unwrap_or(0);
///         let items: Vec<u32> = all.iter().skip(start).take(2).copied().collect();
///         let next = if start + 2 < all.len() { Some((start + 2).to_string()) } else { None };
///         Ok(Page { items, next })
///     }
/// });
/// let got: Vec<u32> = stream.try_collect().await.unwrap();
/// assert_eq!(got, vec![1, 2, 3, 4, 5]);
/// # });
/// # fn tokio_test<F: std::future::Future>(f: F) { tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f); }
/// ```
pub fn paginate<T, F, Fut>(fetch: F) -> impl Stream<Item = Result<T, ClientError>> + Send
where
    T: Send,
    F: FnMut(Option<String>) -> Fut + Send,
    Fut: Future<Output = Result<Page<T>, ClientError>> + Send,
{
    struct State<T, F> {
        fetch: F,
        buffer: VecDeque<T>,
        next: Option<String>,
        started: bool,
        done: bool,
    }
    let state = State {
        fetch,
        buffer: VecDeque::new(),
        next: None,
        started: false,
        done: false,
    };
    futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(item) = st.buffer.pop_front() {
                return Some((Ok(item), st));
            }
            if st.done {
                return None;
            }
            if st.started && st.next.is_none() {
                return None;
            }
            st.started = true;
            let marker = st.next.take();
            match (st.fetch)(marker.clone()).await {
                Ok(page) => {
                    if page.next.is_some() && page.next == marker {
                        // a server that repeats the same marker would loop forever
                        st.done = true;
                    }
                    if page.items.is_empty() {
                        st.done = true;
                    }
                    st.next = page.next;
                    st.buffer.extend(page.items);
                }
                Err(e) => {
                    st.done = true;
                    return Some((Err(e), st));
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::{StreamExt, TryStreamExt};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn pages(
        calls: Arc<AtomicUsize>,
        total: usize,
        size: usize,
    ) -> impl Stream<Item = Result<usize, ClientError>> {
        paginate(move |marker: Option<String>| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let start = marker.map(|m| m.parse::<usize>().unwrap() + 1).unwrap_or(0);
                let items: Vec<usize> = (start..total).take(size).collect();
                Ok(Page::by_marker(items, size, |i| i.to_string()))
            }
        })
    }

    #[tokio::test]
    async fn two_pages_and_a_short_one() {
        let calls = Arc::new(AtomicUsize::new(0));
        let got: Vec<usize> = pages(calls.clone(), 5, 2).try_collect().await.unwrap();
        assert_eq!(got, vec![0, 1, 2, 3, 4]);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn exact_multiple_asks_one_empty_page() {
        let calls = Arc::new(AtomicUsize::new(0));
        let got: Vec<usize> = pages(calls.clone(), 4, 2).try_collect().await.unwrap();
        assert_eq!(got, vec![0, 1, 2, 3]);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn empty_listing_and_laziness() {
        let calls = Arc::new(AtomicUsize::new(0));
        let s = pages(calls.clone(), 0, 10);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            0,
            "nothing fetched before polling"
        );
        let got: Vec<usize> = s.try_collect().await.unwrap();
        assert!(got.is_empty());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn error_ends_stream() {
        let s = paginate(|marker: Option<String>| async move {
            match marker {
                None => Ok(Page {
                    items: vec![1],
                    next: Some("m".into()),
                }),
                Some(_) => Err(ClientError::new(crate::ErrorKind::Connection, "boom")),
            }
        });
        let items: Vec<Result<i32, ClientError>> = s.collect().await;
        assert_eq!(items.len(), 2);
        assert_eq!(*items[0].as_ref().unwrap(), 1);
        assert_eq!(items[1].as_ref().unwrap_err().message, "boom");
    }

    #[tokio::test]
    async fn repeated_marker_stops() {
        let s = paginate(|_marker: Option<String>| async move {
            Ok(Page {
                items: vec![1],
                next: Some("same".into()),
            })
        });
        let got: Vec<i32> = s.take(10).try_collect().await.unwrap();
        assert_eq!(got, vec![1, 1]);
    }
}
