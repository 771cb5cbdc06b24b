//! The OpenAPI 3.1 document of both APIs, generated from the handlers' annotations,
//! served at `/api/openapi.json` with a docs page at `/docs` (Swagger UI, vendored
//! in the binary: it works without internet). `emporium openapi` prints it; the
//! committed copy is `schemas/openapi.json`, and a test fails when it drifts.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa_swagger_ui::SwaggerUi;

/// Both APIs in one document, with the bearer scheme the handlers refer to. A JSON
/// value, not utoipa's `OpenApi`: the last touches (links) are ones utoipa's types
/// cannot hold (its `Link` serialises `operation_id`, not the spec's `operationId`).
pub fn document() -> serde_json::Value {
    let info = InfoBuilder::new()
        .title("Emporium")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Event-sourced commerce backend. Every answer is the envelope {success, data, message, errors}. \
             Writes answer with X-Emporium-Position; reads accept X-Emporium-Min-Position.",
        ))
        .build();
    let mut doc = OpenApiBuilder::new().info(info).build();
    doc.merge(emporium_write_api::openapi());
    doc.merge(emporium_read_api::openapi());
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
    );
    truthful(doc)
}

/// Answers every operation may get from the layers in front of the handlers, which
/// the handlers' annotations cannot know: (status, description, only for operations
/// that take a body).
const GATEWAY_ANSWERS: [(&str, &str, bool); 6] = [
    ("400", "The request is malformed (a header, the path or the query), or the body holds a NUL character", false),
    ("401", "An `Authorization` header whose token is invalid, expired or of an ended session", false),
    ("413", "`request.too_large`: the body is larger than 64 KiB", true),
    ("415", "`request.unsupported_media_type`: the body is not JSON", true),
    ("429", "`request.rate_limited`: over this client's quota; `Retry-After` says when to try again", false),
    (
        "503",
        "`request.timeout`, `server.busy`, `store.unavailable` or `read_model.unavailable`: retry after `Retry-After`",
        false,
    ),
];

/// Makes the generated document say what the server really does: the envelope's
/// `data` is `null` on every error answer (utoipa renders `Option<T>` of a generic as
/// plain `T`), every operation may get the gateway's answers, a header is never `null`,
/// `Idempotency-Key` has the shape the middleware checks, path parameters are required,
/// and answers carry their
/// links ([`crate::openapi_links`]).
fn truthful(doc: OpenApi) -> serde_json::Value {
    // utoipa's types serialise infallibly (maps with string keys, no floats).
    let mut value = serde_json::to_value(&doc).unwrap_or_default();
    if let Some(schemas) = value.pointer_mut("/components/schemas").and_then(|s| s.as_object_mut()) {
        for (name, schema) in schemas.iter_mut() {
            if let Some(data) = schema.pointer_mut("/properties/data").filter(|_| name.starts_with("Envelope")) {
                let given = data.take();
                *data = serde_json::json!({ "oneOf": [given, { "type": "null" }] });
            }
        }
    }
    let error = serde_json::json!({ "$ref": "#/components/schemas/Envelope_String" });
    let idempotency_key = serde_json::json!({
        "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$",
    });
    if let Some(paths) = value.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for operation in paths.values_mut().filter_map(|item| item.as_object_mut()).flat_map(|item| item.values_mut()) {
            let takes_body = operation.get("requestBody").is_some();
            let parameters = operation.get_mut("parameters").and_then(|p| p.as_array_mut());
            let parameters: Vec<&mut serde_json::Value> = parameters.into_iter().flatten().collect();
            for parameter in parameters {
                // A path parameter is always required (utoipa drops it with `schema_with`).
                if parameter["in"] == "path" {
                    parameter["required"] = serde_json::Value::Bool(true);
                    continue;
                }
                if parameter["in"] != "header" {
                    continue;
                }
                if parameter["name"] == "Idempotency-Key" {
                    parameter["schema"] = idempotency_key.clone();
                } else if let Some(types) = parameter.pointer_mut("/schema/type").and_then(|t| t.as_array_mut()) {
                    types.retain(|t| t != "null");
                    if let [only] = types.as_slice() {
                        let only = only.clone();
                        parameter["schema"]["type"] = only;
                    }
                }
            }
            let Some(responses) = operation.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
            for (status, description, needs_body) in GATEWAY_ANSWERS {
                if (!needs_body || takes_body) && !responses.contains_key(status) {
                    responses.insert(
                        status.to_owned(),
                        serde_json::json!({
                            "description": description,
                            "content": { "application/json": { "schema": error } },
                        }),
                    );
                }
            }
        }
    }
    crate::openapi_links::add(&mut value);
    value
}

/// `GET /api/openapi.json` and `GET /docs`.
pub fn router() -> Router {
    Router::new().merge(SwaggerUi::new("/docs").external_url_unchecked("/api/openapi.json", document()))
}

/// `emporium openapi`: the document on stdout.
pub fn print() -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(&document())?);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn error_answers_may_carry_null_data_and_every_operation_lists_the_gateway_answers() {
        let doc = document();
        let data = &doc["components"]["schemas"]["Envelope_String"]["properties"]["data"];
        assert_eq!(data["oneOf"][1], serde_json::json!({ "type": "null" }), "{data}");
        let create = &doc["paths"]["/api/v1/products"]["post"]["responses"];
        for status in ["413", "415", "429", "503"] {
            assert!(create.get(status).is_some(), "POST /api/v1/products lacks {status}");
        }
        let read = &doc["paths"]["/api/v1/products"]["get"]["responses"];
        assert!(read.get("429").is_some() && read.get("413").is_none(), "{read}");
    }
}
