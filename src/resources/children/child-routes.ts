import type { z } from "@hono/zod-openapi";
import { idParam } from "../../lib/fields";
import { apiRoute, errorResponse, jsonBody, jsonContent, Scope } from "../../lib/openapi";

type Schemas = {
  create: z.ZodType;
  update: z.ZodType;
  item: z.ZodType;
  list: z.ZodType;
  listQuery: z.ZodObject;
};

/** The five route contracts of a flat sub-resource of contacts (Crego's layout). */
export function childRoutes<const P extends string, S extends Schemas>(config: {
  path: string;
  param: P;
  tag: string;
  resource: string;
  label: string;
  schemas: S;
  conflict: string;
}) {
  const { path, tag, resource, label, schemas } = config;
  const tags = [tag];
  const params = idParam(config.param);
  const itemPath = `${path}{${config.param}}/`;
  const notFound = errorResponse(`No such ${label} in the caller's tenant`);
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
      responses: { 201: jsonContent(schemas.item, `The ${label}`), 409: errorResponse(config.conflict) },
    }),
    list: apiRoute({
      method: "get",
      path,
      operationId: `${resource}.list`,
      tags,
      summary: `List ${resource}`,
      scope: Scope.read,
      request: { query: schemas.listQuery as S["listQuery"] },
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
        409: errorResponse(config.conflict),
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
