//! Bench devices: the CAN-connected hardware an organisation drives from the browser.
//! This module holds what other parts need today, registration and the ownership
//! check that keeps MQTT bench topics inside an organisation.

use uuid::Uuid;

use crate::model::check_text;
use crate::{Result, Store, new_id, on_pool};

impl Store {
    /// Registers a bench device and returns its id.
    ///
    /// # Errors
    /// [`crate::StoreError::Invalid`] for an empty or overlong field.
    pub async fn create_bench_device(
        &self,
        org_id: Uuid,
        label: &str,
        can_profile: &str,
        if_name: &str,
    ) -> Result<Uuid> {
        check_text("label", label, 1, 200)?;
        check_text("can_profile", can_profile, 1, 200)?;
        check_text("if_name", if_name, 1, 64)?;
        let id = new_id();
        on_pool!(self, p => sqlx::query(
            "INSERT INTO bench_devices (id, org_id, label, can_profile, if_name) \
             VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(org_id.to_string())
            .bind(label)
            .bind(can_profile)
            .bind(if_name)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// Whether `id` is a bench device of the organisation.
    ///
    /// # Errors
    /// Database errors.
    pub async fn bench_device_in_org(&self, org_id: Uuid, id: Uuid) -> Result<bool> {
        let row: Option<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id FROM bench_devices WHERE org_id = $1 AND id = $2")
            .bind(org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        Ok(row.is_some())
    }
}
