// The problems a config load reports (ConfigError's lines), or none when it loads.
import { ConfigError } from "../../gateway/config.ts";

export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}
