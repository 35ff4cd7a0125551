//! Job announcements over Redis Streams (filled in with `pelab worker`).

use uuid::Uuid;

/// A Redis Streams queue.
#[derive(Clone)]
pub struct RedisQueue {
    client: redis::Client,
}

impl RedisQueue {
    /// Connects lazily to `url`.
    ///
    /// # Errors
    /// An invalid URL.
    pub fn new(url: &str) -> Result<Self, redis::RedisError> {
        Ok(RedisQueue {
            client: redis::Client::open(url)?,
        })
    }

    /// Adds the job id to the jobs stream.
    ///
    /// # Errors
    /// Redis errors.
    pub async fn announce(&self, job: Uuid) -> Result<(), redis::RedisError> {
        let mut conn = self.client.get_multiplexed_async_connection().await?;
        let _: String = redis::cmd("XADD")
            .arg("pelab:jobs")
            .arg("*")
            .arg("job")
            .arg(job.to_string())
            .query_async(&mut conn)
            .await?;
        Ok(())
    }
}
