// Pure renderer: `replication` of an active/passive node (participant, mediator).
import type { ReplicationPlan } from "../plan/types";
import type { HoconObject } from "./hocon";

/**
 * Canton's replicas take over through a DB-locked connection: the active one holds a lock on
 * the shared database through one connection; a passive one tries for it every
 * `passive-check-period`; the active one checks that connection every `health-check-period`
 * and turns passive when the check fails. Keys and defaults: DbLockedConnectionPoolConfig and
 * DbLockedConnectionConfig in the Canton 2.8.11 scaladoc (docs.daml.com/2.8.11/canton/scaladoc/
 * com/digitalasset/canton/config/), the last versioned 2.x pages published, and the current 2.x
 * ones; there is no 2.9 page to cite, and the enterprise code is closed.
 *
 * Our defaults (components/config.ts) and why:
 * - passive-check-period 1 s (Canton: 15 s). A standby finds a freed lock within 1 s instead of
 *   15 s; the cost is one `pg_try_advisory_lock` per standby per second, which is nothing.
 * - health-check-period 1 s (Canton: 5 s). An active replica that lost its database notices
 *   within about a second. The check is a trivial query on a connection that is open anyway. It
 *   cannot flap on its own: only a failed (or, where the key exists, timed-out) check demotes.
 * - connection-timeout 5 s (Canton: 10 s): a standby that lost its connection reconnects sooner.
 * - keep-alive 3 s idle, 1 s interval, 3 probes (Canton: the OS's, about 2 hours): a silent
 *   database server is noticed within about 6 s even between checks.
 * - active-timeout 15 s (Canton's default, rendered so it is visible).
 * - health-check-timeout: only when configured; the 2.8.11 scaladoc has no such key, and a 2.x
 *   that does not know it would refuse the config. Canton's default there is 15 s.
 * The database server's own keep-alives (components/postgres/render.ts) end a dead holder's
 * session, and so free its lock, within about 10 s.
 */
export function replication(r: ReplicationPlan): HoconObject {
    return {
        enabled: true,
        "connection-pool": {
            "active-timeout": duration(r.activeTimeoutMs),
            connection: {
                "passive-check-period": duration(r.passiveCheckPeriodMs),
                "health-check-period": duration(r.healthCheckPeriodMs),
                ...(r.healthCheckTimeoutMs !== undefined ? { "health-check-timeout": duration(r.healthCheckTimeoutMs) } : {}),
                "connection-timeout": duration(r.connectionTimeoutMs),
                "keep-alive-idle": `${r.keepAlive.idleSeconds}s`,
                "keep-alive-interval": `${r.keepAlive.intervalSeconds}s`,
                "keep-alive-count": r.keepAlive.count,
            },
        },
    };
}

/** Whole seconds as `Ns`, anything else as `Nms` (both are Canton durations). */
function duration(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
