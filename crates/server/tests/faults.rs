//! Faults: the database goes away and comes back, the waveform store is full, the
//! server restarts with queued jobs, a running simulation is cancelled.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pelab_store::testing::{drop_postgres_database, fresh_postgres_database};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};

/// A TCP proxy to the test PostgreSQL server that can drop every connection and refuse
/// new ones, as a database outage looks to the server.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    tasks: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Proxy {
    async fn start(upstream: &'static str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a local port is free");
        let port = listener.local_addr().expect("a local port is free").port();
        let up = Arc::new(AtomicBool::new(true));
        let tasks: Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (up2, tasks2) = (up.clone(), tasks.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                tasks2.lock().expect("the lock is not poisoned").push(task);
            }
        });
        Proxy { port, up, tasks }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for t in self
            .tasks
            .lock()
            .expect("the lock is not poisoned")
            .drain(..)
        {
            t.abort();
        }
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_outage_is_503_then_recovers_without_restart() {
    let url = fresh_postgres_database()
        .await
        .expect("PostgreSQL on 127.0.0.1:5432 is needed");
    let name = url
        .rsplit('/')
        .next()
        .expect("stderr is readable")
        .to_string();
    let proxy = Proxy::start("127.0.0.1:5432").await;
    let via_proxy = format!("postgres://postgres@127.0.0.1:{}/{name}", proxy.port);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(dir.path(), Some(via_proxy), &[]).await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;
    let project = json!({"name": "Outage", "domain": "DC"});
    let r = http
        .post(format!("{base}/projects"))
        .json(&project)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 201);

    proxy.down();
    let r = http
        .get(format!("{base}/projects"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 503);
    let problem: Value = r.json().await.expect("the body is the expected JSON");
    assert!(
        problem["detail"]
            .as_str()
            .expect("the field has the expected type")
            .contains("database"),
        "{problem}"
    );
    let ready = http
        .get(format!("http://{}/ready", server.addr))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(ready.status(), 503);

    proxy.up();
    let mut recovered = false;
    for _ in 0..50 {
        let r = http
            .get(format!("{base}/projects"))
            .send()
            .await
            .expect("the server answers");
        if r.status() == 200 {
            let list: Value = r.json().await.expect("the body is the expected JSON");
            assert_eq!(
                list.as_array()
                    .expect("the field has the expected type")
                    .len(),
                1,
                "nothing stored was lost"
            );
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "the server did not recover after the database came back"
    );
    server.shutdown().await;
    drop_postgres_database(&url)
        .await
        .expect("the test step succeeds");
}

async fn create_project_and_run(http: &reqwest::Client, base: &str, design: Value) -> String {
    let project: Value = http
        .post(format!("{base}/projects"))
        .json(&json!({"name": "Faults", "domain": "EV"}))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    let mut req = design;
    req["project_id"] = project["id"].clone();
    req.as_object_mut()
        .expect("the field has the expected type")
        .remove("name");
    let r = http
        .post(format!("{base}/simulate/run"))
        .json(&req)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(
        r.status(),
        202,
        "{}",
        r.text().await.expect("the body is readable")
    );
    let queued: Value = r.json().await.expect("the body is the expected JSON");
    queued["run_id"]
        .as_str()
        .expect("the field has the expected type")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_waveform_store_fails_run() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(dir.path(), None, &[("PELAB_WAVEFORM_QUOTA", "100000")]).await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;
    let run = create_project_and_run(&http, &base, common::boost_design("b")).await;
    let run = common::wait_final(&http, &base, &run, 60).await;
    assert_eq!(run["status"], "failed");
    let error = run["error"]
        .as_str()
        .expect("the field has the expected type");
    assert!(error.contains("waveform storage is full"), "{error}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_jobs_resume_after_a_restart() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(dir.path(), None, &[("PELAB_WORKERS", "0")]).await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;
    let run = create_project_and_run(&http, &base, common::boost_design("b")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r: Value = http
        .get(format!("{base}/simulate/run/{run}"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    assert_eq!(r["status"], "queued");
    server.shutdown().await;

    let server = common::start(dir.path(), None, &[]).await;
    let base = common::base(&server);
    let r = common::wait_final(&http, &base, &run, 60).await;
    assert_eq!(r["status"], "done");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_run_is_cancelled() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(dir.path(), None, &[]).await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;
    let mut design = common::boost_design("long");
    design["simulation"]["t_stop"] = json!(0.5);
    design["simulation"]["output_step"] = json!(7e-7);
    let run = create_project_and_run(&http, &base, design).await;
    let mut running = false;
    let mut last = Value::Null;
    for _ in 0..100 {
        let r: Value = http
            .get(format!("{base}/simulate/run/{run}"))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("the body is the expected JSON");
        if r["status"] == "running"
            && r["progress"]
                .as_f64()
                .expect("the field has the expected type")
                > 0.0
        {
            running = true;
            break;
        }
        last = r;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(running, "the run never started: {last}");
    let r = http
        .post(format!("{base}/simulate/run/{run}/cancel"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 200);
    let r = common::wait_final(&http, &base, &run, 30).await;
    assert_eq!(r["status"], "cancelled", "{r}");
    assert!(
        r["progress"]
            .as_f64()
            .expect("the field has the expected type")
            < 0.9
    );
    let again = http
        .post(format!("{base}/simulate/run/{run}/cancel"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(again.status(), 422);
    server.shutdown().await;
}
