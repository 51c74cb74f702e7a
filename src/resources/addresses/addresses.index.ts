import { createRouter } from "../../lib/router";
import * as handlers from "./addresses.handlers";
import * as routes from "./addresses.routes";

export const addressesRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove);
