// The one "rendered by" header of every generated file (HOCON, console scripts, proxy configs).

/** `what`, then who rendered it and that edits are overwritten; callers add their comment syntax. */
export function renderedBy(stack: string, what: string): string {
    return `${what}\nRendered by canton-ha for stack '${stack}'. Do not edit: \`pulumi up\` rewrites it.`;
}
