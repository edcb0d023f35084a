// Reading a runner's log: the report lines and the tail for error messages. Pure functions
// over text, with nothing imported at run time but a constant: the Kubernetes platform's
// dynamic result reader carries them into its provider (platform/kubernetes/job-result.ts).
import { MARKER } from "./layout";

/** The report lines of a log: what follows `CANTON_HA ` on a line. Platforms that only have logs use this. */
export function reportsOf(logs: string): string[] {
    const prefix = `${MARKER} `;
    return logs
        .split("\n")
        .filter((l) => l.startsWith(prefix))
        .map((l) => l.slice(prefix.length).trimEnd());
}

/** How much of the runner's log a platform keeps for the error message. */
const LOG_TAIL_LINES = 120;

/** The last lines of a log, saying how many were left out. */
export function logTail(logs: string): string {
    const lines = logs.trimEnd().split("\n");
    const tail = lines.slice(-LOG_TAIL_LINES).join("\n");
    return lines.length > LOG_TAIL_LINES ? `(last ${LOG_TAIL_LINES} of ${lines.length} lines)\n${tail}` : tail;
}
