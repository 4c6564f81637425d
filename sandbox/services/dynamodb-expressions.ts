// DynamoDB condition expressions, the subset the sandbox models: comparisons (=, <>, <, <=, >,
// >=) between top-level attributes and values, attribute_exists / attribute_not_exists, AND,
// OR, NOT and parentheses, with the documented precedence (comparisons and functions, then
// NOT, AND, OR). What is outside the subset is refused as unsupported rather than guessed.
// Names (#n) and values (:v) must all be defined and all be used, as DynamoDB requires.
import { SimError } from '../errors.js';

/** One attribute value in DynamoDB's JSON form ({ S: "x" }, { N: "1" }, ...). */
type AttributeValue = Record<string, unknown>;
export type Item = Record<string, AttributeValue>;

type Operand = { kind: 'path'; name: string } | { kind: 'value'; value: AttributeValue };
type Condition =
  | { kind: 'compare'; op: string; left: Operand; right: Operand }
  | { kind: 'exists'; negated: boolean; name: string }
  | { kind: 'not'; inner: Condition }
  | { kind: 'and' | 'or'; left: Condition; right: Condition };

export interface ExpressionInput {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

const TOKEN = /\s*(<>|<=|>=|[=<>(),]|#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*)/y;

function invalid(detail: string): SimError {
  return new SimError('ValidationException', `Invalid ConditionExpression: ${detail}`);
}

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    if (/^\s*$/.test(expression.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) throw invalid(`Syntax error; token: "${expression.slice(start).trim().slice(0, 1)}", near: "${expression.slice(start).trim().slice(0, 10)}"`);
    tokens.push(match[1]!);
  }
  return tokens;
}

class Parser {
  private i = 0;
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();

  constructor(
    private readonly tokens: string[],
    private readonly names: Record<string, string>,
    private readonly values: Record<string, AttributeValue>,
  ) {}

  parse(): Condition {
    const condition = this.or();
    if (this.i < this.tokens.length) throw invalid(`Syntax error; token: "${this.tokens[this.i]}"`);
    return condition;
  }

  private peekKeyword(word: string): boolean {
    return this.tokens[this.i]?.toUpperCase() === word;
  }

  private expect(token: string): void {
    if (this.tokens[this.i] !== token) throw invalid(`Syntax error; expected "${token}", found "${this.tokens[this.i] ?? '<EOF>'}"`);
    this.i += 1;
  }

