// A small HOCON reader for the policies: enough of the format for Canton node configs as
// renderers write them (objects, arrays, quoted and unquoted values, dotted keys, comments,
// `${...}` substitutions, merging of repeated keys). The pack has no dependency for this:
// it runs from its own node_modules, and a policy must not fail on a file it cannot fully
// read. Substitutions stay unresolved, as `{ substitution: "NAME" }`, so a policy can tell
// `password = ${CANTON_DB_PASSWORD}` from a literal password. `include` lines are skipped.

export interface Substitution {
    substitution: string;
    optional: boolean;
}

export const isSubstitution = (v: unknown): v is Substitution => typeof v === "object" && v !== null && typeof (v as Substitution).substitution === "string";

export class HoconError extends Error {}

export function parseHocon(text: string): Record<string, unknown> {
    return new Reader(text).document();
}

class Reader {
    private i = 0;
    constructor(private readonly s: string) {}

    document(): Record<string, unknown> {
        this.skip(true);
        if (this.peek() === "{") {
            this.i++;
            const o = this.fields("}");
            this.skip(true);
            return o;
        }
        return this.fields(undefined);
    }

    private peek(): string {
        return this.s[this.i] ?? "";
    }

    private fail(what: string): never {
        const line = this.s.slice(0, this.i).split("\n").length;
        throw new HoconError(`${what} at line ${line}`);
    }

    /** Skips spaces and comments; with `newlines`, also line breaks and commas. */
    private skip(newlines: boolean): void {
        for (;;) {
            const c = this.peek();
            if (c === " " || c === "\t" || c === "\r" || c === "\uFEFF") this.i++;
            else if (newlines && (c === "\n" || c === ",")) this.i++;
            else if (c === "#" || (c === "/" && this.s[this.i + 1] === "/")) {
                while (this.i < this.s.length && this.peek() !== "\n") this.i++;
            } else return;
        }
    }

    private fields(close: string | undefined): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        for (;;) {
            this.skip(true);
            if (this.i >= this.s.length) {
                if (close) this.fail(`missing '${close}'`);
                return out;
            }
            if (close && this.peek() === close) {
                this.i++;
                return out;
            }
            if (this.s.startsWith("include", this.i) && /\s/.test(this.s[this.i + 7] ?? "")) {
                while (this.i < this.s.length && this.peek() !== "\n") this.i++;
                continue;
            }
            const path = this.key();
            this.skip(false);
            let append = false;
            if (this.peek() === "=" || this.peek() === ":") this.i++;
            else if (this.s.startsWith("+=", this.i)) {
                this.i += 2;
                append = true;
            } else if (this.peek() !== "{") this.fail(`expected '=', ':' or '{' after '${path.join(".")}'`);
            this.skip(false);
            const value = this.value();
            set(out, path, value, append);
        }
    }

    private key(): string[] {
        const parts: string[] = [];
        let cur = "";
        for (;;) {
            const c = this.peek();
            if (c === '"') {
                cur += this.quoted();
            } else if (c === ".") {
                parts.push(cur.trim());
                cur = "";
                this.i++;
            } else if (c === "" || "=:{+\n,#}".includes(c) || (c === "/" && this.s[this.i + 1] === "/")) {
                break;
            } else {
                cur += c;
                this.i++;
            }
        }
        parts.push(cur.trim());
        if (parts.some((p) => p.length === 0)) this.fail("empty key");
        return parts;
    }

    private value(): unknown {
        const pieces: unknown[] = [];
        for (;;) {
            const c = this.peek();
            if (c === "{") {
                this.i++;
                pieces.push(this.fields("}"));
            } else if (c === "[") {
                this.i++;
                pieces.push(this.array());
            } else if (c === '"') {
                pieces.push(this.s.startsWith('"""', this.i) ? this.tripleQuoted() : this.quoted());
            } else if (c === "$" && this.s[this.i + 1] === "{") {
                pieces.push(this.substitution());
            } else if (c === "" || "\n,}]#".includes(c) || (c === "/" && this.s[this.i + 1] === "/")) {
                break;
            } else {
                const start = this.i;
                while (this.i < this.s.length && !'\n,}]#"$'.includes(this.peek()) && !(this.peek() === "/" && this.s[this.i + 1] === "/")) {
                    if (this.peek() === "{" || this.peek() === "[") break;
                    this.i++;
                }
                if (this.i === start) this.fail(`unexpected '${c}'`);
                pieces.push({ raw: this.s.slice(start, this.i) });
            }
            const before = this.i;
            this.skip(false);
            // Whitespace between pieces is part of a concatenated string value.
            if (pieces.length > 0 && this.i > before && !"\n,}]#".includes(this.peek())) pieces.push({ raw: this.s.slice(before, this.i) });
        }
        return concat(pieces);
    }

    private array(): unknown[] {
        const out: unknown[] = [];
        for (;;) {
            this.skip(true);
            if (this.i >= this.s.length) this.fail("missing ']'");
            if (this.peek() === "]") {
                this.i++;
                return out;
            }
            out.push(this.value());
        }
    }

    private quoted(): string {
        this.i++;
        let out = "";
        for (;;) {
            const c = this.peek();
            if (c === "") this.fail("unterminated string");
            this.i++;
            if (c === '"') return out;
            if (c === "\\") {
                const e = this.peek();
                this.i++;
                const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", '"': '"', "\\": "\\", "/": "/" };
                if (e === "u") {
                    out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 4), 16));
                    this.i += 4;
                } else out += map[e] ?? e;
            } else out += c;
        }
    }

    private tripleQuoted(): string {
        const end = this.s.indexOf('"""', this.i + 3);
        if (end < 0) this.fail("unterminated string");
        const out = this.s.slice(this.i + 3, end);
        this.i = end + 3;
        return out;
    }

    private substitution(): Substitution {
        const end = this.s.indexOf("}", this.i);
        if (end < 0) this.fail("unterminated substitution");
        let name = this.s.slice(this.i + 2, end).trim();
        this.i = end + 1;
        const optional = name.startsWith("?");
        if (optional) name = name.slice(1).trim();
        return { substitution: name.replace(/^"|"$/g, ""), optional };
    }
}

