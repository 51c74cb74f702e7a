import { childRoutes } from "../children/child-routes";
import {
  AddressCreateSchema,
  AddressListQuery,
  AddressListSchema,
  AddressSchema,
  AddressUpdateSchema,
} from "./addresses.schemas";

export const { create, list, get, update, remove } = childRoutes({
  path: "/contacts/addresses/",
  param: "address_id",
  tag: "Addresses",
  resource: "addresses",
  label: "address",
  conflict: "The address conflicts with another",
  schemas: {
    create: AddressCreateSchema,
    update: AddressUpdateSchema,
    item: AddressSchema,
    list: AddressListSchema,
    listQuery: AddressListQuery,
  },
});
