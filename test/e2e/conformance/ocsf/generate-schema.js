#!/usr/bin/env node
// Builds a JSON Schema (2020-12) for one OCSF event class from an ocsf/ocsf-schema git checkout at a tag.
//
// Usage: node generate-schema.js <ocsf-schema git dir> <tag> <events/.../class.json> > out.schema.json
//
// What it resolves, following the schema repository's own conventions (README "extends", "$include", dictionary):
// - the class's `extends` chain (compliance_finding → finding → base_event), child attributes over parent's;
// - `$include` files under includes/ (classification, occurrence); profiles/ are left out, and so are attributes
//   tagged with a `profile`, because an event only carries them when it lists the profile in metadata.profiles;
// - each attribute's type, is_array, enum and sibling from dictionary.json, the class's entries merged over the
//   dictionary's (so a class enum keeps the dictionary's 0 Unknown / 99 Other unless it redefines them);
// - object types from objects/*.json with their own extends chains and at_least_one / just_one constraints;
// - `requirement: required` → JSON Schema `required`; unknown attributes are refused (additionalProperties false),
//   except inside the generic `object` type (unmapped, data), which is free-form by definition;
// - an `*_id` enum with a sibling caption attribute: the caption must be the enum's caption (except 99 Other,
//   whose caption "is defined by the source").
// Primitive types map to JSON types by their base type (string_t, integer_t, long_t, float_t, boolean_t, json_t);
// the format regexes of derived string types (email_t, ip_t, …) are not carried over.
'use strict';
const { execFileSync } = require('node:child_process');

const [gitDir, tag, classPath] = process.argv.slice(2);
if (!gitDir || !tag || !classPath) {
  process.stderr.write('usage: generate-schema.js <ocsf-schema git dir> <tag> <events/<category>/<class>.json>\n');
  process.exit(2);
}
const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { maxBuffer: 64 << 20 }).toString();
const ref = `refs/tags/${tag}`;
const commit = git('rev-parse', `${ref}^{commit}`).trim();
const read = (p) => JSON.parse(git('show', `${ref}:${p}`));

const dictionary = read('dictionary.json');
const types = dictionary.types.attributes;
const categories = read('categories.json').attributes;
const objects = new Map();
for (const f of git('ls-tree', '--name-only', ref, 'objects/').split('\n').filter((l) => l.endsWith('.json'))) {
  const o = read(f);
  objects.set(o.name, o);
}

/** Attributes of a class or object with includes and the extends chain resolved (child wins). */
function attributesOf(def, lookup) {
  const parent = def.extends ? lookup(def.extends) : undefined;
  const base = parent ? attributesOf(parent, lookup) : { attrs: {}, constraints: undefined };
  const attrs = { ...base.attrs };
  const own = { ...def.attributes };
  for (const inc of own.$include ?? []) {
    if (inc.startsWith('profiles/')) continue;
    for (const [k, v] of Object.entries(read(inc).attributes)) attrs[k] = { ...attrs[k], ...v };
  }
  delete own.$include;
  for (const [k, v] of Object.entries(own)) attrs[k] = { ...attrs[k], ...v, enum: v.enum ? { ...attrs[k]?.enum, ...v.enum } : attrs[k]?.enum };
  for (const [k, v] of Object.entries(attrs)) if (v.profile) delete attrs[k];
  return { attrs, constraints: def.constraints ?? base.constraints };
}

const defs = {};
function primitive(type) {
  let t = type;
  while (types[t]?.type) t = types[t].type; // derived types (timestamp_t → long_t, email_t → string_t)
  return { string_t: { type: 'string' }, integer_t: { type: 'integer' }, long_t: { type: 'integer' }, float_t: { type: 'number' }, boolean_t: { type: 'boolean' }, json_t: {} }[t];
}

