//! What the server checks in a request, stated in the document: lengths,
//! patterns, enumerations, item counts and bounds, built from the domain's
//! own limits so that the two cannot drift apart. A client (or a contract
//! fuzzer) that sends what the document allows gets past the shape checks;
//! what it forbids is refused.
//!
//! A rule that depends on what is stored ("not yourself", "a page, not a
//! person", "not among the common passwords") is no schema: those are the
//! 4xx answers each operation lists.
//!
//! Patterns are written for both ECMA-262 (what JSON Schema names) and the
//! common regex dialects: character classes with `\uXXXX` escapes, `\s`,
//! and a look-ahead only for reserved handles.

use entremise_domain::conversation::MAX_PARTICIPANTS;
use entremise_domain::notification::NotificationKind;
use entremise_domain::password;
use entremise_domain::post::{MAX_ALT_CHARS, MAX_COMMENT_CHARS, MAX_IMAGES, MAX_POST_CHARS};
use entremise_domain::privacy::{Audience, Field, Relation};
use entremise_domain::service::{MAX_QUERY_CHARS, MAX_QUERY_WORDS};
use entremise_domain::validate::RESERVED_HANDLES;
use utoipa::Modify;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, Object, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::{OpenApi, RefOr, Required};

/// Control characters refused in free texts (all but tab, line feed and
/// carriage return): `validate::optional_text`.
const CONTROLS: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F";

/// Control characters refused in post and comment texts (all but tab and
/// line feed): `post::check_text`.
const POST_CONTROLS: &str = r"\u0000-\u0008\u000B-\u001F\u007F-\u009F";

/// What a name or a short text shown next to other members' may not hold
/// (`validate::short_text`): every control, line and paragraph separators,
/// bidirectional controls and invisible characters. (The zero-width
/// joiners the server keeps between two non-ASCII characters are refused
/// here: the document is the stricter of the two.)
const NOT_DISPLAYABLE: &str = concat!(
    r"\u0000-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5",
    r"\u180B-\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFEFF\uFFA0",
    r"\uFFF9-\uFFFB"
);

/// Text with at least one character that is not a space, none of `banned`.
fn required(banned: &str) -> String {
    format!(r"^[^{banned}]*[^\s{banned}][^{banned}]*$")
}

/// Text with none of `banned` (empty allowed).
fn without(banned: &str) -> String {
    format!(r"^[^{banned}]*$")
}

/// A handle as `Handle::parse` takes it: `[a-z0-9_]{2,30}`, any case, an
/// optional leading `@`, surrounding spaces, and not a reserved one.
fn handle_pattern() -> String {
    let reserved: Vec<String> = RESERVED_HANDLES
        .iter()
        .map(|word| {
            word.chars()
                .map(|c| format!("[{}{}]", c, c.to_ascii_uppercase()))
                .collect()
        })
        .collect();
    format!(
        r"^\s*@?(?!(?:{})\s*$)[A-Za-z0-9_]{{2,30}}\s*$",
        reserved.join("|")
    )
}

/// An e-mail address as `Email::parse` takes it (ASCII domains).
const EMAIL: &str = r"^\s*[^\s@\u0000-\u001F\u007F-\u009F]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\s*$";

/// A phone number as `validate::phone` takes it: digits and ` +-.()/`, at
/// least four digits; or nothing.
const PHONE: &str = r"^\s*$|^\s*[ +\-.()/]*(?:[0-9][ +\-.()/]*){4,}\s*$";

/// A web address as `validate::website` takes it; or nothing.
const WEBSITE: &str = r"^\s*$|^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s\u0000-\u001F\u007F-\u009F]+\s*$";

/// Digits: an id the server reads as a number.
const NUMERIC_ID: &str = r"^[0-9]{1,18}$";

/// Text of `min` to `max` characters, any.
fn bounded(min: Option<usize>, max: usize) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(min)
            .max_length(Some(max))
            .build(),
    )
}

fn string(min: Option<usize>, max: usize, pattern: String) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(min)
            .max_length(Some(max))
            .pattern(Some(pattern))
            .build(),
    )
}

