// A small HOCON writer. Canton reads HOCON; we build configs as plain objects and print
// them here, so renderers never concatenate config text by hand.

/** A HOCON substitution, `${NAME}` (or `${?NAME}` when optional), resolved by Canton at start. */
interface Substitution {
    readonly $substitute: string;
    readonly optional?: boolean;
}

type HoconValue = string | number | boolean | null | Substitution | HoconValue[] | HoconObject;
export interface HoconObject {
    [key: string]: HoconValue | undefined;
}

export const env = (name: string, optional = false): Substitution => ({ $substitute: name, optional });

function isSubstitution(v: unknown): v is Substitution {
    return typeof v === "object" && v !== null && "$substitute" in v;
}

/** Keys are quoted only when they contain characters HOCON treats as path syntax. */
function key(k: string): string {
    return /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
}

function scalar(v: string | number | boolean | null): string {
    if (v === null) return "null";
    if (typeof v === "string") return JSON.stringify(v);
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`HOCON cannot hold ${v}`);
    return String(v);
}

function value(v: HoconValue, indent: string): string {
    if (isSubstitution(v)) return `\${${v.optional ? "?" : ""}${v.$substitute}}`;
    if (Array.isArray(v)) {
        if (v.length === 0) return "[]";
        const inner = indent + "  ";
        return `[\n${v.map((x) => inner + value(x, inner)).join(",\n")}\n${indent}]`;
    }
    if (typeof v === "object" && v !== null) return block(v, indent);
    return scalar(v);
}

function block(obj: HoconObject, indent: string): string {
    const inner = indent + "  ";
    const lines = Object.entries(obj)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => {
            const isObj = typeof v === "object" && v !== null && !Array.isArray(v) && !isSubstitution(v);
            return `${inner}${key(k)}${isObj ? " " : " = "}${value(v as HoconValue, inner)}`;
        });
    return lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n${indent}}`;
}

/** Renders a whole document (the root object without surrounding braces). */
export function renderHocon(doc: HoconObject, header?: string): string {
    const body = block(doc, "").slice(2, -2); // drop the outer "{\n" and "\n}"
    const lines = body.split("\n").map((l) => l.replace(/^ {2}/, ""));
    return `${
        header
            ? header
                  .split("\n")
                  .map((l) => `// ${l}`)
                  .join("\n") + "\n"
            : ""
    }${lines.join("\n")}\n`;
}
