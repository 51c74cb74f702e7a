/**
 * Structured error log line. Only the error's name and message are written, never request bodies:
 * personal data (PAN, Aadhaar, phone, email, account numbers) must not reach the logs.
 */
export function logError(requestId: string, msg: string, error: unknown): void {
  const detail =
    error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
  console.error(JSON.stringify({ level: "error", request_id: requestId, msg, ...detail }));
}
