// What a policy's print() and trace() calls wrote while deciding a request: one debug log line per
// decision that wrote something, under its decision id. The engine bounds the lines per
// evaluation (rego/builtins/host/evaluation-output.ts); the gateway's logger masks secrets in them.
import type { Logger } from "./log.ts";
import type { CallObserver, RequestObservation } from "./observer.ts";

export function decisionOutputLog(log: Logger): CallObserver {
  const request: RequestObservation = {
    decided({ decision }) {
      if (!decision.output) return;
      log.log("debug", "policy output", {
        decisionId: decision.decisionId,
        output: decision.output,
      });
    },
    upstreamStarted: () => ({ propagationHeaders: () => ({}), end() {} }),
    end() {},
  };
  return { startRequest: () => request, close: async () => {} };
}
