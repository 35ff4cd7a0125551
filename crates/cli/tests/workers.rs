//! `pelab worker` processes against a real PostgreSQL database and Redis on
//! 127.0.0.1: an in-process server with no workers of its own queues runs over the
//! HTTP API, and worker processes share its database and waveform directory.
//!
//! Each test makes its own database, Redis key prefix and data directory, and the
//! tests run one at a time because the simulations share the machine's cores.

use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use pelab_store::{ConnectOptions, Job, JobStatus, Store};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

const REDIS_URL: &str = "redis://127.0.0.1:6379";

/// Time a test waits for a run to end; generous because the CI machine is shared.
const RUN_TIMEOUT: Duration = Duration::from_secs(240);

/// Simulated time of a run that takes over a second even on an idle machine (1.2 s in
/// a debug build there), so it can be interrupted.
const LONG_TIMESPAN: f64 = 60e-3;
/// A run long enough to be cancelled mid-way on an idle machine too (about 6 s there).
/// It records one signal to keep its memory small.
const CANCEL_TIMESPAN: f64 = 300e-3;

/// Simulated time of a quick run.
const SHORT_TIMESPAN: f64 = 0.2e-3;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Worker processes, killed when the test ends however it ends.
#[derive(Default)]
struct Workers(Vec<Child>);

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.0 {
            if child.try_wait().ok().flatten().is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

struct Cluster {
    addr: SocketAddr,
    server: Option<pelab_server::Running>,
    store: Store,
    database_url: String,
    prefix: String,
    data_dir: tempfile::TempDir,
    stale_secs: u64,
    project: Uuid,
    workers: Workers,
    /// An admin API token for the HTTP requests.
    token: String,
}

impl Cluster {
    /// Starts the server on `port` with a fresh database and Redis prefix.
    async fn start(port: u16, stale_secs: u64) -> Cluster {
        let database_url = pelab_store::testing::fresh_postgres_database()
            .await
            .expect("PostgreSQL on 127.0.0.1:5432 creates a test database");
        let prefix = format!("pelab-test-{}", Uuid::now_v7().simple());
        let data_dir = tempfile::tempdir().expect("a temporary directory");
        let env: Vec<(String, String)> = [
            ("PELAB_LISTEN", format!("127.0.0.1:{port}")),
            ("PELAB_DATA_DIR", data_dir.path().display().to_string()),
            ("PELAB_DATABASE_URL", database_url.clone()),
            ("PELAB_REDIS_URL", REDIS_URL.to_string()),
            ("PELAB_REDIS_PREFIX", prefix.clone()),
            ("PELAB_WORKERS", "0".to_string()),
            ("PELAB_MQTT_MODE", "off".to_string()),
            ("PELAB_SEED", "false".to_string()),
            ("PELAB_MAX_ATTEMPTS", "3".to_string()),
            ("PELAB_JOB_STALE_SECS", stale_secs.to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let config = pelab_server::Config::load(None, env).expect("a valid configuration");
        let server = pelab_server::start(config)
            .await
            .expect("the server starts");
        let store = Store::connect(&database_url, &ConnectOptions::default())
            .await
            .expect("the test database opens");
        let admin = store
            .active_user(server.state.user_id)
            .await
            .expect("the store answers")
            .expect("the first admin exists");
        let scopes = ["read", "write"].map(str::to_string).to_vec();
        let (_, token) = pelab_server::auth::issue_api_token(&store, &admin, "tests", scopes, None)
            .await
            .expect("a token");
        let mut cluster = Cluster {
            token,
            addr: server.addr,
            server: Some(server),
            store,
            database_url,
            prefix,
            data_dir,
            stale_secs,
            project: Uuid::nil(),
            workers: Workers::default(),
        };
        let (status, project) = cluster
            .http(
                "POST",
                "/api/v1/projects",
                Some(&json!({"name": "worker tests", "domain": "DC"})),
            )
            .await;
        assert_eq!(status, 201, "{project}");
        cluster.project = uuid_of(&project["id"]);
        cluster
    }

    /// Starts a `pelab worker` process with one worker task; `extra` adds variables.
    fn spawn_worker(&mut self, extra: &[(&str, &str)]) -> u32 {
        let n = self.workers.0.len();
        let log = std::fs::File::create(self.data_dir.path().join(format!("worker-{n}.log")))
            .expect("a log file");
        // The worker logs to stdout; errors before logging starts go to stderr.
        let log_err = log.try_clone().expect("a second handle on the log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_pelab"));
        command
            .arg("worker")
            .current_dir(self.data_dir.path())
            .env("PELAB_DATA_DIR", self.data_dir.path())
            .env("PELAB_DATABASE_URL", &self.database_url)
            .env("PELAB_REDIS_URL", REDIS_URL)
            .env("PELAB_REDIS_PREFIX", &self.prefix)
            .env("PELAB_WORKERS", "1")
            .env("PELAB_MQTT_MODE", "off")
            .env("PELAB_JOB_STALE_SECS", self.stale_secs.to_string())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        for (key, value) in extra {
            command.env(key, value);
        }
        let child = command.spawn().expect("pelab worker starts");
        let pid = child.id();
        self.workers.0.push(child);
        pid
    }

    /// All worker logs, for failure messages.
    fn logs(&self) -> String {
        let mut text = String::new();
        for n in 0..self.workers.0.len() {
            let path = self.data_dir.path().join(format!("worker-{n}.log"));
            let log = std::fs::read_to_string(&path).unwrap_or_default();
            text.push_str(&format!("--- {}\n{log}\n", path.display()));
        }
        text
    }

    async fn http(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut stream = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("the server accepts connections");
        let body = body.map(Value::to_string).unwrap_or_default();
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Authorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            self.token,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .await
            .expect("the request is sent");
        let mut response = Vec::new();
        stream
            .read_to_end(&mut response)
            .await
            .expect("the response is read");
        let text = String::from_utf8_lossy(&response);
        let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status code");
        let value = if body.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()))
        };
        (status, value)
    }

    /// Queues a buck run over the HTTP API; returns the run id.
    async fn queue_run(&self, timespan: f64, signals: Option<&[&str]>) -> Uuid {
        let mut request = buck_request(self.project, timespan);
        if let Some(signals) = signals {
            request["signals"] = json!(signals);
        }
        let (status, body) = self
            .http("POST", "/api/v1/simulate/run", Some(&request))
            .await;
        assert_eq!(status, 202, "{body}");
        uuid_of(&body["run_id"])
    }

    async fn run(&self, id: Uuid) -> Value {
        let (status, body) = self
            .http("GET", &format!("/api/v1/simulate/run/{id}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Waits until the run is done, failed or cancelled.
    async fn wait_final(&self, id: Uuid) -> Value {
        let start = Instant::now();
        loop {
            let run = self.run(id).await;
            if ["done", "failed", "cancelled"].contains(&run["status"].as_str().unwrap_or("")) {
                return run;
            }
            assert!(
                start.elapsed() < RUN_TIMEOUT,
                "run {id} still {} after {RUN_TIMEOUT:?}\n{}",
                run["status"],
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits until a worker holds the run's job and the simulation has progressed;
    /// returns the job.
    async fn wait_mid_job(&self, id: Uuid) -> Job {
        let start = Instant::now();
        loop {
            let run = self.run(id).await;
            let jobs = self
                .store
                .jobs_of_run(id)
                .await
                .expect("the jobs of the run");
            let progress = run["progress"].as_f64().unwrap_or(0.0);
            assert!(
                ["queued", "running"].contains(&run["status"].as_str().unwrap_or("")),
                "run {id} ended before it could be interrupted: {run}"
            );
            if let Some(job) = jobs.first()
                && job.status == JobStatus::Running
                && job.claimed_by.is_some()
                && progress > 0.05
            {
                assert!(progress < 0.9, "run {id} is nearly finished: {progress}");
                return job.clone();
            }
            assert!(
                start.elapsed() < RUN_TIMEOUT,
                "run {id} never got going: {run}\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn only_job(&self, run: Uuid) -> Job {
        let jobs = self
            .store
            .jobs_of_run(run)
            .await
            .expect("the jobs of the run");
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        jobs[0].clone()
    }

    /// Names of the waveform files stored for a run.
    fn waveform_files(&self, run: Uuid) -> Vec<String> {
        let dir = self.data_dir.path().join("waveforms");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("the waveform directory")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(&run.to_string()))
            .collect();
        names.sort();
        names
    }

    fn child_mut(&mut self, pid: u32) -> &mut Child {
        self.workers
            .0
            .iter_mut()
            .find(|c| c.id() == pid)
            .expect("the worker is one of ours")
    }

    /// Dead-letter entries: (job id, reason).
    fn dead_letters(&self) -> Vec<(String, String)> {
        let client = redis::Client::open(REDIS_URL).expect("a Redis URL");
        let mut conn = client.get_connection().expect("Redis on 127.0.0.1:6379");
        let reply: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
            .arg(format!("{}:jobs:dead", self.prefix))
            .arg("-")
            .arg("+")
            .query(&mut conn)
            .expect("XRANGE of the dead-letter stream");
        reply
            .ids
            .iter()
            .map(|entry| {
                let field = |name: &str| -> String {
                    entry
                        .map
                        .get(name)
                        .and_then(|v| redis::from_redis_value(v).ok())
                        .unwrap_or_default()
                };
                (field("job"), field("reason"))
            })
            .collect()
    }

    async fn close(mut self) {
        drop(std::mem::take(&mut self.workers));
        if let Some(server) = self.server.take() {
            server.shutdown().await;
        }
        self.store.close().await;
        if let Ok(client) = redis::Client::open(REDIS_URL)
            && let Ok(mut conn) = client.get_connection()
        {
            let _: Result<i64, _> = redis::cmd("DEL")
                .arg(format!("{}:jobs", self.prefix))
                .arg(format!("{}:jobs:dead", self.prefix))
                .arg(format!("{}:delayed", self.prefix))
                .query(&mut conn);
        }
        let _ = pelab_store::testing::drop_postgres_database(&self.database_url).await;
    }
}

fn uuid_of(value: &Value) -> Uuid {
    value
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .unwrap_or_else(|| panic!("{value} is not a UUID"))
}

/// The 48 V to 12 V buck of `examples/dc-48v-12v-buck.toml` as an inline request.
fn buck_request(project: Uuid, timespan: f64) -> Value {
    json!({
        "project_id": project,
        "topology": "buck",
        "parameters": {
            "v_in": 48.0, "l": 2.2e-6, "r_l": 1.5e-3, "c": 200e-6, "r_c": 0.5e-3,
            "r_load": 0.24, "f_sw": 500e3, "rectifier": "synchronous", "r_on": 3.2e-3,
            "v_f": 1.8, "r_d": 10e-3, "t_dead": 10e-9
        },
        "controller": {"mode": "voltage", "v_ref": 12.0, "soft_start": 200e-6, "i_max": 80.0},
        "simulation": {"t_stop": timespan, "output_step": 1e-7}
    })
}

/// The worker process id in a claim name `host:pid:n`.
fn pid_of(job: &Job) -> u32 {
    let name = job.claimed_by.as_deref().expect("a claimed job");
    name.split(':')
        .nth(1)
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("claim name {name} has no process id"))
}

fn terminate(pid: u32) {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -TERM {pid}: {status}");
}

/// Waits for a process to exit.
async fn wait_exit(child: &mut Child, timeout: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("the worker's status") {
            return status;
        }
        assert!(
            start.elapsed() < timeout,
            "worker {} still running",
            child.id()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_runs_each_finish_once() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start(3911, 30).await;
    let pids: Vec<u32> = (0..3).map(|_| cluster.spawn_worker(&[])).collect();
    let mut runs = Vec::new();
    for _ in 0..6 {
        runs.push(cluster.queue_run(SHORT_TIMESPAN, None).await);
    }
    for &run in &runs {
        let result = cluster.wait_final(run).await;
        assert_eq!(result["status"], "done", "{result}\n{}", cluster.logs());
        assert!(result["samples"].as_i64().unwrap_or(0) > 0, "{result}");
        let job = cluster.only_job(run).await;
        assert_eq!(job.status, JobStatus::Done);
        assert_eq!(job.attempts, 1, "{job:?}");
        assert!(pids.contains(&pid_of(&job)), "{job:?} not run by {pids:?}");
        assert_eq!(cluster.waveform_files(run), vec![format!("{run}-1.pwf")]);
    }
    for pid in pids {
        terminate(pid);
        let status = wait_exit(cluster.child_mut(pid), Duration::from_secs(20)).await;
        assert!(status.success(), "worker {pid} after SIGTERM: {status}");
    }
    cluster.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_worker_job_is_reclaimed_once() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start(3912, 2).await;
    for _ in 0..3 {
        cluster.spawn_worker(&[]);
    }
    let run = cluster.queue_run(LONG_TIMESPAN, None).await;
    let job = cluster.wait_mid_job(run).await;
    let victim = pid_of(&job);
    let child = cluster.child_mut(victim);
    child.kill().expect("SIGKILL the worker holding the job");
    let _ = child.wait();

    let result = cluster.wait_final(run).await;
    assert_eq!(result["status"], "done", "{result}\n{}", cluster.logs());
    let job = cluster.only_job(run).await;
    assert_eq!(job.status, JobStatus::Done);
    assert_eq!(job.attempts, 2, "{job:?}");
    assert_ne!(pid_of(&job), victim);
    assert_eq!(cluster.waveform_files(run), vec![format!("{run}-2.pwf")]);
    cluster.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_final_or_dead_lettered() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start(3913, 30).await;
    // A 1-byte quota makes every waveform write fail: a storage error that is retried.
    for _ in 0..2 {
        cluster.spawn_worker(&[("PELAB_WAVEFORM_QUOTA", "1")]);
    }

    let bad_signal = cluster
        .queue_run(SHORT_TIMESPAN, Some(&["no_such_signal"]))
        .await;
    let result = cluster.wait_final(bad_signal).await;
    assert_eq!(result["status"], "failed", "{result}");
    let error = result["error"].as_str().unwrap_or("");
    assert!(error.contains("no_such_signal"), "{error}");
    let job = cluster.only_job(bad_signal).await;
    assert_eq!(job.status, JobStatus::Failed, "{job:?}");
    assert_eq!(
        job.attempts, 1,
        "a failed simulation is not retried: {job:?}"
    );

    let no_space = cluster.queue_run(SHORT_TIMESPAN, None).await;
    let result = cluster.wait_final(no_space).await;
    assert_eq!(result["status"], "failed", "{result}\n{}", cluster.logs());
    let error = result["error"].as_str().unwrap_or("");
    assert!(error.contains("failed 3 times"), "{error}");
    assert!(error.contains("waveform storage is full"), "{error}");
    let job = cluster.only_job(no_space).await;
    assert_eq!(job.status, JobStatus::Dead, "{job:?}");
    assert_eq!(job.attempts, 3, "{job:?}");
    assert!(cluster.waveform_files(no_space).is_empty());

    // The dead-letter entry is written just after the job row; give it a moment.
    let start = Instant::now();
    let letters = loop {
        let letters = cluster.dead_letters();
        if !letters.is_empty() || start.elapsed() > Duration::from_secs(10) {
            break letters;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0].0, job.id.to_string());
    assert!(
        letters[0].1.contains("waveform storage is full"),
        "{letters:?}"
    );
    cluster.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_runs_stop_and_cancel() {
    let _serial = SERIAL.lock().await;
    let mut cluster = Cluster::start(3914, 30).await;
    for _ in 0..2 {
        cluster.spawn_worker(&[]);
    }

    // SIGTERM while a job runs: the worker finishes it, then exits cleanly.
    let finished = cluster.queue_run(LONG_TIMESPAN, None).await;
    let job = cluster.wait_mid_job(finished).await;
    let holder = pid_of(&job);
    terminate(holder);
    let result = cluster.wait_final(finished).await;
    assert_eq!(result["status"], "done", "{result}\n{}", cluster.logs());
    let job = cluster.only_job(finished).await;
    assert_eq!(job.attempts, 1, "{job:?}");
    assert_eq!(pid_of(&job), holder);
    let status = wait_exit(cluster.child_mut(holder), Duration::from_secs(20)).await;
    assert!(status.success(), "worker {holder} after SIGTERM: {status}");

    // Cancellation reaches the remaining worker through the database.
    let cancelled = cluster.queue_run(CANCEL_TIMESPAN, Some(&["v(out)"])).await;
    cluster.wait_mid_job(cancelled).await;
    let (status, body) = cluster
        .http(
            "POST",
            &format!("/api/v1/simulate/run/{cancelled}/cancel"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let result = cluster.wait_final(cancelled).await;
    assert_eq!(
        result["status"],
        "cancelled",
        "{result}\n{}",
        cluster.logs()
    );
    let job = cluster.only_job(cancelled).await;
    assert_eq!(job.status, JobStatus::Cancelled, "{job:?}");
    assert_eq!(job.attempts, 1, "{job:?}");
    assert!(cluster.waveform_files(cancelled).is_empty());
    cluster.close().await;
}
