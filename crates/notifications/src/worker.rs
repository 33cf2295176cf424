//! The outbox worker: queue what the clock makes due, claim, render, send, record.

use crate::links::LinkSigner;
use crate::render::{Compose, compose};
use crate::transport::{Postman, SendError};
use crate::wake::Wakeup;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use hourbook_store::Store;
use hourbook_store::outbox::{DigestPolicy, MessageKind, OutboxMessage};
use lettre::message::Mailbox;
use rand::Rng;

/// How a worker behaves.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Sender address.
    pub from: Mailbox,
    /// Base URL of links in messages, without a trailing slash.
    pub public_url: String,
    /// Time zone shifts are shown in.
    pub timezone: Tz,
    /// Messages claimed at once.
    pub batch_size: u64,
    /// How long a claim lasts before another worker may take the message over.
    pub lease: Duration,
    /// Claims of one message before it is given up.
    pub max_attempts: i32,
    /// First retry delay; each later one doubles, up to `retry_max`.
    pub retry_base: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// Longest wait between passes when nothing wakes the worker.
    pub poll_interval: std::time::Duration,
    /// Time between runs of the reminder and digest schedule.
    pub schedule_interval: Duration,
    /// When organizers hear about records coming due.
    pub digest: DigestPolicy,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    /// Messages claimed (sent, retrying, failed, skipped or lost to another worker).
    pub claimed: usize,
    /// Messages sent.
    pub sent: usize,
    /// Messages that failed and will be retried.
    pub retrying: usize,
    /// Messages given up on.
    pub failed: usize,
}

/// A worker: any number may run at once, in one process or many.
pub struct Worker<P> {
    store: Store,
    postman: P,
    signer: LinkSigner,
    settings: WorkerSettings,
    /// The local day whose digests this worker has queued.
    digest_day: std::sync::Mutex<Option<chrono::NaiveDate>>,
}

/// The delay before retry number `attempt` (1-based): exponential, capped, with jitter
/// ("equal jitter": between half and all of the exponential delay) so that messages that
/// failed together do not all come back at the same moment.
pub fn retry_delay(attempt: i32, base: Duration, max: Duration, rng: &mut impl Rng) -> Duration {
    let exponent = attempt.saturating_sub(1).clamp(0, 30) as u32;
    let full = base
        .num_milliseconds()
        .saturating_mul(1_i64 << exponent)
        .min(max.num_milliseconds())
        .max(1);
    Duration::milliseconds(rng.gen_range(full / 2..=full))
}

impl<P: Postman> Worker<P> {
    /// A worker sending through `postman`.
    pub fn new(store: Store, postman: P, signer: LinkSigner, settings: WorkerSettings) -> Self {
        Self {
            store,
            postman,
            signer,
            settings,
            digest_day: std::sync::Mutex::new(None),
        }
    }

    /// Queues the reminders and digests that are due; returns how many were queued. The
    /// digests are looked at once a day per worker (their keys make them once a day anyway;
    /// this saves reading every pending record each interval).
    pub async fn schedule(&self, now: DateTime<Utc>) -> Result<usize, hourbook_store::StoreError> {
        let mut queued = self.store.enqueue_due_reminders(now).await?;
        let today = now
            .with_timezone(&self.settings.digest.deadline.timezone)
            .date_naive();
        let done = *self.digest_day.lock().unwrap_or_else(|e| e.into_inner()) == Some(today);
        if !done
            && let Some(digests) = self
                .store
                .enqueue_overdue_digests(self.settings.digest, now)
                .await?
        {
            queued += digests;
            *self.digest_day.lock().unwrap_or_else(|e| e.into_inner()) = Some(today);
        }
        Ok(queued)
    }

