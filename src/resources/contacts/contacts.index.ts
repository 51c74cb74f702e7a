import { createRouter } from "../../lib/router";
import * as handlers from "./contacts.handlers";
import * as routes from "./contacts.routes";

export const contactsRouter = createRouter()
  .openapi(routes.create, handlers.create)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.active, handlers.active)
  .openapi(routes.inactive, handlers.inactive)
  .openapi(routes.approve, handlers.approve)
  .openapi(routes.reject, handlers.reject)
  .openapi(routes.erase, handlers.erase)
  .openapi(routes.getProps, handlers.getProps)
  .openapi(routes.putProps, handlers.putProps)
  .openapi(routes.deleteProps, handlers.deleteProps)
  .openapi(routes.history, handlers.history);
