//! What the OpenAPI document says once for many operations: the refusals of every route that
//! needs a token (401, 403, 429), which `auth` can answer before or inside any such handler;
//! and the schema helpers for the shapes utoipa cannot derive as serde reads and writes them.

use super::error::ErrorBody;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::schema::{AdditionalProperties, Object, Schema, SchemaType, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::ToSchema;

/// The refusals every secured operation can answer, with what each means.
pub const REFUSALS: [(&str, &str); 3] = [
    (
        "401",
        "No token, or one that is unknown, wrong, expired or revoked (all alike); the answer \
         carries `WWW-Authenticate: Bearer`",
    ),
    (
        "403",
        "The token's role or scope does not cover this request (also for records it may not \
         know exist)",
    ),
    (
        "429",
        "Too many failed authentication attempts from this address within a minute; every \
         request from it is refused until the minute has passed",
    ),
];

/// Adds the [`REFUSALS`] to every operation that needs a token: one with no security of its own
/// under a document-wide requirement, or one whose requirements all name a scheme. An operation
/// that admits the empty requirement (`security(())`, e.g. `/healthz`) is open and left alone.
/// A refusal an operation already documents is kept as written.
///
/// Runs on the finished document, after every route has been added.
pub struct SecuredResponses;

impl utoipa::Modify for SecuredResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        let global = openapi.security.clone();
        for item in openapi.paths.paths.values_mut() {
            for op in operations(item) {
                if needs_token(op.security.as_ref().or(global.as_ref())) {
                    for (status, description) in REFUSALS {
                        op.responses
                            .responses
                            .entry(status.to_string())
                            .or_insert_with(|| refusal(description));
                    }
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// Whether a list of alternative requirements leaves no way in without a token.
fn needs_token(requirements: Option<&Vec<SecurityRequirement>>) -> bool {
    requirements.is_some_and(|alternatives| {
        !alternatives.is_empty()
            && alternatives
                .iter()
                .all(|r| *r != SecurityRequirement::default())
    })
}

fn refusal(description: &str) -> RefOr<utoipa::openapi::Response> {
    let body = Ref::from_schema_name(ErrorBody::name());
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new().schema(Some(body)).build(),
            )
            .build(),
    )
}

/// `base` (an object schema) with more properties: the schema of a struct that flattens another
/// (`#[serde(flatten)]`). utoipa derives `allOf` of the two for it, which no value can match when
/// the flattened type admits no other property (`additionalProperties: false`).
pub fn extended(
    base: RefOr<Schema>,
    description: &str,
    extra: &[(&str, RefOr<Schema>, bool)],
) -> RefOr<Schema> {
    let RefOr::T(Schema::Object(mut object)) = base else {
        unreachable!("only an inline object schema is extended")
    };
    object.description = Some(description.to_string());
    for (name, schema, required) in extra {
        object.properties.insert(name.to_string(), schema.clone());
        if *required {
            object.required.push(name.to_string());
        }
    }
    RefOr::T(Schema::Object(object))
}

/// `schema` with every object alternative of its `oneOf` closed to other properties: serde reads
/// each object form of an externally tagged enum (`{"firms": […]}`) with its one key only.
pub fn closed_alternatives(schema: RefOr<Schema>) -> RefOr<Schema> {
    let RefOr::T(Schema::OneOf(mut one_of)) = schema else {
        unreachable!("only a oneOf schema has alternatives to close")
    };
    for item in &mut one_of.items {
        match item {
            RefOr::T(Schema::Object(object))
                if object.schema_type == SchemaType::Type(Type::Object) =>
            {
                object.additional_properties =
                    Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
            _ => {}
        }
    }
    RefOr::T(Schema::OneOf(one_of))
}

/// A string with a description, for [`extended`].
pub fn string(description: &str) -> RefOr<Schema> {
    Object::builder()
        .schema_type(Type::String)
        .description(Some(description))
        .build()
        .into()
}

/// A boolean with a description, for [`extended`].
pub fn boolean(description: &str) -> RefOr<Schema> {
    Object::builder()
        .schema_type(Type::Boolean)
        .description(Some(description))
        .build()
        .into()
}
