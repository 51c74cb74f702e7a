import { childRoutes } from "../children/child-routes";
import {
  BankCreateSchema,
  BankListQuery,
  BankListSchema,
  BankSchema,
  BankUpdateSchema,
} from "./banks.schemas";

export const { create, list, get, update, remove } = childRoutes({
  path: "/contacts/banks/",
  param: "bank_id",
  tag: "Bank accounts",
  resource: "banks",
  label: "bank account",
  conflict: "The same account number and IFSC are already on this contact",
  schemas: {
    create: BankCreateSchema,
    update: BankUpdateSchema,
    item: BankSchema,
    list: BankListSchema,
    listQuery: BankListQuery,
  },
});
