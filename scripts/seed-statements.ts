/**
 * The API's write statements (drizzle queries from src/ builders) run on node:sqlite, fast enough for
 * millions of rows.
 *
 * Building a drizzle query and turning it into SQL costs tens of microseconds, about a millisecond per
 * seeded contact. So each builder runs once per shape: with marker strings in place of the row's
 * values, its SQL and parameters become a template (one prepared statement per SQL text), and each row
 * fills the parameters the markers stand for: a value bound as is, or as JSON (json columns, the
 * identifier index's JSON parameter), also inside a JSON document (a relation's history changes), or
 * as a custom column type encodes it (contacts.props: no marker survives an encoding). Values that can
 * change a statement's shape (null, booleans, empty strings and arrays) are not replaced: they are
 * part of the template's key. Every statement is checked against the builder itself for the first uses
 * of each template and every `verifyEvery` uses after: a builder that computes from a value in a way
 * the template cannot reproduce fails the seed instead of writing other rows.
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";
import { preparedOnce, sqliteParams } from "../bench/lib/sqlite-statements";

type Built = { toSQL(): { sql: string; params: unknown[] } };
type Values = Record<string, unknown>;
type Slot = (values: Values) => unknown;
type Template = { statements: { statement: StatementSync; sql: string; slots: Slot[] }[]; uses: number };
/** How a builder binds a value through its column's own encoding (a custom column type), by key. */
export type Encoders = Record<string, (value: unknown) => unknown>;

const MARK = "@@seed:";
const marker = (key: string) => `${MARK}${key}@@`;
// A value in a JSON text: an array's marker is a one-element array (builders may filter or map it).
const IN_JSON = /\["@@seed:([A-Za-z0-9_]+)@@"\]|"@@seed:([A-Za-z0-9_]+)@@"/g;

/** A value that stands in the template as a marker; anything else is part of the template's key. */
function replaceable(value: unknown): boolean {
  if (typeof value === "string") return value !== "";
  if (typeof value === "number") return true;
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && typeof value === "object" && Object.keys(value).length > 0;
}

/** How a parameter is filled: a constant, a value as is, or a text with values inserted as JSON. */
function slotOf(param: unknown, sql: string): Slot {
  if (typeof param !== "string" || !param.includes(MARK)) return () => param;
  const whole = /^@@seed:([A-Za-z0-9_]+)@@$/.exec(param)?.[1];
  if (whole) return (values) => values[whole];
  // text, array key, scalar key, text, ...: each value inserted as its JSON.
  const split = param.split(IN_JSON);
  const texts: string[] = [];
  const keys: string[] = [];
  for (let i = 0; i < split.length; i += 3) {
    texts.push(split[i] ?? "");
    if (i + 1 < split.length) keys.push((split[i + 1] ?? split[i + 2]) as string);
  }
  if (texts.some((text) => text.includes(MARK)))
    throw new Error(`a builder transformed a value the seeder fills in: ${param.slice(0, 200)} (${sql})`);
  return (values) => {
    let text = texts[0] as string;
    for (let i = 0; i < keys.length; i++)
      text += JSON.stringify(values[keys[i] as string]) + (texts[i + 1] as string);
    return text;
  };
}

export class StatementTemplates {
  private readonly templates = new Map<string, Template>();
  private readonly prepared: (sql: string) => StatementSync;
  private uses = 0;

  constructor(
    db: DatabaseSync,
    private readonly options: {
      /** Also build every n-th row with the builder itself and compare (0: only the first uses). */
      verifyEvery?: number;
      /** Called with each new SQL text (e.g. to refuse a write that scans a table). */
      check?: (sql: string) => void;
    } = {},
  ) {
    this.prepared = preparedOnce(db);
  }

  /**
   * Runs the statements `build` makes of `values` (a builder's input: keys are letters, digits, _).
   * `fixed` names values the builder branches on: they are kept, and part of the template's key.
   * `encoded` names values the builder binds through their column's encoding.
   */
  run(
    name: string,
    values: Values,
    build: (values: Values) => Built[],
    fixed: readonly string[] = [],
    encoded: Encoders = {},
  ): void {
    let key = name;
    for (const k in values) {
      const v = values[k];
      key += replaceable(v) && !fixed.includes(k) ? `|${k}` : `|${k}=${JSON.stringify(v) ?? "u"}`;
    }
    let template = this.templates.get(key);
    if (!template) {
      template = this.compile(values, build, fixed, encoded);
      this.templates.set(key, template);
    }
    const every = this.options.verifyEvery ?? 0;
    const verify = template.uses++ < 2 || (every > 0 && ++this.uses % every === 0);
    const filled = template.statements.map((s) => s.slots.map((slot) => slot(values)));
    if (verify) this.verify(name, template, filled, build(values));
    template.statements.forEach((s, i) => {
      s.statement.run(...(filled[i] as never[]));
    });
  }

  private compile(
    values: Values,
    build: (values: Values) => Built[],
    fixed: readonly string[],
    encoded: Encoders,
  ): Template {
    const markers: Values = {};
    // A marker would not survive a column's encoding: the builder gets this row's value, and the
    // parameter equal to its encoding is filled with the encoding of each row's value.
    const encodings = new Map<unknown, Slot>();
    for (const k in values) {
      const v = values[k];
      const encode = encoded[k];
      if (!replaceable(v) || fixed.includes(k)) markers[k] = v;
      else if (encode) {
        markers[k] = v;
        encodings.set(encode(v), (row) => encode(row[k]));
      } else markers[k] = Array.isArray(v) ? [marker(k)] : marker(k);
    }
    const statements = build(markers).map((query) => {
      const { sql, params } = query.toSQL();
      if (sql.includes(MARK)) throw new Error(`a builder wrote a value into the SQL text: ${sql}`);
      this.options.check?.(sql);
      const slots = sqliteParams(params).map((p) => encodings.get(p) ?? slotOf(p, sql));
      return { statement: this.prepared(sql), sql, slots };
    });
    return { statements, uses: 0 };
  }

  private verify(name: string, template: Template, filled: unknown[][], built: Built[]) {
    const expected = built.map((q) => {
      const { sql, params } = q.toSQL();
      return { sql, params: sqliteParams(params) as unknown[] };
    });
    const actual = template.statements.map((s, i) => ({ sql: s.sql, params: filled[i] }));
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      throw new Error(
        `${name}: the statement template differs from the builder\n template: ${JSON.stringify(actual)}\n builder: ${JSON.stringify(expected)}`,
      );
  }
}
