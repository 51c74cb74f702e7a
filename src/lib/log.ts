/**
 * Structured error log line. Personal data (PAN, Aadhaar, phone, email, account numbers) must not
 * reach the logs: request bodies are never logged, and of a failed query only the database's own
 * message is kept (drizzle's wrapper message lists the query's parameters, i.e. the values).
 */
export function logError(requestId: string, msg: string, error: unknown): void {
  let root = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  const name = root instanceof Error ? root.name : typeof root;
  const message =
    root instanceof Error && !/params:/.test(root.message) ? root.message : "(message withheld)";
  console.error(JSON.stringify({ level: "error", request_id: requestId, msg, name, message }));
}
