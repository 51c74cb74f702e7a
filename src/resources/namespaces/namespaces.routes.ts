import { idParam } from "../../lib/fields";
import { apiRoute, jsonBody, jsonContent } from "../../lib/openapi";
import { problem } from "../../lib/problems";
import { Scope } from "../../lib/scopes";
import {
  NamespaceCreateSchema,
  NamespaceListQuery,
  NamespaceListSchema,
  NamespaceSchema,
  NamespaceUpdateSchema,
} from "./namespaces.schemas";

const tags = ["Namespaces"];
const params = idParam("namespace_id");
const notFound = problem("No such namespace in the caller's tenant");

export const create = apiRoute({
  method: "post",
  path: "/namespaces/",
  operationId: "namespaces.create",
  tags,
  summary: "Create a namespace",
  scope: Scope.namespaces,
  request: { body: jsonBody(NamespaceCreateSchema) },
  responses: {
    201: jsonContent(NamespaceSchema, "The namespace"),
    409: problem("A namespace with this name (case-insensitive) exists"),
  },
});

export const list = apiRoute({
  method: "get",
  path: "/namespaces/",
  operationId: "namespaces.list",
  tags,
  summary: "List namespaces",
  scope: Scope.read,
  request: { query: NamespaceListQuery },
  responses: { 200: jsonContent(NamespaceListSchema, "A page of namespaces") },
});

export const get = apiRoute({
  method: "get",
  path: "/namespaces/{namespace_id}/",
  operationId: "namespaces.get",
  tags,
  summary: "Retrieve a namespace",
  scope: Scope.read,
  request: { params },
  responses: { 200: jsonContent(NamespaceSchema, "The namespace"), 404: notFound },
});

export const update = apiRoute({
  method: "patch",
  path: "/namespaces/{namespace_id}/",
  operationId: "namespaces.update",
  tags,
  summary: "Update a namespace (partial)",
  scope: Scope.namespaces,
  request: { params, body: jsonBody(NamespaceUpdateSchema) },
  responses: {
    200: jsonContent(NamespaceSchema, "The namespace"),
    404: notFound,
    409: problem("Name taken, or a counter moved back"),
  },
});

export const remove = apiRoute({
  method: "delete",
  path: "/namespaces/{namespace_id}/",
  operationId: "namespaces.remove",
  tags,
  summary: "Delete a namespace",
  description: "Refused with 409 while any contact is in the namespace.",
  scope: Scope.namespaces,
  request: { params },
  responses: {
    204: { description: "Deleted" },
    404: notFound,
    409: problem("The namespace still holds contacts"),
  },
});