function typeSchema(name, spec) {
  const dict = dictionary.attributes[name] ?? {};
  const type = spec.type ?? dict.type;
  if (!type) throw new Error(`attribute ${name} has no type in dictionary.json`);
  let s;
  if (type.endsWith('_t')) {
    s = primitive(type);
    if (!s) throw new Error(`unknown primitive type ${type} (attribute ${name})`);
    const e = { ...dict.enum, ...spec.enum };
    if (Object.keys(e).length) s = { ...s, enum: Object.keys(e).map((k) => (s.type === 'string' ? k : Number(k))) };
  } else {
    defineObject(type);
    s = { $ref: `#/$defs/${type}` };
  }
  return (spec.is_array ?? dict.is_array) ? { type: 'array', items: s } : s;
}

/** An object's (or the class's) JSON Schema body from resolved attributes. */
function body(attrs, constraints) {
  const properties = {};
  const required = [];
  const allOf = [];
  for (const [k, spec] of Object.entries(attrs)) {
    properties[k] = typeSchema(k, spec);
    if (spec.requirement === 'required') required.push(k);
    const dict = dictionary.attributes[k] ?? {};
    const e = { ...dict.enum, ...spec.enum };
    const sibling = spec.sibling ?? dict.sibling;
    if (sibling && Object.keys(e).length) {
      for (const [id, v] of Object.entries(e)) {
        if (id === '99') continue;
        allOf.push({ if: { properties: { [k]: { const: Number(id) } }, required: [k] }, then: { properties: { [sibling]: { const: v.caption } } } });
      }
    }
  }
  const s = { type: 'object', properties, additionalProperties: false };
  if (required.length) s.required = required.sort();
  if (constraints?.at_least_one) allOf.push({ anyOf: constraints.at_least_one.map((a) => ({ required: [a] })) });
  if (constraints?.just_one) allOf.push({ oneOf: constraints.just_one.map((a) => ({ required: [a] })) });
  if (allOf.length) s.allOf = allOf;
  return s;
}

function defineObject(name) {
  if (defs[name]) return;
  if (name === 'object') {
    defs.object = { type: 'object', description: 'OCSF generic object: free-form by definition' };
    return;
  }
  const def = objects.get(name);
  if (!def) throw new Error(`object ${name} is not in objects/`);
  defs[name] = {}; // placeholder first: object graphs are recursive
  const { attrs, constraints } = attributesOf(def, (n) => objects.get(n) ?? { name: n, attributes: {} });
  defs[name] = { title: def.caption, ...body(attrs, constraints) };
}

const cls = read(classPath);
const lookupEvent = (n) => {
  const hits = git('ls-tree', '-r', '--name-only', ref, 'events/').split('\n').filter((p) => p.endsWith(`/${n}.json`) || p === `events/${n}.json`);
  if (hits.length !== 1) throw new Error(`cannot find event ${n}`);
  return read(hits[0]);
};
const { attrs, constraints } = attributesOf(cls, lookupEvent);
const categoryUid = categories[cls.category].uid;
const classUid = categoryUid * 1000 + cls.uid;
const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `urn:ocsf:${tag}:${cls.name}`,
  title: `OCSF ${tag} ${cls.caption} (class_uid ${classUid})`,
  $comment: `Generated by test/e2e/conformance/ocsf/generate-schema.js from github.com/ocsf/ocsf-schema tag ${tag} (commit ${commit}), ${classPath} with its extends chain, includes/, objects/ and dictionary.json. Profiles not applied.`,
  ...body(attrs, constraints),
};
const activities = Object.keys(attrs.activity_id.enum);
schema.properties.class_uid = { const: classUid };
schema.properties.class_name = { const: cls.caption };
schema.properties.category_uid = { const: categoryUid };
schema.properties.category_name = { const: categories[cls.category].caption };
schema.properties.type_uid = { enum: activities.map((a) => classUid * 100 + Number(a)) };
schema.allOf = [...(schema.allOf ?? []), ...activities.map((a) => ({ if: { properties: { activity_id: { const: Number(a) } }, required: ['activity_id'] }, then: { properties: { type_uid: { const: classUid * 100 + Number(a) } } } }))];
schema.$defs = Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b)));
process.stdout.write(`${JSON.stringify(schema, null, 1)}\n`);
