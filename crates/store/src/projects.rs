//! Organisations, users, projects, designs and components.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use uuid::Uuid;

use crate::model::{check_text, parse_opt_uuid, parse_uuid};
use crate::{
    COMPONENT_KINDS, Component, Design, Domain, NewComponent, NewProject, Org, Project,
    ProjectPatch, Result, Role, Store, StoreError, User, new_id, on_pool,
};

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: String,
    org_id: String,
    name: String,
    domain: String,
    notes: String,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<ProjectRow> for Project {
    type Error = StoreError;
    fn try_from(r: ProjectRow) -> Result<Project> {
        Ok(Project {
            id: parse_uuid("id", &r.id)?,
            org_id: parse_uuid("org_id", &r.org_id)?,
            name: r.name,
            domain: Domain::parse("domain", &r.domain)?,
            notes: r.notes,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DesignRow {
    id: String,
    org_id: String,
    project_id: String,
    name: String,
    topology: String,
    document: Json<serde_json::Value>,
    version: i64,
    created_by: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<DesignRow> for Design {
    type Error = StoreError;
    fn try_from(r: DesignRow) -> Result<Design> {
        Ok(Design {
            id: parse_uuid("id", &r.id)?,
            org_id: parse_uuid("org_id", &r.org_id)?,
            project_id: parse_uuid("project_id", &r.project_id)?,
            name: r.name,
            topology: r.topology,
            document: r.document.0,
            version: r.version,
            created_by: parse_opt_uuid("created_by", r.created_by)?,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ComponentRow {
    id: String,
    org_id: String,
    kind: String,
    vendor: String,
    pn: String,
    params: Json<serde_json::Value>,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<ComponentRow> for Component {
    type Error = StoreError;
    fn try_from(r: ComponentRow) -> Result<Component> {
        Ok(Component {
            id: parse_uuid("id", &r.id)?,
            org_id: parse_uuid("org_id", &r.org_id)?,
            kind: r.kind,
            vendor: r.vendor,
            pn: r.pn,
            params: r.params.0,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const PROJECT_COLUMNS: &str = "id, org_id, name, domain, notes, version, created_at, updated_at";
const DESIGN_COLUMNS: &str =
    "id, org_id, project_id, name, topology, document, version, created_by, created_at, updated_at";
const COMPONENT_COLUMNS: &str =
    "id, org_id, kind, vendor, pn, params, version, created_at, updated_at";

/// Largest page of a list.
pub const MAX_PAGE: i64 = 1000;

fn check_project(name: &str, notes: &str) -> Result<()> {
    check_text("name", name, 1, 200)?;
    if notes.chars().count() > 20_000 {
        return Err(StoreError::invalid(
            "notes",
            format!(
                "{} characters (accepted: up to 20000)",
                notes.chars().count()
            ),
        ));
    }
    Ok(())
}

/// Checks a page of a list: `limit` 1 to [`MAX_PAGE`], `offset` 0 or more.
pub(crate) fn check_page(limit: i64, offset: i64) -> Result<()> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(StoreError::invalid(
            "limit",
            format!("{limit} (accepted: 1 to {MAX_PAGE})"),
        ));
    }
    if offset < 0 {
        return Err(StoreError::invalid(
            "offset",
            format!("{offset} (accepted: 0 or more)"),
        ));
    }
    Ok(())
}

impl Store {
    /// Creates an organisation.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an empty or overlong name; database errors.
    pub async fn create_org(&self, name: &str) -> Result<Org> {
        check_text("name", name, 1, 200)?;
        let org = Org {
            id: new_id(),
            name: name.to_string(),
            created_at: Utc::now(),
        };
        on_pool!(self, p => sqlx::query("INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(org.id.to_string())
            .bind(&org.name)
            .bind(org.created_at)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(org)
    }

    /// Every organisation, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_orgs(&self) -> Result<Vec<Org>> {
        let rows: Vec<(String, String, DateTime<Utc>)> = on_pool!(self, p =>
            sqlx::query_as("SELECT id, name, created_at FROM orgs ORDER BY created_at, id")
                .fetch_all(p)
                .await)?;
        rows.into_iter()
            .map(|(id, name, created_at)| {
                Ok(Org {
                    id: parse_uuid("id", &id)?,
                    name,
                    created_at,
                })
            })
            .collect()
    }

    /// Adds a user to an organisation.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a malformed e-mail address,
    /// [`StoreError::Duplicate`] when the address is already a member.
    pub async fn create_user(&self, org_id: Uuid, email: &str, role: Role) -> Result<User> {
        check_text("email", email, 3, 320)?;
        if !email.contains('@') || email.contains(char::is_whitespace) {
            return Err(StoreError::invalid(
                "email",
                format!("\"{email}\" is not an e-mail address"),
            ));
        }
        let user = User {
            id: new_id(),
            org_id,
            email: email.to_string(),
            role,
            created_at: Utc::now(),
        };
        let result = on_pool!(self, p => sqlx::query(
            "INSERT INTO users (id, org_id, email, role, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(user.id.to_string())
            .bind(org_id.to_string())
            .bind(&user.email)
            .bind(role.as_str())
            .bind(user.created_at)
            .execute(p)
            .await.map(|r| r.rows_affected()));
        match result {
            Ok(_) => Ok(user),
            Err(e) => match StoreError::from(e) {
                StoreError::Duplicate { .. } => Err(StoreError::Duplicate {
                    field: "email".into(),
                    value: email.to_string(),
                }),
                other => Err(other),
            },
        }
    }

    /// Users of an organisation, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_users(&self, org_id: Uuid) -> Result<Vec<User>> {
        let rows: Vec<(String, String, String, String, DateTime<Utc>)> = on_pool!(self, p =>
            sqlx::query_as(
                "SELECT id, org_id, email, role, created_at FROM users WHERE org_id = $1 \
                 ORDER BY created_at, id")
                .bind(org_id.to_string())
                .fetch_all(p)
                .await)?;
        rows.into_iter()
            .map(|(id, org, email, role, created_at)| {
                Ok(User {
                    id: parse_uuid("id", &id)?,
                    org_id: parse_uuid("org_id", &org)?,
                    email,
                    role: Role::parse("role", &role)?,
                    created_at,
                })
            })
            .collect()
    }

    /// Creates a project.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an empty or overlong name or notes.
    pub async fn create_project(&self, org_id: Uuid, new: &NewProject) -> Result<Project> {
        check_project(&new.name, &new.notes)?;
        let now = Utc::now();
        let project = Project {
            id: new_id(),
            org_id,
            name: new.name.clone(),
            domain: new.domain,
            notes: new.notes.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        on_pool!(self, p => sqlx::query(
            "INSERT INTO projects (id, org_id, name, domain, notes, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(project.id.to_string())
            .bind(org_id.to_string())
            .bind(&project.name)
            .bind(project.domain.as_str())
            .bind(&project.notes)
            .bind(project.version)
            .bind(now)
            .bind(now)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(project)
    }

    /// One project of the organisation.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist in this organisation.
    pub async fn get_project(&self, org_id: Uuid, id: Uuid) -> Result<Project> {
        let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE org_id = $1 AND id = $2");
        let row: Option<ProjectRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        row.ok_or_else(|| StoreError::not_found("project", id))?
            .try_into()
    }

    /// Projects of the organisation, newest first.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a page outside 1 to [`MAX_PAGE`].
    pub async fn list_projects(
        &self,
        org_id: Uuid,
        domain: Option<Domain>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Project>> {
        check_page(limit, offset)?;
        let sql = format!(
            "SELECT {PROJECT_COLUMNS} FROM projects WHERE org_id = $1 \
             AND ($2 IS NULL OR domain = $2) ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
        );
        let domain = domain.map(|d| d.as_str().to_string());
        let rows: Vec<ProjectRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(org_id.to_string())
            .bind(domain.clone())
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(Project::try_from).collect()
    }

    /// Applies a change to a project if `patch.version` is still current.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Conflict`] for a stale version,
    /// [`StoreError::Invalid`] for bad values.
    pub async fn update_project(
        &self,
        org_id: Uuid,
        id: Uuid,
        patch: &ProjectPatch,
    ) -> Result<Project> {
        let current = self.get_project(org_id, id).await?;
        let name = patch.name.clone().unwrap_or(current.name.clone());
        let notes = patch.notes.clone().unwrap_or(current.notes.clone());
        let domain = patch.domain.unwrap_or(current.domain);
        check_project(&name, &notes)?;
        let now = Utc::now();
        let done = on_pool!(self, p => sqlx::query(
            "UPDATE projects SET name = $1, domain = $2, notes = $3, version = version + 1, \
             updated_at = $4 WHERE org_id = $5 AND id = $6 AND version = $7")
            .bind(&name)
            .bind(domain.as_str())
            .bind(&notes)
            .bind(now)
            .bind(org_id.to_string())
            .bind(id.to_string())
            .bind(patch.version)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        if done == 0 {
            let now = self.get_project(org_id, id).await?;
            return Err(StoreError::Conflict {
                entity: "project",
                id: id.to_string(),
                expected: patch.version,
                current: now.version,
            });
        }
        self.get_project(org_id, id).await
    }

    /// Deletes a project with its designs, runs and their telemetry, in one
    /// transaction; returns the waveform file names of the deleted runs, for the caller
    /// to remove.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when it does not exist in this organisation.
    pub async fn delete_project(&self, org_id: Uuid, id: Uuid) -> Result<Vec<String>> {
        self.get_project(org_id, id).await?;
        let (org, pid) = (org_id.to_string(), id.to_string());
        let files: Vec<(Option<String>,)> = on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            let files: Vec<(Option<String>,)> = sqlx::query_as(
                "SELECT waveform FROM runs WHERE org_id = $1 AND project_id = $2")
                .bind(&org)
                .bind(&pid)
                .fetch_all(&mut *tx)
                .await?;
            // The telemetry tables have no foreign key to runs (fast ingest), so their
            // rows go explicitly.
            for table in ["telemetry", "telemetry_rollup"] {
                let sql = format!(
                    "DELETE FROM {table} WHERE run_id IN \
                     (SELECT id FROM runs WHERE org_id = $1 AND project_id = $2)"
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(&org)
                    .bind(&pid)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM projects WHERE org_id = $1 AND id = $2")
                .bind(&org)
                .bind(&pid)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(files)
        })?;
        Ok(files.into_iter().filter_map(|f| f.0).collect())
    }

    /// Stores a validated design in a project.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the project is not in this organisation.
    pub async fn create_design(
        &self,
        org_id: Uuid,
        project_id: Uuid,
        name: &str,
        topology: &str,
        document: &serde_json::Value,
        created_by: Option<Uuid>,
    ) -> Result<Design> {
        check_text("name", name, 1, 200)?;
        self.get_project(org_id, project_id).await?;
        let now = Utc::now();
        let design = Design {
            id: new_id(),
            org_id,
            project_id,
            name: name.to_string(),
            topology: topology.to_string(),
            document: document.clone(),
            version: 1,
            created_by,
            created_at: now,
            updated_at: now,
        };
        on_pool!(self, p => sqlx::query(
            "INSERT INTO designs (id, org_id, project_id, name, topology, document, version, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(design.id.to_string())
            .bind(org_id.to_string())
            .bind(project_id.to_string())
            .bind(&design.name)
            .bind(&design.topology)
            .bind(Json(&design.document))
            .bind(design.version)
            .bind(created_by.map(|u| u.to_string()))
            .bind(now)
            .bind(now)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(design)
    }

    /// One design of the organisation.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_design(&self, org_id: Uuid, id: Uuid) -> Result<Design> {
        let sql = format!("SELECT {DESIGN_COLUMNS} FROM designs WHERE org_id = $1 AND id = $2");
        let row: Option<DesignRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        row.ok_or_else(|| StoreError::not_found("design", id))?
            .try_into()
    }

    /// Designs of a project, newest first.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the project is not in this organisation.
    pub async fn list_designs(&self, org_id: Uuid, project_id: Uuid) -> Result<Vec<Design>> {
        self.get_project(org_id, project_id).await?;
        let sql = format!(
            "SELECT {DESIGN_COLUMNS} FROM designs WHERE org_id = $1 AND project_id = $2 \
             ORDER BY created_at DESC, id DESC LIMIT {MAX_PAGE}"
        );
        let rows: Vec<DesignRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(org_id.to_string())
            .bind(project_id.to_string())
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(Design::try_from).collect()
    }

    /// Replaces a design's name and document if `version` is still current.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Conflict`].
    pub async fn update_design(
        &self,
        org_id: Uuid,
        id: Uuid,
        version: i64,
        name: &str,
        topology: &str,
        document: &serde_json::Value,
    ) -> Result<Design> {
        check_text("name", name, 1, 200)?;
        let done = on_pool!(self, p => sqlx::query(
            "UPDATE designs SET name = $1, topology = $2, document = $3, version = version + 1, \
             updated_at = $4 WHERE org_id = $5 AND id = $6 AND version = $7")
            .bind(name)
            .bind(topology)
            .bind(Json(document))
            .bind(Utc::now())
            .bind(org_id.to_string())
            .bind(id.to_string())
            .bind(version)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        let now = self.get_design(org_id, id).await?;
        if done == 0 {
            return Err(StoreError::Conflict {
                entity: "design",
                id: id.to_string(),
                expected: version,
                current: now.version,
            });
        }
        Ok(now)
    }

    /// Deletes a design; its runs keep their own copy of the document.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn delete_design(&self, org_id: Uuid, id: Uuid) -> Result<()> {
        let done = on_pool!(self, p => sqlx::query("DELETE FROM designs WHERE org_id = $1 AND id = $2")
            .bind(org_id.to_string())
            .bind(id.to_string())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::not_found("design", id));
        }
        Ok(())
    }

    /// Adds a component to the organisation's library.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an unknown kind or empty fields,
    /// [`StoreError::Duplicate`] for a part number already in the library.
    pub async fn create_component(&self, org_id: Uuid, new: &NewComponent) -> Result<Component> {
        check_component(new)?;
        let now = Utc::now();
        let component = Component {
            id: new_id(),
            org_id,
            kind: new.kind.clone(),
            vendor: new.vendor.clone(),
            pn: new.pn.clone(),
            params: new.params.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let result = on_pool!(self, p => sqlx::query(
            "INSERT INTO components (id, org_id, kind, vendor, pn, params, version, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(component.id.to_string())
            .bind(org_id.to_string())
            .bind(&component.kind)
            .bind(&component.vendor)
            .bind(&component.pn)
            .bind(Json(&component.params))
            .bind(1_i64)
            .bind(now)
            .bind(now)
            .execute(p)
            .await.map(|r| r.rows_affected()));
        match result {
            Ok(_) => Ok(component),
            Err(e) => Err(duplicate_pn(e, &new.pn)),
        }
    }

    /// One component.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_component(&self, org_id: Uuid, id: Uuid) -> Result<Component> {
        let sql =
            format!("SELECT {COMPONENT_COLUMNS} FROM components WHERE org_id = $1 AND id = $2");
        let row: Option<ComponentRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        row.ok_or_else(|| StoreError::not_found("component", id))?
            .try_into()
    }

    /// Components of the organisation, by part number, optionally of one kind.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad page.
    pub async fn list_components(
        &self,
        org_id: Uuid,
        kind: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Component>> {
        check_page(limit, offset)?;
        let sql = format!(
            "SELECT {COMPONENT_COLUMNS} FROM components WHERE org_id = $1 \
             AND ($2 IS NULL OR kind = $2) ORDER BY pn, id LIMIT $3 OFFSET $4"
        );
        let kind = kind.map(str::to_string);
        let rows: Vec<ComponentRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(org_id.to_string())
            .bind(kind.clone())
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(Component::try_from).collect()
    }

    /// Replaces a component if `version` is still current.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Conflict`], [`StoreError::Invalid`],
    /// [`StoreError::Duplicate`].
    pub async fn update_component(
        &self,
        org_id: Uuid,
        id: Uuid,
        version: i64,
        new: &NewComponent,
    ) -> Result<Component> {
        check_component(new)?;
        let result = on_pool!(self, p => sqlx::query(
            "UPDATE components SET kind = $1, vendor = $2, pn = $3, params = $4, \
             version = version + 1, updated_at = $5 WHERE org_id = $6 AND id = $7 AND version = $8")
            .bind(&new.kind)
            .bind(&new.vendor)
            .bind(&new.pn)
            .bind(Json(&new.params))
            .bind(Utc::now())
            .bind(org_id.to_string())
            .bind(id.to_string())
            .bind(version)
            .execute(p)
            .await.map(|r| r.rows_affected()));
        let done = result.map_err(|e| duplicate_pn(e, &new.pn))?;
        let now = self.get_component(org_id, id).await?;
        if done == 0 {
            return Err(StoreError::Conflict {
                entity: "component",
                id: id.to_string(),
                expected: version,
                current: now.version,
            });
        }
        Ok(now)
    }

    /// Deletes a component.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn delete_component(&self, org_id: Uuid, id: Uuid) -> Result<()> {
        let done = on_pool!(self, p => sqlx::query("DELETE FROM components WHERE org_id = $1 AND id = $2")
            .bind(org_id.to_string())
            .bind(id.to_string())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        if done == 0 {
            return Err(StoreError::not_found("component", id));
        }
        Ok(())
    }
}

fn check_component(new: &NewComponent) -> Result<()> {
    if !COMPONENT_KINDS.contains(&new.kind.as_str()) {
        return Err(StoreError::invalid(
            "kind",
            format!(
                "\"{}\" is not accepted (accepted: {})",
                new.kind,
                COMPONENT_KINDS.join(", ")
            ),
        ));
    }
    check_text("vendor", &new.vendor, 1, 200)?;
    check_text("pn", &new.pn, 1, 200)?;
    if !new.params.is_object() {
        return Err(StoreError::invalid("params", "must be a JSON object"));
    }
    Ok(())
}

fn duplicate_pn(e: sqlx::Error, pn: &str) -> StoreError {
    match StoreError::from(e) {
        StoreError::Duplicate { .. } => StoreError::Duplicate {
            field: "pn".into(),
            value: pn.to_string(),
        },
        other => other,
    }
}
