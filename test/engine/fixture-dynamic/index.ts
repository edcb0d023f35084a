// Engine test fixture that needs only the CLI, the Node.js language host and
// the dynamic-provider plugin shipped in @pulumi/pulumi: a resource whose
// create() draws a random token, stored and exported as a secret.
import * as pulumi from "@pulumi/pulumi";

interface TokenOutputs {
  token: string;
  length: number;
}

const tokenProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: { length: number }): Promise<pulumi.dynamic.CreateResult<TokenOutputs>> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    const token = crypto.randomBytes(inputs.length).toString("hex");
    return { id: crypto.randomUUID(), outs: { token, length: inputs.length } };
  },
};

class Token extends pulumi.dynamic.Resource {
  declare public readonly token: pulumi.Output<string>;
  declare public readonly length: pulumi.Output<number>;
  constructor(name: string, length: number, opts?: pulumi.CustomResourceOptions) {
    super(tokenProvider, name, { token: undefined, length }, { ...opts, additionalSecretOutputs: ["token"] });
  }
}

const token = new Token("api-token", 24);

export const tokenLength = token.length;
export const apiToken = pulumi.secret(token.token);
