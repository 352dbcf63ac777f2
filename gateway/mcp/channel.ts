// The way back to the client for one downstream request: notifications and server-to-client
// requests (sampling, elicitation) ride on that request's own response stream.
export interface CallChannel {
  notify(notification: { method: string; params?: Record<string, unknown> }): Promise<void>;
  request(
    request: { method: string; params?: Record<string, unknown> },
    signal: AbortSignal,
  ): Promise<Record<string, unknown>>;
}
