//! The OpenAPI 3.1 document of both APIs, generated from the handlers' annotations,
//! served at `/api/openapi.json` with a docs page at `/docs` (Swagger UI, vendored
//! in the binary: it works without internet). `emporium openapi` prints it; the
//! committed copy is `schemas/openapi.json`, and a test fails when it drifts.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa_swagger_ui::SwaggerUi;

/// Both APIs in one document, with the bearer scheme the handlers refer to.
pub fn document() -> OpenApi {
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
    doc
}

/// `GET /api/openapi.json` and `GET /docs`.
pub fn router() -> Router {
    Router::new().merge(SwaggerUi::new("/docs").url("/api/openapi.json", document()))
}

/// `emporium openapi`: the document on stdout.
pub fn print() -> anyhow::Result<()> {
    println!("{}", document().to_pretty_json()?);
    Ok(())
}