/// 1 to `max` characters, not blank, no controls but line breaks and tabs.
fn required_text(max: usize) -> Schema {
    string(Some(1), max, required(CONTROLS))
}

/// Up to `max` characters, no controls but line breaks and tabs.
fn optional_text(max: usize) -> Schema {
    string(None, max, without(CONTROLS))
}

/// A display name: 1 to 100 characters on one line, all displayable.
fn name() -> Schema {
    string(Some(1), 100, required(NOT_DISPLAYABLE))
}

/// A short text shown next to other members' (a headline, a place).
fn short_text(max: usize) -> Schema {
    string(None, max, without(NOT_DISPLAYABLE))
}

/// A handle: its pattern says it all (spaces around it are allowed).
fn handle() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(handle_pattern()))
            .build(),
    )
}

fn email() -> Schema {
    string(None, 254, EMAIL.to_owned())
}

fn enumeration<I: IntoIterator<Item = S>, S: Into<String>>(values: I) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(values.into_iter().map(Into::into)))
            .build(),
    )
}

fn integer(min: i64, max: i64) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(min))
            .maximum(Some(max))
            .build(),
    )
}

fn list(items: Schema, min: Option<usize>, max: usize) -> Schema {
    Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::T(items))
            .min_items(min)
            .max_items(Some(max))
            .build(),
    )
}

/// `schema`, or null (for the `Option` fields a client may send as null).
fn or_null(schema: Schema) -> Schema {
    Schema::OneOf(
        OneOfBuilder::new()
            .item(schema)
            .item(Schema::Object(
                ObjectBuilder::new().schema_type(Type::Null).build(),
            ))
            .build(),
    )
}

/// The values of the profile fields a member edits through `PATCH
/// /api/v1/profiles/{handle}` (`profile::set_field`); null clears one.
fn profile_fields() -> Schema {
    let tags = |max_items: usize, max_len: usize| -> Schema {
        or_null(Schema::OneOf(
            OneOfBuilder::new()
                .item(list(optional_text(max_len), None, max_items))
                .item(string(None, max_items * (max_len + 1), without(CONTROLS)))
                .build(),
        ))
    };
    let mut fields = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for (field, schema) in [
        (Field::Name, name()),
        (Field::Headline, or_null(short_text(200))),
        (Field::About, or_null(optional_text(5000))),
        (Field::Location, or_null(short_text(100))),
        (Field::Organization, or_null(short_text(100))),
        (
            Field::Website,
            or_null(string(None, 300, WEBSITE.to_owned())),
        ),
        (Field::Phone, or_null(string(None, 30, PHONE.to_owned()))),
        (
            Field::Email,
            or_null(string(None, 254, format!(r"^\s*$|{EMAIL}"))),
        ),
        (Field::Skills, tags(50, 50)),
        (Field::Languages, tags(20, 40)),
    ] {
        fields = fields.property(field.as_str(), schema);
    }
    Schema::Object(fields.build())
}

/// The audiences of profile fields, by field.
fn profile_audiences() -> Schema {
    let audiences = enumeration(Audience::ALL.map(Audience::as_str));
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for field in Field::ALL {
        object = object.property(field.as_str(), audiences.clone());
    }
    Schema::Object(object.build())
}

