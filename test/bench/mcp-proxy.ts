// mcp-proxy (the npm package, installed apart: not a dependency) fronting the conformance fixture
// over stdio, for `npm run bench:gateway -- --mcp-proxy <path to its dist/bin/mcp-proxy.mjs>`: the
// reference a gateway with a stdio upstream is compared with.
import { spawn } from "node:child_process";
import { createConnection } from "node:net";
import { stdioFixtureUpstream, type RunningProcess } from "../mcp-conformance/processes.ts";
import { freePort } from "../gateway/upstream/helpers.ts";

/** mcp-proxy (`bin`) in stream mode fronting the stdio fixture (it cannot report the port it got
 * for port 0, so it is given a free one); ready once its port accepts. */
export async function startMcpProxy(bin: string): Promise<RunningProcess> {
  const port = await freePort();
  const upstream = stdioFixtureUpstream();
  const child = spawn(
    process.execPath,
    [
      bin,
      "--port",
      String(port),
      "--host",
      "127.0.0.1",
      "--server",
      "stream",
      "--",
      upstream.command,
      ...upstream.args,
    ],
    { cwd: upstream.cwd, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  for (let waited = 0; ; waited += 100) {
    if (child.exitCode !== null) throw new Error(`mcp-proxy exited during startup:\n${stderr}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) break;
    if (waited > 30_000) {
      await stop();
      throw new Error("mcp-proxy: not listening after 30 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url: `http://127.0.0.1:${port}/mcp`, child, stderrTail: () => stderr, stop };
}
