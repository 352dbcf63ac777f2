// Multi round-trip requests hand the client a requestState (gateway/mcp/modern/request-state.ts):
// the client holds it, so it is attacker-controlled on the way back. It is sealed and bound to the
// principal and the exact call, expires, and works once: altered, replayed or transplanted states,
// and answers to questions that were never asked, are refused before anything is forwarded.
import { describe, expect, it } from "vitest";
import { type Sent } from "../helpers/modern-request.ts";
import { useModernGateway } from "../gateway/e2e/modern-gateway.ts";

const modern = useModernGateway();
const answerOf = (sent: Sent) => modern.answerOf(sent);
const firstRound = (params: Record<string, unknown>) => modern.firstRound(params);

describe("requestState cannot be forged, replayed or moved to another call", () => {
  const elicit = { name: "scripted__elicit", arguments: {} };

  async function retryError(params: Record<string, unknown>): Promise<Record<string, any>> {
    const { body } = await answerOf({ method: "tools/call", params });
    expect(body.result).toBeUndefined();
    return body.error;
  }
  it("refuses a requestState used twice, altered, or for another call", async () => {
    const { key, state } = await firstRound(elicit);
    const answer = { [key]: { action: "accept", content: { name: "Bob" } } };
    await answerOf({
      method: "tools/call",
      params: { ...elicit, inputResponses: answer, requestState: state },
    });
    const replayed = await retryError({ ...elicit, inputResponses: answer, requestState: state });
    expect(replayed).toMatchObject({
      code: -32602,
      message: expect.stringContaining("used already"),
    });

    const fresh = await firstRound(elicit);
    const altered = fresh.state.slice(0, -2) + (fresh.state.endsWith("A") ? "BB" : "AA");
    expect(
      await retryError({ ...elicit, inputResponses: answer, requestState: altered }),
    ).toMatchObject({ code: -32602, message: expect.stringContaining("does not verify") });
    const otherCall = { name: "scripted__elicit", arguments: { other: true } };
    expect(
      await retryError({ ...otherCall, inputResponses: answer, requestState: fresh.state }),
    ).toMatchObject({ code: -32602, message: expect.stringContaining("does not verify") });
  });

  it("refuses inputResponses without a requestState, or answering what was not asked", async () => {
    expect(
      await retryError({ ...elicit, inputResponses: { x: { action: "decline" } } }),
    ).toMatchObject({ code: -32602, message: expect.stringContaining("without the requestState") });
    const { state } = await firstRound(elicit);
    expect(
      await retryError({
        ...elicit,
        inputResponses: { nope: { action: "decline" } },
        requestState: state,
      }),
    ).toMatchObject({ code: -32602, message: expect.stringContaining("answers nothing") });
  });
});
