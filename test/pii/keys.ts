// Fixed test keys (32 bytes each, standard base64); never used outside tests.
export const KEY_A = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
export const KEY_B = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
export const KEY_C = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=";

export const secret = (...entries: [string, string][]) =>
  JSON.stringify(entries.map(([id, key]) => ({ id, key })));