/// The rules of each request body, by schema and property.
fn body_rules() -> Vec<(&'static str, &'static str, Schema)> {
    let note = || required_text(2000);
    vec![
        ("Registration", "email", email()),
        (
            "Registration",
            "password",
            bounded(Some(password::MIN_LENGTH), password::MAX_LENGTH),
        ),
        ("Registration", "handle", handle()),
        ("Registration", "name", name()),
        (
            "NewPageRequest",
            "kind",
            enumeration(["organization", "brand", "persona"]),
        ),
        ("NewPageRequest", "handle", handle()),
        ("NewPageRequest", "name", name()),
        ("ContactFormRequest", "name", name()),
        ("ContactFormRequest", "email", email()),
        ("ContactFormRequest", "message", required_text(5000)),
        ("OfficeRequest", "name", name()),
        ("OfficeRequest", "address", required_text(300)),
        ("OfficeRequest", "town", name()),
        (
            "OfficeRequest",
            "phone",
            or_null(string(None, 30, PHONE.to_owned())),
        ),
        ("ServiceRequest", "name", name()),
        (
            "ServiceRequest",
            "description",
            or_null(optional_text(2000)),
        ),
        ("PositionRequest", "title", name()),
        ("PositionRequest", "organization", name()),
        (
            "PositionRequest",
            "since_year",
            or_null(integer(1900, 2100)),
        ),
        (
            "PositionRequest",
            "until_year",
            or_null(integer(1900, 2100)),
        ),
        ("MessageBody", "text", required_text(5000)),
        ("ForwardBody", "note", note()),
        ("IntroductionInput", "note", note()),
        (
            "IntroductionInput",
            "via",
            or_null(list(
                Schema::Object(Object::with_type(Type::String)),
                Some(1),
                2,
            )),
        ),
        (
            "IntroductionInput",
            "notes",
            Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .additional_properties(Some(note()))
                    .build(),
            ),
        ),
        (
            "ContactRequestInput",
            "message",
            or_null(optional_text(1000)),
        ),
        (
            "NewConversationInput",
            "with",
            list(
                Schema::Object(Object::with_type(Type::String)),
                Some(1),
                MAX_PARTICIPANTS - 1,
            ),
        ),
        (
            "NewPostInput",
            "text",
            string(None, MAX_POST_CHARS, without(POST_CONTROLS)),
        ),
        (
            "NewPostInput",
            "audience",
            enumeration(["public", "members", "network", "contacts"]),
        ),
        (
            "NewPostInput",
            "media",
            list(string(None, 18, NUMERIC_ID.to_owned()), None, MAX_IMAGES),
        ),
        (
            "EditBody",
            "text",
            string(Some(1), MAX_POST_CHARS, required(POST_CONTROLS)),
        ),
        (
            "CommentBody",
            "text",
            string(Some(1), MAX_COMMENT_CHARS, required(POST_CONTROLS)),
        ),
        (
            "UploadForm",
            "alt",
            or_null(string(None, MAX_ALT_CHARS, without(POST_CONTROLS))),
        ),
        ("ProfilePatch", "fields", profile_fields()),
        ("ProfilePatch", "audiences", profile_audiences()),
        ("NotificationSettings", "kinds", notification_kinds()),
        (
            "MarkRead",
            "up_to",
            string(Some(1), 18, NUMERIC_ID.to_owned()),
        ),
    ]
}

/// `{kind: bool}` for the kinds of notification, no other key.
fn notification_kinds() -> Schema {
    let mut object = ObjectBuilder::new().schema_type(Type::Object);
    for kind in NotificationKind::ALL {
        object = object.property(kind.as_str(), Object::with_type(Type::Boolean));
    }
    Schema::Object(
        object
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .build(),
    )
}

/// The follow-up inbox's filters (`GET /api/v1/inbox`), before the others.
fn inbox_query_rules() -> Vec<(&'static str, Schema)> {
    use entremise_domain::inbox::{InboxKind, InboxStatus};
    let with_empty = |values: Vec<&'static str>| enumeration(std::iter::once("").chain(values));
    vec![
        (
            "kind",
            with_empty(InboxKind::ALL.iter().map(|k| k.as_str()).collect()),
        ),
        (
            "status",
            with_empty(InboxStatus::ALL.iter().map(|s| s.as_str()).collect()),
        ),
    ]
}

