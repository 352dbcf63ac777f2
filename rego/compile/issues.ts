// Collects compile problems so one run reports all of them (OPA stops between stages; so do we).
import { RegoError, type RegoErrorCode, type RegoIssue } from "../errors.ts";
import type { Location } from "../syntax/ast.ts";

export class IssueList {
  readonly items: RegoIssue[] = [];

  add(code: RegoErrorCode, location: Location | undefined, message: string): void {
    this.items.push(location ? { code, message, location } : { code, message });
  }

  get count(): number {
    return this.items.length;
  }

  /** Throws a RegoError carrying every problem collected so far, sorted by location. */
  throwIfAny(): void {
    if (this.items.length === 0) return;
    const sorted = [...this.items].sort(compareIssues);
    throw new RegoError(sorted);
  }
}

function compareIssues(a: RegoIssue, b: RegoIssue): number {
  const la = a.location;
  const lb = b.location;
  if (!la || !lb) return la ? -1 : lb ? 1 : 0;
  if (la.file !== lb.file) return la.file < lb.file ? -1 : 1;
  return la.row - lb.row || la.col - lb.col;
}
