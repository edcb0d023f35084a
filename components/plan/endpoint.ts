// The one endpoint formatter: `host:port`, or a URL with a scheme and a path.
import type { Host, Listener } from "./types";

export function endpoint(host: Pick<Host, "fqdn">, l: Pick<Listener, "port">, scheme?: "https" | "http", path = ""): string {
    return `${scheme ? `${scheme}://` : ""}${host.fqdn}:${l.port}${path}`;
}
