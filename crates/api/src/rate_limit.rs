//! Counting failed logins. One process keeps the count in memory; several processes behind a
//! load balancer must share it, so production keeps it in Redis.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts failures per key within a fixed window.
#[async_trait]
pub trait FailureCounter: Send + Sync {
    /// Failures recorded for `key` in the current window.
    async fn failures(&self, key: &str) -> anyhow::Result<u32>;
    /// Records one failure.
    async fn record_failure(&self, key: &str) -> anyhow::Result<()>;
    /// Forgets the key (after a successful login).
    async fn reset(&self, key: &str) -> anyhow::Result<()>;
}

/// In-process counter for the embedded default.
pub struct MemoryCounter {
    window: Duration,
    counts: Mutex<HashMap<String, (u32, Instant)>>,
}

impl MemoryCounter {
    /// A counter whose windows last `window`.
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, (u32, Instant)>) -> T) -> T {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        let window = self.window;
        counts.retain(|_, (_, started)| started.elapsed() < window);
        f(&mut counts)
    }
}

#[async_trait]
impl FailureCounter for MemoryCounter {
    async fn failures(&self, key: &str) -> anyhow::Result<u32> {
        Ok(self.with(|c| c.get(key).map_or(0, |(n, _)| *n)))
    }

    async fn record_failure(&self, key: &str) -> anyhow::Result<()> {
        self.with(|c| c.entry(key.to_string()).or_insert((0, Instant::now())).0 += 1);
        Ok(())
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        self.with(|c| c.remove(key));
        Ok(())
    }
}

/// Redis counter: INCR, with the window set as the key's expiry on the first failure.
pub struct RedisCounter {
    redis: redis::aio::ConnectionManager,
    window: Duration,
    prefix: String,
}

impl RedisCounter {
    /// A counter on `redis`; `prefix` keeps separate deployments (and tests) apart.
    pub fn new(redis: redis::aio::ConnectionManager, window: Duration, prefix: String) -> Self {
        Self {
            redis,
            window,
            prefix,
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}login-failures:{key}", self.prefix)
    }
}

#[async_trait]
impl FailureCounter for RedisCounter {
    async fn failures(&self, key: &str) -> anyhow::Result<u32> {
        let n: Option<u32> = redis::cmd("GET")
            .arg(self.key(key))
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(n.unwrap_or(0))
    }

    async fn record_failure(&self, key: &str) -> anyhow::Result<()> {
        let key = self.key(key);
        let (_, _): (u32, i32) = redis::pipe()
            .atomic()
            .cmd("INCR")
            .arg(&key)
            .cmd("EXPIRE")
            .arg(&key)
            .arg(self.window.as_secs().max(1))
            .arg("NX")
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(())
    }

    async fn reset(&self, key: &str) -> anyhow::Result<()> {
        let _: i32 = redis::cmd("DEL")
            .arg(self.key(key))
            .query_async(&mut self.redis.clone())
            .await?;
        Ok(())
    }
}