    /// Claims one batch of due messages and sends it.
    pub async fn deliver_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<PassReport, hourbook_store::StoreError> {
        let s = &self.settings;
        let claim = self
            .store
            .claim_due_messages(now, s.batch_size, s.lease, s.max_attempts)
            .await?;
        let mut report = PassReport {
            claimed: claim.claimed,
            ..PassReport::default()
        };
        let started = std::time::Instant::now();
        for message in claim.messages {
            // A slow relay can outlast the lease: then another worker may have taken the
            // rest of this batch over, and sending it from here too would double it.
            let at = now + Duration::from_std(started.elapsed()).unwrap_or_default();
            if !self
                .store
                .renew_claim(message.id, claim.token, s.lease, at)
                .await?
            {
                tracing::info!(message_id = %message.id, "claim lapsed; left to the worker that took it over");
                continue;
            }
            let outcome = match self.build(&message, now) {
                Ok(email) => self.postman.deliver(email).await,
                Err(e) => Err(SendError {
                    reason: e.to_string(),
                    permanent: true,
                }),
            };
            match outcome {
                Ok(()) => {
                    self.store.mark_sent(message.id, claim.token, now).await?;
                    report.sent += 1;
                }
                Err(e) => {
                    let give_up = e.permanent || message.attempts >= s.max_attempts;
                    let delay = retry_delay(
                        message.attempts,
                        s.retry_base,
                        s.retry_max,
                        &mut rand::thread_rng(),
                    );
                    tracing::warn!(message_id = %message.id, kind = message.kind.name(), error = %e.reason, give_up, "sending failed");
                    self.store
                        .mark_failed(message.id, claim.token, &e.reason, give_up, delay, now)
                        .await?;
                    if give_up {
                        report.failed += 1;
                    } else {
                        report.retrying += 1;
                    }
                }
            }
        }
        Ok(report)
    }

    /// Claims and sends batches until nothing is due.
    pub async fn drain(
        &self,
        now: DateTime<Utc>,
    ) -> Result<PassReport, hourbook_store::StoreError> {
        let mut total = PassReport::default();
        loop {
            let pass = self.deliver_due(now).await?;
            total.claimed += pass.claimed;
            total.sent += pass.sent;
            total.retrying += pass.retrying;
            total.failed += pass.failed;
            if pass.claimed == 0 {
                return Ok(total);
            }
        }
    }

    fn build(
        &self,
        message: &OutboxMessage,
        now: DateTime<Utc>,
    ) -> Result<lettre::Message, crate::render::ComposeError> {
        let s = &self.settings;
        let unsubscribe_url = message
            .recipient_account_id
            .filter(|_| !message.kind.always_sent())
            .map(|account| {
                format!(
                    "{}/unsubscribe/{}",
                    s.public_url,
                    self.signer.unsubscribe_token(account, message.kind)
                )
            });
        let action_url = (message.kind == MessageKind::ClaimHostRequest)
            .then(|| message.payload["claim_id"].as_str()?.parse().ok())
            .flatten()
            .map(|claim| {
                format!(
                    "{}/claims/host/{}",
                    s.public_url,
                    self.signer.claim_host_token(claim)
                )
            });
        compose(
            message,
            &Compose {
                from: &s.from,
                public_url: &s.public_url,
                timezone: s.timezone,
                unsubscribe_url,
                action_url,
                now,
            },
        )
    }

    /// Runs until `shutdown` fires: a pass whenever woken or every poll interval, and the
    /// schedule every schedule interval. Errors are logged and the loop goes on (the
    /// database may be back at the next pass).
    pub async fn run(
        self,
        clock: impl Fn() -> DateTime<Utc> + Send,
        wakeup: Wakeup,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        let mut next_schedule = clock();
        loop {
            let now = clock();
            if now >= next_schedule {
                next_schedule = now + self.settings.schedule_interval;
                if let Err(e) = self.schedule(now).await {
                    tracing::error!(error = %e, "queuing reminders and digests failed");
                }
            }
            if let Err(e) = self.drain(now).await {
                tracing::error!(error = %e, "outbox pass failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.settings.poll_interval) => {}
                _ = wakeup.woken() => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn retry_delays_grow_exponentially_with_jitter_up_to_the_cap() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let (base, max) = (Duration::minutes(1), Duration::hours(6));
        for attempt in 1..=20 {
            let full = (Duration::minutes(1) * 2_i32.pow((attempt - 1).min(20) as u32)).min(max);
            let seen: Vec<Duration> = (0..200)
                .map(|_| retry_delay(attempt, base, max, &mut rng))
                .collect();
            assert!(
                seen.iter().all(|d| *d >= full / 2 && *d <= full),
                "attempt {attempt}"
            );
            // Jitter: the delays of messages that failed together differ.
            let distinct: std::collections::HashSet<_> = seen.iter().collect();
            assert!(
                distinct.len() > 100,
                "attempt {attempt}: {} distinct",
                distinct.len()
            );
        }
    }
}