  private or(): Condition {
    let left = this.and();
    while (this.peekKeyword('OR')) {
      this.i += 1;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.peekKeyword('AND')) {
      this.i += 1;
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Condition {
    if (this.peekKeyword('NOT')) {
      this.i += 1;
      return { kind: 'not', inner: this.not() };
    }
    return this.primary();
  }

  private primary(): Condition {
    const token = this.tokens[this.i];
    if (token === '(') {
      this.i += 1;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token === 'attribute_exists' || token === 'attribute_not_exists') {
      this.i += 1;
      this.expect('(');
      const operand = this.operand();
      if (operand.kind !== 'path')
        throw invalid(`Incorrect operand type for operator or function; operator or function: ${token}, operand type: ${operandType(operand)}`);
      this.expect(')');
      return { kind: 'exists', negated: token === 'attribute_not_exists', name: operand.name };
    }
    if (token && /^[A-Za-z_]+$/.test(token) && this.tokens[this.i + 1] === '(')
      throw new SimError('ValidationException', `The sandbox does not model the DynamoDB function ${token} in a ConditionExpression.`);
    const left = this.operand();
    const op = this.tokens[this.i];
    if (!op || !['=', '<>', '<', '<=', '>', '>='].includes(op)) throw invalid(`Syntax error; token: "${op ?? '<EOF>'}"`);
    this.i += 1;
    return { kind: 'compare', op, left, right: this.operand() };
  }

  private operand(): Operand {
    const token = this.tokens[this.i];
    if (!token) throw invalid('Syntax error; token: "<EOF>"');
    this.i += 1;
    if (token.startsWith('#')) {
      const name = this.names[token];
      if (name === undefined) throw invalid(`An expression attribute name used in the document path is not defined; attribute name: ${token}`);
      this.usedNames.add(token);
      return { kind: 'path', name };
    }
    if (token.startsWith(':')) {
      const value = this.values[token];
      if (value === undefined) throw invalid(`An expression attribute value used in expression is not defined; attribute value: ${token}`);
      this.usedValues.add(token);
      return { kind: 'value', value };
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(token) && !['AND', 'OR', 'NOT'].includes(token.toUpperCase())) return { kind: 'path', name: token };
    throw invalid(`Syntax error; token: "${token}"`);
  }
}

function operandType(operand: Operand): string {
  return operand.kind === 'path' ? 'PATH' : (Object.keys(operand.value)[0] ?? '?');
}

function resolve(operand: Operand, item: Item | undefined): AttributeValue | undefined {
  return operand.kind === 'value' ? operand.value : item?.[operand.name];
}

/**
 * DynamoDB compares N as numbers, S and B by their bytes; values of different types, or a
 * missing attribute, are never equal or ordered, so `<>` holds for them and the rest do not.
 */
function compare(op: string, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (op === '<>') return !compare('=', a, b);
  if (!a || !b) return false;
  const [typeA] = Object.keys(a);
  const [typeB] = Object.keys(b);
  if (typeA !== typeB || !typeA) return false;
  if (op === '=' || op === '<>') return (JSON.stringify(a) === JSON.stringify(b)) === (op === '=');
  if (typeA !== 'N' && typeA !== 'S') throw invalid(`Incorrect operand type for operator or function; operator: ${op}, operand type: ${typeA}`);
  const x = typeA === 'N' ? Number(a['N']) : Buffer.from(String(a['S']));
  const y = typeA === 'N' ? Number(b['N']) : Buffer.from(String(b['S']));
  const order = typeof x === 'number' ? x - (y as number) : Buffer.compare(x, y as Buffer);
  return op === '<' ? order < 0 : op === '<=' ? order <= 0 : op === '>' ? order > 0 : order >= 0;
}

function evaluate(condition: Condition, item: Item | undefined): boolean {
  switch (condition.kind) {
    case 'compare':
      return compare(condition.op, resolve(condition.left, item), resolve(condition.right, item));
    case 'exists':
      return (item?.[condition.name] !== undefined) !== condition.negated;
    case 'not':
      return !evaluate(condition.inner, item);
    case 'and':
      return evaluate(condition.left, item) && evaluate(condition.right, item);
    case 'or':
      return evaluate(condition.left, item) || evaluate(condition.right, item);
  }
}

/**
 * Checks the expression's names and values (all defined, all used) and, when there is a
 * condition, whether `item` (the current item, or undefined) satisfies it.
 */
export function conditionHolds(input: ExpressionInput, item: Item | undefined): boolean {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const expression = input.ConditionExpression;
  if (expression === undefined) {
    if (Object.keys(names).length) throw new SimError('ValidationException', 'ExpressionAttributeNames can only be specified when using expressions');
    if (Object.keys(values).length) throw new SimError('ValidationException', 'ExpressionAttributeValues can only be specified when using expressions');
    return true;
  }
  if (expression.trim() === '') throw new SimError('ValidationException', 'Invalid ConditionExpression: The expression can not be empty;');
  const parser = new Parser(tokenize(expression), names, values);
  const condition = parser.parse();
  const unusedNames = Object.keys(names).filter((n) => !parser.usedNames.has(n));
  if (unusedNames.length)
    throw new SimError('ValidationException', `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`);
  const unusedValues = Object.keys(values).filter((v) => !parser.usedValues.has(v));
  if (unusedValues.length)
    throw new SimError('ValidationException', `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`);
  return evaluate(condition, item);
}