/** One value from its pieces: a lone object, array or substitution stays as it is; text is joined. */
function concat(pieces: unknown[]): unknown {
    const trimmed = [...pieces];
    while (trimmed.length > 0 && isRaw(trimmed[trimmed.length - 1]) && (trimmed[trimmed.length - 1] as { raw: string }).raw.trim() === "") trimmed.pop();
    if (trimmed.length === 1) {
        const only = trimmed[0];
        return isRaw(only) ? scalar(only.raw.trim()) : only;
    }
    if (trimmed.every((p) => typeof p === "object" && p !== null && !Array.isArray(p) && !isRaw(p) && !isSubstitution(p))) {
        return trimmed.reduce<Record<string, unknown>>((acc, o) => merge(acc, o as Record<string, unknown>), {});
    }
    return trimmed.map((p) => (isRaw(p) ? p.raw : isSubstitution(p) ? `\${${p.substitution}}` : typeof p === "string" ? p : JSON.stringify(p))).join("");
}

const isRaw = (v: unknown): v is { raw: string } => typeof v === "object" && v !== null && typeof (v as { raw?: unknown }).raw === "string";

function scalar(text: string): unknown {
    if (text === "true" || text === "yes" || text === "on") return true;
    if (text === "false" || text === "no" || text === "off") return false;
    if (text === "null") return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return Number(text);
    return text;
}

function set(obj: Record<string, unknown>, path: string[], value: unknown, append: boolean): void {
    let cur = obj;
    for (const k of path.slice(0, -1)) {
        const next = cur[k];
        if (typeof next !== "object" || next === null || Array.isArray(next)) cur[k] = {};
        cur = cur[k] as Record<string, unknown>;
    }
    const last = path[path.length - 1];
    const existing = cur[last];
    if (append) cur[last] = [...(Array.isArray(existing) ? existing : []), value];
    else if (isPlainObject(existing) && isPlainObject(value)) cur[last] = merge(existing, value);
    else cur[last] = value;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !isSubstitution(v);

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = isPlainObject(out[k]) && isPlainObject(v) ? merge(out[k] as Record<string, unknown>, v) : v;
    return out;
}

/** The value at a dotted path of a parsed document, or undefined. */
export function at(obj: unknown, ...path: string[]): any {
    let cur: any = obj;
    for (const k of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = cur[k];
    }
    return cur;
}
