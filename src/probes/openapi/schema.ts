/**
 * OpenAPI schema validity through swagger-parser (the OpenAPI 3.0/3.1 JSON Schemas, via ajv): invalid schema type
 * names, 3.1-style type arrays in a 3.0 document, unknown top-level fields and the like, which pengawas's own
 * structural rules (validate.ts) do not check. External `$ref`s are never followed: a hostile document could
 * otherwise make the monitor read local files (relative refs resolve against the working directory) or fetch any
 * URL; only same-document refs are resolved (and validate.ts reports those that do not resolve). swagger-parser is
 * loaded on first use, so processes that never check an OpenAPI document do not pay for it at start.
 */
import type { Problem } from './validate';

interface AjvError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

/** ajv's branch noise: "must have required property '$ref'" beside every schema, and the oneOf/anyOf summaries. */
function noise(e: AjvError): boolean {
  return (
    (e.keyword === 'required' && e.params?.missingProperty === '$ref') ||
    e.keyword === 'oneOf' ||
    e.keyword === 'anyOf' ||
    e.keyword === 'if'
  );
}

export async function schemaProblems(doc: Record<string, unknown>): Promise<Problem[]> {
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  try {
    await SwaggerParser.validate(structuredClone(doc) as never, { resolve: { external: false }, validate: { schema: true, spec: false } });
    return [];
  } catch (err) {
    const details = (err as { details?: AjvError[] }).details;
    // Without ajv details it is swagger-parser's own verdict (e.g. a 3.1 document with only `components`, which
    // the 3.1 specification allows): pengawas's structural rules decide those.
    if (!Array.isArray(details)) return [];
    const seen = new Set<string>();
    const out: Problem[] = [];
    for (const e of details.filter((d) => !noise(d))) {
      const where = `#${e.instancePath ?? ''}`;
      const extra =
        typeof e.params?.additionalProperty === 'string'
          ? ` ("${e.params.additionalProperty}")`
          : Array.isArray(e.params?.allowedValues)
            ? ` (${e.params.allowedValues.join(', ')})`
            : '';
      const message = `${e.message ?? 'is invalid'}${extra}`;
      if (seen.has(where + message)) continue;
      seen.add(where + message);
      out.push({ rule: 'schema', where, message });
    }
    return out;
  }
}
