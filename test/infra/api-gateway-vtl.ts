// API Gateway's mapping-template variables, for rendering the deployed templates with a real
// Velocity engine (velocityjs). Only what the templates use, each as AWS documents it in
// "Variables for data transformations for API Gateway"
// (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html),
// and, where the docs are silent, the less forgiving reading.
import { Compile, parse } from 'velocityjs';

/**
 * $util.escapeJavaScript: "Escapes the characters in a string using JavaScript string rules",
 * and the docs warn it "will turn any regular single quotes (') into escaped ones (\')", which
 * JSON lacks. Modelled on the Apache Commons Lang escapeJavaScript that the Java engine behind
 * the docs' wording provides: ' " \ and / escaped with a backslash; \b \t \n \f \r by name;
 * every other UTF-16 unit below 0x20 or above 0x7e as \uXXXX (upper-case hex, so a character
 * beyond the BMP becomes its two surrogates).
 */
export function escapeJavaScript(value: string): string {
  const named: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', "'": "\\'", '"': '\\"', '\\': '\\\\', '/': '\\/' };
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const code = value.charCodeAt(i);
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** The JSONPath the templates use: `$` and `$.a.b`. Anything else fails the test rather than guessing. */
function jsonPath(root: unknown, path: string): unknown {
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path)) throw new Error(`JSONPath ${path} is beyond this model`);
  let node = root;
  for (const part of path.split('.').slice(1)) node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

export interface TemplateRequest {
  /** The payload: the method request body, or the integration's response body. */
  body: string;
  /** Method request parameters: path, then query string, then header, as $input.params searches them. */
  params?: { path?: Record<string, string>; querystring?: Record<string, string>; header?: Record<string, string> };
  /** $context.requestTimeEpoch: the request time in epoch milliseconds. */
  requestTimeEpoch?: number;
}

export interface Rendered {
  text: string;
  /** $context.responseOverride.status, when the template set it. */
  statusOverride: number | undefined;
}

// Java String methods the templates call on strings (velocityjs would call JavaScript's).
const javaStringMethods = [
  {
    // String.contains(CharSequence)
    match: ({ property, context }: { property: string; context: unknown }) => typeof context === 'string' && property === 'contains',
    resolve: ({ context, params }: { context: string; params: unknown[] }) => context.includes(String(params[0])),
  },
  {
    // String.replaceAll(regex, replacement): a Java regular expression, every match. In the
    // replacement, \ and $ are special in Java; the model refuses them rather than guess.
    match: ({ property, context }: { property: string; context: unknown }) => typeof context === 'string' && property === 'replaceAll',
    resolve: ({ context, params }: { context: string; params: unknown[] }) => {
      const [regex, replacement] = params.map(String) as [string, string];
      if (/[\\$]/.test(replacement)) throw new Error(`replacement ${replacement} is beyond this model`);
      return context.replace(new RegExp(regex, 'g'), () => replacement);
    },
  },
];

/** Renders a mapping template as API Gateway would for this request. */
export function renderMappingTemplate(template: string, request: TemplateRequest): Rendered {
  const parsedBody = (() => {
    try {
      return JSON.parse(request.body) as unknown;
    } catch {
      return undefined;
    }
  })();
  const params = request.params ?? {};
  const context = { requestTimeEpoch: request.requestTimeEpoch ?? Date.now(), responseOverride: {} as { status?: number } };
  const variables = {
    input: {
      // "$input.body: Returns the raw payload as a string."
      body: request.body,
      // "$input.json(x): evaluates a JSONPath expression and returns the results as a JSON string."
      json: (path: string) => JSON.stringify(jsonPath(parsedBody, path)) ?? '',
      // "$input.path(x): evaluates a JSONPath expression and returns the result as an object",
      // so a string stays a string and a number a number. An absent field is Java's null, which
      // velocityjs spells undefined (it would print a JavaScript null as "null").
      path: (path: string) => jsonPath(parsedBody, path) ?? undefined,
      // "$input.params(x): the value of a method request parameter from the path, query string,
      // or header value (searched in that order)".
      params: (name: string) => params.path?.[name] ?? params.querystring?.[name] ?? params.header?.[name] ?? '',
    },
    util: {
      escapeJavaScript: (value: unknown) => escapeJavaScript(String(value)),
      // "$util.parseJson(): takes stringified JSON and returns an object representation."
      parseJson: (text: string) => JSON.parse(text) as unknown,
    },
    context,
  };
  // env "development": a reference to a method that does not exist throws instead of printing itself.
  const text = new Compile(parse(template), { env: 'development', customMethodHandlers: javaStringMethods as never }).render(variables);
  return { text, statusOverride: context.responseOverride.status };
}