/// The rules of query parameters, by name (the same everywhere).
fn query_rules() -> Vec<(&'static str, Schema)> {
    let with_empty =
        |values: &[&str]| enumeration(std::iter::once("").chain(values.iter().copied()));
    let relations: Vec<&str> = Relation::ALL.iter().map(|r| r.as_str()).collect();
    vec![
        ("view_as", with_empty(&relations)),
        ("direction", enumeration(["incoming", "outgoing"])),
        ("ranked", with_empty(&["true", "false", "1", "0"])),
        (
            "kind",
            with_empty(&[
                "profile",
                "person",
                "page",
                "organization",
                "brand",
                "persona",
                "group",
                "post",
            ]),
        ),
        ("degree", with_empty(&["1", "2", "3"])),
        (
            "q",
            Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(MAX_QUERY_CHARS))
                    .description(Some(format!(
                        "At most {MAX_QUERY_CHARS} characters and {MAX_QUERY_WORDS} words."
                    )))
                    .build(),
            ),
        ),
        // Filters are only bounded in length (after trimming).
        ("location", bounded(None, MAX_QUERY_CHARS)),
        ("organization", bounded(None, MAX_QUERY_CHARS)),
        ("skill", bounded(None, MAX_QUERY_CHARS)),
    ]
}

/// Sets the rules above on the document's schemas and parameters.
pub struct RequestRules;

impl Modify for RequestRules {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (schema_name, property, rule) in body_rules() {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(schema_name)
            else {
                panic!("openapi rules: no schema {schema_name}");
            };
            let Some(slot) = object.properties.get_mut(property) else {
                panic!("openapi rules: no property {schema_name}.{property}");
            };
            let description = match slot {
                RefOr::T(Schema::Object(o)) => o.description.clone(),
                RefOr::T(Schema::Array(a)) => a.description.clone(),
                _ => None,
            };
            *slot = RefOr::T(with_description(rule, description));
        }
        // A digest needs consent: the two shapes a member may send.
        components.schemas.insert(
            "EmailPreferencesInput".to_owned(),
            RefOr::T(email_preferences_input()),
        );
        // An upload's parts are `file` and `alt`, nothing else.
        if let Some(RefOr::T(Schema::Object(form))) = components.schemas.get_mut("UploadForm") {
            form.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        }
        let queries = query_rules();
        let inbox = inbox_query_rules();
        for (path, item) in openapi.paths.paths.iter_mut() {
            // The inbox's `kind` and `status` are its own.
            let own: &[(&str, Schema)] = if path == "/api/v1/inbox" { &inbox } else { &[] };
            for op in [item.get.as_mut(), item.delete.as_mut()]
                .into_iter()
                .flatten()
            {
                for parameter in op.parameters.iter_mut().flatten() {
                    let RefOr::T(parameter) = parameter else {
                        continue;
                    };
                    if parameter.parameter_in != ParameterIn::Query {
                        continue;
                    }
                    if let Some((_, rule)) = own
                        .iter()
                        .chain(queries.iter())
                        .find(|(n, _)| *n == parameter.name)
                    {
                        parameter.schema = Some(RefOr::T(rule.clone()));
                        // Every one of them may be left out.
                        parameter.required = Required::False;
                    }
                }
            }
        }
    }
}

/// `PUT /api/v1/me/email-preferences`: with consent, any digest; without,
/// the digest is `off` (`EmailPreferences::new`).
fn email_preferences_input() -> Schema {
    let shape = |consent: bool, digests: &[&str]| {
        Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property(
                    "consent",
                    Schema::Object(
                        ObjectBuilder::new()
                            .schema_type(Type::Boolean)
                            .enum_values(Some([serde_json::Value::Bool(consent)]))
                            .build(),
                    ),
                )
                .required("consent")
                .property("digest", enumeration(digests.iter().copied()))
                .required("digest")
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
                .build(),
        )
    };
    Schema::OneOf(
        OneOfBuilder::new()
            .item(shape(true, &["off", "daily", "weekly"]))
            .item(shape(false, &["off"]))
            .description(Some(
                "Consent to e-mails, and the digest's frequency (`off` without consent).",
            ))
            .build(),
    )
}

/// `schema` with the description the property had.
fn with_description(schema: Schema, description: Option<String>) -> Schema {
    match schema {
        Schema::Object(mut o) => {
            o.description = o.description.or(description);
            Schema::Object(o)
        }
        Schema::Array(mut a) => {
            a.description = a.description.or(description);
            Schema::Array(a)
        }
        Schema::OneOf(mut o) => {
            o.description = o.description.or(description);
            Schema::OneOf(o)
        }
        other => other,
    }
}
