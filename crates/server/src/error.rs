//! RFC 7807 problem responses.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pelab_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// Path of the field, e.g. `parameters.v_in`.
    pub field: String,
    /// Problem and the accepted values.
    pub message: String,
}

/// An error response (`application/problem+json`, RFC 7807).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, fixed summary of the kind.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Explanation specific to this request.
    pub detail: String,
    /// Invalid fields, when the request had any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Version stored now, for 409 responses to stale updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

/// An error of an API handler.
#[derive(Debug)]
pub struct ApiError(pub Box<Problem>);

impl ApiError {
    /// Creates a problem with the given status, kind slug and detail.
    pub fn new(status: StatusCode, slug: &str, detail: impl Into<String>) -> Self {
        ApiError(Box::new(Problem {
            kind: format!("https://pelab.dev/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            current_version: None,
        }))
    }

    /// 422 with one field error.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        let mut e = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-field",
            if field.is_empty() {
                message.clone()
            } else {
                format!("{field}: {message}")
            },
        );
        e.0.errors.push(FieldError { field, message });
        e
    }

    /// 404 for an id.
    pub fn not_found(entity: &str, id: impl std::fmt::Display) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("{entity} {id} not found"),
        )
    }

    /// 500 with a detail that is safe to show.
    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }

    /// Returns the HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), detail = %self.0.detail, "request failed");
        }
        let mut response = (status, Json(*self.0)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity, id } => ApiError::not_found(entity, id),
            StoreError::Conflict {
                entity,
                id,
                expected,
                current,
            } => {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "stale-version",
                    format!(
                        "{entity} {id} is at version {current}, the update was based on \
                         version {expected}: reload it and apply the change again"
                    ),
                );
                err.0.current_version = Some(current);
                err
            }
            StoreError::Invalid { field, message } => ApiError::field(field, message),
            StoreError::Duplicate { field, value } => {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "duplicate",
                    format!("{field}: \"{value}\" already exists"),
                );
                err.0.errors.push(FieldError {
                    field,
                    message: format!("\"{value}\" already exists"),
                });
                err
            }
            StoreError::Refused { field, message } => {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "refused",
                    format!("{field}: {message}"),
                );
                err.0.errors.push(FieldError { field, message });
                err
            }
            StoreError::Unavailable(detail) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database-unavailable",
                format!("the database cannot be reached; retry shortly ({detail})"),
            ),
            StoreError::Database(detail) => ApiError::internal(format!("database error: {detail}")),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match &r {
            JsonRejection::JsonDataError(e) => {
                // serde's message names the field path and the expected type.
                let text = std::error::Error::source(e)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| e.body_text());
                let (field, message) = split_serde_path(&text);
                ApiError::field(field, message)
            }
            JsonRejection::JsonSyntaxError(_) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                format!("the body is not valid JSON: {}", r.body_text()),
            ),
            JsonRejection::MissingJsonContentType(_) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content-type",
                "send the body with Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body-too-large",
                    "the body is larger than the server's limit (server.body_limit)",
                )
            }
            _ => ApiError::new(r.status(), "bad-request", r.body_text()),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-path", r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let text = r.body_text();
        let text = text
            .strip_prefix("Failed to deserialize query string: ")
            .unwrap_or(&text)
            .to_string();
        ApiError::field("query", text)
    }
}

/// Splits serde_path_to_error style messages `a.b: message at line…` into the path and
/// the message; a missing field is named by its own path.
fn split_serde_path(text: &str) -> (String, String) {
    if let Some(rest) = text.split("missing field `").nth(1)
        && let Some((name, _)) = rest.split_once('`')
    {
        let prefix = match text.split_once(": ") {
            Some((path, _)) if !path.contains(' ') && !path.is_empty() && path != "." => {
                format!("{path}.")
            }
            _ => String::new(),
        };
        return (format!("{prefix}{name}"), "required".to_string());
    }
    match text.split_once(": ") {
        Some((path, message))
            if !path.is_empty() && !path.contains(' ') && path != "invalid type" =>
        {
            (path.to_string(), message.to_string())
        }
        _ => (String::new(), text.to_string()),
    }
}

/// Result of an API handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::split_serde_path;

    #[test]
    fn missing_fields_are_named() {
        assert_eq!(
            split_serde_path("missing field `name` at line 1 column 15"),
            ("name".to_string(), "required".to_string())
        );
        assert_eq!(
            split_serde_path("base: missing field `project_id` at line 1 column 40"),
            ("base.project_id".to_string(), "required".to_string())
        );
        assert_eq!(
            split_serde_path("domain: unknown variant `MARS`"),
            ("domain".to_string(), "unknown variant `MARS`".to_string())
        );
    }
}
