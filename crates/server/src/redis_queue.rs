//! Job announcements over Redis Streams.
//!
//! Keys, all under a configurable prefix (`pelab` by default):
//! - `PREFIX:jobs`: a stream with one entry `job=<uuid>` per announcement;
//! - `PREFIX:workers`: the consumer group on that stream, one consumer per worker task;
//! - `PREFIX:jobs:dead`: dead-letter stream (`job`, `reason`, `deliveries`, `worker`);
//! - `PREFIX:delayed`: sorted set of job ids waiting for a retry, scored by the time
//!   they are due [ms since the Unix epoch];
//! - `PREFIX:live:<run>`: live stream messages of a running simulation, see
//!   [`crate::live_relay`].
//!
//! An entry only wakes a worker. The job row in the database decides who runs a job,
//! so a duplicate, late or lost entry never runs a job twice or loses it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::MultiplexedConnection;
use redis::streams::{StreamAutoClaimReply, StreamReadReply};
use redis::{AsyncConnectionConfig, FromRedisValue, RedisResult};
use uuid::Uuid;

/// Entries kept in the jobs stream; older ones are trimmed (approximately). Jobs whose
/// entry was trimmed unread are still found by the workers' database poll.
const MAX_JOB_ENTRIES: u64 = 100_000;

/// Entries kept in the dead-letter stream.
const MAX_DEAD_ENTRIES: u64 = 10_000;

/// Time allowed to open a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Time allowed for a reply, on top of a blocking read's own wait.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

/// A Redis Streams queue under one key prefix.
#[derive(Clone)]
pub struct RedisQueue {
    client: redis::Client,
    prefix: String,
    connection: Arc<tokio::sync::Mutex<Option<MultiplexedConnection>>>,
    group_ready: Arc<AtomicBool>,
}

/// One stream entry handed to this consumer.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Stream entry id.
    pub entry: String,
    /// The announced job, or `None` when the entry has no valid `job` field.
    pub job: Option<Uuid>,
    /// How often the entry was delivered, this time included.
    pub deliveries: u64,
}

impl RedisQueue {
    /// Connects lazily to `url` with the default key prefix `pelab`.
    ///
    /// # Errors
    /// An invalid URL.
    pub fn new(url: &str) -> Result<Self, redis::RedisError> {
        Self::with_prefix(url, "pelab")
    }

