//! The store on SQLite and on a real PostgreSQL (127.0.0.1:5432 or
//! `PELAB_TEST_POSTGRES`): tenancy, versions, runs and the job life cycle.

use std::time::Duration;

use pelab_store::testing::{drop_postgres_database, fresh_postgres_database};
use pelab_store::{
    ConnectOptions, Domain, JobStatus, NewComponent, NewProject, NewRun, ProjectPatch, Role,
    RunFilter, RunMode, RunStatus, RunUpdate, Store, StoreError,
};
use serde_json::json;

async fn exercise(store: &Store) {
    let org = store
        .create_org("Acme Power")
        .await
        .expect("the store operation succeeds");
    let other = store
        .create_org("Other")
        .await
        .expect("the store operation succeeds");
    let user = store
        .create_user(org.id, "ada@example.com", Role::Engineer)
        .await
        .expect("the store operation succeeds");
    assert!(matches!(
        store
            .create_user(org.id, "ada@example.com", Role::Viewer)
            .await,
        Err(StoreError::Duplicate { .. })
    ));
    assert!(matches!(
        store
            .create_user(org.id, "not-an-address", Role::Viewer)
            .await,
        Err(StoreError::Invalid { .. })
    ));

    // Projects: create, list with a domain filter, tenancy, versions.
    let p = store
        .create_project(
            org.id,
            &NewProject {
                name: "Traction".into(),
                domain: Domain::Ev,
                notes: String::new(),
            },
        )
        .await
        .expect("the store operation succeeds");
    store
        .create_project(
            org.id,
            &NewProject {
                name: "Roof".into(),
                domain: Domain::Pv,
                notes: "10 kW".into(),
            },
        )
        .await
        .expect("the store operation succeeds");
    let ev = store
        .list_projects(org.id, Some(Domain::Ev), 100, 0)
        .await
        .expect("the store operation succeeds");
    assert_eq!(ev.len(), 1);
    assert_eq!(
        store
            .list_projects(org.id, None, 100, 0)
            .await
            .expect("the store operation succeeds")
            .len(),
        2
    );
    assert!(
        store
            .list_projects(other.id, None, 100, 0)
            .await
            .expect("the store operation succeeds")
            .is_empty()
    );
    assert!(matches!(
        store.get_project(other.id, p.id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.list_projects(org.id, None, 0, 0).await,
        Err(StoreError::Invalid { .. })
    ));

    let patch = ProjectPatch {
        version: 1,
        name: Some("Traction 800 V".into()),
        domain: None,
        notes: None,
    };
    let p2 = store
        .update_project(org.id, p.id, &patch)
        .await
        .expect("the store operation succeeds");
    assert_eq!(p2.version, 2);
    assert_eq!(p2.name, "Traction 800 V");
    match store.update_project(org.id, p.id, &patch).await {
        Err(StoreError::Conflict {
            expected, current, ..
        }) => assert_eq!((expected, current), (1, 2)),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(matches!(
        store.update_project(other.id, p.id, &patch).await,
        Err(StoreError::NotFound { .. })
    ));

    // Designs and components.
    let doc = json!({"kernel": "boost", "parameters": {"v_in": 400.0}});
    let d = store
        .create_design(org.id, p.id, "Boost", "boost", &doc, Some(user.id))
        .await
        .expect("the store operation succeeds");
    assert_eq!(
        store
            .get_design(org.id, d.id)
            .await
            .expect("the store operation succeeds")
            .document,
        doc
    );
    assert!(store.get_design(other.id, d.id).await.is_err());
    assert!(matches!(
        store
            .update_design(org.id, d.id, 7, "B", "boost", &doc)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let c = NewComponent {
        kind: "mosfet".into(),
        vendor: "Wolfspeed".into(),
        pn: "C3M0016120K".into(),
        params: json!({"vds_max": 1200.0}),
    };
    store
        .create_component(org.id, &c)
        .await
        .expect("the store operation succeeds");
    assert!(matches!(
        store.create_component(org.id, &c).await,
        Err(StoreError::Duplicate { ref field, .. }) if field == "pn"
    ));
    store
        .create_component(other.id, &c)
        .await
        .expect("the store operation succeeds");
    let bad = NewComponent {
        kind: "valve".into(),
        ..c.clone()
    };
    assert!(matches!(
        store.create_component(org.id, &bad).await,
        Err(StoreError::Invalid { ref field, .. }) if field == "kind"
    ));

    // Runs and jobs: claim, heartbeat, reclaim after a dead worker, complete once.
    let (run, job_id) = store
        .create_run(
            org.id,
            &NewRun {
                project_id: p.id,
                design_id: Some(d.id),
                mode: RunMode::Sim,
                request: json!({"design": doc}),
                created_by: Some(user.id),
                max_attempts: 3,
            },
        )
        .await
        .expect("the store operation succeeds");
    assert_eq!(run.status, RunStatus::Queued);
    let filter = RunFilter {
        status: Some(RunStatus::Queued),
        ..RunFilter::default()
    };
    assert_eq!(
        store
            .list_runs(org.id, &filter)
            .await
            .expect("the store operation succeeds")
            .len(),
        1
    );
    assert!(
        store
            .list_runs(other.id, &filter)
            .await
            .expect("the store operation succeeds")
            .is_empty()
    );

    let long = Duration::from_secs(60);
    let a = store
        .claim_job("worker-a", None, long)
        .await
        .expect("the store operation succeeds")
        .expect("the store operation succeeds");
    assert_eq!((a.id, a.attempt), (job_id, 1));
    assert!(
        store
            .claim_job("worker-b", None, long)
            .await
            .expect("the store operation succeeds")
            .is_none()
    );
    assert!(
        store
            .heartbeat_job(&a)
            .await
            .expect("the store operation succeeds")
    );
    assert_eq!(
        store
            .get_run(org.id, run.id)
            .await
            .expect("the store operation succeeds")
            .status,
        RunStatus::Running
    );

    // worker-a goes silent: with a zero stale time worker-b reclaims it.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let b = store
        .claim_job("worker-b", None, Duration::ZERO)
        .await
        .expect("the store operation succeeds")
        .expect("the store operation succeeds");
    assert_eq!(b.attempt, 2);
    assert!(
        !store
            .heartbeat_job(&a)
            .await
            .expect("the store operation succeeds")
    );
    let update = RunUpdate {
        status: RunStatus::Done,
        summary: Some(json!({"efficiency": 0.98})),
        error: None,
        samples: 10,
        waveform: None,
    };
    assert!(
        !store
            .complete_job(&a, &update)
            .await
            .expect("the store operation succeeds"),
        "stale holder"
    );
    assert!(
        store
            .complete_job(&b, &update)
            .await
            .expect("the store operation succeeds")
    );
    assert!(
        !store
            .complete_job(&b, &update)
            .await
            .expect("the store operation succeeds"),
        "only once"
    );
    let done = store
        .get_run(org.id, run.id)
        .await
        .expect("the store operation succeeds");
    assert_eq!(done.status, RunStatus::Done);
    assert_eq!(done.summary, Some(json!({"efficiency": 0.98})));
    assert_eq!(done.progress, 1.0);

    // Retry with backoff, then dead-letter after max_attempts.
    let (run2, job2) = store
        .create_run(
            org.id,
            &NewRun {
                project_id: p.id,
                design_id: None,
                mode: RunMode::Sim,
                request: json!({}),
                created_by: None,
                max_attempts: 2,
            },
        )
        .await
        .expect("the store operation succeeds");
    let c1 = store
        .claim_job("w", Some(job2), long)
        .await
        .expect("the store operation succeeds")
        .expect("the store operation succeeds");
    assert_eq!(
        store
            .retry_job(&c1, "boom", Duration::from_secs(3600))
            .await
            .expect("the store operation succeeds"),
        Some(JobStatus::Queued)
    );
    assert!(
        store
            .claim_job("w", Some(job2), long)
            .await
            .expect("the store operation succeeds")
            .is_none(),
        "backoff"
    );
    let c2 = store.claim_job("w", Some(job2), long).await;
    assert!(c2.expect("the store operation succeeds").is_none());
    let (run3, job3) = store
        .create_run(
            org.id,
            &NewRun {
                project_id: p.id,
                design_id: None,
                mode: RunMode::Sim,
                request: json!({}),
                created_by: None,
                max_attempts: 1,
            },
        )
        .await
        .expect("the store operation succeeds");
    let c3 = store
        .claim_job("w", Some(job3), long)
        .await
        .expect("the store operation succeeds")
        .expect("the store operation succeeds");
    assert_eq!(
        store
            .retry_job(&c3, "boom", Duration::ZERO)
            .await
            .expect("the store operation succeeds"),
        Some(JobStatus::Dead)
    );
    let failed = store
        .get_run(org.id, run3.id)
        .await
        .expect("the store operation succeeds");
    assert_eq!(failed.status, RunStatus::Failed);
    assert!(
        failed
            .error
            .expect("the store operation succeeds")
            .contains("boom")
    );

    // Cancel a queued run.
    let cancelled = store
        .request_cancel(org.id, run2.id)
        .await
        .expect("the store operation succeeds");
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert_eq!(
        store
            .get_job(job2)
            .await
            .expect("the store operation succeeds")
            .status,
        JobStatus::Cancelled
    );
    assert!(store.request_cancel(org.id, run2.id).await.is_err());

    // The audit log is append-only.
    store
        .append_audit(&pelab_store::NewAuditEntry {
            org_id: org.id,
            actor: user.email.clone(),
            action: "POST /api/v1/projects".into(),
            target: p.id.to_string(),
            source: "127.0.0.1".into(),
            result: "201".into(),
        })
        .await
        .expect("the store operation succeeds");
    assert_eq!(
        store
            .list_audit(
                org.id,
                &pelab_store::AuditFilter {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .expect("the store operation succeeds")
            .len(),
        1
    );
    assert!(
        store
            .list_audit(
                other.id,
                &pelab_store::AuditFilter {
                    limit: 10,
                    ..Default::default()
                }
            )
            .await
            .expect("the store operation succeeds")
            .is_empty()
    );
}

#[tokio::test]
async fn sqlite_store() {
    let dir = tempfile::tempdir().expect("the store operation succeeds");
    let url = format!("sqlite://{}", dir.path().join("pelab.db").display());
    let store = Store::connect(&url, &ConnectOptions::default())
        .await
        .expect("the store operation succeeds");
    exercise(&store).await;
    let pool = store.sqlite_pool().expect("the store operation succeeds");
    let mode: (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .expect("the store operation succeeds");
    assert_eq!(mode.0, "wal");
    assert!(
        sqlx::query("DELETE FROM audit_log")
            .execute(pool)
            .await
            .is_err()
    );
    store.close().await;
    // Reopening applies no migration twice.
    Store::connect(&url, &ConnectOptions::default())
        .await
        .expect("the store operation succeeds");
}

#[tokio::test]
async fn postgres_store() {
    let url = fresh_postgres_database()
        .await
        .expect("PostgreSQL on 127.0.0.1:5432 (or PELAB_TEST_POSTGRES) is needed for this test");
    let store = Store::connect(&url, &ConnectOptions::default())
        .await
        .expect("the store operation succeeds");
    exercise(&store).await;
    let pool = store.postgres_pool().expect("the store operation succeeds");
    assert!(
        sqlx::query("UPDATE audit_log SET actor = 'x'")
            .execute(pool)
            .await
            .is_err()
    );
    store.close().await;
    drop_postgres_database(&url)
        .await
        .expect("the store operation succeeds");
}

#[tokio::test]
async fn unsupported_url_names_the_field() {
    let err = Store::connect("mysql://x", &ConnectOptions::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("database.url"), "{err}");
}

#[tokio::test]
async fn unreachable_postgres_is_unavailable() {
    let options = ConnectOptions {
        max_connections: 1,
        acquire_timeout: Duration::from_millis(500),
    };
    let err = Store::connect("postgres://postgres@127.0.0.1:1/none", &options)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
}

/// Concurrent transactions that read before they write (delete a project with its runs)
/// next to plain writes: on SQLite, a deferred transaction would fail with
/// SQLITE_BUSY_SNAPSHOT ("database is locked"); every one must succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_deletes_and_writes_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("pelab.db").display());
    let store = Store::connect(&url, &ConnectOptions::default())
        .await
        .expect("the store opens");
    let org = store.create_org("Busy").await.expect("an org");
    let mut tasks = Vec::new();
    for k in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..10 {
                let p = store
                    .create_project(
                        org.id,
                        &NewProject {
                            name: format!("p{k}-{round}"),
                            domain: Domain::Dc,
                            notes: String::new(),
                        },
                    )
                    .await?;
                store
                    .create_run(
                        org.id,
                        &NewRun {
                            project_id: p.id,
                            design_id: None,
                            mode: RunMode::Sim,
                            request: json!({}),
                            created_by: None,
                            max_attempts: 1,
                        },
                    )
                    .await?;
                store.delete_project(org.id, p.id).await?;
            }
            Ok::<(), StoreError>(())
        }));
    }
    for t in tasks {
        t.await.expect("the task ends").expect("no busy error");
    }
    assert!(
        store
            .list_projects(org.id, None, 100, 0)
            .await
            .expect("a list")
            .is_empty()
    );
}
