import { createRouter } from "../../lib/router";
import * as handlers from "./relations.handlers";
import * as routes from "./relations.routes";

export const relationsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove);