    /// Connects lazily to `url`; all keys start with `prefix`.
    ///
    /// # Errors
    /// An invalid URL.
    pub fn with_prefix(url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        Ok(RedisQueue {
            client: redis::Client::open(url)?,
            prefix: prefix.to_string(),
            connection: Arc::new(tokio::sync::Mutex::new(None)),
            group_ready: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Returns a handle with its own connection, for a task that issues blocking reads,
    /// because a blocking command delays every other command on the same connection.
    pub fn dedicated(&self) -> RedisQueue {
        RedisQueue {
            connection: Arc::new(tokio::sync::Mutex::new(None)),
            ..self.clone()
        }
    }

    /// The key of the jobs stream.
    pub fn jobs_key(&self) -> String {
        format!("{}:jobs", self.prefix)
    }

    /// The name of the workers' consumer group.
    pub fn group_name(&self) -> String {
        format!("{}:workers", self.prefix)
    }

    /// The key of the dead-letter stream.
    pub fn dead_key(&self) -> String {
        format!("{}:jobs:dead", self.prefix)
    }

    /// Returns the key `PREFIX:suffix`.
    pub(crate) fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.prefix)
    }

    /// The key of the sorted set of delayed retries.
    pub fn delayed_key(&self) -> String {
        format!("{}:delayed", self.prefix)
    }

    async fn connection(&self) -> RedisResult<MultiplexedConnection> {
        let mut slot = self.connection.lock().await;
        if let Some(conn) = slot.as_ref() {
            return Ok(conn.clone());
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(CONNECT_TIMEOUT)
            .set_response_timeout(RESPONSE_TIMEOUT);
        let conn = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *slot = Some(conn.clone());
        Ok(conn)
    }

    /// Runs one command; drops the connection after an I/O error or a timeout so the
    /// next command reconnects (Redis restarted or the network failed).
    pub(crate) async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> RedisResult<T> {
        let mut conn = self.connection().await?;
        let result = cmd.query_async(&mut conn).await;
        if let Err(e) = &result {
            if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() {
                *self.connection.lock().await = None;
            }
            if e.code() == Some("NOGROUP") {
                self.group_ready.store(false, Ordering::Relaxed);
            }
        }
        result
    }

    /// Creates the stream and its consumer group unless they exist. The group starts
    /// at the first entry, so announcements made before any worker started are read.
    async fn ensure_group(&self) -> RedisResult<()> {
        if self.group_ready.load(Ordering::Relaxed) {
            return Ok(());
        }
        let created: RedisResult<String> = self
            .query(
                redis::cmd("XGROUP")
                    .arg("CREATE")
                    .arg(self.jobs_key())
                    .arg(self.group_name())
                    .arg("0")
                    .arg("MKSTREAM"),
            )
            .await;
        match created {
            Ok(_) => {}
            Err(e) if e.code() == Some("BUSYGROUP") => {}
            Err(e) => return Err(e),
        }
        self.group_ready.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Adds the job id to the jobs stream.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn announce(&self, job: Uuid) -> Result<(), redis::RedisError> {
        self.ensure_group().await?;
        let _: String = self
            .query(
                redis::cmd("XADD")
                    .arg(self.jobs_key())
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(MAX_JOB_ENTRIES)
                    .arg("*")
                    .arg("job")
                    .arg(job.to_string()),
            )
            .await?;
        Ok(())
    }

    /// Waits up to `block` for a new entry for `consumer`.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn read(&self, consumer: &str, block: Duration) -> RedisResult<Option<Delivery>> {
        self.ensure_group().await?;
        let reply: Option<StreamReadReply> = self
            .query(
                redis::cmd("XREADGROUP")
                    .arg("GROUP")
                    .arg(self.group_name())
                    .arg(consumer)
                    .arg("COUNT")
                    .arg(1)
                    .arg("BLOCK")
                    .arg(block.as_millis() as u64)
                    .arg("STREAMS")
                    .arg(self.jobs_key())
                    .arg(">"),
            )
            .await?;
        let entry = reply
            .into_iter()
            .flat_map(|r| r.keys)
            .flat_map(|k| k.ids)
            .next();
        Ok(entry.map(|e| Delivery {
            job: job_of(&e.map),
            entry: e.id,
            deliveries: 1,
        }))
    }

    /// Takes over one entry that another consumer received but has not acknowledged
    /// for `min_idle` (its worker died). `cursor` is where the scan of pending entries
    /// resumes; start it at `0-0`.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn reclaim(
        &self,
        consumer: &str,
        min_idle: Duration,
        cursor: &mut String,
    ) -> RedisResult<Option<Delivery>> {
        self.ensure_group().await?;
        let reply: StreamAutoClaimReply = self
            .query(
                redis::cmd("XAUTOCLAIM")
                    .arg(self.jobs_key())
                    .arg(self.group_name())
                    .arg(consumer)
                    .arg(min_idle.as_millis() as u64)
                    .arg(cursor.as_str())
                    .arg("COUNT")
                    .arg(1),
            )
            .await?;
        *cursor = reply.next_stream_id;
        let Some(entry) = reply.claimed.into_iter().next() else {
            return Ok(None);
        };
        let deliveries = self.deliveries(&entry.id).await?;
        Ok(Some(Delivery {
            job: job_of(&entry.map),
            entry: entry.id,
            deliveries,
        }))
    }

    /// Reads the delivery count of a pending entry.
    async fn deliveries(&self, entry: &str) -> RedisResult<u64> {
        let rows: Vec<(String, String, u64, u64)> = self
            .query(
                redis::cmd("XPENDING")
                    .arg(self.jobs_key())
                    .arg(self.group_name())
                    .arg(entry)
                    .arg(entry)
                    .arg(1),
            )
            .await?;
        Ok(rows.first().map_or(1, |r| r.3))
    }

    /// Resets the idle time of an entry this consumer holds, so other consumers do
    /// not take it over while its job runs. The delivery count is not changed.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn touch(&self, consumer: &str, entry: &str) -> RedisResult<()> {
        let _: Vec<String> = self
            .query(
                redis::cmd("XCLAIM")
                    .arg(self.jobs_key())
                    .arg(self.group_name())
                    .arg(consumer)
                    .arg(0)
                    .arg(entry)
                    .arg("JUSTID"),
            )
            .await?;
        Ok(())
    }

