//! Error responses in the OpenAPI document that the route annotations leave out.
//!
//! Every error body is a [`Problem`](crate::error::Problem) sent as
//! `application/problem+json`, and the extractors of [`crate::extract`] reject bad
//! input the same way on every route. [`document_problem_responses`] derives those
//! responses from each operation's shape, so the document lists every status the
//! server can send to a client's mistake without repeating it in each annotation.

use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// Media type of every error body (RFC 7807).
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

const PROBLEM_SCHEMA: &str = "#/components/schemas/Problem";

/// Declares error bodies as `application/problem+json` and adds the responses that
/// the extractors send:
/// - a `{id}` path parameter: 400 when it is not a UUID ([`crate::extract::Id`]);
/// - a JSON request body: 400 for malformed JSON, 413 above the body limit, 415
///   without `Content-Type: application/json`, 422 for an invalid field
///   ([`crate::extract::ApiJson`]);
/// - query parameters: 422 for an invalid or unknown parameter
///   ([`crate::extract::ApiQuery`]).
///
/// Responses that an annotation already declares keep their description.
pub fn document_problem_responses(api: &mut OpenApi) {
    for (path, item) in api.paths.paths.iter_mut() {
        let id_in_path = path.contains("{id}");
        for operation in operations_mut(item) {
            for response in operation.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    relabel_problem_content(response);
                }
            }
            let has_body = operation.request_body.is_some();
            let has_query =
                operation.parameters.iter().flatten().any(
                    |p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)),
                );
            if id_in_path {
                add_problem(operation, "400", "The id in the path is not a UUID.");
            }
            if has_body {
                add_problem(operation, "400", "The body is not valid JSON.");
                add_problem(
                    operation,
                    "413",
                    "The body is larger than the server's limit (`server.body_limit`).",
                );
                add_problem(
                    operation,
                    "415",
                    "The body was sent without `Content-Type: application/json`.",
                );
                add_problem(
                    operation,
                    "422",
                    "A field of the body is missing, of the wrong type or out of range.",
                );
            }
            if has_query {
                add_problem(
                    operation,
                    "422",
                    "A query parameter is unknown, of the wrong type or out of range.",
                );
            }
        }
    }
}

/// Declares how each route authenticates: the `bearer` and `session` security schemes,
/// each operation's requirement, and the 401 and 403 answers of the routes that need a
/// member ([`crate::auth::policy::classify`]). Public routes (sign-in, health) stay
/// open.
pub fn document_auth(api: &mut OpenApi) {
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityRequirement, SecurityScheme,
    };
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            Http::builder()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An API token (`pelab_…`, from `POST /api/v1/tokens` or `pelab token \
                     create`) or an access JWT.",
                ))
                .build(),
        ),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            crate::auth::ACCESS_COOKIE,
            "The browser session; mutating requests also send `X-CSRF-Token`.",
        ))),
    );
    for (path, item) in api.paths.paths.iter_mut() {
        let methods = [
            (axum::http::Method::GET, item.get.as_mut()),
            (axum::http::Method::PUT, item.put.as_mut()),
            (axum::http::Method::POST, item.post.as_mut()),
            (axum::http::Method::DELETE, item.delete.as_mut()),
            (axum::http::Method::PATCH, item.patch.as_mut()),
        ];
        for (method, operation) in methods {
            let Some(operation) = operation else { continue };
            let access = crate::auth::policy::classify(&method, path);
            if access == Some(crate::auth::policy::Access::Public) {
                continue;
            }
            operation.security = Some(vec![
                SecurityRequirement::new("bearer", Vec::<String>::new()),
                SecurityRequirement::new("session", Vec::<String>::new()),
            ]);
            add_problem(
                operation,
                "401",
                "No valid credentials: the token is missing, expired, revoked or forged.",
            );
            add_problem(
                operation,
                "403",
                "The member's role or the token's scopes do not allow this route, a cookie \
                 request lacks its CSRF token, or the request comes from another site.",
            );
        }
    }
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

fn is_problem(content: &RefOr<Content>) -> bool {
    matches!(
        content,
        RefOr::T(c) if matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location == PROBLEM_SCHEMA)
    )
}

/// Moves a `Problem` body declared as `application/json` to the problem media type.
fn relabel_problem_content(response: &mut Response) {
    let Some(content) = response.content.get("application/json") else {
        return;
    };
    if !is_problem(content) {
        return;
    }
    if let Some(content) = response.content.shift_remove("application/json") {
        response
            .content
            .insert(PROBLEM_CONTENT_TYPE.to_string(), content);
    }
}

fn add_problem(operation: &mut Operation, status: &str, description: &str) {
    if operation.responses.responses.contains_key(status) {
        return;
    }
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_CONTENT_TYPE,
            Content::new(Some(Ref::new(PROBLEM_SCHEMA))),
        )
        .build();
    operation
        .responses
        .responses
        .insert(status.to_string(), RefOr::T(response));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation<'a>(api: &'a OpenApi, path: &str, method: &str) -> &'a Operation {
        let item = &api.paths.paths[path];
        let operation = match method {
            "get" => item.get.as_ref(),
            "put" => item.put.as_ref(),
            "post" => item.post.as_ref(),
            "delete" => item.delete.as_ref(),
            "patch" => item.patch.as_ref(),
            _ => None,
        };
        operation.unwrap_or_else(|| panic!("{method} {path} is documented"))
    }

    fn content_types(operation: &Operation, status: &str) -> Vec<String> {
        match &operation.responses.responses[status] {
            RefOr::T(r) => r.content.keys().cloned().collect(),
            RefOr::Ref(r) => panic!("{status} is a reference to {}", r.ref_location),
        }
    }

    #[test]
    fn problems_use_the_problem_media_type() {
        let (_, api) = crate::app::api();
        for (path, item) in &api.paths.paths {
            for method in ["get", "put", "post", "delete", "patch"] {
                let op = match method {
                    "get" => item.get.as_ref(),
                    "put" => item.put.as_ref(),
                    "post" => item.post.as_ref(),
                    "delete" => item.delete.as_ref(),
                    _ => item.patch.as_ref(),
                };
                let Some(op) = op else { continue };
                for (status, response) in &op.responses.responses {
                    let RefOr::T(response) = response else {
                        continue;
                    };
                    let problem_as_json = response
                        .content
                        .get("application/json")
                        .is_some_and(is_problem);
                    assert!(
                        !problem_as_json,
                        "{method} {path} {status} declares a Problem as application/json"
                    );
                }
            }
        }
    }

    #[test]
    fn extractor_errors_are_declared() {
        let (_, api) = crate::app::api();
        let get_project = operation(&api, "/api/v1/projects/{id}", "get");
        assert_eq!(
            content_types(get_project, "400"),
            vec![PROBLEM_CONTENT_TYPE]
        );
        let put_design = operation(&api, "/api/v1/designs/{id}", "put");
        for status in ["400", "413", "415", "422"] {
            assert_eq!(
                content_types(put_design, status),
                vec![PROBLEM_CONTENT_TYPE],
                "PUT /designs/{{id}} {status}"
            );
        }
        let list_runs = operation(&api, "/api/v1/runs", "get");
        assert!(list_runs.responses.responses.contains_key("422"));
        let kernels = operation(&api, "/api/v1/kernels", "get");
        assert!(!kernels.responses.responses.contains_key("400"));
        assert!(!kernels.responses.responses.contains_key("422"));
    }
}
