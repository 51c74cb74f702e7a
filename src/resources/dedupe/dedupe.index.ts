import { createRouter } from "../../lib/router";
import * as handlers from "./dedupe.handlers";
import * as routes from "./dedupe.routes";

export const dedupeRouter = createRouter().openapi(routes.dedupe, handlers.dedupe);
