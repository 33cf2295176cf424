//! Waking workers as soon as a message is queued, instead of at their next poll.
//!
//! In one process a `Notify` does it. Across processes a Redis channel does: a process that
//! queued a message publishes on it and every worker subscribed to it wakes. Redis only ever
//! wakes; the outbox table stays the truth, so a lost wake-up (or a lost Redis) costs at most
//! one polling interval.

use futures_util::StreamExt;
use redis::aio::ConnectionManager;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// Rings the workers' bell.
#[derive(Clone)]
pub struct Wakeup {
    local: Arc<Notify>,
    /// To the task that publishes on Redis; one pending wake-up is enough, so a full channel
    /// drops the new one (and a slow Redis never piles up work).
    remote: Option<mpsc::Sender<()>>,
}

impl Wakeup {
    /// Wakes workers in this process only.
    pub fn in_process() -> Self {
        Self {
            local: Arc::new(Notify::new()),
            remote: None,
        }
    }

    /// Also publishes on `channel`, for workers in other processes (from a task that ends
    /// when the last clone of this `Wakeup` is dropped).
    pub fn with_redis(manager: ConnectionManager, channel: String) -> Self {
        let (remote, mut wakes) = mpsc::channel::<()>(1);
        tokio::spawn(async move {
            let mut manager = manager;
            while wakes.recv().await.is_some() {
                let published: redis::RedisResult<()> = redis::cmd("PUBLISH")
                    .arg(&channel)
                    .arg("wake")
                    .query_async(&mut manager)
                    .await;
                if let Err(e) = published {
                    tracing::debug!(error = %e, "could not publish an outbox wake-up");
                }
            }
        });
        Self {
            local: Arc::new(Notify::new()),
            remote: Some(remote),
        }
    }

    /// Something may have been queued: wake the workers. Never waits and never fails.
    pub fn wake(&self) {
        self.local.notify_one();
        if let Some(remote) = &self.remote {
            let _ = remote.try_send(());
        }
    }

    /// Resolves at the next wake-up (one stored wake-up resolves at once).
    pub async fn woken(&self) {
        self.local.notified().await;
    }

    /// The local bell, for a Redis listener to ring.
    pub fn bell(&self) -> Arc<Notify> {
        self.local.clone()
    }
}

/// Subscribes to `channel` and rings `bell` on every message, reconnecting (after a pause)
/// whenever Redis goes away, until the task is dropped.
pub async fn listen(client: redis::Client, channel: String, bell: Arc<Notify>) {
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(&channel).await {
                Ok(()) => {
                    tracing::debug!(%channel, "listening for outbox wake-ups");
                    // Anything queued while we were away is found by this pass.
                    bell.notify_one();
                    let mut messages = pubsub.on_message();
                    while messages.next().await.is_some() {
                        bell.notify_one();
                    }
                    tracing::warn!("lost the Redis wake-up channel; polling until it is back");
                }
                Err(e) => tracing::warn!(error = %e, "cannot subscribe to outbox wake-ups"),
            },
            Err(e) => tracing::warn!(error = %e, "cannot reach Redis for outbox wake-ups"),
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}
