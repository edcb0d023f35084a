// Helpers for the engine tests: drive the real Pulumi CLI (built by
// tools/engine/build.sh) through scripts/pulumi.sh, against a temporary
// local backend, on a copy of a fixture program.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export const repoRoot = path.resolve(__dirname, "../..");
export const binDir = path.join(repoRoot, "bin");
/** scripts/pulumi.sh (the CLI), or scripts/pulumi-policy.sh (`preview --policy-pack` with the policy CLI). */
const wrappers = {
  pulumi: path.join(repoRoot, "scripts", "pulumi.sh"),
  policy: path.join(repoRoot, "scripts", "pulumi-policy.sh"),
};

export interface RunOptions {
  timeoutMs?: number;
  /** "policy": run scripts/pulumi-policy.sh, whose first argument is the pack directory. */
  wrapper?: keyof typeof wrappers;
}

/** Throws (so the test fails loudly) unless every named binary is in bin/. */
export function requireEngineBinaries(names: string[]): void {
  const missing = names.filter((n) => !existsSync(path.join(binDir, n)));
  if (missing.length > 0) {
    throw new Error(
      `engine binaries missing from ${binDir}: ${missing.join(", ")}. ` + "Run tools/engine/build.sh; see tools/engine/README.md for binaries that cannot be built here.",
    );
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Workspace {
  dir: string;
  programDir: string;
  env: NodeJS.ProcessEnv;
  /** Runs `pulumi <args>` via scripts/pulumi.sh (or opts.wrapper); rejects on a non-zero exit. */
  pulumi(args: string[], opts?: RunOptions): Promise<RunResult>;
  /** Same, but resolves with the exit code instead of rejecting. */
  pulumiRaw(args: string[], opts?: RunOptions): Promise<RunResult>;
  cleanup(): Promise<void>;
}

/**
 * Copies test/engine/<fixture> into a fresh temporary directory, links the
 * named packages from the repo's node_modules into it, and points the backend
 * and PULUMI_HOME into that directory too.
 */
export async function makeWorkspace(fixture: string, packages: string[]): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), "canton-ha-engine-"));
  const programDir = path.join(dir, "program");
  await cp(path.join(__dirname, fixture), programDir, { recursive: true });
  for (const pkg of packages) {
    const target = path.join(repoRoot, "node_modules", pkg);
    if (!existsSync(target)) throw new Error(`node_modules/${pkg} is missing: run npm ci`);
    const link = path.join(programDir, "node_modules", pkg);
    await mkdir(path.dirname(link), { recursive: true });
    await symlink(target, link, "dir");
  }
  return workspaceIn(dir, programDir);
}

/** The canton-ha program itself (index.ts, components/, Pulumi.yaml, ...) in a temporary directory. */
export async function makeProgramWorkspace(): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), "canton-ha-engine-"));
  const programDir = path.join(dir, "program");
  await mkdir(programDir);
  for (const entry of ["index.ts", "components", "Pulumi.yaml", "package.json", "tsconfig.json"]) {
    await cp(path.join(repoRoot, entry), path.join(programDir, entry), { recursive: true });
  }
  await symlink(path.join(repoRoot, "node_modules"), path.join(programDir, "node_modules"), "dir");
  return workspaceIn(dir, programDir);
}

async function workspaceIn(dir: string, programDir: string): Promise<Workspace> {
  await mkdir(path.join(dir, "state"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_HOME: path.join(dir, "pulumi-home"),
    CANTON_HA_PASSPHRASE: "engine-test-passphrase",
    NO_COLOR: "1",
  };
  delete env.PULUMI_CONFIG_PASSPHRASE;
  delete env.PULUMI_CONFIG_PASSPHRASE_FILE;
  delete env.PULUMI_ACCESS_TOKEN;

  const pulumiRaw = (args: string[], opts?: RunOptions): Promise<RunResult> =>
    new Promise((resolve) => {
      execFile(
        "bash",
        [wrappers[opts?.wrapper ?? "pulumi"], ...args],
        { cwd: programDir, env, timeout: opts?.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });

  const pulumi = async (args: string[], opts?: RunOptions): Promise<RunResult> => {
    const r = await pulumiRaw(args, opts);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
    }
    return r;
  };

  return {
    dir,
    programDir,
    env,
    pulumi,
    pulumiRaw,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * For programs that use the kubernetes provider in render mode: no kubeconfig may reach it.
 * @pulumi/kubernetes passes $KUBECONFIG on as the provider's `kubeconfig` (which render mode
 * rejects), and the provider itself loads ~/.kube/config and asks that cluster for its version.
 * So drop KUBECONFIG and give the engine an empty HOME inside the workspace.
 */
export async function isolateFromKubeconfig(ws: Workspace): Promise<void> {
  delete ws.env.KUBECONFIG;
  ws.env.HOME = path.join(ws.dir, "home");
  await mkdir(ws.env.HOME, { recursive: true });
}

/**
 * Copies a policy pack (PulumiPolicy.yaml, its sources, package.json) into the workspace and
 * links its node_modules, which `npm ci` in the pack's own directory installs
 * (scripts/setup.sh policies). Returns the copy's directory, for scripts/pulumi-policy.sh.
 */
export async function policyPackIn(ws: Workspace, packDir: string): Promise<string> {
  const modules = path.join(packDir, "node_modules");
  if (!existsSync(path.join(modules, "@pulumi", "policy")) || !existsSync(path.join(modules, "@pulumi", "pulumi"))) {
    throw new Error(`${modules} lacks @pulumi/policy or @pulumi/pulumi: run scripts/setup.sh policies (npm ci in ${packDir})`);
  }
  const dir = path.join(ws.dir, `pack-${path.basename(packDir)}`);
  await cp(packDir, dir, { recursive: true, filter: (src) => src !== modules });
  await symlink(modules, path.join(dir, "node_modules"), "dir");
  return dir;
}

/** Resources in a `pulumi stack export` deployment, the stack itself included. */
export function exportedResources(exportText: string): Array<{ urn: string; type: string }> {
  const parsed = JSON.parse(exportText) as { deployment?: { resources?: Array<{ urn: string; type: string }> } };
  return parsed.deployment?.resources ?? [];
}

/** `pulumi up`, then the stack's outputs (secrets shown) and its export (secrets encrypted). */
export async function upAndExport(ws: Workspace, stack: string): Promise<{ outputs: Record<string, unknown>; exportText: string }> {
  await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", stack]);
  const out = await ws.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", stack]);
  const outputs = JSON.parse(out.stdout) as Record<string, unknown>;
  const exp = await ws.pulumi(["stack", "export", "--stack", stack]);
  return { outputs, exportText: exp.stdout };
}

/** A second `pulumi up` that must change nothing (`--expect-no-changes` fails otherwise). */
export async function upExpectingNoChanges(ws: Workspace, stack: string): Promise<void> {
  await ws.pulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--expect-no-changes", "--stack", stack]);
}

/** `pulumi destroy`, then the resources left in the stack's state. */
export async function destroyAndListLeftovers(ws: Workspace, stack: string): Promise<Array<{ urn: string; type: string }>> {
  await ws.pulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", stack]);
  const exp = await ws.pulumi(["stack", "export", "--stack", stack]);
  return exportedResources(exp.stdout);
}

/** Test teardown: destroy whatever the stack still holds (errors ignored), then remove the workspace. */
export async function tearDown(ws: Workspace | undefined, stack: string): Promise<void> {
  if (!ws) return;
  await ws.pulumiRaw(["destroy", "--yes", "--skip-preview", "--non-interactive", "--stack", stack]);
  await ws.cleanup();
}
