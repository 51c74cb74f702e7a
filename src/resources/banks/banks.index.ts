import { createRouter } from "../../lib/router";
import * as handlers from "./banks.handlers";
import * as routes from "./banks.routes";

export const banksRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove);
