//! The public JSON's contract (docs/SITE.md "The JSON contract"): `api/status.json` and
//! `api/incidents.json` carry a semver `schema_version`, point at their schemas by absolute
//! URL under `site.base_url`, and follow them. Each published schema is pinned here, in
//! `tests/cli/api/<name>.schema.<version>.json`: changing a schema fails this test until its
//! version is raised and the new text pinned, and a new minor version must keep every field
//! of the ones before it, with its type, so that a breaking change cannot land unnoticed.
//! Issue "The public site and report: leak nothing, and still tell stakeholders something".

use crate::support::{regency, sample, tree};
use serde_json::Value;
use std::path::Path;

const NOW: &str = "2026-11-28T09:00:00+07:00";
const NAMES: [&str; 2] = ["status", "incidents"];

fn source_schema(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("src/templates/api/{name}.schema.json"));
    std::fs::read_to_string(path).expect("schema")
}

/// The pinned schemas of `name`: (version, text), oldest first.
fn pinned(name: &str) -> Vec<((u64, u64, u64), String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/api");
    let mut out: Vec<((u64, u64, u64), String)> = std::fs::read_dir(dir)
        .expect("pinned schemas")
        .filter_map(|e| {
            let p = e.expect("entry").path();
            let file = p.file_name()?.to_str()?.to_owned();
            let version = file.strip_prefix(&format!("{name}.schema."))?.strip_suffix(".json")?;
            Some((semver(version), std::fs::read_to_string(&p).expect("read")))
        })
        .collect();
    out.sort();
    out
}

fn semver(v: &str) -> (u64, u64, u64) {
    let n: Vec<u64> = v.split('.').map(|x| x.parse().expect("semver")).collect();
    assert_eq!(n.len(), 3, "{v} is not major.minor.patch");
    (n[0], n[1], n[2])
}

/// Resolves `{"$ref": "#/$defs/x"}` against the schema's root.
fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/$defs/").expect("a local $ref");
            resolve(root, &root["$defs"][name])
        }
        None => s,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => panic!("unknown type {t}"),
    }
}

