// Runs the Pulumi program under the SDK's mock monitor. Mocks and config must be in place
// before the program module is imported, so callers use `await import(...)` after this.
import * as pulumi from "@pulumi/pulumi";
import { reportsOf } from "../../components/bootstrap/log";

export interface Registered {
  urn: string;
  type: string;
  name: string;
  /** The resource's parent chain of type tokens, from the URN, outermost first. */
  parentTypes: string[];
  state: any;
}

/** A PEM-shaped placeholder, not a key: mocks never create real key material. */
const PEM_LABEL = ["PRIVATE", "KEY"].join(" ");
/** PEM key headers, built so that no literal key header sits in the tree. */
export const PKCS8_KEY_HEADER = `-----BEGIN ${PEM_LABEL}-----`;
export const PKCS1_KEY_HEADER = `-----BEGIN RSA ${PEM_LABEL}-----`;
export const FAKE_KEY = `-----BEGIN ${PEM_LABEL}-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEA\n-----END ${PEM_LABEL}-----\n`;

/** Outputs a provider would compute; just enough for the program to wire things up. */
function computedOutputs(type: string, name: string, inputs: any): Record<string, unknown> {
  switch (type) {
    case "tls:index/privateKey:PrivateKey":
      return { privateKeyPem: FAKE_KEY, privateKeyPemPkcs8: FAKE_KEY, publicKeyPem: `PUBLIC(${name})`, publicKeyOpenssh: "", publicKeyFingerprintSha256: "" };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`, validityEndTime: "2027-11-21T00:00:00Z", readyForRenewal: false };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: `CSR(${name})` };
    case "random:index/randomPassword:RandomPassword":
      return { result: `password-of-${name}`, bcryptHash: "" };
    case "pulumi-nodejs:dynamic/canton-ha:JwtToken":
      // JwtToken: a placeholder token per subject, so wiring can be followed; real minting is tested in auth tests.
      return typeof inputs.subject === "string" ? { token: `token-for-${inputs.subject}-${name}`, expiresAtIso: "2027-11-21T00:00:00.000Z" } : {};
    case "docker:index/remoteImage:RemoteImage":
      return { imageId: `sha256:${name}`, repoDigest: "" };
    case "docker:index/container:Container":
      // One-shot jobs (`attach`) report how their run ended; see `jobResults`.
      return inputs.attach ? (jobResults.get(name) ?? defaultJobResult(name)) : {};
    case "pulumi-nodejs:dynamic/canton-ha:JobResult": {
      // The Kubernetes platform's Job result reader: the same runs as the Docker jobs, by job name.
      const run = jobResults.get(inputs.job) ?? defaultJobResult(inputs.job);
      return { exitCode: run.exitCode, logTail: run.containerLogs, reports: reportsOf(run.containerLogs) };
    }
    default:
      return {};
  }
}

/** How a mocked one-shot job container ends, by resource name; default: exit 0. */
export const jobResults = new Map<string, { exitCode: number; containerLogs: string }>();

/** A successful run; participant jobs report a participant id as the real script does. */
export function defaultJobResult(name: string): { exitCode: number; containerLogs: string } {
  const participant = /^bootstrap-participant-(.+)$/.exec(name)?.[1];
  const lines = [`CANTON_HA start ${name}`];
  if (participant) lines.push(`CANTON_HA participant-id ${participant} PAR::${participant}::1220${"ab".repeat(16)}`);
  lines.push(`CANTON_HA done ${name}`);
  return { exitCode: 0, containerLogs: lines.join("\n") + "\n" };
}

export async function setUpMocks(stack: string, config: Record<string, string>): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) } }),
      call: (args) => args.inputs,
    },
    "canton-ha",
    stack,
    false, // preview=false: outputs the mock does not return would never resolve otherwise
  );
  pulumi.runtime.setAllConfig(config);
  recordOptions();
}

/** Resource options as the program registered them, by URN (the mock monitor keeps only state). */
export interface RegisteredOptions {
  protect: boolean;
  retainOnDelete: boolean;
  deleteBeforeReplace: boolean;
  aliases: number;
  dependsOn: string[];
}
const optionsByUrn = new Map<string, RegisteredOptions>();

function recordOptions(): void {
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, res: any) => void) =>
    register(req, (err: unknown, res: any) => {
      if (res) {
        optionsByUrn.set(res.getUrn(), {
          protect: req.getProtect() === true,
          retainOnDelete: req.getRetainondelete() === true,
          deleteBeforeReplace: req.getDeletebeforereplace() === true,
          aliases: req.getAliasesList().length,
          dependsOn: req.getDependenciesList(),
        });
      }
      callback(err, res);
    });
}

export function optionsOf(urn: string): RegisteredOptions | undefined {
  return optionsByUrn.get(urn);
}

/** Every resource the program registered, once all registrations have finished. */
export async function registered(): Promise<Registered[]> {
  await settle();
  const monitor = pulumi.runtime.getMonitor() as any;
  const map: Map<string, { urn: string; state: any }> = monitor.getRegisteredResources();
  return [...map.values()].map(({ urn, state }) => {
    const [, , typeChain, name] = urn.split("::");
    const types = typeChain.split("$");
    return { urn, type: types[types.length - 1], name, parentTypes: types.slice(0, -1), state };
  });
}

/** Resolves an output to its value (never assert inside an un-awaited apply). */
export function valueOf<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) =>
    pulumi.output(o).apply((v) => {
      resolve(v as T);
      return v;
    }),
  );
}

/** Waits until registrations stop arriving at the mock monitor (bounded at 10 s). */
async function settle(): Promise<void> {
  const monitor = pulumi.runtime.getMonitor() as any;
  let last = -1;
  let stable = 0;
  for (let waited = 0; waited < 10_000 && stable < 5; waited += 20) {
    await new Promise((r) => setTimeout(r, 20));
    const n = monitor.getRegisteredResources().size;
    stable = n === last ? stable + 1 : 0;
    last = n;
  }
}

/** The marker the SDK uses for secret values in serialized state. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as any)["4dabf18193072939515e22adb298388d"] === SECRET_SIG;
}

/** Unwraps serialized secrets, recursively, to look at the values behind them. */
export function reveal(v: any): any {
  if (isSecretValue(v)) return reveal(v.value);
  if (Array.isArray(v)) return v.map(reveal);
  if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  return v;
}

/** The registered resources of one type (`docker:index/container:Container`, ...). */
export function ofType(resources: Registered[], type: string): Registered[] {
  return resources.filter((r) => r.type === type);
}

/** A mocked container's uploads by path, secrets revealed: text content, or base64 for binary files. */
export function uploadsOf(container: Registered): Record<string, string> {
  return Object.fromEntries(reveal(container.state.uploads).map((u: any) => [u.file, u.content ?? u.contentBase64]));
}
