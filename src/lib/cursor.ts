import { ApiError } from "./errors";

/** What a cursor is bound to: the tenant, the resource, every filter and the ordering. */
export type CursorScope = { secret: string; tenantId: string; resource: string; filters: unknown };

/** A cursor's content: the last row's sort value and id, and the binding of its list. */
export type CursorPosition = { v: [string | number, string]; f: string };

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

const keyCache = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keyCache.set(secret, key);
  }
  return key;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

/** The binding of a list's cursors: a digest of the tenant, resource and filters, and the effective ordering. */
export async function cursorBinding(scope: CursorScope, ordering: string): Promise<string> {
  // The ordering is bound by its effective value (no `ordering` = `-created_at`), not as sent.
  const { ordering: _ordering, ...filters } = isRecord(scope.filters)
    ? scope.filters
    : { value: scope.filters };
  const material = JSON.stringify([scope.tenantId, scope.resource, filters]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(material));
  return `${toBase64Url(new Uint8Array(digest).slice(0, 12))}:${ordering}`;
}

export async function encodeCursor(position: CursorPosition, secret: string): Promise<string> {
  const body = new TextEncoder().encode(JSON.stringify(position));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), body));
  return `${toBase64Url(body)}.${toBase64Url(mac.slice(0, 16))}`;
}

export const badCursor = () =>
  new ApiError("validation", "The cursor is not valid for this list", {
    errors: [
      {
        path: "cursor",
        code: "invalid_cursor",
        message: "is tampered, expired or was issued for other filters",
      },
    ],
  });

function isPosition(value: unknown): value is CursorPosition {
  if (typeof value !== "object" || value === null || !("v" in value) || !("f" in value)) return false;
  const { v, f } = value;
  return (
    typeof f === "string" &&
    Array.isArray(v) &&
    v.length === 2 &&
    (typeof v[0] === "string" || typeof v[0] === "number") &&
    typeof v[1] === "string"
  );
}

/** The position a cursor carries, once its signature is checked; any flaw is the same 400. */
export async function decodeCursor(cursor: string, secret: string): Promise<CursorPosition> {
  const [body, mac] = cursor.split(".");
  if (!body || !mac) throw badCursor();
  let bytes: Uint8Array;
  let macBytes: Uint8Array;
  try {
    bytes = fromBase64Url(body);
    macBytes = fromBase64Url(mac);
  } catch {
    throw badCursor();
  }
  const signed = await crypto.subtle.sign("HMAC", await hmacKey(secret), bytes);
  const expected = new Uint8Array(signed).slice(0, 16);
  if (macBytes.length !== expected.length || !crypto.subtle.timingSafeEqual(macBytes, expected))
    throw badCursor();
  let position: unknown;
  try {
    position = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw badCursor();
  }
  if (!isPosition(position)) throw badCursor();
  return position;
}

/** Cursors are signed with CURSOR_SECRET (falling back to JWT_SECRET) so clients cannot forge positions. */
export function cursorSecret(env: { CURSOR_SECRET?: string; JWT_SECRET?: string }): string {
  const secret = env.CURSOR_SECRET || env.JWT_SECRET;
  if (!secret) throw new ApiError("unavailable", "Cursor signing is not configured (CURSOR_SECRET)");
  return secret;
}