/// The problems of `v` against `s` (the subset of JSON Schema the schemas use: type, enum,
/// required, properties, items, oneOf, $ref, minimum). Properties a schema does not declare
/// are problems too, so that the schemas stay complete; an object without `properties` may
/// hold anything.
fn validate(root: &Value, s: &Value, v: &Value, path: &str, out: &mut Vec<String>) {
    let s = resolve(root, s);
    if let Some(options) = s["oneOf"].as_array() {
        let fits = options
            .iter()
            .filter(|o| {
                let mut e = Vec::new();
                validate(root, o, v, path, &mut e);
                e.is_empty()
            })
            .count();
        if fits != 1 {
            out.push(format!("{path}: {fits} of the oneOf options fit {v}"));
        }
        return;
    }
    match &s["type"] {
        Value::String(t) if !type_ok(t, v) => out.push(format!("{path}: not {t}: {v}")),
        Value::Array(ts) if !ts.iter().any(|t| type_ok(t.as_str().expect("type"), v)) => {
            out.push(format!("{path}: none of {ts:?}: {v}"));
        }
        _ => {}
    }
    if let Some(values) = s["enum"].as_array() {
        if !values.contains(v) {
            out.push(format!("{path}: {v} not in {values:?}"));
        }
    }
    if let (Some(min), Some(n)) = (s["minimum"].as_i64(), v.as_i64()) {
        if n < min {
            out.push(format!("{path}: {n} below {min}"));
        }
    }
    if let Some(obj) = v.as_object() {
        for r in s["required"].as_array().into_iter().flatten() {
            if !obj.contains_key(r.as_str().expect("name")) {
                out.push(format!("{path}: {r} missing"));
            }
        }
        if let Some(props) = s["properties"].as_object() {
            for (k, x) in obj {
                match props.get(k) {
                    Some(p) => validate(root, p, x, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: not in the schema")),
                }
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(root, items, x, &format!("{path}[{i}]"), out);
        }
    }
}

/// Every field a schema describes, with its types: `(path, sorted types)`, `[]` for arrays'
/// items and `|n` for a oneOf option.
fn fields(root: &Value, s: &Value, path: &str, out: &mut Vec<(String, Vec<String>)>) {
    let s = resolve(root, s);
    let types: Vec<String> = match &s["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts.iter().map(|t| t.as_str().expect("type").to_owned()).collect(),
        _ => Vec::new(),
    };
    out.push((path.to_owned(), types));
    for (i, o) in s["oneOf"].as_array().into_iter().flatten().enumerate() {
        fields(root, o, &format!("{path}|{i}"), out);
    }
    for (k, p) in s["properties"].as_object().into_iter().flatten() {
        fields(root, p, &format!("{path}.{k}"), out);
    }
    if let Some(items) = s.get("items") {
        fields(root, items, &format!("{path}[]"), out);
    }
}

#[test]
fn each_schema_is_pinned_at_its_version_and_keeps_every_field_of_its_major() {
    let doc: Value = serde_json::from_str(&{
        let r = sample();
        r.run(&["build", "--out", "public", "--now", NOW]).code(0);
        r.read("public/api/status.json")
    })
    .expect("json");
    let version = doc["schema_version"].as_str().expect("schema_version");
    let current = semver(version);
    for name in NAMES {
        let text = source_schema(name);
        let pins = pinned(name);
        let pin = pins.iter().find(|(v, _)| *v == current).unwrap_or_else(|| {
            panic!("{name}: no tests/cli/api/{name}.schema.{version}.json: raise the version and pin the schema")
        });
        assert_eq!(
            text, pin.1,
            "{name}.schema.json changed at version {version}: raise the version (a new field: minor; anything else: major) and pin the new text"
        );
        let new: Value = serde_json::from_str(&text).expect("schema");
        let mut now_fields = Vec::new();
        fields(&new, &new, "", &mut now_fields);
        for (v, old) in pins.iter().filter(|(v, _)| v.0 == current.0 && *v < current) {
            let old: Value = serde_json::from_str(old).expect("pinned schema");
            let mut before = Vec::new();
            fields(&old, &old, "", &mut before);
            for f in before {
                assert!(
                    now_fields.contains(&f),
                    "{name} {version} drops or changes {f:?} of {v:?}: that is a new major version"
                );
            }
        }
    }
}

#[test]
fn the_public_and_internal_json_follow_their_schemas_with_absolute_ids() {
    for (r, what) in [(sample(), "sample"), (regency(&[2026], 120, 2, NOW), "regency")] {
        let base = if what == "sample" {
            "https://csirt.trenggalekkab.example/status/".to_owned()
        } else {
            let base = "https://csirt.example.go.id/status/";
            let cfg =
                r.read("insiden.yaml") + &format!("site:\n  title: Uji\n  base_url: {base}\n  public_min_count: 3\n");
            r.write("insiden.yaml", &cfg);
            base.to_owned()
        };
        for audience in ["public", "internal"] {
            for lang in ["id", "en"] {
                let out = format!("{audience}-{lang}");
                r.run(&[
                    "build",
                    "--out",
                    &out,
                    "--audience",
                    audience,
                    "--lang",
                    lang,
                    "--now",
                    NOW,
                ])
                .code(0);
                let files = tree(&r.file(&out));
                for name in NAMES {
                    let read = |p: &str| -> Value {
                        let bytes = &files.iter().find(|(f, _)| f == p).unwrap_or_else(|| panic!("no {p}")).1;
                        serde_json::from_slice(bytes).expect("json")
                    };
                    let schema = read(&format!("api/schema/{name}.schema.json"));
                    let doc = read(&format!("api/{name}.json"));
                    let url = format!("{base}api/schema/{name}.schema.json");
                    assert_eq!(schema["$id"], url.as_str(), "{what} {out}");
                    assert_eq!(doc["$schema"], url.as_str(), "{what} {out}");
                    let mut problems = Vec::new();
                    validate(&schema, &schema, &doc, name, &mut problems);
                    assert!(problems.is_empty(), "{what} {out} {name}: {problems:#?}");
                    // The served schema is the source one with its $id made absolute.
                    let mut source: Value = serde_json::from_str(&source_schema(name)).expect("schema");
                    source["$id"] = Value::String(url.clone());
                    assert_eq!(schema, source, "{what} {out}");
                }
            }
        }
    }
}

/// Both JSON documents print every object's keys in alphabetical order, indented by two, as
/// a `serde_json::Value` prints them: the site prints the incidents from their structs,
/// whose fields are declared in that order, and this holds the two to one text.
#[test]
fn the_json_documents_print_every_objects_keys_sorted() {
    let r = sample();
    for audience in ["public", "internal"] {
        r.run(&["build", "--out", audience, "--audience", audience, "--now", NOW])
            .code(0);
        for name in NAMES {
            let text = r.read(&format!("{audience}/api/{name}.json"));
            let v: Value = serde_json::from_str(&text).expect("json");
            if name == "incidents" {
                let list = v["incidents"].as_array().expect("incidents");
                assert!(
                    list.len() >= if audience == "public" { 3 } else { 8 },
                    "{audience}: {}",
                    list.len()
                );
                if audience == "internal" {
                    assert!(list
                        .iter()
                        .any(|i| i["internal"]["external_reports"][0]["at"]["iso"].is_string()));
                }
            }
            let sorted = serde_json::to_string_pretty(&v).expect("print") + "\n";
            assert!(
                text == sorted,
                "{audience}/api/{name}.json is not printed with sorted keys"
            );
        }
    }
}
