//! Accounts on SQLite and on a real PostgreSQL: single-use sign-in links, refresh
//! rotation with reuse detection, API token revocation and expiry, invitations, the
//! last-admin rule, member removal and the audit filters.

use chrono::{Duration, Utc};
use pelab_store::testing::{drop_postgres_database, fresh_postgres_database};
use pelab_store::{
    AuditFilter, ConnectOptions, NewApiToken, NewAuditEntry, Role, Rotation, Store, StoreError,
};

async fn exercise(store: &Store) {
    let org = store.create_org("Lab").await.expect("org");
    let other = store.create_org("Other lab").await.expect("org");
    let admin = store
        .create_user(org.id, "admin@lab.example", Role::Admin)
        .await
        .expect("admin");

    // A sign-in link works once, even when two redemptions race.
    let soon = Utc::now() + Duration::minutes(15);
    store
        .insert_login_link("jti-1", "admin@lab.example", soon)
        .await
        .expect("link");
    let (a, b) = tokio::join!(
        store.consume_login_link("jti-1"),
        store.consume_login_link("jti-1")
    );
    let redeemed = [a.expect("store"), b.expect("store")];
    assert_eq!(
        redeemed.iter().filter(|r| r.is_some()).count(),
        1,
        "{redeemed:?}"
    );
    assert_eq!(
        store.consume_login_link("unknown").await.expect("store"),
        None
    );
    store
        .insert_login_link(
            "jti-old",
            "admin@lab.example",
            Utc::now() - Duration::seconds(1),
        )
        .await
        .expect("link");
    assert_eq!(
        store.consume_login_link("jti-old").await.expect("store"),
        None,
        "an expired link"
    );

    // Refresh tokens rotate; the old one presented again revokes the family.
    let session = store
        .create_session(org.id, admin.id, "h1", soon)
        .await
        .expect("session");
    assert!(store.session_active(session.family).await.expect("store"));
    let Rotation::Rotated(next) = store
        .rotate_session("h1", "h2", soon, Duration::zero())
        .await
        .expect("store")
    else {
        panic!("the first rotation succeeds");
    };
    assert_eq!(next.family, session.family);
    assert!(store.session_active(session.family).await.expect("store"));
    assert_eq!(
        store
            .rotate_session("h1", "h3", soon, Duration::zero())
            .await
            .expect("store"),
        Rotation::Reused {
            family: session.family
        }
    );
    assert!(!store.session_active(session.family).await.expect("store"));
    assert!(
        matches!(
            store
                .rotate_session("h2", "h4", soon, Duration::zero())
                .await
                .expect("store"),
            Rotation::Revoked
        ),
        "the newest token of a family revoked for reuse is refused"
    );
    assert_eq!(
        store
            .rotate_session("nope", "h5", soon, Duration::zero())
            .await
            .expect("store"),
        Rotation::Unknown
    );
    let stale = store
        .create_session(org.id, admin.id, "old", Utc::now() - Duration::seconds(1))
        .await
        .expect("session");
    assert_eq!(
        store
            .rotate_session("old", "h6", soon, Duration::zero())
            .await
            .expect("store"),
        Rotation::Expired
    );
    assert!(!store.session_active(stale.family).await.expect("store"));

    // Within the grace period a second use is two tabs racing: both get a token.
    let tabs = store
        .create_session(org.id, admin.id, "g1", soon)
        .await
        .expect("session");
    let grace = Duration::seconds(30);
    for next in ["g2", "g3"] {
        assert!(matches!(
            store
                .rotate_session("g1", next, soon, grace)
                .await
                .expect("store"),
            Rotation::Rotated(_)
        ));
    }
    assert!(store.session_active(tabs.family).await.expect("store"));
    store
        .revoke_session_family(tabs.family)
        .await
        .expect("store");
    assert_eq!(
        store
            .rotate_session("g2", "g4", soon, grace)
            .await
            .expect("store"),
        Rotation::Revoked,
        "after sign-out the cookie of an open tab is simply refused"
    );

    // API tokens: found by hash until revoked or expired; listed per member.
    let token = store
        .create_api_token(&NewApiToken {
            org_id: org.id,
            user_id: admin.id,
            name: "ci".into(),
            scopes: vec!["read".into(), "write".into()],
            prefix: "pelab_abcdef".into(),
            token_hash: "t1".into(),
            expires_at: None,
        })
        .await
        .expect("token");
    let found = store
        .api_token_by_hash("t1")
        .await
        .expect("store")
        .expect("live");
    assert_eq!(found.scopes, ["read", "write"]);
    assert!(matches!(
        store.revoke_api_token(other.id, admin.id, token.id).await,
        Err(StoreError::NotFound { .. })
    ));
    store
        .revoke_api_token(org.id, admin.id, token.id)
        .await
        .expect("revoked");
    assert!(
        store
            .api_token_by_hash("t1")
            .await
            .expect("store")
            .is_none()
    );
    store
        .create_api_token(&NewApiToken {
            org_id: org.id,
            user_id: admin.id,
            name: "expired".into(),
            scopes: vec!["read".into()],
            prefix: "pelab_x".into(),
            token_hash: "t2".into(),
            expires_at: Some(Utc::now() - Duration::seconds(1)),
        })
        .await
        .expect("token");
    assert!(
        store
            .api_token_by_hash("t2")
            .await
            .expect("store")
            .is_none()
    );
    assert_eq!(
        store
            .list_api_tokens(org.id, admin.id)
            .await
            .expect("store")
            .len(),
        2
    );

    // Invitations become memberships at sign-in; addresses compare without case.
    let invitation = store
        .create_invitation(
            org.id,
            "new@lab.example",
            Role::Engineer,
            "admin@lab.example",
            soon,
        )
        .await
        .expect("invitation");
    assert!(
        store
            .has_pending_invitation("NEW@lab.example")
            .await
            .expect("store")
    );
    assert!(matches!(
        store
            .create_invitation(org.id, "ADMIN@lab.example", Role::Viewer, "x", soon)
            .await,
        Err(StoreError::Refused { .. })
    ));
    let members = store
        .accept_invitations("New@Lab.example")
        .await
        .expect("store");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role, Role::Engineer);
    assert!(
        !store
            .has_pending_invitation("new@lab.example")
            .await
            .expect("store")
    );
    let listed = store.list_invitations(org.id).await.expect("store");
    assert_eq!(listed[0].id, invitation.id);
    assert!(listed[0].accepted_at.is_some());
    assert!(
        store
            .list_invitations(other.id)
            .await
            .expect("store")
            .is_empty()
    );

    // The last admin can neither step down nor leave; others can.
    assert!(matches!(
        store.set_member_role(org.id, admin.id, Role::Viewer).await,
        Err(StoreError::Refused { .. })
    ));
    assert!(matches!(
        store.remove_member(org.id, admin.id).await,
        Err(StoreError::Refused { .. })
    ));
    assert!(matches!(
        store
            .set_member_role(other.id, admin.id, Role::Viewer)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let engineer = members[0].clone();
    let kept = store
        .create_session(org.id, engineer.id, "e1", soon)
        .await
        .expect("session");
    store
        .remove_member(org.id, engineer.id)
        .await
        .expect("removed");
    assert!(
        store
            .active_user(engineer.id)
            .await
            .expect("store")
            .is_none()
    );
    assert!(
        !store.session_active(kept.family).await.expect("store"),
        "removal ends the member's sessions"
    );
    // Invited again, the same row comes back with the new role.
    store
        .create_invitation(
            org.id,
            "new@lab.example",
            Role::Viewer,
            "admin@lab.example",
            soon,
        )
        .await
        .expect("invitation");
    let back = store
        .accept_invitations("new@lab.example")
        .await
        .expect("store");
    assert_eq!((back[0].id, back[0].role), (engineer.id, Role::Viewer));

    // The signing key is created once and then kept.
    let k1 = store.server_secret("k", "first").await.expect("store");
    let k2 = store.server_secret("k", "second").await.expect("store");
    assert_eq!((k1.as_str(), k2.as_str()), ("first", "first"));

    // Audit filters: parts of actor and action without case, exact result, time range.
    for (actor, action, result) in [
        ("admin@lab.example", "POST /api/v1/projects", "201"),
        ("viewer@lab.example", "DELETE /api/v1/projects/x", "403"),
        ("100%_sure@lab.example", "PUT /api/v1/org", "200"),
    ] {
        store
            .append_audit(&NewAuditEntry {
                org_id: org.id,
                actor: actor.into(),
                action: action.into(),
                target: String::new(),
                source: "127.0.0.1".into(),
                result: result.into(),
            })
            .await
            .expect("appended");
    }
    let filter = |actor: Option<&str>, action: Option<&str>, result: Option<&str>| AuditFilter {
        actor: actor.map(str::to_string),
        action: action.map(str::to_string),
        result: result.map(str::to_string),
        limit: 100,
        ..Default::default()
    };
    let count =
        |f: AuditFilter| async move { store.list_audit(org.id, &f).await.expect("store").len() };
    assert_eq!(count(filter(None, None, None)).await, 3);
    assert_eq!(count(filter(Some("VIEWER"), None, None)).await, 1);
    assert_eq!(count(filter(None, Some("delete"), None)).await, 1);
    assert_eq!(count(filter(None, None, Some("201"))).await, 1);
    assert_eq!(
        count(filter(Some("100%_"), None, None)).await,
        1,
        "% and _ are literal"
    );
    assert_eq!(count(filter(Some("0%"), None, None)).await, 1);
    assert_eq!(count(filter(Some("%"), None, None)).await, 1);
    let future = AuditFilter {
        since: Some(Utc::now() + Duration::minutes(1)),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(count(future).await, 0);
    let past = AuditFilter {
        until: Some(Utc::now() + Duration::minutes(1)),
        since: Some(Utc::now() - Duration::minutes(5)),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(count(past).await, 3);
    assert_eq!(
        store
            .list_audit(other.id, &filter(None, None, None))
            .await
            .expect("store")
            .len(),
        0
    );
}

#[tokio::test]
async fn accounts_on_sqlite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("pelab.db").display());
    let store = Store::connect(&url, &ConnectOptions::default())
        .await
        .expect("the store opens");
    exercise(&store).await;
    store.close().await;
}

#[tokio::test]
async fn accounts_on_postgres() {
    let url = fresh_postgres_database()
        .await
        .expect("PostgreSQL on 127.0.0.1:5432 (or PELAB_TEST_POSTGRES) is needed for this test");
    let store = Store::connect(&url, &ConnectOptions::default())
        .await
        .expect("the store opens");
    exercise(&store).await;
    store.close().await;
    drop_postgres_database(&url)
        .await
        .expect("the test database is dropped");
}
