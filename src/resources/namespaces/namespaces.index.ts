import { createRouter } from "../../lib/router";
import * as handlers from "./namespaces.handlers";
import * as routes from "./namespaces.routes";

export const namespacesRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove);
