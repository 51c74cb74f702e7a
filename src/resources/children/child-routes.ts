import type { z } from "@hono/zod-openapi";
import { idParam } from "../../lib/fields";
import { apiRoute, jsonBody, jsonContent } from "../../lib/openapi";
import { problem } from "../../lib/problems";
import { Scope } from "../../lib/scopes";

/**
 * The five route contracts of a flat sub-resource of contacts (Crego's layout). Generic over each
 * concrete schema, so handlers get typed `c.req.valid()` values and are checked against their responses.
 */
export function childRoutes<
  const Path extends string,
  const P extends string,
  Create extends z.ZodType,
  Update extends z.ZodType,
  Item extends z.ZodType,
  List extends z.ZodType,
  ListQuery extends z.ZodObject,
>(config: {
  path: Path;
  param: P;
  tag: string;
  resource: string;
  label: string;
  schemas: { create: Create; update: Update; item: Item; list: List; listQuery: ListQuery };
  conflict: string;
}) {
  const { path, tag, resource, label, schemas } = config;
  const tags = [tag];
  const params = idParam(config.param);
  const itemPath: `${Path}{${P}}/` = `${path}{${config.param}}/`;
  const notFound = problem(`No such ${label} in the caller's tenant`);
  return {
    create: apiRoute({
      method: "post",
      path,
      operationId: `${resource}.create`,
      tags,
      summary: `Create ${label === "address" ? "an" : "a"} ${label}`,
      description: `Also written to the owning contact's history in the same atomic batch. An unknown contact (or another tenant's) is 400.`,
      scope: Scope.write,
      request: { body: jsonBody(schemas.create) },
      responses: { 201: jsonContent(schemas.item, `The ${label}`), 409: problem(config.conflict) },
    }),
    list: apiRoute({
      method: "get",
      path,
      operationId: `${resource}.list`,
      tags,
      summary: `List ${resource}`,
      scope: Scope.read,
      request: { query: schemas.listQuery },
      responses: { 200: jsonContent(schemas.list, `A page of ${resource}`) },
    }),
    get: apiRoute({
      method: "get",
      path: itemPath,
      operationId: `${resource}.get`,
      tags,
      summary: `Retrieve ${label === "address" ? "an" : "a"} ${label}`,
      scope: Scope.read,
      request: { params },
      responses: { 200: jsonContent(schemas.item, `The ${label}`), 404: notFound },
    }),
    update: apiRoute({
      method: "patch",
      path: itemPath,
      operationId: `${resource}.update`,
      tags,
      summary: `Update ${label === "address" ? "an" : "a"} ${label} (partial)`,
      scope: Scope.write,
      request: { params, body: jsonBody(schemas.update) },
      responses: {
        200: jsonContent(schemas.item, `The ${label}`),
        404: notFound,
        409: problem(config.conflict),
      },
    }),
    remove: apiRoute({
      method: "delete",
      path: itemPath,
      operationId: `${resource}.remove`,
      tags,
      summary: `Delete ${label === "address" ? "an" : "a"} ${label}`,
      scope: Scope.write,
      request: { params },
      responses: { 204: { description: "Deleted" }, 404: notFound },
    }),
  };
}
