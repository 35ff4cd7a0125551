//! Helpers for tests that need a real database: a fresh SQLite file or a fresh
//! PostgreSQL database per test.

use sqlx::Connection;

/// The PostgreSQL server the tests use: `PELAB_TEST_POSTGRES` or the local default
/// `postgres://postgres@127.0.0.1:5432`.
pub fn postgres_server() -> String {
    std::env::var("PELAB_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_string())
}

/// Creates an empty database with a unique name on the test server and returns its
/// URL.
///
/// # Errors
/// When the server cannot be reached or refuses to create the database.
pub async fn fresh_postgres_database() -> Result<String, sqlx::Error> {
    let server = postgres_server();
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await?;
    let name = format!("pelab_test_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    Ok(format!("{server}/{name}"))
}

/// Drops a database made by [`fresh_postgres_database`].
///
/// # Errors
/// When the server cannot be reached.
pub async fn drop_postgres_database(url: &str) -> Result<(), sqlx::Error> {
    let Some((_, name)) = url.rsplit_once('/') else {
        return Ok(());
    };
    if !name.starts_with("pelab_test_")
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Ok(());
    }
    let server = postgres_server();
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    admin.close().await
}