    /// Acknowledges an entry: no consumer will be handed it again.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn ack(&self, entry: &str) -> RedisResult<()> {
        let _: i64 = self
            .query(
                redis::cmd("XACK")
                    .arg(self.jobs_key())
                    .arg(self.group_name())
                    .arg(entry),
            )
            .await?;
        Ok(())
    }

    /// Records a dead job on the dead-letter stream.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn dead_letter(
        &self,
        job: Uuid,
        reason: &str,
        deliveries: u64,
        worker: &str,
    ) -> RedisResult<()> {
        let _: String = self
            .query(
                redis::cmd("XADD")
                    .arg(self.dead_key())
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(MAX_DEAD_ENTRIES)
                    .arg("*")
                    .arg("job")
                    .arg(job.to_string())
                    .arg("reason")
                    .arg(reason)
                    .arg("deliveries")
                    .arg(deliveries)
                    .arg("worker")
                    .arg(worker),
            )
            .await?;
        Ok(())
    }

    /// Schedules a job to be announced again at `due`.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn schedule(&self, job: Uuid, due: SystemTime) -> RedisResult<()> {
        let _: i64 = self
            .query(
                redis::cmd("ZADD")
                    .arg(self.delayed_key())
                    .arg(epoch_ms(due))
                    .arg(job.to_string()),
            )
            .await?;
        Ok(())
    }

    /// Announces the scheduled jobs that are due; returns how many this call moved.
    /// Each job is removed from the set before it is announced, and only the caller
    /// whose removal succeeded announces it, so concurrent workers announce it once.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn promote_due(&self) -> RedisResult<usize> {
        let due: Vec<String> = self
            .query(
                redis::cmd("ZRANGEBYSCORE")
                    .arg(self.delayed_key())
                    .arg("-inf")
                    .arg(epoch_ms(SystemTime::now()))
                    .arg("LIMIT")
                    .arg(0)
                    .arg(16),
            )
            .await?;
        let mut moved = 0;
        for member in due {
            let removed: i64 = self
                .query(redis::cmd("ZREM").arg(self.delayed_key()).arg(&member))
                .await?;
            if removed != 1 {
                continue;
            }
            match Uuid::parse_str(&member) {
                Ok(job) => {
                    self.announce(job).await?;
                    moved += 1;
                }
                Err(_) => tracing::warn!(%member, "dropped an invalid job id from the retry set"),
            }
        }
        Ok(moved)
    }

    /// Removes `consumer` from the group when it has no pending entries (a worker that
    /// stops cleanly); a consumer with pending entries stays so they can be taken over.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn remove_consumer(&self, consumer: &str) -> RedisResult<bool> {
        let pending: Vec<(String, String, u64, u64)> = self
            .query(
                redis::cmd("XPENDING")
                    .arg(self.jobs_key())
                    .arg(self.group_name())
                    .arg("-")
                    .arg("+")
                    .arg(1)
                    .arg(consumer),
            )
            .await?;
        if !pending.is_empty() {
            return Ok(false);
        }
        let _: i64 = self
            .query(
                redis::cmd("XGROUP")
                    .arg("DELCONSUMER")
                    .arg(self.jobs_key())
                    .arg(self.group_name())
                    .arg(consumer),
            )
            .await?;
        Ok(true)
    }
}

/// Parses the job id in an entry's fields.
fn job_of(fields: &std::collections::HashMap<String, redis::Value>) -> Option<Uuid> {
    let value = fields.get("job")?;
    let text: String = redis::from_redis_value(value).ok()?;
    Uuid::parse_str(&text).ok()
}

/// Milliseconds since the Unix epoch (0 before it).
fn epoch_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
