// Per-policy fixtures: every policy has compliant cases (no violation of it) and violating
// cases (at least one violation of it, whose message matches `expect`).
import type { WireResource } from "../support/run";

export interface Case {
    name: string;
    resources: WireResource[];
    /** The policy's own config for this case. */
    config?: object;
    /** Violating cases: a message of the policy matches this. */
    expect?: RegExp;
}

export interface PolicyCases {
    compliant: Case[];
    violating: Case[];
}

export type CaseTable = Record<string, PolicyCases>;

/** Removes a nested HOCON block, e.g. cutBlock(conf, "public-api", "tls"). */
export function cutBlock(text: string, ...path: string[]): string {
    let from = 0;
    let start = -1;
    for (const name of path) {
        const m = new RegExp(`(^|\\n)([ \\t]*)${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=?\\s*[{[]`).exec(text.slice(from));
        if (!m) throw new Error(`no block '${path.join(".")}' in the text`);
        start = from + m.index + m[1].length;
        from = start + m[0].length - m[1].length;
    }
    let depth = 1;
    let i = from;
    for (; i < text.length && depth > 0; i++) {
        if (text[i] === "{" || text[i] === "[") depth++;
        if (text[i] === "}" || text[i] === "]") depth--;
    }
    const end = text.indexOf("\n", i);
    return text.slice(0, start) + text.slice(end < 0 ? text.length : end + 1);
}

/** Replaces the first match (throws when there is none, so a fixture cannot silently stop mutating). */
export function replaceOnce(text: string, find: string | RegExp, by: string): string {
    const out = text.replace(find, by);
    if (out === text) throw new Error(`fixture edit found nothing to replace: ${String(find)}`);
    return out;
}
