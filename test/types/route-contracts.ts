/**
 * Compiled by `npm run typecheck`, never run: each `@ts-expect-error` line must fail to compile, or the
 * check itself fails ("unused directive"). It proves handlers are typed from their route contracts at
 * both ends, for a top-level route and for a sub-resource route built by the shared factory.
 */
import { type AppRouteHandler, noContent } from "../../src/lib/router";
import type * as addresses from "../../src/resources/addresses/addresses.routes";
import type { toNamespace } from "../../src/resources/namespaces/namespaces.mappers";
import type * as namespaces from "../../src/resources/namespaces/namespaces.routes";

type NamespaceCreateContext = Parameters<AppRouteHandler<typeof namespaces.create>>[0];
type AddressUpdateContext = Parameters<AppRouteHandler<typeof addresses.update>>[0];

export const wrongNamespaceBody: AppRouteHandler<typeof namespaces.create> = async (c) =>
  // @ts-expect-error: the body does not have the Namespace shape
  c.json({ wrong: 1 }, 201);

declare const namespace: ReturnType<typeof toNamespace>;

export const wrongNamespaceStatus: AppRouteHandler<typeof namespaces.get> = async (c) =>
  // @ts-expect-error: a right body with a wrong status (201 is not a response of namespaces.get)
  c.json(namespace, 201);

export const rightNamespaceGet: AppRouteHandler<typeof namespaces.get> = async (c) => c.json(namespace, 200);

export function wrongNamespaceField(c: NamespaceCreateContext): object {
  // @ts-expect-error: the create body has no `colour` field
  return { colour: c.req.valid("json").colour };
}

export const wrongAddressBody: AppRouteHandler<typeof addresses.create> = async (c) =>
  // @ts-expect-error: the body does not have the Address shape
  c.json({ wrong: 1 }, 201);

// @ts-expect-error: a delete answers 204, never 200
export const wrongAddressStatus: AppRouteHandler<typeof addresses.remove> = async (c) => c.json({}, 200);

export function wrongAddressField(c: AddressUpdateContext): number {
  // @ts-expect-error: address_line is a string (or null), never a number
  const line: number = c.req.valid("json").address_line;
  return line;
}

/** The well-typed counterparts compile: a sub-resource's typed path parameter, and the 204 helper. */
export const rightAddressDelete: AppRouteHandler<typeof addresses.remove> = async (c) => {
  const id: string = c.req.valid("param").address_id;
  return id.length > 0 ? noContent(c) : noContent(c);
};

export function rightNamespaceField(c: NamespaceCreateContext): string {
  return c.req.valid("json").name;
}
